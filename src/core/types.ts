// The vocabulary every layer shares. Pure data: no I/O, no clocks, no libraries.
// Times are epoch milliseconds (`at`), durations carry their unit in the name (`verifyMs`).
import type { DegradationChannel, HealingActionSpec, ReplicaRange } from './action-specs.js';

// The one type that lives beside its zod schema (erased at build time, so core still imports no code).
import type { QueueSpec } from '../samplers/queue/spec.js';

/** A metric key in canonical form: `cpu.usage_pct`, `disk[/var].free`, `worker.render.rss`. */
export type MetricKey = string;

/** Base units. Sizes are bytes, durations seconds, percentages 0..100. */
export type Unit = 'percent' | 'bytes' | 'seconds' | 'count' | 'ratio' | 'bool' | 'per_second' | 'celsius' | 'watts';

/**
 * What was sampled at one instant. A metric that is absent is *unknown*, never 0;
 * `unknown` says why, keyed by metric key or by a source name.
 */
export interface Snapshot {
  at: number;
  values: ReadonlyMap<MetricKey, number>;
  unknown: ReadonlyMap<string, string>;
  /** How long each source took to sample, in ms. */
  durationsMs?: ReadonlyMap<string, number>;
}

// ---- Conditions ------------------------------------------------------------------------------

export type Comparator = '>' | '>=' | '<' | '<=' | '==' | '!=';

export type Condition =
  | { kind: 'compare'; metric: MetricKey; op: Comparator; value: number; text: string }
  | { kind: 'and'; left: Condition; right: Condition }
  | { kind: 'or'; left: Condition; right: Condition }
  | { kind: 'not'; operand: Condition };

/** Three-valued: a condition over an unknown metric is neither true nor false. */
export type Truth = true | false | 'unknown';

// ---- Workers ---------------------------------------------------------------------------------

/** Probes of a worker's own answer, beside its process. Either or both. */
export interface WorkerHealthSpec {
  /** GET `url`; healthy when the status is `expectStatus` (any 2xx when absent) within `timeoutMs`. */
  http?: { url: string; timeoutMs: number; expectStatus?: number };
  /** Healthy when a TCP connection to host:port opens within `timeoutMs`. */
  tcp?: { host: string; port: number; timeoutMs: number };
}

export type WorkerSpec = {
  name: string;
  heartbeat?: { file: string; staleAfterMs: number };
  /** Where throttle publishes the degradation level for this worker. */
  degradation?: DegradationChannel;
  health?: WorkerHealthSpec;
  /** Asked before restart_worker: finish the in-flight job, then restart (after at most graceMs). */
  drain?: DrainSpec;
  /** Time a restart may take before it is killed. */
  restartTimeoutMs: number;
} & (
  | { mode: 'managed'; argv: string[]; cwd?: string; env?: Record<string, string>; stopTimeoutMs: number; replicas?: ReplicaRange }
  | { mode: 'systemd'; unit: string }
  | { mode: 'command'; restartArgv: string[]; pidFile?: string }
);

/** A signal (then medic waits for the worker to exit), or a command or HTTP POST (then medic waits for it to return). */
export type DrainSpec = { graceMs: number } & ({ kind: 'signal'; signal: string } | { kind: 'command'; argv: string[] } | { kind: 'http'; url: string });

// ---- Actions ---------------------------------------------------------------------------------

export type ActionSpec =
  | { type: 'restart_worker'; worker: string }
  | { type: 'exec'; argv: string[]; timeoutMs: number; worker?: string }
  | HealingActionSpec;

/** One flat shape for success and failure, like execa with `reject: false`. */
export interface ActionOutcome {
  ok: boolean;
  /** Short machine-readable word for the result: 'ok', 'exit-code', 'timed-out', 'spawn-failed', ... */
  status: string;
  timedOut: boolean;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** Human summary: `exec timed out after 30000 ms; killed with SIGKILL`. */
  message: string;
  outputTail: string;
  /** Numbers the action wants journaled (bytes freed, new pid, ...). */
  details?: Record<string, unknown>;
}

// ---- Rules -----------------------------------------------------------------------------------

export type Severity = 'warning' | 'critical';

/** One rung of an escalation ladder. */
export interface LadderStep {
  action: ActionSpec;
  /** How many times this step is tried before the ladder moves on. Defaults to 1. */
  attempts: number;
}

export interface Rule {
  name: string;
  /** The `when:` text as written, for messages ('' for a rule that runs on its schedule only). */
  whenText: string;
  /** Absent only on a scheduled rule without `when:`. */
  when?: Condition;
  /** Runs step 1 of the ladder at each cron tick (only while `when` is true, when there is one) instead of on the condition. */
  schedule?: RuleSchedule;
  /** Shadow mode: every decision is journaled as "would have"; nothing is executed. */
  dryRun?: boolean;
  /** Consecutive true samples, or a duration the condition must hold, before firing. */
  hold: { samples: number } | { ms: number };
  ladder: LadderStep[];
  /** After an action succeeds, how long the condition must stay clear to count as recovered. */
  verifyMs: number;
  /** After a throttle or scale_out, how long the rule must stay ok before medic undoes it. Default 2m. */
  restoreAfterMs?: number;
  /** At most `count` actions in any `windowMs`; past that medic stops acting and pages. */
  budget: { count: number; windowMs: number };
  /** Delay before a repeated action grows from initialMs, doubling to maxMs; resets after resetAfterMs healthy. */
  backoff: { initialMs: number; maxMs: number; resetAfterMs: number };
  severity: Severity;
  runbook?: string;
  /** Generated by medic (e.g. the crash rule of a managed worker) rather than written by the operator. */
  implicit?: boolean;
  /** Where it was defined, for messages. */
  source?: { file: string; line: number; col: number };
}

