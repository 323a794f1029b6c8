// The daemon's side of the healing actions: the throttle book, the scaler and the replica set,
// and what happens between actions. At start: clean up after an archive_files that a crash cut
// short, bring managed replicas back to their count, put throttles back in force. After each
// tick: undo the throttles and give back the replicas of rules that have stayed ok for their
// restore_after, restart replica copies that exited, follow a throttled worker's new pids.
// Everything done here is journaled as an event with its numbers.
import { join } from 'node:path';
import { isRestoreDue, restoreAfterMs } from '../core/restore-due.js';
import type { Config, MetricKey, Snapshot, WorkerSpec } from '../core/types.js';
import { recoverArchives } from '../actions/files/index.js';
import type { HealingDeps } from '../actions/healing-deps.js';
import type { CgroupOptions } from '../actions/throttle/cgroup-cpu.js';
import type { EnactDeps } from '../actions/throttle/enact.js';
import { ThrottleBook } from '../actions/throttle/throttle-book.js';
import { ReplicaSet, isReplicated, type ReplicaEvent, type ReplicatedSpec } from '../actions/scale/replica-set.js';
import { Scaler } from '../actions/scale/scaler.js';
import type { JournalWrites } from './safe-journal.js';
import { checkPidFromFile } from '../os/pid-guard.js';
import { readPidFile } from '../samplers/resolve-pid.js';
import type { WorkerProbe } from '../samplers/worker.js';
import type { ManagedWorkerSpec, Supervisor } from '../supervisor/supervisor.js';
import type { Logger } from './logger.js';
import { redactStrings } from './redact-child-output.js';
import type { RuleRuntime } from './rule-runtime.js';

export interface HealingOptions {
  stateDir: string;
  supervisor: Supervisor;
  journal: Pick<JournalWrites, 'event'>;
  logger: Logger;
  now: () => number;
  /** Defaults to `systemctl` on PATH. */
  systemctl?: string;
  cgroup?: CgroupOptions;
  /** Messages carry children's output (a degradation command's last line): redacted before the journal and the log. */
  redact?: (text: string) => string;
}

/** For restores and re-applies, which no step's timeout covers. */
const RESTORE_TIMEOUT_MS = 30_000;

export class Healing {
  readonly throttles: ThrottleBook;
  readonly scaler: Scaler;
  readonly replicas: ReplicaSet;
  private readonly enact: EnactDeps;
  private pass: Promise<void> | null = null;

  constructor(private readonly options: HealingOptions) {
    this.throttles = new ThrottleBook({ file: join(options.stateDir, 'throttles.json'), now: options.now });
    this.scaler = new Scaler({ file: join(options.stateDir, 'scaling.json'), now: options.now });
    this.replicas = new ReplicaSet(options.supervisor, options.now);
    this.enact = {
      systemctl: options.systemctl ?? 'systemctl',
      timeoutMs: RESTORE_TIMEOUT_MS,
      ...(options.cgroup ? { cgroup: options.cgroup } : {}),
      pidsOf: async (spec) => this.pidsOf(spec),
    };
  }

  /** For runAction: what throttle and scale need. */
  deps(): HealingDeps {
    return { throttles: this.throttles, scaler: this.scaler, replicas: this.replicas, enact: this.enact };
  }

  /** After the workers started, before the first tick. */
  async begin(config: Config): Promise<void> {
    await Promise.all([this.throttles.load(), this.scaler.load()]);
    await this.recoverArchives(config);
    for (const spec of replicated(config)) {
      const { events } = await this.replicas.setCount(spec, this.scaler.savedCount(spec.name) ?? spec.replicas.min);
      this.journalReplicaEvents(events);
    }
    this.journalThrottleChanges('throttle-reapplied', await this.throttles.reassert(config.workers, this.enact));
  }

  /** Copies 2..N of replicated workers, so a reload's reconcile keeps them. */
  replicaSpecs(config: Config): ManagedWorkerSpec[] {
    return replicated(config).flatMap((spec) => this.replicas.copySpecs(spec));
  }

  probes(config: Config): WorkerProbe[] {
    return this.replicas.probes(replicated(config));
  }

  /** The snapshot plus `worker.NAME.replicas` and `worker.NAME.replicas_up`. */
  decorate(snapshot: Snapshot, config: Config): Snapshot {
    const extra = this.replicas.metrics(replicated(config));
    if (extra.size === 0) return snapshot;
    const values = new Map<MetricKey, number>(snapshot.values);
    for (const [key, value] of extra) values.set(key, value);
    return { ...snapshot, values };
  }

