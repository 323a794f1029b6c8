// node-cron tasks for the rules that have a `schedule:`. One task per rule; a reload keeps the
// tasks whose expression and zone did not change. A run that is still going when the next one is
// due makes that one skip (node-cron's noOverlap, plus a guard of our own that survives a reload),
// and every skip is reported so the daemon can journal it.
import type { Logger as CronLogger, ScheduledTask } from 'node-cron';
import { loadNodeCron } from '../config/load-node-cron.js';
import type { Rule } from '../core/types.js';
import type { Logger } from './logger.js';

export type ScheduleSkip = 'overlap' | 'missed';

export interface RuleSchedulerOptions {
  /** Runs the rule's scheduled action; the promise settles when it is done. */
  run: (rule: Rule, at: number) => Promise<void>;
  /** A due run that did not happen, and why. */
  skipped: (rule: Rule, at: number, why: ScheduleSkip) => void;
  logger: Logger;
  now: () => number;
}

interface Entry {
  rule: Rule;
  key: string;
  task: ScheduledTask;
}

export class RuleScheduler {
  private readonly entries = new Map<string, Entry>();
  /** Runs in progress by rule name: kept across reloads so a replaced task cannot overlap its predecessor. */
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly options: RuleSchedulerOptions) {}

  /** Starts, keeps, replaces or removes tasks so that each scheduled rule has exactly one. */
  sync(rules: readonly Rule[]): void {
    if (this.stopped) return;
    const wanted = new Map(rules.filter((rule) => rule.schedule).map((rule) => [rule.name, rule]));
    for (const [name, entry] of this.entries) {
      const rule = wanted.get(name);
      if (rule && keyOf(rule) === entry.key) {
        entry.rule = rule;
        continue;
      }
      void entry.task.destroy();
      this.entries.delete(name);
    }
    for (const rule of wanted.values()) if (!this.entries.has(rule.name)) this.add(rule);
  }

  /** When each scheduled rule runs next, for diagnose. */
  nextRuns(): Map<string, Date | null> {
    return new Map([...this.entries].map(([name, entry]) => [name, entry.task.getNextRun()]));
  }

  /** Stops every task; no new run starts. Runs in progress go on: await idle(). */
  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) void entry.task.destroy();
    this.entries.clear();
  }

  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private add(rule: Rule): void {
    const schedule = rule.schedule!;
    const log = this.options.logger.child({ rule: rule.name });
    const task = loadNodeCron().createTask(schedule.cron, () => this.fire(rule.name), {
      name: `medic:${rule.name}`,
      noOverlap: true,
      ...(schedule.timezone !== undefined ? { timezone: schedule.timezone } : {}),
      logger: cronLogger(log),
    });
    task.on('execution:overlap', () => this.skip(rule.name, 'overlap'));
    task.on('execution:missed', () => this.skip(rule.name, 'missed'));
    const entry: Entry = { rule, key: keyOf(rule), task };
    this.entries.set(rule.name, entry);
    void task.start();
  }

  private fire(name: string): Promise<void> | undefined {
    const entry = this.entries.get(name);
    if (!entry || this.stopped) return undefined;
    if (this.running.has(name)) {
      this.skip(name, 'overlap');
      return undefined;
    }
    const run = this.options
      .run(entry.rule, this.options.now())
      .catch((error: unknown) => this.options.logger.error({ err: error, rule: name }, `scheduled run of ${name} failed unexpectedly`))
      .finally(() => this.running.delete(name));
    this.running.set(name, run);
    return run;
  }

  private skip(name: string, why: ScheduleSkip): void {
    const entry = this.entries.get(name);
    if (entry && !this.stopped) this.options.skipped(entry.rule, this.options.now(), why);
  }
}

function keyOf(rule: Rule): string {
  return JSON.stringify([rule.schedule?.cron, rule.schedule?.timezone]);
}

/** node-cron's own lines go to pino (its default logger prints coloured text to the console). */
function cronLogger(log: Logger): CronLogger {
  const text = (message: string | Error) => (message instanceof Error ? message.message : message);
  return {
    info: (message) => log.debug(`node-cron: ${message}`),
    warn: (message) => log.debug(`node-cron: ${message}`),
    error: (message, err) => log.error({ err: err ?? message }, `node-cron: ${text(message)}`),
    debug: (message) => log.debug(`node-cron: ${text(message)}`),
  };
}