/** A node-cron expression (5 fields, or 6 with seconds first) and an IANA time zone (default: the host's). */
export interface RuleSchedule {
  cron: string;
  timezone?: string;
}

export interface Config {
  workers: Map<string, WorkerSpec>;
  rules: Rule[];
  settings: {
    intervalMs: number;
    host?: string;
    /** Opt-in Prometheus endpoint (`/metrics`); absent when off, the default. */
    prometheus?: { host: string; port: number };
    /** How often, and how long, each sampling source is read (defaults filled in). */
    sampling: SamplingSettings;
  };
  /** Named queues (`queues:` in the rules), with interval and timeout defaults filled in. */
  queues: Map<string, QueueSpec>;
  /** `paging:` in the rules, defaults filled in; absent when no file has one (then the environment decides). */
  paging?: PagingConfig;
  /** Files the config came from. */
  files: string[];
}

// ---- Paging ----------------------------------------------------------------------------------

/** Where pages go. Names where the secret is (an environment variable or a file), never the URL itself. */
export interface PageTarget {
  webhookEnv?: string;
  webhookFile?: string;
  /** A channel for the bot token (`paging.slack_bot`); preferred over the webhook when the token is set. */
  channel?: string;
}

/** Pages of these rules, or of this severity, go to this target. */
export interface PageRoute extends PageTarget {
  name: string;
  rules?: string[];
  severity?: Severity;
}

export interface PagingConfig {
  /** Absent: MEDIC_SLACK_WEBHOOK_URL / MEDIC_SLACK_WEBHOOK_FILE. */
  default?: PageTarget;
  /** A rule's own route wins over a severity route, which wins over the default. */
  routes: PageRoute[];
  /** Environment variable holding the bot token. Defaults to MEDIC_SLACK_BOT_TOKEN. */
  botTokenEnv: string;
  /** A still-open incident is paged again this often, and not sooner. Defaults to 4h. */
  reminderMs: number;
  /** Pages within this window of the first go out as one message. Defaults to 30s; 0 sends each alone. */
  groupWindowMs: number;
  /** At most `count` paging messages in any `windowMs`. Defaults to 20 per 1h. */
  rateLimit: { count: number; windowMs: number };
  /** How often medic checks that it can still write its state folder. Defaults to 30s. */
  storageProbeMs: number;
  /** A dead-man's switch pinged after successful ticks, at most every `everyMs`. */
  deadman?: { urlEnv: string; everyMs: number; method: 'GET' | 'POST' };
}

/** How often one sampling source is read, and how long one read may take before it is given up. */
export interface SourceTiming {
  intervalMs: number;
  timeoutMs: number;
}

export interface SamplingSettings {
  /** cpu, memory, disk, workers: read in the tick, at most once per intervalMs. Defaults: settings.interval, 5 s. */
  host: SourceTiming;
  /** nvidia-smi, in the background. Defaults: 15 s, 5 s, `auto` (only when `command` is on PATH), `nvidia-smi`. */
  gpu: SourceTiming & { enabled: 'auto' | boolean; command: string };
  /** Queues without their own interval/timeout. Defaults: 10 s, 5 s. */
  queues: SourceTiming;
}

// ---- Engine ----------------------------------------------------------------------------------

/** Kept across incidents: what stops restart storms. */
export interface RuleMemory {
  /** When each recent action started, for the budget window. */
  actionTimes: number[];
  /** Consecutive incidents/attempts without a healthy stretch; drives the backoff. */
  streak: number;
  /** Last time the condition was seen clear (ok state), for resetting the streak. */
  clearSince: number | null;
  /** Reason of the last skip decision, so the same skip is journaled once, not every tick. */
  lastSkip: SkipReason | null;
}

export type RuleStateKind = 'ok' | 'pending' | 'firing' | 'acting' | 'verifying' | 'exhausted';

export type RuleState = RuleMemory &
  (
    | { kind: 'ok' }
    | { kind: 'pending'; since: number; hits: number }
    /** Condition held long enough; waiting to act (backoff, budget, busy target). */
    | { kind: 'firing'; since: number; step: number; attempt: number; waitUntil: number }
    | { kind: 'acting'; since: number; step: number; attempt: number; startedAt: number }
    | { kind: 'verifying'; since: number; step: number; attempt: number; until: number }
    /** Ladder or budget spent, a human paged; re-arms when the condition clears or the budget frees. */
    | {
        kind: 'exhausted';
        since: number;
        reason: PageReason;
        /** When the page went out; the rule re-arms one budget window later. Absent in older saved states (then `since`). */
        pagedAt?: number;
        /** The page's detail while a pause holds it back; it goes out when the pause ends (if the problem persists). */
        heldPage?: string;
      }
  );

export type SkipReason = 'unknown-metric' | 'backoff' | 'budget-spent' | 'target-busy' | 'paused';
export type PageReason = 'ladder-exhausted' | 'budget-spent';

export type Decision =
  | { kind: 'fire'; rule: string; since: number }
  | { kind: 'act'; rule: string; step: number; attempt: number; action: ActionSpec }
  | { kind: 'skip'; rule: string; reason: SkipReason; detail: string }
  | { kind: 'verified'; rule: string; step: number; helped: boolean; detail: string }
  | { kind: 'page'; rule: string; reason: PageReason; detail: string }
  | { kind: 'resolved'; rule: string; since: number };

export interface Tick {
  at: number;
  snapshot: Snapshot;
  /** The outcome of this rule's running action, when it finished since the last tick. */
  outcome?: ActionOutcome;
  /** Action targets (`worker:NAME`) that another rule's action is using right now. */
  busyTargets: ReadonlySet<string>;
  /** `medic pause`: the rule observes and journals but neither acts nor pages. Absent means false. */
  paused?: boolean;
}
