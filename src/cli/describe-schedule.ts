// What `medic diagnose` says about a rule that runs on a cron schedule instead of on its condition.
import type { Rule } from '../core/types.js';
import { describeAction } from '../actions/run-action.js';
import { loadNodeCron } from '../config/load-node-cron.js';
import { formatTime } from './format.js';

/** `on schedule "0 3 * * *" (Europe/Berlin), next 2025-06-02 01:00:00Z: exec /usr/local/bin/archive; only if disk[/].used_pct > 80% then (now: false)` */
export function describeSchedule(rule: Rule, truth: boolean | 'unknown'): string {
  const schedule = rule.schedule!;
  const zone = schedule.timezone ? ` (${schedule.timezone})` : '';
  const next = nextRun(schedule.cron, schedule.timezone);
  const step = rule.ladder[0] ? `: ${describeAction(rule.ladder[0].action)}` : '';
  const gate = rule.when ? `; only if ${rule.whenText} then (now: ${truth})` : '';
  return `on schedule "${schedule.cron}"${zone}${next === null ? '' : `, next ${formatTime(next)}`}${step}${gate}`;
}

function nextRun(cron: string, timezone: string | undefined): number | null {
  try {
    // Never started, so it never runs; destroyed at once so it leaves node-cron's registry.
    const task = loadNodeCron().createTask(cron, () => undefined, timezone ? { timezone } : {});
    const [next] = task.getNextRuns(1);
    void task.destroy();
    return next ? next.getTime() : null;
  } catch {
    return null;
  }
}
