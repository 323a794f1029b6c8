// Pausing intake the blunt way, only where the operator opted in: SIGSTOP to the worker's
// processes (their whole group when the process leads one), SIGCONT to resume.
import { signalGroup } from '../../os/process-group.js';
import { readProcessInfo } from '../../os/process-info.js';
import type { ThrottleTarget } from './cpu-limit.js';
import { runSystemctl, signalUnitArgv } from './systemd-unit.js';

export async function signalWorker(target: ThrottleTarget, signal: 'SIGSTOP' | 'SIGCONT', deps: { systemctl: string; timeoutMs: number }): Promise<string[]> {
  if (target.kind === 'systemd') {
    const result = await runSystemctl(signalUnitArgv(deps.systemctl, target.unit, signal), deps.timeoutMs);
    return result.ok ? [] : [result.problem];
  }
  if (target.pids.length === 0 && signal === 'SIGSTOP') return ['no running process to pause'];
  const problems: string[] = [];
  for (const pid of target.pids) {
    try {
      const leadsGroup = readProcessInfo(pid)?.pgid === pid;
      if (leadsGroup) signalGroup(pid, signal);
      else process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') problems.push(`${signal} to pid ${pid} failed: ${(error as Error).message}`);
    }
  }
  return problems;
}
