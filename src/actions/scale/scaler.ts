// scale_out / scale_in for managed workers (a ReplicaSet) and fleets (a command or HTTP call):
// the count never leaves min..max and never changes twice within the cooldown, in either
// direction. Each rule's additions are remembered as grants; giveBack(rule) returns them once the
// daemon sees the rule has stayed ok for its restore_after ("gives it back when the backlog is
// gone"). Counts, last changes and grants live in a JSON file across medic restarts.
import { fleetKey, type ScaleAction } from '../../core/action-specs.js';
import type { ActionOutcome, WorkerSpec } from '../../core/types.js';
import { BookFile } from '../book-file.js';
import { buildPlainOutcome } from '../plain-outcome.js';
import { readFleetCount, setFleetCount } from './fleet.js';
import { planScale } from './plan-scale.js';
import { isReplicated, type ReplicaEvent, type ReplicaSet, type ReplicatedSpec } from './replica-set.js';

interface TargetState {
  /** The count medic last set (fleets without current_command go by it). */
  count: number | null;
  lastChangeAt: number | null;
}

interface ScaleGrant {
  rule: string;
  target: string;
  added: number;
  action: ScaleAction;
  /** When the rule last added to it. */
  at?: number;
}

interface ScalerState {
  targets: Record<string, TargetState>;
  grants: ScaleGrant[];
}

export interface ScaleDeps {
  workers: ReadonlyMap<string, WorkerSpec>;
  replicas: ReplicaSet;
}

export interface ScaleChange {
  target: string;
  ok: boolean;
  message: string;
  details: Record<string, unknown>;
  replicaEvents: ReplicaEvent[];
}

type Resolved =
  | { ok: true; key: string; label: string; min: number; max: number; current: number; set: (count: number) => Promise<{ outcome: ActionOutcome; events: ReplicaEvent[] }> }
  | { ok: false; status: string; message: string };

export class Scaler {
  private state: ScalerState = { targets: {}, grants: [] };
  private readonly book: BookFile;
  private readonly now: () => number;

  constructor(private readonly options: { file: string; now?: () => number }) {
    this.now = options.now ?? Date.now;
    this.book = new BookFile(options.file);
  }

  async load(): Promise<void> {
    const saved = (await this.book.read()) as Partial<ScalerState> | undefined;
    if (saved && Array.isArray(saved.grants) && saved.targets && typeof saved.targets === 'object') this.state = { targets: saved.targets, grants: saved.grants };
  }

  rules(): string[] {
    return [...new Set(this.state.grants.map((grant) => grant.rule))];
  }

  /** When `rule` last scaled out, for rules that run on a schedule only. */
  grantedAt(rule: string): number | undefined {
    const times = this.state.grants.filter((grant) => grant.rule === rule && grant.at !== undefined).map((grant) => grant.at!);
    return times.length > 0 ? Math.max(...times) : undefined;
  }

  /** After a medic restart: managed workers go back to the count they had. */
  savedCount(worker: string): number | null {
    return this.state.targets[`worker:${worker}`]?.count ?? null;
  }

  scale(rule: string, action: ScaleAction, deps: ScaleDeps, options: { dryRun?: boolean } = {}): Promise<ActionOutcome> {
    return this.book.serial(async () => {
      const startedAt = Date.now();
      const resolved = await this.resolve(action, deps);
      if (!resolved.ok) return buildPlainOutcome({ ok: false, status: resolved.status, durationMs: Date.now() - startedAt, message: `${action.type}: ${resolved.message}`, details: {} });
      const at = this.now();
      const plan = planScale({ current: resolved.current, delta: action.type === 'scale_out' ? action.step : -action.step, min: resolved.min, max: resolved.max, lastChangeAt: this.state.targets[resolved.key]?.lastChangeAt ?? null, cooldownMs: action.cooldownMs, at });
      const base = { target: resolved.label, min: resolved.min, max: resolved.max, replicasBefore: resolved.current };
      const label = `${action.type} ${resolved.label}`;
      if (plan.kind === 'refuse') {
        return buildPlainOutcome({ ok: false, status: plan.reason, durationMs: Date.now() - startedAt, message: `${label}: not scaled, ${plan.detail}; replicas stay ${plan.from}`, details: { ...base, replicasAfter: plan.from, refused: plan.reason } });
      }
      if (options.dryRun) return buildPlainOutcome({ ok: true, status: 'dry-run', durationMs: Date.now() - startedAt, message: `${label} (dry run): would go from ${plan.from} to ${plan.to} replicas`, details: { ...base, replicasAfter: plan.to, dryRun: true } });
      const { outcome: result, events } = await resolved.set(plan.to);
      if (!result.ok && !isReplicatedKey(resolved.key)) {
        // The fleet call failed; its count is unknown but it counts as an attempt for the cooldown.
        this.state.targets[resolved.key] = { count: this.state.targets[resolved.key]?.count ?? null, lastChangeAt: at };
        await this.book.save(this.state);
        return { ...result, message: `${label}: ${plan.from} -> ${plan.to} failed: ${result.message}`, details: { ...base, replicasAfter: plan.from, ...result.details } };
      }
      this.state.targets[resolved.key] = { count: plan.to, lastChangeAt: at };
      this.recordGrant(rule, resolved.key, plan.to - plan.from, action);
      await this.book.save(this.state);
      const message = `${label}: ${plan.from} -> ${plan.to} replicas${result.ok ? '' : `; ${result.message}`}`;
      const details = { ...base, replicasAfter: plan.to, replicaEvents: events.map((e) => `${e.replica} ${e.kind}`) };
      return { ...buildPlainOutcome({ ok: result.ok, status: result.ok ? 'ok' : result.status, durationMs: Date.now() - startedAt, message, details }), outputTail: result.outputTail };
    });
  }

