// One run of a scheduled rule: step 1 of its ladder, through the same journal path as any action
// (journaled-action.ts: a row written before it runs, finished after). With `when:` the run happens only if the
// condition is true on the latest sample. A run that does not happen is journaled with its reason;
// the same reason is journaled once, not at every cron tick (a `*/5 * * * * *` schedule whose
// condition stays false would otherwise write a row every five seconds).
import { actionTarget } from '../core/evaluate-rule.js';
import { evaluateCondition } from '../core/evaluate-condition.js';
import { formatValuesNote } from '../core/format-metric.js';
import type { ActionOutcome, ActionSpec, Rule, Snapshot } from '../core/types.js';
import { describeAction } from '../actions/run-action.js';
import type { JournalWrites } from './safe-journal.js';
import { runJournaledAction } from './journaled-action.js';
import type { Logger } from './logger.js';
import { runDry } from './shadow.js';

export type ScheduledSkipReason = 'overlap' | 'missed' | 'paused' | 'condition-false' | 'condition-unknown' | 'target-busy';

export interface ScheduledRunContext {
  journal: JournalWrites;
  logger: Logger;
  now: () => number;
  /** The daemon's latest snapshot, for rules that also have `when:`. */
  snapshot: () => Snapshot | undefined;
  /** Older snapshots count as no sample. */
  maxSnapshotAgeMs: number;
  /** A description of the pause in force (`paused by alice until ...`), or null. */
  pause: (rule: string, at: number) => string | null;
  dryRun: (rule: Rule) => boolean;
  busyTargets: Set<string>;
  /** `dryRun`: only for actions with a dry form (shadow.ts), which then change nothing. */
  runAction: (action: ActionSpec, rule: Rule, options?: { dryRun: true }) => Promise<ActionOutcome>;
  /** True once medic has begun to stop: a run cut short then is left for the next start to mark interrupted. */
  stopping: () => boolean;
  /** After a real run, for the daemon's bookkeeping (restart counts, a tick); not after one cut short by a stop. */
  finished: (rule: Rule, action: ActionSpec, outcome: ActionOutcome) => void;
}

export class ScheduledRunner {
  /** Last skip reason per rule, so a repeated skip is journaled once. */
  private readonly lastSkips = new Map<string, ScheduledSkipReason | null>();

  constructor(private readonly ctx: ScheduledRunContext) {}

  async run(rule: Rule, at: number): Promise<void> {
    const { ctx } = this;
    const log = ctx.logger.child({ rule: rule.name });
    const rung = rule.ladder[0];
    if (!rung) return;
    const paused = ctx.pause(rule.name, at);
    if (paused !== null) return this.skip(rule, at, 'paused', `scheduled run skipped: ${paused}`);
    let values: Record<string, number> = {};
    if (rule.when) {
      const snapshot = ctx.snapshot();
      if (!snapshot || at - snapshot.at > ctx.maxSnapshotAgeMs) return this.skip(rule, at, 'condition-unknown', 'scheduled run skipped: no recent sample to check the condition against');
      const condition = evaluateCondition(rule.when, snapshot);
      values = condition.values;
      if (condition.truth === 'unknown') return this.skip(rule, at, 'condition-unknown', `scheduled run skipped: condition unknown (no value for ${condition.unknown.join(', ')})`);
      if (!condition.truth) return this.skip(rule, at, 'condition-false', `scheduled run skipped: ${rule.whenText} is false${formatValuesNote(values)}`);
    }
    const action = rung.action;
    const target = actionTarget(action);
    if (target !== null && ctx.busyTargets.has(target)) return this.skip(rule, at, 'target-busy', `scheduled run skipped: ${target} is busy with another action`);
    this.lastSkips.set(rule.name, null);

    const description = describeAction(action);
    // Dry run: the same journaled path, with the action's dry form (or only its description) run instead.
    const dry = ctx.dryRun(rule);
    const outcome = await runJournaledAction(ctx, {
      incidentId: null, rule: rule.name, step: 0, attempt: 1, action, description, at, log,
      startLevel: 'info',
      startMessage: `rule ${rule.name}: ${dry ? 'dry run: ' : ''}scheduled run: ${dry ? 'would have run ' : ''}${description}${rule.when ? ` (${rule.whenText}${formatValuesNote(values)})` : ''}`,
      outcomePrefix: `rule ${rule.name}: scheduled run: `,
    }, () => (dry ? runDry(action, description, () => ctx.runAction(action, rule, { dryRun: true })) : ctx.runAction(action, rule)));
    if (outcome && !dry) ctx.finished(rule, action, outcome);
  }

  /** A due run that node-cron did not start: the previous one still runs, or the loop was blocked. */
  skipped(rule: Rule, at: number, why: 'overlap' | 'missed'): void {
    const message = why === 'overlap' ? 'scheduled run skipped: the previous run is still going' : 'scheduled run missed: the event loop was blocked at the time';
    this.skip(rule, at, why, message);
  }

  /** Journals a run that did not happen; the same reason twice in a row only once (overlaps and misses always). */
  private skip(rule: Rule, at: number, reason: ScheduledSkipReason, message: string): void {
    const repeat = this.lastSkips.get(rule.name) === reason && reason !== 'overlap' && reason !== 'missed';
    this.lastSkips.set(rule.name, reason);
    if (repeat) return;
    this.ctx.journal.event({ at, kind: 'schedule-skip', rule: rule.name, message, data: { reason } });
    this.ctx.logger.info({ rule: rule.name }, `rule ${rule.name}: ${message}`);
  }
}
