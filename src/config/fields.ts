// Zod schemas for the scalar forms of the rule language: durations, holds, budgets, argv lists,
// worker references and conditions. Each turns the text into its value or adds one issue whose
// message says what was expected and what was found.
import { z } from 'zod';
import { parseDuration } from '../core/durations.js';
import { formatSuggestion } from '../core/nearest.js';
import { parseCondition } from './parse-condition.js';
import type { Condition } from '../core/types.js';

/** `params.kind` values the issue mapper recognises. */
export const CONDITION_ISSUE = 'condition';

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function bareNumberHint(value: unknown): string {
  return typeof value === 'number' ? ' (add a unit: ms, s, m, h or d)' : '';
}

/** A duration such as `30s`, as milliseconds. Zero only where `allowZero`. */
export function durationField(options: { example?: string; allowZero?: boolean } = {}) {
  const example = options.example ?? '30s';
  return z.unknown().transform((value, ctx) => {
    const ms = typeof value === 'string' ? parseDuration(value) : null;
    if (ms === null) {
      ctx.addIssue({ code: 'custom', input: value, message: `expected a duration like "${example}", got ${describeValue(value)}${bareNumberHint(value)}` });
      return z.NEVER;
    }
    if (ms === 0 && !options.allowZero) {
      ctx.addIssue({ code: 'custom', input: value, message: `expected a duration above zero, like "${example}", got ${describeValue(value)}` });
      return z.NEVER;
    }
    return ms;
  });
}

export type Hold = { samples: number } | { ms: number };

/** `for:` — `3 samples`, `1 sample` or a duration. */
export const holdField = z.unknown().transform((value, ctx): Hold => {
  if (typeof value === 'string') {
    const samples = /^\s*(\d+)\s+samples?\s*$/.exec(value);
    if (samples && Number(samples[1]) >= 1) return { samples: Number(samples[1]) };
    const ms = samples ? null : parseDuration(value);
    if (ms !== null && ms > 0) return { ms };
  }
  ctx.addIssue({ code: 'custom', input: value, message: `expected a duration like "30s" or a count like "3 samples", got ${describeValue(value)}${bareNumberHint(value)}` });
  return z.NEVER;
});

export interface Budget {
  count: number;
  windowMs: number;
}

/** `budget:` — `<count> per <duration>`. */
export const budgetField = z.unknown().transform((value, ctx): Budget => {
  const match = typeof value === 'string' ? /^\s*(\d+)\s+per\s+(\S+)\s*$/.exec(value) : null;
  const windowMs = match ? parseDuration(match[2]!) : null;
  if (match && windowMs !== null && windowMs > 0 && Number(match[1]) >= 1) return { count: Number(match[1]), windowMs };
  ctx.addIssue({ code: 'custom', input: value, message: `expected a budget like "3 per 1h" (<count> per <duration>), got ${describeValue(value)}` });
  return z.NEVER;
});

/** `attempts:` and other counts: whole numbers from 1. */
export const countField = z.unknown().transform((value, ctx): number => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  ctx.addIssue({ code: 'custom', input: value, message: `expected a whole number of at least 1, got ${describeValue(value)}` });
  return z.NEVER;
});

/** A command as an argv list; numbers become strings (`[sleep, 10]`), everything else is an error. */
export const argvField = z.array(
  z.unknown().transform((value, ctx): string => {
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    ctx.addIssue({ code: 'custom', input: value, message: `expected a program argument (a string), got ${describeValue(value)}` });
    return z.NEVER;
  }),
  { error: (issue) => (issue.input === undefined ? undefined : `expected an argv list like [/usr/local/bin/cmd, --flag], got ${describeValue(issue.input)}`) },
).min(1, { error: 'expected an argv list with at least the program, got an empty list' });

/** A path or other non-empty string. */
export const textField = z.string({ error: (issue) => (issue.input === undefined ? undefined : `expected a string, got ${describeValue(issue.input)}`) })
  .min(1, { error: 'expected a non-empty string' });

/** A worker name that must be defined somewhere in the rules location. */
export function workerRefField(workers: ReadonlySet<string>) {
  return textField.superRefine((name, ctx) => {
    if (workers.has(name)) return;
    const hint = workers.size === 0 ? ' (no workers are defined)' : formatSuggestion(name, workers) || ` (workers: ${[...workers].join(', ')})`;
    ctx.addIssue({ code: 'custom', input: name, message: `undefined worker "${name}"${hint}` });
  });
}

export interface ParsedWhen {
  text: string;
  condition: Condition;
}

/** `when:` — parsed here so that condition errors come out with every other issue. */
export function conditionField(workers: ReadonlySet<string>, queues?: ReadonlySet<string>) {
  return textField.transform((text, ctx): ParsedWhen => {
    const result = parseCondition(text, { workers, ...(queues ? { queues } : {}) });
    if (result.ok) return { text, condition: result.condition };
    for (const error of result.errors) {
      ctx.addIssue({ code: 'custom', input: text, message: error.message, params: { kind: CONDITION_ISSUE, offset: error.offset } });
    }
    return z.NEVER;
  });
}
