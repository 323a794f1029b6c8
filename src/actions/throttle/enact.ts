// Moves one worker from the throttle now in force to another: publishes the level, sets or lifts
// the CPU limit, pauses or resumes. Gentlest first when tightening, pause lifted first when
// easing. Returns what is in force afterwards (which may fall short where a part failed) and
// the numbers to journal.
import type { WorkerSpec } from '../../core/types.js';
import { applyCpuLimit, liftCpuLimit, type CpuDeps, type CpuHandle, type ThrottleTarget } from './cpu-limit.js';
import { NO_THROTTLE, type ThrottleEffect } from './effect.js';
import { signalWorker } from './pause.js';
import { publishLevel } from './publish-level.js';

/** What medic has put in force on one worker; kept in the state file. */
export interface AppliedThrottle {
  effect: ThrottleEffect;
  cpu: CpuHandle | null;
  /** Main pids the CPU limit and the pause reached; a restarted worker has others. */
  pids: number[];
}

export const NOTHING_APPLIED: AppliedThrottle = { effect: NO_THROTTLE, cpu: null, pids: [] };

export interface EnactDeps extends CpuDeps {
  /** Main pids of a worker that is not a systemd unit (every replica's, for managed workers). */
  pidsOf(spec: WorkerSpec): Promise<number[]>;
}

export interface EnactResult {
  applied: AppliedThrottle;
  problems: string[];
  details: Record<string, unknown>;
}

export async function enactThrottle(spec: WorkerSpec, from: AppliedThrottle, to: ThrottleEffect, deps: EnactDeps): Promise<EnactResult> {
  const target: ThrottleTarget = spec.mode === 'systemd' ? { kind: 'systemd', unit: spec.unit } : { kind: 'processes', pids: await deps.pidsOf(spec) };
  const problems: string[] = [];
  const effect = { ...from.effect };
  let cpu = from.cpu;
  const notes: string[] = [];
  const published: string[] = [];

  if (from.effect.paused && !to.paused) {
    const failed = await signalWorker(target, 'SIGCONT', deps);
    problems.push(...failed);
    if (failed.length === 0) effect.paused = false;
  }
  if (to.level !== from.effect.level) {
    if (!spec.degradation) {
      problems.push(`worker ${spec.name} has no degradation channel; level ${to.level} not published`);
    } else {
      const result = await publishLevel(spec.name, spec.degradation, to.level);
      problems.push(...result.problems);
      published.push(...result.published);
      if (result.published.length > 0) effect.level = to.level;
    }
  }
  if (to.cpuQuotaPct !== from.effect.cpuQuotaPct) {
    if (cpu !== null) {
      const failed = await liftCpuLimit(cpu, deps);
      problems.push(...failed);
      cpu = null;
      effect.cpuQuotaPct = null;
    }
    if (to.cpuQuotaPct !== null) {
      const result = await applyCpuLimit(spec.name, target, to.cpuQuotaPct, deps);
      notes.push(result.note);
      if (result.problem) problems.push(result.problem);
      if (result.handle) {
        cpu = result.handle;
        effect.cpuQuotaPct = to.cpuQuotaPct;
      }
    }
  }
  if (to.paused && !from.effect.paused) {
    const failed = await signalWorker(target, 'SIGSTOP', deps);
    problems.push(...failed);
    if (failed.length === 0) effect.paused = true;
  }

  const details: Record<string, unknown> = {
    worker: spec.name,
    levelBefore: from.effect.level,
    levelAfter: effect.level,
    cpuQuotaPctBefore: from.effect.cpuQuotaPct,
    cpuQuotaPctAfter: effect.cpuQuotaPct,
    cpuMethod: cpu?.method ?? from.cpu?.method ?? null,
    pausedBefore: from.effect.paused,
    pausedAfter: effect.paused,
  };
  if (published.length > 0) details['published'] = published;
  if (notes.length > 0) details['cpuNote'] = notes.join('; ');
  if (target.kind === 'processes') details['pids'] = target.pids;
  if (problems.length > 0) details['problems'] = problems.slice(0, 5);
  return { applied: { effect, cpu, pids: target.kind === 'processes' ? target.pids : [] }, problems, details };
}