  /** Runs in the background; a pass still running when the next tick ends is not doubled. */
  afterTick(at: number, config: Config, runtimes: ReadonlyMap<string, RuleRuntime>): void {
    if (this.pass) return;
    this.pass = this.runPass(at, config, runtimes)
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'healing pass failed'))
      .finally(() => (this.pass = null));
  }

  /** At shutdown, before the workers stop: let the last pass finish, resume paused workers. */
  async stop(config: Config): Promise<void> {
    await this.pass;
    this.journalThrottleChanges('throttle-resumed', await this.throttles.resumeAll(config.workers, this.enact));
  }

  private async runPass(at: number, config: Config, runtimes: ReadonlyMap<string, RuleRuntime>): Promise<void> {
    const rules = new Map(config.rules.map((rule) => [rule.name, rule]));
    const due = (grantedAt: (rule: string) => number | undefined) => (name: string) => isRestoreDue(rules.get(name), runtimes.get(name)?.state, at, grantedAt(name));
    const restoreData = (name: string) => {
      const rule = rules.get(name);
      const state = runtimes.get(name)?.state;
      return { restoreAfterMs: rule ? restoreAfterMs(rule) : null, clearSince: state?.kind === 'ok' ? state.clearSince : null, ruleRemoved: rule === undefined };
    };
    for (const name of this.throttles.rules().filter(due((rule) => this.throttles.grantedAt(rule)))) {
      this.journalThrottleChanges('throttle-restored', await this.throttles.release(name, config.workers, this.enact), name, restoreData(name));
    }
    for (const name of this.scaler.rules().filter(due((rule) => this.scaler.grantedAt(rule)))) {
      for (const change of await this.scaler.giveBack(name, { workers: config.workers, replicas: this.replicas })) {
        this.record('scaled-back', change.ok, change.message, name, { ...change.details, ...restoreData(name) });
        this.journalReplicaEvents(change.replicaEvents);
      }
    }
    this.journalReplicaEvents(await this.replicas.keepRunning(replicated(config)));
    this.journalThrottleChanges('throttle-reapplied', await this.throttles.reassert(config.workers, this.enact));
  }

  private async recoverArchives(config: Config): Promise<void> {
    const dests = new Set(config.rules.flatMap((rule) => rule.ladder.flatMap((step) => (step.action.type === 'archive_files' ? [step.action.dest] : []))));
    for (const dest of dests) {
      const result = await recoverArchives(dest);
      const cleaned = result.removedTemps.length + result.restoredManifests.length;
      if (cleaned === 0 && result.errors.length === 0) continue;
      const message = `archive recovery in ${dest}: removed ${result.removedTemps.length} unfinished archive(s), completed ${result.restoredManifests.length} manifest(s)${result.errors.length > 0 ? `; ${result.errors.length} error(s): ${result.errors[0]}` : ''}`;
      this.record('archive-recovery', result.errors.length === 0, message, undefined, { dest, ...result });
    }
  }

  private async pidsOf(spec: WorkerSpec): Promise<number[]> {
    if (spec.mode === 'managed') {
      if (isReplicated(spec)) return this.replicas.pids(spec);
      const status = this.options.supervisor.status(spec.name);
      return status?.up && status.pid !== null ? [status.pid] : [];
    }
    if (spec.mode === 'command' && spec.pidFile) {
      const found = readPidFile(spec.pidFile);
      if (!('pid' in found)) return [];
      // A pid file the worker can write must not steer a pause or CPU limit at another process.
      const checked = checkPidFromFile(found.pid, spec.pidFile);
      if (!checked.ok) this.options.logger.warn({ worker: spec.name }, `worker ${spec.name}: ${checked.reason}`);
      return checked.ok ? [checked.pid] : [];
    }
    return [];
  }

  private journalThrottleChanges(kind: string, changes: Array<{ ok: boolean; message: string; details: Record<string, unknown> }>, rule?: string, extra: Record<string, unknown> = {}): void {
    for (const change of changes) this.record(kind, change.ok, change.message, rule, { ...change.details, ...extra });
  }

  private journalReplicaEvents(events: ReplicaEvent[]): void {
    for (const event of events) this.record(`replica-${event.kind}`, event.kind !== 'start-failed', `replica ${event.replica} ${event.kind}: ${event.message}`, undefined, { replica: event.replica });
  }

  private record(kind: string, ok: boolean, message: string, rule: string | undefined, data: Record<string, unknown>): void {
    const redact = this.options.redact ?? ((text: string) => text);
    message = redact(message);
    data = redactStrings(data, redact) as Record<string, unknown>;
    this.options.journal.event({ at: this.options.now(), kind, message, ...(rule !== undefined ? { rule } : {}), data });
    (ok ? this.options.logger.info : this.options.logger.warn).call(this.options.logger, message);
  }
}

function replicated(config: Config): ReplicatedSpec[] {
  return [...config.workers.values()].filter(isReplicated);
}
