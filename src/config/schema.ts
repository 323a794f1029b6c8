// The shape of one rules document. Objects are strict so typos surface as "unknown key";
// defaults are stated here, where each option is declared.
import { z } from 'zod';
import { parseDuration } from '../core/durations.js';
import { argvField, budgetField, conditionField, countField, describeValue, durationField, holdField, textField, workerRefField } from './fields.js';
import type { Budget } from './fields.js';

export const WORKER_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
export const RULE_NAME = /^[A-Za-z0-9_.:-]+$/;
/** systemd unit names: the unit must be a service, e.g. `ingest.service` or `render@2.service`. */
const UNIT_NAME = /^[A-Za-z0-9:_.\\@-]+\.service$/;

/** `params.kind` of a "one of these keys" issue: dropped when the same object has an unknown key. */
export const ONE_OF_ISSUE = 'one-of';

function toMs(text: string): number {
  return parseDuration(text)!;
}

export const DEFAULTS = {
  intervalMs: toMs('5s'),
  stopTimeoutMs: toMs('10s'),
  restartTimeoutMs: toMs('60s'),
  execTimeoutMs: toMs('60s'),
  rule: { verifyMs: toMs('30s'), budget: { count: 5, windowMs: toMs('1h') } satisfies Budget, severity: 'critical' as const },
  policy: { verifyMs: toMs('10s'), budget: { count: 5, windowMs: toMs('10m') } satisfies Budget },
  backoff: { initialMs: toMs('1s'), maxMs: toMs('5m'), resetAfterMs: toMs('10m') },
};

/** A strict object whose wrong-type message shows what the object should look like. */
function strictObject<T extends z.core.$ZodLooseShape>(shape: T, looksLike: string) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? `expected ${looksLike}, got ${describeValue(issue.input)}` : undefined),
  });
}

/** Key-presence checks run even when a field failed, so one pass reports every mistake. */
const EVEN_WITH_FIELD_ERRORS = { when: (payload: { value: unknown }) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value) };

const backoffSchema = strictObject(
  {
    initial: durationField({ example: '1s' }).default(DEFAULTS.backoff.initialMs),
    max: durationField({ example: '5m' }).default(DEFAULTS.backoff.maxMs),
    reset_after: durationField({ example: '10m' }).default(DEFAULTS.backoff.resetAfterMs),
  },
  'a mapping like { initial: 1s, max: 5m, reset_after: 10m }',
).superRefine((backoff, ctx) => {
  if (backoff.initial > backoff.max) ctx.addIssue({ code: 'custom', path: ['initial'], message: 'backoff initial is longer than max' });
});

const restartPolicySchema = z.union(
  [
    z.literal('off'),
    strictObject(
      {
        verify: durationField({ example: '10s', allowZero: true }).default(DEFAULTS.policy.verifyMs),
        budget: budgetField.default(DEFAULTS.policy.budget),
        backoff: backoffSchema.default(() => ({ initial: DEFAULTS.backoff.initialMs, max: DEFAULTS.backoff.maxMs, reset_after: DEFAULTS.backoff.resetAfterMs })),
        /** Restarts per incident before paging; defaults to the budget's count (filled in by the builder). */
        attempts: countField.optional(),
      },
      'a mapping like { verify: 10s, budget: 5 per 10m, attempts: 5 }',
    ),
  ],
  { error: (issue) => (issue.input === undefined ? undefined : `expected "off" or a mapping like { verify: 10s, budget: 5 per 10m }, got ${describeValue(issue.input)}`) },
);

const MODE_KEYS = ['start', 'systemd', 'restart'] as const;
/** Keys that only make sense for one mode. */
const MODE_ONLY: Record<string, (typeof MODE_KEYS)[number]> = { cwd: 'start', env: 'start', stop_timeout: 'start', restart_policy: 'start', pid_file: 'restart' };

const workerSchema = strictObject(
  {
    start: argvField.optional(),
    systemd: textField.regex(UNIT_NAME, { error: (issue) => `expected a systemd service unit like "ingest.service", got ${describeValue(issue.input)}` }).optional(),
    restart: argvField.optional(),
    cwd: textField.optional(),
    env: z.record(z.string(), z.union([z.string(), z.number().transform(String)], { error: (issue) => `expected a string value, got ${describeValue(issue.input)}` })).optional(),
    stop_timeout: durationField({ example: '10s' }).optional(),
    heartbeat: strictObject({ file: textField, stale_after: durationField({ example: '30s' }) }, 'a mapping like { file: /run/app.heartbeat, stale_after: 30s }').optional(),
    restart_policy: restartPolicySchema.optional(),
    pid_file: textField.optional(),
    restart_timeout: durationField({ example: '60s' }).default(DEFAULTS.restartTimeoutMs),
  },
  'a worker with one of start, systemd or restart',
).superRefine((worker, ctx) => {
  const modes = MODE_KEYS.filter((key) => worker[key] !== undefined);
  if (modes.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'a worker needs one of start (medic runs it), systemd (a unit) or restart (a command)', params: { kind: ONE_OF_ISSUE, at: 'key' } });
  } else if (modes.length > 1) {
    ctx.addIssue({ code: 'custom', path: [modes[1]!], message: `a worker takes exactly one of start, systemd or restart; found ${modes.join(' and ')}`, params: { at: 'key' } });
  }
  for (const [key, mode] of Object.entries(MODE_ONLY)) {
    if (worker[key as keyof typeof worker] !== undefined && modes.length === 1 && modes[0] !== mode) {
      ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" only applies to workers with ${mode}:`, params: { at: 'key' } });
    }
  }
}, EVEN_WITH_FIELD_ERRORS);