  /**
   * Takes back what `rule` added, each target by its grant, never below min. A target still in
   * its cooldown keeps the grant for a later tick (no change, nothing reported).
   */
  giveBack(rule: string, deps: ScaleDeps): Promise<ScaleChange[]> {
    return this.book.serial(async () => {
      const changes: ScaleChange[] = [];
      for (const grant of this.state.grants.filter((g) => g.rule === rule)) {
        const resolved = await this.resolve(grant.action, deps);
        if (!resolved.ok) {
          this.dropGrant(grant);
          changes.push({ target: grant.target, ok: false, message: `scale back ${grant.target}: ${resolved.message}; grant of ${grant.added} dropped`, details: { target: grant.target, added: grant.added }, replicaEvents: [] });
          continue;
        }
        const at = this.now();
        const plan = planScale({ current: resolved.current, delta: -grant.added, min: resolved.min, max: resolved.max, lastChangeAt: this.state.targets[resolved.key]?.lastChangeAt ?? null, cooldownMs: grant.action.cooldownMs, at });
        const base = { target: resolved.label, min: resolved.min, max: resolved.max, replicasBefore: resolved.current, added: grant.added };
        if (plan.kind === 'refuse' && plan.reason === 'cooldown') continue;
        this.dropGrant(grant);
        if (plan.kind === 'refuse') {
          changes.push({ target: resolved.label, ok: true, message: `scale back ${resolved.label}: nothing to give back, ${plan.detail}`, details: { ...base, replicasAfter: plan.from }, replicaEvents: [] });
          continue;
        }
        const { outcome: result, events } = await resolved.set(plan.to);
        const done = result.ok || isReplicatedKey(resolved.key);
        this.state.targets[resolved.key] = { count: done ? plan.to : (this.state.targets[resolved.key]?.count ?? null), lastChangeAt: at };
        changes.push({
          target: resolved.label,
          ok: result.ok,
          message: `scale back ${resolved.label}: ${plan.from} -> ${plan.to} replicas${result.ok ? '' : ` failed: ${result.message}`}`,
          details: { ...base, replicasAfter: done ? plan.to : plan.from },
          replicaEvents: events,
        });
      }
      await this.book.save(this.state);
      return changes;
    });
  }

  private async resolve(action: ScaleAction, deps: ScaleDeps): Promise<Resolved> {
    if (action.worker !== undefined) {
      const spec = deps.workers.get(action.worker);
      if (!spec || !isReplicated(spec)) return { ok: false, status: 'no-target', message: `no managed worker ${JSON.stringify(action.worker)} with replicas` };
      const replicated: ReplicatedSpec = spec;
      return {
        ok: true,
        key: `worker:${spec.name}`,
        label: spec.name,
        ...spec.replicas,
        current: deps.replicas.count(replicated),
        set: async (count) => {
          const { outcomes, events } = await deps.replicas.setCount(replicated, count);
          const failed = outcomes.find((o) => !o.ok);
          return { outcome: failed ?? buildPlainOutcome({ ok: true, status: 'ok', durationMs: 0, message: 'ok', details: {} }), events };
        },
      };
    }
    const fleet = action.fleet;
    const key = fleetKey(fleet);
    let current = this.state.targets[key]?.count ?? fleet.min;
    if (fleet.currentCommand) {
      const read = await readFleetCount(fleet.currentCommand, action.timeoutMs);
      if ('error' in read) return { ok: false, status: 'count-unknown', message: `current count unknown: ${read.error}` };
      current = read.count;
    }
    return { ok: true, key, label: key.slice('fleet:'.length), min: fleet.min, max: fleet.max, current, set: async (count) => ({ outcome: await setFleetCount(fleet, count, action.timeoutMs), events: [] }) };
  }

  /** scale_out adds to the rule's grant; scale_in takes from grants on that target, newest first. */
  private recordGrant(rule: string, target: string, delta: number, action: ScaleAction): void {
    if (delta > 0) {
      const existing = this.state.grants.find((g) => g.rule === rule && g.target === target);
      if (existing) Object.assign(existing, { added: existing.added + delta, at: this.now() });
      else this.state.grants.push({ rule, target, added: delta, action: { ...action, type: 'scale_out' }, at: this.now() });
      return;
    }
    let toTake = -delta;
    for (const grant of [...this.state.grants].reverse().filter((g) => g.target === target)) {
      const taken = Math.min(toTake, grant.added);
      grant.added -= taken;
      toTake -= taken;
      if (grant.added === 0) this.dropGrant(grant);
    }
  }

  private dropGrant(grant: ScaleGrant): void {
    this.state.grants = this.state.grants.filter((g) => g !== grant);
  }
}

function isReplicatedKey(key: string): boolean {
  return key.startsWith('worker:');
}
