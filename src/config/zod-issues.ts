// Zod issues -> plain issues with a document path, a human message and what to point at.
// Unknown keys become one issue per key (with a suggestion); union failures are replaced by
// the issues of the branch whose type matched.
import { z } from 'zod';
import { formatSuggestion } from '../core/nearest.js';
import { CONDITION_ISSUE, describeValue } from './fields.js';
import { ONE_OF_ISSUE } from './schema.js';

export type DocPath = Array<string | number>;

export interface PlainIssue {
  path: DocPath;
  message: string;
  /** `key`: point at the key of the last path segment; `value` (default): at the value. */
  at: 'key' | 'value';
  /** For `when:` errors: offset of the bad token inside the scalar. */
  offset?: number;
}

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

const MISSING = '\u0000missing';

type MappedIssue = PlainIssue & { oneOf?: boolean };

export type ValidateResult<T> = { ok: true; value: T } | { ok: false; issues: PlainIssue[] };

/** Parses `data` with `schema`, returning every problem as a PlainIssue. */
export function validateWithSchema<T>(schema: z.ZodType<T>, data: unknown): ValidateResult<T> {
  const knownKeys = new WeakMap<object, string[]>();
  const result = schema.safeParse(data, { error: (issue) => humanize(issue, knownKeys) });
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.flatMap((issue) => toPlainIssues(issue, [], data, knownKeys));
  return { ok: false, issues: dropOneOfBesideUnknownKeys(issues) };
}

function humanize(issue: RawIssue, knownKeys: WeakMap<object, string[]>): string | undefined {
  const input = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined ? MISSING : `expected ${describeExpected(issue.expected)}, got ${describeValue(input)}`;
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const hint = typeof input === 'string' ? formatSuggestion(input, issue.values.map(String)) : '';
      return `expected ${values.join(' or ')}, got ${describeValue(input)}${hint}`;
    }
    case 'too_small':
    case 'too_big': {
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      return `expected ${word} ${String(bound)}${issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : ''}, got ${describeValue(input)}`;
    }
    case 'unrecognized_keys': {
      const inst = issue.inst as { shape?: Record<string, unknown> } | undefined;
      if (input && typeof input === 'object' && inst?.shape) knownKeys.set(input, Object.keys(inst.shape));
      return `unknown keys ${issue.keys.join(', ')}`;
    }
    default:
      return undefined;
  }
}

function describeExpected(expected: string): string {
  const nouns: Record<string, string> = { string: 'a string', number: 'a number', int: 'a whole number', array: 'a list', object: 'a mapping', record: 'a mapping', boolean: 'true or false' };
  return nouns[expected] ?? expected;
}

function toPlainIssues(issue: Issue, prefix: DocPath, data: unknown, knownKeys: WeakMap<object, string[]>): MappedIssue[] {
  const path = [...prefix, ...(issue.path as DocPath)];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const target = valueAt(data, path);
      const known = (target !== null && typeof target === 'object' ? knownKeys.get(target) : undefined) ?? [];
      return issue.keys.map((key) => ({
        path: [...path, key],
        at: 'key' as const,
        message: `unknown key "${key}"${formatSuggestion(key, known) || (known.length > 0 ? ` (expected one of: ${known.join(', ')})` : '')}`,
      }));
    }
    case 'invalid_union': {
      const branch = pickUnionBranch(issue.errors);
      if (branch) return branch.flatMap((inner) => toPlainIssues(inner, path, data, knownKeys));
      return [{ path, at: 'value', message: issue.message }];
    }
    case 'invalid_key':
      return [{ path, at: 'key', message: issue.issues[0]?.message ?? issue.message }];
    case 'invalid_type':
      if (issue.message === MISSING) return [{ path, at: 'value', message: `missing required key "${String(path[path.length - 1])}"` }];
      return [{ path, at: 'value', message: issue.message }];
    case 'custom': {
      const params = (issue.params ?? {}) as { kind?: string; offset?: number; at?: 'key' | 'value' };
      return [{ path, at: params.at ?? 'value', message: issue.message, ...(params.kind === CONDITION_ISSUE ? { offset: params.offset } : {}), ...(params.kind === ONE_OF_ISSUE ? { oneOf: true } : {}) }];
    }
    default:
      return [{ path, at: 'value', message: issue.message }];
  }
}

/** The branch whose input had the right type: its issues are all deeper than a top-level type mismatch. */
function pickUnionBranch(branches: Issue[][]): Issue[] | undefined {
  const matching = branches.filter((issues) => !issues.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')));
  return matching.length === 1 ? matching[0] : undefined;
}

/** "a step needs exec or restart_worker" is noise when the step's real problem is a misspelt key. */
function dropOneOfBesideUnknownKeys(issues: MappedIssue[]): PlainIssue[] {
  const unknownParents = new Set(issues.filter((i) => i.at === 'key' && i.message.startsWith('unknown key')).map((i) => JSON.stringify(i.path.slice(0, -1))));
  return issues
    .filter((i) => !(i.oneOf && unknownParents.has(JSON.stringify(i.path))))
    .map(({ path, message, at, offset }) => ({ path, message, at, ...(offset !== undefined ? { offset } : {}) }));
}

export function valueAt(data: unknown, path: DocPath): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
