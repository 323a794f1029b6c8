// Copies of a managed worker with `replicas: { min, max }`. Copy 1 is the worker itself (NAME,
// started and restarted as before); copies 2..N run under the supervisor as NAME.2 … NAME.N
// with MEDIC_REPLICA=k. The set keeps N of them running: a copy that exits is started again on
// a later tick after a growing delay (1 s doubling to 5 min; reset after 10 min up).
import { formatMetricKey } from '../../core/metrics.js';
import type { ReplicaRange } from '../../core/action-specs.js';
import type { ActionOutcome, MetricKey, WorkerSpec } from '../../core/types.js';
import type { ManagedWorkerSpec, Supervisor } from '../../supervisor/supervisor.js';

export type ReplicatedSpec = ManagedWorkerSpec & { replicas: ReplicaRange };

export interface ReplicaEvent {
  replica: string;
  kind: 'started' | 'stopped' | 'restarted' | 'start-failed';
  message: string;
}

const RESTART_DELAY_MS = { initial: 1000, max: 5 * 60_000, resetAfterUp: 10 * 60_000 };

interface CopyState {
  failures: number;
  nextStartAt: number;
  restarts: number;
}

export function isReplicated(spec: WorkerSpec): spec is ReplicatedSpec {
  return spec.mode === 'managed' && spec.replicas !== undefined;
}

export function replicaName(worker: string, k: number): string {
  return `${worker}.${k}`;
}

export class ReplicaSet {
  private readonly counts = new Map<string, number>();
  private readonly copies = new Map<string, CopyState>();

  constructor(private readonly supervisor: Supervisor, private readonly now: () => number = Date.now) {}

  /** The number of copies medic keeps running: min until scaled. */
  count(spec: ReplicatedSpec): number {
    return clamp(this.counts.get(spec.name) ?? spec.replicas.min, spec.replicas);
  }

  /** The supervisor specs of copies 2..N, for starting and for the reload's reconcile. */
  copySpecs(spec: ReplicatedSpec, count = this.count(spec)): ManagedWorkerSpec[] {
    const specs: ManagedWorkerSpec[] = [];
    for (let k = 2; k <= count; k += 1) {
      const { replicas: _range, ...base } = spec;
      specs.push({ ...base, name: replicaName(spec.name, k), env: { ...spec.env, MEDIC_REPLICA: String(k) } });
    }
    return specs;
  }

  /** Starts or stops copies until `count` run; copies are stopped highest number first. */
  async setCount(spec: ReplicatedSpec, count: number): Promise<{ outcomes: ActionOutcome[]; events: ReplicaEvent[] }> {
    const before = this.count(spec);
    const after = clamp(count, spec.replicas);
    this.counts.set(spec.name, after);
    const events: ReplicaEvent[] = [];
    const outcomes: ActionOutcome[] = [];
    // Every copy up to the new count, not only the new ones: at medic start none runs yet.
    for (const copy of this.copySpecs(spec, after)) {
      if (this.supervisor.status(copy.name)?.up) continue;
      const outcome = await this.supervisor.start(copy);
      outcomes.push(outcome);
      events.push({ replica: copy.name, kind: outcome.ok ? 'started' : 'start-failed', message: outcome.message });
    }
    for (let k = before; k > after; k -= 1) {
      const name = replicaName(spec.name, k);
      const outcome = await this.supervisor.stop(name);
      outcomes.push(outcome);
      this.copies.delete(name);
      events.push({ replica: name, kind: 'stopped', message: outcome.message });
    }
    return { outcomes, events };
  }

  /** Per tick: starts copies that exited (after their delay); forgets workers no longer configured. */
  async keepRunning(specs: readonly ReplicatedSpec[]): Promise<ReplicaEvent[]> {
    const at = this.now();
    const events: ReplicaEvent[] = [];
    const names = new Set(specs.map((spec) => spec.name));
    for (const name of this.counts.keys()) if (!names.has(name)) this.counts.delete(name);
    for (const spec of specs) {
      for (const copy of this.copySpecs(spec)) {
        const status = this.supervisor.status(copy.name);
        const state = this.copies.get(copy.name) ?? { failures: 0, nextStartAt: 0, restarts: 0 };
        if (status?.up) {
          if (status.startedAt !== null && at - status.startedAt >= RESTART_DELAY_MS.resetAfterUp) state.failures = 0;
          this.copies.set(copy.name, state);
          continue;
        }
        if (at < state.nextStartAt) continue;
        const outcome = await this.supervisor.start(copy);
        state.failures += 1;
        state.restarts += 1;
        state.nextStartAt = at + Math.min(RESTART_DELAY_MS.max, RESTART_DELAY_MS.initial * 2 ** (state.failures - 1));
        this.copies.set(copy.name, state);
        events.push({ replica: copy.name, kind: outcome.ok ? 'restarted' : 'start-failed', message: outcome.message });
      }
    }
    return events;
  }

  /** Main pids of every running copy, the worker itself first. */
  pids(spec: ReplicatedSpec): number[] {
    return [spec.name, ...this.copySpecs(spec).map((copy) => copy.name)]
      .map((name) => this.supervisor.status(name))
      .flatMap((status) => (status?.up && status.pid !== null ? [status.pid] : []));
  }

  /** `worker.NAME.replicas` (copies wanted) and `worker.NAME.replicas_up` (copies running, the worker itself included). */
  metrics(specs: readonly ReplicatedSpec[]): Map<MetricKey, number> {
    const values = new Map<MetricKey, number>();
    for (const spec of specs) {
      values.set(formatMetricKey('worker', 'replicas', spec.name), this.count(spec));
      values.set(formatMetricKey('worker', 'replicas_up', spec.name), this.pids(spec).length);
    }
    return values;
  }

  /** Copies 2..N as worker probes: their metrics appear as `worker[NAME.k].up`, `.rss`, … */
  probes(specs: readonly ReplicatedSpec[]): Array<{ name: string; pid: number | null; restarts: number }> {
    return specs.flatMap((spec) =>
      this.copySpecs(spec).map((copy) => {
        const status = this.supervisor.status(copy.name);
        return { name: copy.name, pid: status?.up ? status.pid : null, restarts: this.copies.get(copy.name)?.restarts ?? 0 };
      }),
    );
  }
}

function clamp(count: number, range: ReplicaRange): number {
  return Math.min(range.max, Math.max(range.min, count));
}
