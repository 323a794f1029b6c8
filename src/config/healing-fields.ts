// Scalar forms the healing steps share: absolute paths, sizes, percentages, whole numbers,
// HTTP targets and the degradation level.
import { z } from 'zod';
import { parseSize } from '../core/durations.js';
import { DEGRADATION_LEVELS } from '../core/action-specs.js';
import type { DegradationLevel, HttpTarget } from '../core/action-specs.js';
import { describeValue, textField } from './fields.js';

/** schema.ts's ONE_OF_ISSUE (not imported: schema.ts imports this file's users). */
export const ONE_OF_KIND = 'one-of';

/** A folder a file action works in: absolute, no `..`, not `/`. */
export const absolutePathField = textField.superRefine((text, ctx) => {
  const problem = !text.startsWith('/') ? 'expected an absolute path like /var/cache/render'
    : text.split('/').includes('..') ? 'expected a path without ".." segments'
    : text.replace(/\/+$/, '') === '' ? 'refusing "/": name a folder below it'
    : text.includes('\0') ? 'expected a path without NUL bytes'
    : null;
  if (problem !== null) ctx.addIssue({ code: 'custom', input: text, message: `${problem}, got ${describeValue(text)}` });
});

/** `10GiB`, `500MB`: bytes. A bare number is refused (which unit?). */
export const sizeField = z.unknown().transform((value, ctx): number => {
  const bytes = typeof value === 'string' ? parseSize(value) : null;
  if (bytes !== null) return bytes;
  const hint = typeof value === 'number' ? ' (add a unit: B, KiB, MiB, GiB, KB, MB, GB)' : '';
  ctx.addIssue({ code: 'custom', input: value, message: `expected a size like "10GiB", got ${describeValue(value)}${hint}` });
  return z.NEVER;
});

/** `80%` or 80: a percentage between the bounds. */
export function percentField(options: { min: number; max: number; example: string }) {
  return z.unknown().transform((value, ctx): number => {
    const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value) : null;
    const pct = match ? Number(match[1]) : typeof value === 'number' ? value : NaN;
    if (Number.isFinite(pct) && pct >= options.min && pct <= options.max) return pct;
    ctx.addIssue({ code: 'custom', input: value, message: `expected a percentage from ${options.min}% to ${options.max}% like "${options.example}", got ${describeValue(value)}` });
    return z.NEVER;
  });
}

/** Whole numbers from `min`. */
export function wholeNumberField(min: number) {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
    ctx.addIssue({ code: 'custom', input: value, message: `expected a whole number of at least ${min}, got ${describeValue(value)}` });
    return z.NEVER;
  });
}

const URL_EXAMPLE = 'http://127.0.0.1:8080/cache/clear';

const urlField = textField.transform((text, ctx): string => {
  const url = URL.canParse(text) ? new URL(text) : null;
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return url.href;
  ctx.addIssue({ code: 'custom', input: text, message: `expected an http:// or https:// URL like "${URL_EXAMPLE}", got ${describeValue(text)}` });
  return z.NEVER;
});

/** `http: URL` (POST) or `http: { url, method: POST | PUT | PATCH }`. */
export const httpTargetField = z.union(
  [
    urlField.transform((url): HttpTarget => ({ url, method: 'POST' })),
    z.strictObject({ url: urlField, method: z.enum(['POST', 'PUT', 'PATCH']).default('POST') }).transform((target): HttpTarget => target),
  ],
  { error: (issue) => (issue.input === undefined ? undefined : `expected a URL like "${URL_EXAMPLE}" or { url: ..., method: POST }, got ${describeValue(issue.input)}`) },
);

/** A throttle's level: `normal` is what restoring sets, so it is not a throttle. */
export const levelField = z.unknown().transform((value, ctx): DegradationLevel => {
  const levels = DEGRADATION_LEVELS.filter((level) => level !== 'normal');
  if (typeof value === 'string' && (levels as string[]).includes(value)) return value as DegradationLevel;
  ctx.addIssue({ code: 'custom', input: value, message: `expected a level: ${levels.join(', ')}, got ${describeValue(value)}` });
  return z.NEVER;
});

/** "give one of a, b" when none is there, "only one of a, b" when more are. */
export function requireOneOf(ctx: z.core.$RefinementCtx, value: Record<string, unknown>, keys: readonly string[], what: string, options: { atMostOne?: boolean; atLeastOne?: boolean } = {}): string[] {
  const present = keys.filter((key) => value[key] !== undefined);
  if (present.length === 0 && options.atLeastOne !== false) {
    ctx.addIssue({ code: 'custom', message: `${what} needs one of ${keys.join(', ')}`, params: { kind: ONE_OF_KIND } });
  }
  if (present.length > 1 && options.atMostOne !== false) {
    ctx.addIssue({ code: 'custom', path: [present[1]!], message: `${what} takes one of ${keys.join(', ')}; found ${present.join(' and ')}`, params: { at: 'key' } });
  }
  return present;
}

/** Keys that do not belong with the form that was chosen. */
export function refuseKeys(ctx: z.core.$RefinementCtx, value: Record<string, unknown>, keys: readonly string[], why: string): void {
  for (const key of keys.filter((k) => value[k] !== undefined)) {
    ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" ${why}`, params: { at: 'key' } });
  }
}

/** Key checks run even when a field failed, so one pass reports every mistake. */
export const EVEN_WITH_FIELD_ERRORS = { when: (payload: { value: unknown }) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value) };

/** A strict object whose wrong-type message shows what it should look like. */
export function strictMapping<T extends z.core.$ZodLooseShape>(shape: T, looksLike: string) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? `expected ${looksLike}, got ${describeValue(issue.input)}` : undefined),
  });
}
