// The journal as the daemon writes it: a write that fails because the state folder cannot be
// written (disk full, read-only or failing filesystem) does not stop the tick. Healing goes on
// without the journal; the outage is reported to the pager's storage watch (one direct page),
// logged once when it begins and once when writes work again, and each write it loses is logged
// as one line (no stack trace). Any other error is a bug and still throws.
import type { ActionOutcome } from '../core/types.js';
import type { ClosedIncidentStatus, Journal } from '../journal/journal.js';
import { describeStorageError } from '../pager/storage-watch.js';
import type { Logger } from './logger.js';

type EventInput = Parameters<Journal['event']>[0];
type IncidentInput = Parameters<Journal['openIncident']>[0];
type ActionInput = Parameters<Journal['startAction']>[0];

/** The writes the daemon's parts make; a Journal satisfies it, and so does a SafeJournal (ids may be null). */
export interface JournalWrites {
  event(e: EventInput): number | null;
  startAction(a: ActionInput): number | null;
  /** `id` null: the start was not journaled, so neither is the end. */
  finishAction(id: number | null, outcome: ActionOutcome, at: number): void;
  recordActionProcess(id: number, pgid: number): void;
}

export interface SafeJournalOptions {
  logger: Logger;
  now: () => number;
  /** A storage error, as thrown: the pager's storage watch pages on-call once. */
  onStorageError: (error: unknown, at: number) => void;
}

export class SafeJournal implements JournalWrites {
  private failingSince: number | null = null;

  constructor(
    readonly journal: Journal,
    private readonly options: SafeJournalOptions,
  ) {}

  /** True from the first write that failed on storage until the next one that works. */
  get degraded(): boolean {
    return this.failingSince !== null;
  }

  openIncident(i: IncidentInput): number | null {
    return this.write(() => this.journal.openIncident(i), () => null, `incident opened for rule ${i.rule}`);
  }

  closeIncident(id: number, at: number, status: ClosedIncidentStatus, detail?: string): void {
    this.write(() => this.journal.closeIncident(id, at, status, detail), () => undefined, `incident #${id} ${status}`);
  }

  startAction(a: ActionInput): number | null {
    return this.write(() => this.journal.startAction(a), () => null, `rule ${a.rule}: step ${a.step + 1} attempt ${a.attempt} started: ${a.description}`);
  }

  finishAction(id: number | null, outcome: ActionOutcome, at: number): void {
    if (id === null) return;
    this.write(() => this.journal.finishAction(id, outcome, at), () => undefined, `action #${id} ${outcome.status}: ${outcome.message}`);
  }

  recordActionProcess(id: number | null, pgid: number): void {
    if (id === null) return;
    this.write(() => this.journal.recordActionProcess(id, pgid), () => undefined, null);
  }

  event(e: EventInput): number | null {
    return this.write(() => this.journal.event(e), () => null, `${e.kind}: ${e.message}`);
  }

  /** Every tick: its loss is not logged per tick (the states are in memory, and the outage is logged once). */
  saveRuleStates(states: Parameters<Journal['saveRuleStates']>[0], at: number): void {
    this.write(() => this.journal.saveRuleStates(states, at), () => undefined, null);
  }

  /**
   * Any other journal work (a read, a pager call that writes): `fallback` when the storage fails.
   * `lost` is logged as "not journaled: ..." then; null logs nothing. A success here does not end
   * the outage (reads may still work from the cache): only a write that works does.
   */
  attempt<T>(work: () => T, fallback: () => T, lost: string | null): T {
    try {
      return work();
    } catch (error) {
      return this.recover(error, fallback, lost);
    }
  }

  private write<T>(work: () => T, fallback: () => T, lost: string | null): T {
    let result: T;
    try {
      result = work();
    } catch (error) {
      return this.recover(error, fallback, lost);
    }
    this.noteSuccess();
    return result;
  }

  private recover<T>(error: unknown, fallback: () => T, lost: string | null): T {
    const detail = describeStorageError(error);
    if (detail === null) throw error;
    this.noteFailure(error, detail, lost);
    return fallback();
  }

  private noteFailure(error: unknown, detail: string, lost: string | null): void {
    const at = this.options.now();
    const log = this.options.logger;
    if (this.failingSince === null) {
      this.failingSince = at;
      log.error({ detail }, `journal writes fail (${detail}); medic keeps healing without its journal, and logs what it cannot journal`);
    }
    // The storage watch pages once per outage however often it hears of it.
    this.options.onStorageError(error, at);
    if (lost !== null) log.warn(`not journaled: ${lost}`);
  }

  private noteSuccess(): void {
    if (this.failingSince === null) return;
    const seconds = Math.round((this.options.now() - this.failingSince) / 1000);
    this.failingSince = null;
    this.options.logger.info(`journal writes work again after ${seconds} s`);
  }
}
