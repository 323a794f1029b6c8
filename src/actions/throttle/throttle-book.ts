// Which rules throttle which workers, and what is in force on each worker: several rules may
// throttle one worker, and it gets the strongest of what they ask. A rule's throttles are
// undone together (release) once the daemon sees the rule has stayed ok for its restore_after.
// Kept in a JSON file so a restarted medic still knows what to undo. Operations run one at a time.
import type { ThrottleAction } from '../../core/action-specs.js';
import type { ActionOutcome, WorkerSpec } from '../../core/types.js';
import { BookFile } from '../book-file.js';
import { buildPlainOutcome } from '../plain-outcome.js';
import { NO_THROTTLE, combineThrottles, describeEffect, sameEffect, type ThrottleEffect } from './effect.js';
import { NOTHING_APPLIED, enactThrottle, type AppliedThrottle, type EnactDeps } from './enact.js';

export interface ThrottleGrant {
  rule: string;
  action: ThrottleAction;
  at: number;
}

export interface ThrottleChange {
  worker: string;
  ok: boolean;
  message: string;
  details: Record<string, unknown>;
}

interface BookState {
  grants: ThrottleGrant[];
  applied: Record<string, AppliedThrottle>;
}

export class ThrottleBook {
  private state: BookState = { grants: [], applied: {} };
  private readonly book: BookFile;

  constructor(private readonly options: { file: string; now?: () => number }) {
    this.book = new BookFile(options.file);
  }

  async load(): Promise<void> {
    const saved = (await this.book.read()) as Partial<BookState> | undefined;
    if (saved && Array.isArray(saved.grants) && saved.applied && typeof saved.applied === 'object') this.state = { grants: saved.grants, applied: saved.applied };
  }

  /** Rules that hold a throttle now. */
  rules(): string[] {
    return [...new Set(this.state.grants.map((grant) => grant.rule))];
  }

  /** When `rule` last throttled, for rules that run on a schedule only. */
  grantedAt(rule: string): number | undefined {
    const times = this.state.grants.filter((grant) => grant.rule === rule).map((grant) => grant.at);
    return times.length > 0 ? Math.max(...times) : undefined;
  }

  effectOf(worker: string): ThrottleEffect {
    return this.state.applied[worker]?.effect ?? NO_THROTTLE;
  }

  /** The throttle step of `rule`: added to what the worker already has, then put in force. */
  apply(rule: string, action: ThrottleAction, spec: WorkerSpec, deps: EnactDeps, options: { dryRun?: boolean } = {}): Promise<ActionOutcome> {
    return this.book.serial(async () => {
      const startedAt = Date.now();
      const label = `throttle ${spec.name}`;
      const grants = [...this.state.grants.filter((g) => !(g.rule === rule && sameAction(g.action, action))), { rule, action, at: (this.options.now ?? Date.now)() }];
      const desired = combineThrottles(grants.filter((g) => g.action.worker === spec.name).map((g) => g.action));
      const from = this.state.applied[spec.name] ?? NOTHING_APPLIED;
      if (options.dryRun) {
        const message = `${label} (dry run): would go from ${describeEffect(from.effect)} to ${describeEffect(desired)}`;
        return buildPlainOutcome({ ok: true, status: 'dry-run', durationMs: Date.now() - startedAt, message, details: { worker: spec.name, dryRun: true, levelBefore: from.effect.level, levelAfter: desired.level, cpuQuotaPctAfter: desired.cpuQuotaPct, pausedAfter: desired.paused } });
      }
      if (sameEffect(from.effect, desired)) {
        this.state.grants = grants;
        await this.book.save(this.state);
        return buildPlainOutcome({ ok: true, status: 'ok', durationMs: Date.now() - startedAt, message: `${label}: already at ${describeEffect(desired)}`, details: { worker: spec.name, levelBefore: from.effect.level, levelAfter: desired.level, cpuQuotaPctAfter: desired.cpuQuotaPct, pausedAfter: desired.paused } });
      }
      const result = await enactThrottle(spec, from, desired, { ...deps, timeoutMs: action.timeoutMs });
      const changed = !sameEffect(from.effect, result.applied.effect);
      // A throttle that took no effect at all is not kept: there would be nothing to restore.
      if (changed || result.problems.length === 0) this.state.grants = grants;
      this.setApplied(spec.name, result.applied);
      await this.book.save(this.state);
      const status = result.problems.length === 0 ? 'ok' : changed ? 'partial' : 'failed';
      const summary = `${label}: ${describeEffect(from.effect)} -> ${describeEffect(result.applied.effect)}`;
      const message = result.problems.length === 0 ? summary + noteOf(result.details) : `${summary}; ${result.problems.join('; ')}`;
      return buildPlainOutcome({ ok: status === 'ok', status, durationMs: Date.now() - startedAt, message, details: result.details });
    });
  }