function stepSchema(workers: ReadonlySet<string>) {
  const execObject = strictObject(
    { argv: argvField, timeout: durationField({ example: '60s' }).default(DEFAULTS.execTimeoutMs), worker: workerRefField(workers).optional() },
    'a mapping like { argv: [/usr/local/bin/cmd], timeout: 30s }',
  );
  const exec = z.union([argvField.transform((argv) => ({ argv, timeout: DEFAULTS.execTimeoutMs, worker: undefined })), execObject], {
    error: (issue) => (issue.input === undefined ? undefined : `expected an argv list like [/usr/local/bin/cmd] or { argv: [...], timeout: 30s, worker: NAME }, got ${describeValue(issue.input)}`),
  });
  return strictObject({ exec: exec.optional(), restart_worker: workerRefField(workers).optional(), attempts: countField.default(1) }, 'a step like { restart_worker: NAME } or { exec: [/usr/local/bin/cmd] }').superRefine((step, ctx) => {
    const actions = (['exec', 'restart_worker'] as const).filter((key) => step[key] !== undefined);
    if (actions.length === 0) ctx.addIssue({ code: 'custom', message: 'a step needs exec or restart_worker', params: { kind: ONE_OF_ISSUE } });
    if (actions.length > 1) ctx.addIssue({ code: 'custom', path: ['restart_worker'], message: 'a step takes exactly one of exec or restart_worker; found both', params: { at: 'key' } });
  }, EVEN_WITH_FIELD_ERRORS);
}

function ruleSchema(workers: ReadonlySet<string>) {
  return strictObject(
    {
      name: textField.regex(RULE_NAME, { error: (issue) => `expected a rule name of letters, digits and _ . : -, got ${describeValue(issue.input)}` }),
      when: conditionField(workers),
      for: holdField.default({ samples: 1 }),
      do: z.array(stepSchema(workers), { error: (issue) => (issue.input === undefined ? undefined : `expected a list of steps, got ${describeValue(issue.input)}`) })
        .min(1, { error: 'expected at least one step (exec or restart_worker), got an empty list' }),
      verify: durationField({ example: '30s', allowZero: true }).default(DEFAULTS.rule.verifyMs),
      budget: budgetField.default(DEFAULTS.rule.budget),
      backoff: backoffSchema.default(() => ({ initial: DEFAULTS.backoff.initialMs, max: DEFAULTS.backoff.maxMs, reset_after: DEFAULTS.backoff.resetAfterMs })),
      severity: z.enum(['critical', 'warning']).default(DEFAULTS.rule.severity),
      runbook: textField.optional(),
    },
    'a rule mapping with name, when and do',
  );
}

export interface SchemaContext {
  /** Every worker name in the rules location, so rules may refer to workers in other files. */
  workers: ReadonlySet<string>;
}

export function buildDocumentSchema(context: SchemaContext) {
  const listOf = <T extends z.ZodType>(item: T, what: string) =>
    z.array(item, { error: (issue) => (issue.input === undefined ? undefined : `expected a list of ${what}, got ${describeValue(issue.input)}`) });
  return strictObject(
    {
      settings: strictObject({ interval: durationField({ example: '5s' }).default(DEFAULTS.intervalMs), host: textField.optional() }, 'a mapping like { interval: 5s }').optional(),
      workers: z
        .record(z.string().regex(WORKER_NAME, { error: (issue) => `invalid worker name ${describeValue(issue.input)}: use letters, digits, _ and -, starting with a letter or _` }), workerSchema, {
          error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? `expected a mapping of worker names to workers, got ${describeValue(issue.input)}` : undefined),
        })
        .nullable()
        .optional(),
      rules: listOf(ruleSchema(context.workers), 'rules').nullable().optional(),
    },
    'a mapping with settings, workers and rules',
  );
}

export type DocumentInput = z.output<ReturnType<typeof buildDocumentSchema>>;
export type WorkerInput = z.output<typeof workerSchema>;
export type RuleInput = NonNullable<DocumentInput['rules']>[number];
export type StepInput = RuleInput['do'][number];
