// medic's journal: one SQLite file in the state folder. Everything medic decides and does is
// written here before it acts, so a `kill -9` mid-action leaves a `running` row that the next
// start turns into `interrupted`. Pending pages live here too (the outbox), so a restart loses none.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { JournalError } from '../core/errors.js';
import type { ActionOutcome } from '../core/types.js';
import { prepareHistory, type HistoryQuery } from './history.js';
import { PageStore } from './page-store.js';
import { PauseStore } from './pause-store.js';
import { summarizeDryRun, type DryRunSummary } from './dry-run-summary.js';
import { migrate } from './schema.js';
import { toActionRow, toEventRow, toIncidentRow, toJson, toPageRow, toRuleStateRow } from './rows.js';
import type { HistoryEntry, IncidentDetail, IncidentRow, PageRow, PageStats, RuleStateRow } from './rows.js';
import { prepareStatements, type Statements } from './statements.js';

export type ClosedIncidentStatus = 'recovered' | 'cleared' | 'exhausted' | 'interrupted';
type Raw = Record<string, unknown>;

/** A running action's command, as journaled: its process group (pgid === the leader's pid). */
export interface ActionProcess {
  actionId: number;
  rule: string;
  incidentId: number | null;
  pgid: number;
}

export class Journal {
  private closed = false;
  /** The outbox's queries for kinds, grouping, holds and route health (src/pager). */
  readonly pageStore: PageStore;
  /** `medic pause` / `medic resume` rows. */
  readonly pauses: PauseStore;

  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
    private readonly sql: Statements,
    private readonly queryHistory: (q: HistoryQuery) => HistoryEntry[],
  ) {
    this.pageStore = new PageStore(db);
    this.pauses = new PauseStore(db);
  }

  /** Opens (creating folder and file) and migrates; throws JournalError saying what is wrong. */
  static open(file: string): Journal {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (error) {
      throw new JournalError('journal-open', `cannot create the journal's folder ${dirname(file)}: ${describe(error)}`, { cause: error });
    }
    let db: Database.Database | undefined;
    try {
      // `timeout`: a `medic history` reading while the daemon writes waits instead of failing.
      db = new Database(file, { timeout: 5000 });
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL survives a crash or kill -9 of medic (commits are in the WAL file); only an
      // OS crash or power cut can lose the last commits. FULL would fsync on every commit, and
      // better-sqlite3 is synchronous: on a host whose disk is struggling - exactly when medic
      // is needed - each fsync would stall the whole daemon loop.
      db.pragma('synchronous = NORMAL');
      // better-sqlite3 turns this on already; said here because prune() depends on it.
      db.pragma('foreign_keys = ON');
      migrate(db, file);
      return new Journal(file, db, prepareStatements(db), prepareHistory(db));
    } catch (error) {
      db?.close();
      if (error instanceof JournalError) throw error;
      throw new JournalError('journal-open', `cannot open journal ${file}: ${describe(error)}`, { cause: error });
    }
  }

  /** `wal` when write-ahead logging is on (it is, unless the filesystem refuses it). */
  get journalMode(): string {
    return String(this.db.pragma('journal_mode', { simple: true }));
  }

  /**
   * At start: actions still `running` become `interrupted`, and open incidents are closed as
   * `interrupted`, except those in `keepOpen` (incidents whose rule state the daemon restores).
   * Each change gets an event.
   */
  markInterrupted(at: number, options: { keepOpen?: readonly number[] } = {}): { actions: number; incidents: number } {
    const keep = new Set(options.keepOpen ?? []);
    return this.db.transaction(() => {
      const running = (this.sql.runningActions.all() as Raw[]).map(toActionRow);
      for (const a of running) {
        this.sql.interruptAction.run({ id: a.id, at, message: 'medic stopped while this action ran' });
        this.event({ at, kind: 'action-interrupted', incidentId: a.incidentId, rule: a.rule, message: `step ${a.step + 1} attempt ${a.attempt}: ${a.description}: medic stopped while this action ran`, data: { actionId: a.id, startedAt: a.startedAt } });
      }
      const open = (this.sql.openIncidents.all() as Raw[]).map(toIncidentRow).filter((i) => !keep.has(i.id));
      for (const i of open) {
        this.closeIncident(i.id, at, 'interrupted', 'medic stopped while this incident was open');
        this.event({ at, kind: 'incident-interrupted', incidentId: i.id, rule: i.rule, message: `incident #${i.id} closed: medic stopped while it was open` });
      }
      return { actions: running.length, incidents: open.length };
    })();
  }

  openIncident(i: { rule: string; severity: string; at: number; trigger: Record<string, number>; whenText: string }): number {
    return Number(this.sql.insertIncident.run({ rule: i.rule, severity: i.severity, at: i.at, trigger: toJson(i.trigger) ?? '{}', whenText: i.whenText }).lastInsertRowid);
  }

  closeIncident(id: number, at: number, status: ClosedIncidentStatus, detail?: string): void {
    this.sql.closeIncident.run({ id, at, status, detail: detail ?? null });
  }

  startAction(a: { incidentId: number | null; rule: string; step: number; attempt: number; type: string; target: string | null; description: string; at: number }): number {
    return Number(this.sql.insertAction.run(a).lastInsertRowid);
  }

  /** The process group of a command the action runs (the latest one, when it runs several). */
  recordActionProcess(actionId: number, pgid: number): void {
    this.sql.setActionPgid.run({ id: actionId, pgid });
  }

  /** Actions still `running` with a recorded process group; read at start, before markInterrupted. */
  runningActionProcesses(): ActionProcess[] {
    return (this.sql.runningActionProcesses.all() as Raw[]).map((r) => ({ actionId: Number(r.id), rule: String(r.rule), incidentId: r.incident_id === null ? null : Number(r.incident_id), pgid: Number(r.pgid) }));
  }

  /** `status` is ok, timed-out, failed or dry-run (not executed); the outcome's own word is kept in `result`. */
  finishAction(id: number, outcome: ActionOutcome, at: number): void {
    const status = outcome.status === 'dry-run' ? 'dry-run' : outcome.ok ? 'ok' : outcome.timedOut ? 'timed-out' : 'failed';
    this.sql.finishAction.run({
      id, at, status, result: outcome.status, exitCode: outcome.exitCode, signal: outcome.signal, durationMs: Math.round(outcome.durationMs),
      outputTail: outcome.outputTail, message: outcome.message, details: toJson(outcome.details),
    });
  }

  event(e: { at: number; kind: string; message: string; incidentId?: number | null; rule?: string; data?: unknown }): number {
    return Number(this.sql.insertEvent.run({ at: e.at, kind: e.kind, message: e.message, incidentId: e.incidentId ?? null, rule: e.rule ?? null, data: toJson(e.data) }).lastInsertRowid);
  }

  /** Upserts each rule's state in one transaction; rules not listed keep their row. */
  saveRuleStates(states: Array<{ rule: string; state: unknown; incidentId: number | null }>, at: number): void {
    this.db.transaction(() => {
      for (const s of states) this.sql.upsertRuleState.run({ rule: s.rule, state: toJson(s.state) ?? 'null', incidentId: s.incidentId, at });
    })();
  }

  loadRuleStates(): RuleStateRow[] {
    return (this.sql.ruleStates.all() as Raw[]).map(toRuleStateRow);
  }

  /** An incident with its actions, events and pages, oldest first. */
  incident(id: number): IncidentDetail | undefined {
    const row = this.sql.incident.get(id) as Raw | undefined;
    if (!row) return undefined;
    return {
      ...toIncidentRow(row),
      actions: (this.sql.incidentActions.all(id) as Raw[]).map(toActionRow),
      events: (this.sql.incidentEvents.all(id) as Raw[]).map(toEventRow),
      pages: (this.sql.incidentPages.all(id) as Raw[]).map(toPageRow),
    };
  }

  /** Newest first: incidents opening and closing, actions, events and pages. */
  history(q: HistoryQuery = {}): HistoryEntry[] {
    return this.queryHistory(q);
  }

  /** How often a shadow (dry-run) rule would have fired, acted and paged; null when it never ran in dry-run mode. */
  dryRunSummary(rule: string, since = 0): DryRunSummary | null {
    return summarizeDryRun(this.db, rule, since);
  }

  recentIncidents(limit: number): IncidentRow[] {
    return (this.sql.recentIncidents.all(limit) as Raw[]).map(toIncidentRow);
  }

  // ---- outbox ------------------------------------------------------------------------------

  enqueuePage(p: { incidentId: number | null; rule: string; at: number; payload: unknown; route?: string }): number {
    return Number(this.sql.insertPage.run({ incidentId: p.incidentId, rule: p.rule, at: p.at, payload: toJson(p.payload) ?? 'null', route: p.route ?? null }).lastInsertRowid);
  }

  /** Pending pages with next_attempt_at <= at, oldest first. */
  duePages(at: number, limit = 50): PageRow[] {
    return (this.sql.duePages.all(at, limit) as Raw[]).map(toPageRow);
  }

  /** The newest still-pending page of an incident, so a repeat can replace it instead of queuing. */
  pendingPageFor(incidentId: number): PageRow | undefined {
    const row = this.sql.pendingPageFor.get(incidentId) as Raw | undefined;
    return row && toPageRow(row);
  }

  page(id: number): PageRow | undefined {
    const row = this.sql.page.get(id) as Raw | undefined;
    return row && toPageRow(row);
  }

  replacePagePayload(id: number, at: number, payload: unknown): void {
    this.sql.replacePagePayload.run({ id, at, payload: toJson(payload) ?? 'null' });
  }

  markPageSent(id: number, at: number): void {
    this.sql.markPageSent.run({ id, at });
  }

  markPageRetry(id: number, at: number, error: string, nextAttemptAt: number): void {
    this.sql.markPageRetry.run({ id, at, error, nextAttemptAt });
  }

  /** Permanent: the page will not be tried again. */
  markPageFailed(id: number, at: number, error: string): void {
    this.sql.markPageFailed.run({ id, at, error });
  }

  /** Journaled and logged, but with no webhook configured there was nowhere to send it. */
  markPageNoWebhook(id: number, at: number): void {
    this.sql.markPageNoWebhook.run({ id, at });
  }

  /** Holds every pending page until at least `until` (after a 429, so order is kept). */
  deferPendingPages(until: number, at: number): number {
    return this.sql.deferPendingPages.run({ until, at }).changes;
  }

  pageStats(): PageStats {
    const counts = new Map((this.sql.pageCounts.all() as Array<{ status: string; n: number }>).map((r) => [r.status, r.n]));
    const last = this.sql.lastPageError.get() as { last_error: string } | undefined;
    return { pending: counts.get('pending') ?? 0, failed: counts.get('failed') ?? 0, sent: counts.get('sent') ?? 0, noWebhook: counts.get('no-webhook') ?? 0, lastError: last?.last_error ?? null };
  }

  /** Deletes what ended before `before`: closed incidents, finished actions, events, settled pages. */
  prune(before: number): { incidents: number; actions: number; events: number; pages: number } {
    return this.db.transaction(() => ({
      events: this.sql.pruneEvents.run(before).changes,
      actions: this.sql.pruneActions.run(before).changes,
      pages: this.sql.prunePages.run(before).changes,
      incidents: this.sql.pruneIncidents.run(before).changes,
    }))();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const hint = code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' ? ' (check that the state folder exists and medic may write there)' : '';
  return `${message}${hint}`;
}
