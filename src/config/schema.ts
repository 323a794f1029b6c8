// The shape of one rules document. Objects are strict so typos surface as "unknown key";
// defaults are stated here, where each option is declared.
import { z } from 'zod';
import { parseDuration } from '../core/durations.js';
import { argvField, budgetField, conditionField, countField, describeValue, durationField, holdField, textField, workerRefField } from './fields.js';
import type { Budget } from './fields.js';
import { drainField } from './drain-field.js';
import { cronField, timezoneField } from './schedule-fields.js';
import { healthField } from './health-field.js';
import { HEALING_STEP_KEYS, healingStepShape } from './healing-steps.js';
import { checkHealingReferences, degradationField, replicasField } from './worker-healing.js';
import { prometheusSettingsSchema } from './prometheus-field.js';
import { queuesSchema } from './queues-config.js';
import { pagingSchema } from './paging-schema.js';
import { samplingSchema } from './sampling-schema.js';

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
const MODE_ONLY: Record<string, (typeof MODE_KEYS)[number]> = { cwd: 'start', env: 'start', stop_timeout: 'start', restart_policy: 'start', pid_file: 'restart', replicas: 'start' };

const workerSchema = strictObject(
  {
    start: argvField.optional(),
    systemd: textField.regex(UNIT_NAME, { error: (issue) => `expected a systemd service unit like "ingest.service", got ${describeValue(issue.input)}` }).optional(),
    restart: argvField.optional(),
    cwd: textField.optional(),
    env: z.record(z.string(), z.union([z.string(), z.number().transform(String)], { error: (issue) => `expected a string value, got ${describeValue(issue.input)}` })).optional(),
    stop_timeout: durationField({ example: '10s' }).optional(),
    heartbeat: strictObject({ file: textField, stale_after: durationField({ example: '30s' }) }, 'a mapping like { file: /run/app.heartbeat, stale_after: 30s }').optional(),
    health: healthField.optional(),
    degradation: degradationField.optional(),
    replicas: replicasField.optional(),
    restart_policy: restartPolicySchema.optional(),
    pid_file: textField.optional(),
    restart_timeout: durationField({ example: '60s' }).default(DEFAULTS.restartTimeoutMs),
    /** Asked before restart_worker; see drain-field.ts (grace defaults to 30s). */
    drain: drainField.optional(),
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
  return strictObject({ exec: exec.optional(), restart_worker: workerRefField(workers).optional(), ...healingStepShape(workers), attempts: countField.default(1) }, 'a step like { restart_worker: NAME } or { exec: [/usr/local/bin/cmd] }').superRefine((step, ctx) => {
    const keys = ['exec', 'restart_worker', ...HEALING_STEP_KEYS] as const;
    const actions = keys.filter((key) => step[key] !== undefined);
    if (actions.length === 0) ctx.addIssue({ code: 'custom', message: `a step needs one of ${keys.join(', ')}`, params: { kind: ONE_OF_ISSUE } });
    if (actions.length > 1) ctx.addIssue({ code: 'custom', path: [actions[1]!], message: actions.length === 2 ? `a step takes exactly one of ${actions.join(' or ')}; found both` : `a step takes exactly one action; found ${actions.join(', ')}`, params: { at: 'key' } });
  }, EVEN_WITH_FIELD_ERRORS);
}

function ruleSchema(workers: ReadonlySet<string>, queues?: ReadonlySet<string>) {
  return strictObject(
    {
      name: textField.regex(RULE_NAME, { error: (issue) => `expected a rule name of letters, digits and _ . : -, got ${describeValue(issue.input)}` }),
      /** Optional only when `schedule` is given. */
      when: conditionField(workers, queues).optional(),
      for: holdField.default({ samples: 1 }),
      do: z.array(stepSchema(workers), { error: (issue) => (issue.input === undefined ? undefined : `expected a list of steps, got ${describeValue(issue.input)}`) })
        .min(1, { error: 'expected at least one step (exec or restart_worker), got an empty list' }),
      verify: durationField({ example: '30s', allowZero: true }).default(DEFAULTS.rule.verifyMs),
      budget: budgetField.default(DEFAULTS.rule.budget),
      backoff: backoffSchema.default(() => ({ initial: DEFAULTS.backoff.initialMs, max: DEFAULTS.backoff.maxMs, reset_after: DEFAULTS.backoff.resetAfterMs })),
      severity: z.enum(['critical', 'warning']).default(DEFAULTS.rule.severity),
      runbook: textField.optional(),
      /** After throttle or scale_out: how long the rule must stay ok before medic undoes them (default 2m, in the daemon). */
      restore_after: durationField({ example: '2m', allowZero: true }).optional(),
      /** A cron expression: the rule runs step 1 at these times (and only if `when`, when given, is true then). */
      schedule: cronField.optional(),
      /** IANA zone for `schedule`; defaults to the host's. */
      timezone: timezoneField.optional(),
      /** Shadow mode: journal what would have been done, do nothing. Defaults to false. */
      dry_run: z.boolean().optional(),
    },
    'a rule mapping with name, when and do',
  ).superRefine((rule, ctx) => {
    if (rule.when === undefined && rule.schedule === undefined) {
      ctx.addIssue({ code: 'custom', path: ['when'], message: 'missing required key "when" (a condition), or a "schedule" (a cron expression), or both', params: { kind: ONE_OF_ISSUE } });
    }
    if (rule.timezone !== undefined && rule.schedule === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: '"timezone" only applies to a rule with a schedule:', params: { at: 'key' } });
    }
  }, EVEN_WITH_FIELD_ERRORS);
}

export interface SchemaContext {
  /** Every worker name in the rules location, so rules may refer to workers in other files. */
  workers: ReadonlySet<string>;
  /** Every queue name in the rules location; when given, `queue.NAME.*` must name one of them. */
  queues?: ReadonlySet<string>;
}

export function buildDocumentSchema(context: SchemaContext) {
  const listOf = <T extends z.ZodType>(item: T, what: string) =>
    z.array(item, { error: (issue) => (issue.input === undefined ? undefined : `expected a list of ${what}, got ${describeValue(issue.input)}`) });
  return strictObject(
    {
      settings: strictObject(
        {
          interval: durationField({ example: '5s' }).default(DEFAULTS.intervalMs),
          host: textField.optional(),
          /** Off unless given; a bare port listens on 127.0.0.1. */
          prometheus: prometheusSettingsSchema.optional(),
          /** Per-source intervals and timeouts; see sampling-schema.ts for the defaults. */
          sampling: samplingSchema.optional(),
        },
        'a mapping like { interval: 5s }',
      ).optional(),
      workers: z
        .record(z.string().regex(WORKER_NAME, { error: (issue) => `invalid worker name ${describeValue(issue.input)}: use letters, digits, _ and -, starting with a letter or _` }), workerSchema, {
          error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? `expected a mapping of worker names to workers, got ${describeValue(issue.input)}` : undefined),
        })
        .nullable()
        .optional(),
      queues: queuesSchema,
      /** Routes, reminders, grouping, rate limit, dead-man's switch; see paging-schema.ts for the defaults. */
      paging: pagingSchema.optional(),
      rules: listOf(ruleSchema(context.workers, context.queues), 'rules').nullable().optional(),
    },
    'a mapping with settings, workers and rules',
  ).superRefine(checkHealingReferences);
}

export type DocumentInput = z.output<ReturnType<typeof buildDocumentSchema>>;
export type WorkerInput = z.output<typeof workerSchema>;
export type RuleInput = NonNullable<DocumentInput['rules']>[number];
export type StepInput = RuleInput['do'][number];