  /** Undoes every throttle `rule` holds: each worker goes back to what the remaining rules ask (normal when none). */
  release(rule: string, workers: ReadonlyMap<string, WorkerSpec>, deps: EnactDeps): Promise<ThrottleChange[]> {
    return this.book.serial(async () => {
      const mine = this.state.grants.filter((g) => g.rule === rule);
      if (mine.length === 0) return [];
      this.state.grants = this.state.grants.filter((g) => g.rule !== rule);
      const changes: ThrottleChange[] = [];
      for (const name of new Set(mine.map((g) => g.action.worker))) {
        const desired = combineThrottles(this.state.grants.filter((g) => g.action.worker === name).map((g) => g.action));
        changes.push(await this.moveTo(name, desired, workers, deps, 'restored'));
      }
      await this.book.save(this.state);
      return changes;
    });
  }

  /**
   * Puts the throttles back where they slipped: a restarted worker has new processes without
   * the CPU limit or the pause, and a restarted medic resumed what it paused at shutdown.
   */
  reassert(workers: ReadonlyMap<string, WorkerSpec>, deps: EnactDeps): Promise<ThrottleChange[]> {
    return this.book.serial(async () => {
      const changes: ThrottleChange[] = [];
      for (const name of new Set(this.state.grants.map((g) => g.action.worker))) {
        const spec = workers.get(name);
        const applied = this.state.applied[name] ?? NOTHING_APPLIED;
        const desired = combineThrottles(this.state.grants.filter((g) => g.action.worker === name).map((g) => g.action));
        if (!spec) continue;
        const reachesProcesses = spec.mode !== 'systemd' && (applied.cpu !== null || applied.effect.paused || (desired.paused && !applied.effect.paused));
        if (!reachesProcesses) continue;
        const pids = await deps.pidsOf(spec);
        const moved = pids.length > 0 && (pids.length !== applied.pids.length || pids.some((pid, i) => pid !== applied.pids[i]));
        if (!moved && sameEffect(applied.effect, desired)) continue;
        // The old processes are gone: lift what was set on them, then set it on the new ones.
        if (moved) await this.moveTo(name, { ...desired, cpuQuotaPct: null, paused: false }, workers, deps, 'reapplied', { ...applied, effect: { ...applied.effect, paused: false } });
        changes.push(await this.moveTo(name, desired, workers, deps, 'reapplied'));
      }
      if (changes.length > 0) await this.book.save(this.state);
      return changes;
    });
  }

  /** At shutdown: SIGCONT what medic paused, so stopping or leaving the worker is safe; reassert pauses again after a restart. */
  resumeAll(workers: ReadonlyMap<string, WorkerSpec>, deps: EnactDeps): Promise<ThrottleChange[]> {
    return this.book.serial(async () => {
      const changes: ThrottleChange[] = [];
      for (const [name, applied] of Object.entries(this.state.applied)) {
        if (applied.effect.paused) changes.push(await this.moveTo(name, { ...applied.effect, paused: false }, workers, deps, 'resumed'));
      }
      if (changes.length > 0) await this.book.save(this.state);
      return changes;
    });
  }

  private async moveTo(name: string, desired: ThrottleEffect, workers: ReadonlyMap<string, WorkerSpec>, deps: EnactDeps, verb: string, fromOverride?: AppliedThrottle): Promise<ThrottleChange> {
    const spec = workers.get(name);
    const from = fromOverride ?? this.state.applied[name] ?? NOTHING_APPLIED;
    if (!spec) {
      // The worker left the config: nothing can be undone through it any more.
      delete this.state.applied[name];
      return { worker: name, ok: false, message: `throttle ${name}: not ${verb}; the worker is no longer configured (was ${describeEffect(from.effect)})`, details: { worker: name, levelBefore: from.effect.level } };
    }
    const result = await enactThrottle(spec, from, desired, deps);
    this.setApplied(name, result.applied);
    const message = `throttle ${name} ${verb}: ${describeEffect(from.effect)} -> ${describeEffect(result.applied.effect)}${result.problems.length > 0 ? `; ${result.problems.join('; ')}` : ''}`;
    return { worker: name, ok: result.problems.length === 0, message, details: result.details };
  }

  private setApplied(name: string, applied: AppliedThrottle): void {
    if (sameEffect(applied.effect, NO_THROTTLE) && applied.cpu === null) delete this.state.applied[name];
    else this.state.applied[name] = applied;
  }
}

function sameAction(a: ThrottleAction, b: ThrottleAction): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function noteOf(details: Record<string, unknown>): string {
  return typeof details['cpuNote'] === 'string' ? ` (${details['cpuNote']})` : '';
}

