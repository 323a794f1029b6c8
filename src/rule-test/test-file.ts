// A `medic test` file: YAML with a list of tests, each a set of metric series over virtual time and
// what medic must do at which time. Mistakes come back as file:line:col issues, like rules files.
import fs from 'node:fs';
import { z } from 'zod';
import type { ConfigIssue } from '../core/errors.js';
import { countField, describeValue, durationField, textField } from '../config/fields.js';
import { placeIssue, readYamlSource } from '../config/locate.js';
import { validateWithSchema } from '../config/zod-issues.js';
import { parseSeries } from './series.js';

export type ExpectedKind = 'fire' | 'act' | 'skip' | 'page' | 'resolved';

/** What must happen at one time. Fields left out match anything. */
export interface Expected {
  at: number;
  kind: ExpectedKind;
  rule: string;
  /** act: 1-based ladder step; action: as `medic history` writes it (`restart_worker demo`). */
  step?: number;
  action?: string;
  /** skip and page. */
  reason?: string;
  /** Where it is written, for messages. */
  line: number;
}

export interface RuleTest {
  name: string;
  /** Per test, else per file, else the rules' settings.interval. */
  intervalMs?: number;
  /** Metric key -> one value per tick (undefined: not sampled). */
  series: Map<string, Array<number | undefined>>;
  /** Rule -> outcome of each of its actions in order; past the list, ok. */
  outcomes: Map<string, OutcomeToken[]>;
  expect: Expected[];
  line: number;
}

export type OutcomeToken = 'ok' | 'fail' | 'timeout';

export type TestFileResult = { ok: true; file: string; tests: RuleTest[] } | { ok: false; file: string; errors: ConfigIssue[] };

const ruleRef = textField;
const withRule = <T extends z.ZodRawShape>(shape: T, example: string) =>
  z.union([ruleRef.transform((rule) => ({ rule })), z.strictObject({ rule: ruleRef, ...shape })], {
    error: (issue) => (issue.input === undefined ? undefined : `expected a rule name or a mapping like ${example}, got ${describeValue(issue.input)}`),
  });

const EXPECT_KINDS = ['fire', 'act', 'skip', 'page', 'resolved'] as const;

const expectSchema = z
  .strictObject({
    at: durationField({ example: '4s', allowZero: true }),
    fire: ruleRef.optional(),
    act: withRule({ step: countField.optional(), action: textField.optional() }, '{ rule: NAME, step: 1, action: restart_worker demo }').optional(),
    skip: withRule({ reason: z.enum(['unknown-metric', 'backoff', 'budget-spent', 'target-busy', 'paused']).optional() }, '{ rule: NAME, reason: backoff }').optional(),
    page: withRule({ reason: z.enum(['ladder-exhausted', 'budget-spent']).optional() }, '{ rule: NAME, reason: ladder-exhausted }').optional(),
    resolved: ruleRef.optional(),
  })
  .superRefine((entry, ctx) => {
    const kinds = EXPECT_KINDS.filter((kind) => entry[kind] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: `an expectation takes "at" and exactly one of ${EXPECT_KINDS.join(', ')}; found ${kinds.length === 0 ? 'none' : kinds.join(' and ')}` });
  });

const seriesSchema = z.record(z.string(), z.union([z.string(), z.number().transform(String)], { error: (issue) => `expected a series like "100MiB 160MiB x3", got ${describeValue(issue.input)}` })).transform((record, ctx) => {
  const series = new Map<string, Array<number | undefined>>();
  for (const [metric, text] of Object.entries(record)) {
    const parsed = parseSeries(metric, text);
    if (parsed.ok) series.set(parsed.key, parsed.values);
    else ctx.addIssue({ code: 'custom', path: [metric], input: text, message: parsed.message });
  }
  return series;
});

const outcomesSchema = z.record(z.string(), z.string()).transform((record, ctx) => {
  const outcomes = new Map<string, OutcomeToken[]>();
  for (const [rule, text] of Object.entries(record)) {
    const tokens = text.trim().split(/\s+/).filter(Boolean);
    const bad = tokens.find((token) => token !== 'ok' && token !== 'fail' && token !== 'timeout');
    if (bad !== undefined) ctx.addIssue({ code: 'custom', path: [rule], input: text, message: `expected outcomes like "fail ok" (ok, fail or timeout for each action in turn), got "${bad}"` });
    else outcomes.set(rule, tokens as OutcomeToken[]);
  }
  return outcomes;
});

const fileSchema = z.strictObject({
  interval: durationField({ example: '5s' }).optional(),
  tests: z
    .array(
      z.strictObject({
        name: textField,
        interval: durationField({ example: '5s' }).optional(),
        series: seriesSchema,
        outcomes: outcomesSchema.optional(),
        expect: z.array(expectSchema).nullable().optional(),
      }),
    )
    .min(1, { error: 'expected at least one test' }),
});

export function loadTestFile(file: string): TestFileResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, file, errors: [{ file, line: 1, col: 1, path: '', message: `cannot read test file: ${(error as Error).message}` }] };
  }
  return parseTestFile(text, file);
}

export function parseTestFile(text: string, file: string): TestFileResult {
  const source = readYamlSource(text, file);
  if (source.errors.length > 0) return { ok: false, file, errors: source.errors };
  const result = validateWithSchema(fileSchema, source.data ?? {});
  if (!result.ok) return { ok: false, file, errors: result.issues.map((issue) => placeIssue(source, issue)) };
  const lineOf = (path: Array<string | number>) => placeIssue(source, { path, message: '', at: 'value' }).line;
  const tests = result.value.tests.map((test, index): RuleTest => {
    const interval = test.interval ?? result.value.interval;
    return {
      name: test.name,
      ...(interval !== undefined ? { intervalMs: interval } : {}),
      series: test.series,
      outcomes: test.outcomes ?? new Map(),
      expect: (test.expect ?? []).map((entry, i) => toExpected(entry, lineOf(['tests', index, 'expect', i]))),
      line: lineOf(['tests', index]),
    };
  });
  return { ok: true, file, tests };
}

type ExpectInput = z.output<typeof expectSchema>;

function toExpected(entry: ExpectInput, line: number): Expected {
  const base = { at: entry.at, line };
  if (entry.fire !== undefined) return { ...base, kind: 'fire', rule: entry.fire };
  if (entry.resolved !== undefined) return { ...base, kind: 'resolved', rule: entry.resolved };
  if (entry.act !== undefined) return { ...base, kind: 'act', ...pickDefined(entry.act) };
  if (entry.skip !== undefined) return { ...base, kind: 'skip', ...pickDefined(entry.skip) };
  return { ...base, kind: 'page', ...pickDefined(entry.page!) };
}

function pickDefined<T extends { rule: string }>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
