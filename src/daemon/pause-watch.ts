// The daemon's view of `medic pause`: rows written by the CLI into the journal, re-read only when
// max(id) moved (one indexed lookup per tick), and every start and end of a rule's pause journaled
// with who and why. A pause ends by itself at its time; the tick that sees it over journals it.
import type { Journal } from '../journal/journal.js';
import { findActivePause, findResume, type ActivePause, type PauseRow } from '../journal/pause-store.js';
import { formatTimeOfDay } from './format-time.js';
import type { Logger } from './logger.js';

export class PauseWatch {
  private lastId = -1;
  private rows: PauseRow[] = [];
  /** The pause each rule was under at the last refresh. */
  private readonly active = new Map<string, ActivePause>();

  constructor(
    private readonly journal: Journal,
    private readonly log: Logger,
  ) {}

  /** Once per tick: re-reads the rows when needed and journals each rule whose pause began or ended. */
  refresh(rules: ReadonlyArray<{ name: string }>, at: number): void {
    this.reload();
    for (const { name } of rules) {
      const now = findActivePause(this.rows, name, at);
      const before = this.active.get(name);
      if (now && now.id !== before?.id) this.began(name, now, at);
      if (!now && before) this.ended(name, before, at);
      if (now) this.active.set(name, now);
      else this.active.delete(name);
    }
  }

  /** `paused by …` for the pause in force for a rule now (rows re-read if the CLI wrote since the last look), or null. */
  pausedNow(rule: string, at: number): string | null {
    this.reload();
    const pause = findActivePause(this.rows, rule, at);
    return pause ? describePause(pause) : null;
  }

  isPaused(rule: string): boolean {
    return this.active.has(rule);
  }

  /** `paused by alice until 14:00:00Z: deploying v2`, for journal lines and logs. */
  describe(rule: string): string {
    const pause = this.active.get(rule);
    return pause ? describePause(pause) : 'not paused';
  }

  private reload(): void {
    const maxId = this.journal.pauses.maxId();
    if (maxId === this.lastId) return;
    this.rows = this.journal.pauses.rows();
    this.lastId = maxId;
  }

  private began(rule: string, pause: ActivePause, at: number): void {
    const message = `rule ${rule} ${describePause(pause)}; observing only, no actions, pages held`;
    this.journal.event({ at, kind: 'paused', rule, message, data: { pauseId: pause.id, who: pause.who, reason: pause.reason, until: pause.until } });
    this.log.warn({ rule }, message);
  }

  private ended(rule: string, pause: ActivePause, at: number): void {
    const resume = findResume(this.rows, rule, pause);
    const how = resume ? `resumed by ${resume.who}` : `pause by ${pause.who} ended at ${formatTimeOfDay(pause.until)}`;
    this.journal.event({ at, kind: 'resumed', rule, message: `rule ${rule} ${how}; acting again`, data: { pauseId: pause.id, who: resume?.who ?? null, expired: !resume } });
    this.log.info({ rule }, `rule ${rule} ${how}; acting again`);
  }
}

export function describePause(pause: ActivePause): string {
  return `paused by ${pause.who} until ${formatTimeOfDay(pause.until)}${pause.reason ? `: ${pause.reason}` : ''}`;
}
