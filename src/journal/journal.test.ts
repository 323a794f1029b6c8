import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMedicError } from '../core/errors.js';
import type { ActionOutcome } from '../core/types.js';
import { Journal } from './journal.js';
import { MIGRATIONS } from './schema.js';

let dir: string;
let journal: Journal;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'medic-journal-'));
  journal = Journal.open(join(dir, 'state', 'journal.db'));
});

afterEach(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000;

const failed: ActionOutcome = {
  ok: false, status: 'exit-code', timedOut: false, exitCode: 3, signal: null, durationMs: 412.6,
  message: 'exec exited with code 3', outputTail: 'line1\nline2', details: { freedBytes: 0 },
};

describe('Journal.open', () => {
  it('creates the folder, turns WAL on and sets the schema version', () => {
    expect(journal.journalMode).toBe('wal');
    const db = new Database(journal.file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('opens an existing file again without migrating twice and keeps its rows', () => {
    const id = journal.openIncident({ rule: 'r', severity: 'critical', at: T0, trigger: { x: 1 }, whenText: 'x > 0' });
    journal.close();
    journal = Journal.open(journal.file);
    journal.close();
    journal = Journal.open(journal.file);
    expect(journal.incident(id)?.rule).toBe('r');
  });

  it('refuses a file from a newer medic', () => {
    journal.close();
    const db = new Database(journal.file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => Journal.open(journal.file)).toThrow(/newer than this medic knows/);
  });

  it('throws a JournalError naming the file when it is not a database', () => {
    const bad = join(dir, 'not-a-db');
    writeFileSync(bad, 'x'.repeat(4096));
    let caught: unknown;
    try {
      Journal.open(bad);
    } catch (error) {
      caught = error;
    }
    expect(isMedicError(caught)).toBe(true);
    expect((caught as Error).name).toBe('JournalError');
    expect((caught as Error).message).toContain(`cannot open journal ${bad}: file is not a database`);
  });

  it('throws a JournalError when the folder cannot be created', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expect(() => Journal.open(join(file, 'journal.db'))).toThrow(/cannot create the journal's folder/);
  });
});

describe('incidents, actions and events', () => {
  it('round-trip with their JSON parsed', () => {
    const inc = journal.openIncident({ rule: 'mem', severity: 'critical', at: T0, trigger: { 'memory.used_pct': 93.5 }, whenText: 'memory.used_pct > 90' });
    const act = journal.startAction({ incidentId: inc, rule: 'mem', step: 1, attempt: 1, type: 'exec', target: 'worker:render', description: 'exec drop-caches', at: T0 + 10 });
    journal.event({ at: T0 + 5, kind: 'diagnosis', message: 'memory high', incidentId: inc, rule: 'mem', data: { top: ['render'] } });
    journal.finishAction(act, failed, T0 + 500);
    journal.closeIncident(inc, T0 + 1000, 'exhausted', 'ladder spent');

    const detail = journal.incident(inc)!;
    expect(detail).toMatchObject({ id: inc, rule: 'mem', status: 'exhausted', openedAt: T0, closedAt: T0 + 1000, trigger: { 'memory.used_pct': 93.5 }, whenText: 'memory.used_pct > 90', detail: 'ladder spent' });
    expect(detail.actions).toEqual([{
      id: act, incidentId: inc, rule: 'mem', step: 1, attempt: 1, type: 'exec', target: 'worker:render', description: 'exec drop-caches',
      startedAt: T0 + 10, endedAt: T0 + 500, status: 'failed', result: 'exit-code', exitCode: 3, signal: null, durationMs: 413,
      outputTail: 'line1\nline2', message: 'exec exited with code 3', details: { freedBytes: 0 },
    }]);
    expect(detail.events).toEqual([{ id: expect.any(Number), at: T0 + 5, incidentId: inc, rule: 'mem', kind: 'diagnosis', message: 'memory high', data: { top: ['render'] } }]);
    expect(journal.incident(9999)).toBeUndefined();
    expect(journal.recentIncidents(5).map((i) => i.id)).toEqual([inc]);
  });

  it('maps a timed-out outcome to timed-out', () => {
    const act = journal.startAction({ incidentId: null, rule: 'r', step: 1, attempt: 2, type: 'restart_worker', target: null, description: 'restart', at: T0 });
    journal.finishAction(act, { ...failed, status: 'timed-out', timedOut: true, signal: 'SIGKILL', exitCode: null }, T0 + 1);
    const row = journal.history({}).find((e) => e.source === 'action')!;
    expect(row.summary).toContain('timed-out in 413 ms');
  });
});

describe('markInterrupted', () => {
  it('marks running actions and open incidents, keeping the incidents it is told to keep', () => {
    const a = journal.openIncident({ rule: 'a', severity: 'warning', at: T0, trigger: {}, whenText: 'x' });
    const b = journal.openIncident({ rule: 'b', severity: 'warning', at: T0, trigger: {}, whenText: 'y' });
    const running = journal.startAction({ incidentId: a, rule: 'a', step: 1, attempt: 1, type: 'exec', target: null, description: 'exec sleep', at: T0 + 100 });
    const done = journal.startAction({ incidentId: a, rule: 'a', step: 1, attempt: 1, type: 'exec', target: null, description: 'exec true', at: T0 + 50 });
    journal.finishAction(done, { ...failed, ok: true, status: 'ok' }, T0 + 60);

    expect(journal.markInterrupted(T0 + 5000, { keepOpen: [b] })).toEqual({ actions: 1, incidents: 1 });
    const detail = journal.incident(a)!;
    expect(detail.status).toBe('interrupted');
    expect(detail.actions.find((x) => x.id === running)).toMatchObject({ status: 'interrupted', endedAt: T0 + 5000, durationMs: 4900, message: 'medic stopped while this action ran' });
    expect(detail.actions.find((x) => x.id === done)?.status).toBe('ok');
    expect(detail.events.map((e) => e.kind)).toEqual(['action-interrupted', 'incident-interrupted']);
    expect(journal.incident(b)?.status).toBe('open');
    expect(journal.markInterrupted(T0 + 6000, { keepOpen: [b] })).toEqual({ actions: 0, incidents: 0 });
  });

  it('lists the process groups of running actions, read before they are marked', () => {
    const a = journal.startAction({ incidentId: null, rule: 'a', step: 0, attempt: 1, type: 'exec', target: null, description: 'exec sleep', at: T0 });
    journal.startAction({ incidentId: null, rule: 'b', step: 0, attempt: 1, type: 'exec', target: null, description: 'exec never spawned', at: T0 });
    const done = journal.startAction({ incidentId: null, rule: 'c', step: 0, attempt: 1, type: 'exec', target: null, description: 'exec true', at: T0 });
    journal.recordActionProcess(a, 4321);
    journal.recordActionProcess(a, 4322);
    journal.recordActionProcess(done, 999);
    journal.finishAction(done, { ...failed, ok: true, status: 'ok' }, T0 + 10);
    expect(journal.runningActionProcesses()).toEqual([{ actionId: a, rule: 'a', incidentId: null, pgid: 4322 }]);
    journal.markInterrupted(T0 + 100);
    expect(journal.runningActionProcesses()).toEqual([]);
  });
});

describe('rule states', () => {
  it('upserts in one call and loads them back', () => {
    journal.saveRuleStates([{ rule: 'a', state: { kind: 'ok' }, incidentId: null }, { rule: 'b', state: { kind: 'firing', step: 1 }, incidentId: 7 }], T0);
    journal.saveRuleStates([{ rule: 'a', state: { kind: 'pending', hits: 1 }, incidentId: null }], T0 + 1);
    expect(journal.loadRuleStates()).toEqual([
      { rule: 'a', state: { kind: 'pending', hits: 1 }, incidentId: null, savedAt: T0 + 1 },
      { rule: 'b', state: { kind: 'firing', step: 1 }, incidentId: 7, savedAt: T0 },
    ]);
  });
});

describe('history', () => {
  it('is newest first and filters by since and rule', () => {
    const inc = journal.openIncident({ rule: 'disk', severity: 'critical', at: T0, trigger: { 'disk[/].used_pct': 97 }, whenText: 'disk[/].used_pct > 95' });
    journal.startAction({ incidentId: inc, rule: 'disk', step: 1, attempt: 1, type: 'exec', target: null, description: 'exec cleanup', at: T0 + 1 });
    journal.event({ at: T0 + 2, kind: 'skip', message: 'cpu: backoff', rule: 'cpu' });
    journal.enqueuePage({ incidentId: inc, rule: 'disk', at: T0 + 3, payload: { a: 1 } });
    journal.closeIncident(inc, T0 + 4, 'recovered', 'condition clear for 60 s');

    expect(journal.history({}).map((e) => e.kind)).toEqual(['incident-recovered', 'page', 'skip', 'action', 'incident-open']);
    expect(journal.history({ since: T0 + 2 }).map((e) => e.kind)).toEqual(['incident-recovered', 'page', 'skip']);
    expect(journal.history({ rule: 'cpu' }).map((e) => e.summary)).toEqual(['cpu: backoff']);
    expect(journal.history({ limit: 2 }).length).toBe(2);
    expect(journal.history({ rule: 'disk' }).at(-1)).toMatchObject({ incidentId: inc, summary: `critical incident #${inc} opened: disk[/].used_pct > 95 (disk[/].used_pct=97%)` });
  });
});

describe('outbox rows', () => {
  it('returns due pages oldest first and counts them', () => {
    const late = journal.enqueuePage({ incidentId: null, rule: 'b', at: T0 + 10, payload: { n: 2 } });
    const early = journal.enqueuePage({ incidentId: null, rule: 'a', at: T0, payload: { n: 1 }, route: 'oncall' });
    expect(journal.duePages(T0 + 10).map((p) => p.id)).toEqual([early, late]);
    expect(journal.duePages(T0 + 5).map((p) => p.payload)).toEqual([{ n: 1 }]);

    journal.markPageRetry(early, T0 + 20, 'HTTP 500: internal_error', T0 + 1020);
    expect(journal.duePages(T0 + 20).map((p) => p.id)).toEqual([late]);
    expect(journal.page(early)).toMatchObject({ attempts: 1, nextAttemptAt: T0 + 1020, lastError: 'HTTP 500: internal_error', route: 'oncall' });
    expect(journal.pageStats()).toEqual({ pending: 2, failed: 0, sent: 0, noWebhook: 0, lastError: 'HTTP 500: internal_error' });

    journal.markPageSent(early, T0 + 1100);
    journal.markPageFailed(late, T0 + 1200, 'HTTP 404: no_service');
    expect(journal.pageStats()).toEqual({ pending: 0, failed: 1, sent: 1, noWebhook: 0, lastError: 'HTTP 404: no_service' });
    expect(journal.page(early)).toMatchObject({ status: 'sent', attempts: 2, sentAt: T0 + 1100 });
  });

  it('defers every pending page to a time and never earlier', () => {
    const a = journal.enqueuePage({ incidentId: null, rule: 'a', at: T0, payload: {} });
    const b = journal.enqueuePage({ incidentId: null, rule: 'b', at: T0, payload: {} });
    journal.markPageRetry(b, T0, 'x', T0 + 90_000);
    expect(journal.deferPendingPages(T0 + 30_000, T0)).toBe(1);
    expect(journal.page(a)?.nextAttemptAt).toBe(T0 + 30_000);
    expect(journal.page(b)?.nextAttemptAt).toBe(T0 + 90_000);
  });
});

describe('prune', () => {
  it('deletes what ended before the cut-off and keeps what is open, running or pending', () => {
    const old = journal.openIncident({ rule: 'r', severity: 'warning', at: T0, trigger: {}, whenText: 'x' });
    const act = journal.startAction({ incidentId: old, rule: 'r', step: 1, attempt: 1, type: 'exec', target: null, description: 'd', at: T0 });
    journal.finishAction(act, failed, T0 + 1);
    journal.closeIncident(old, T0 + 2, 'recovered');
    journal.event({ at: T0, kind: 'start', message: 'medic started' });
    const sent = journal.enqueuePage({ incidentId: old, rule: 'r', at: T0, payload: {} });
    journal.markPageSent(sent, T0 + 1);
    journal.enqueuePage({ incidentId: old, rule: 'r', at: T0, payload: {} });
    const open = journal.openIncident({ rule: 'r', severity: 'warning', at: T0, trigger: {}, whenText: 'x' });
    journal.startAction({ incidentId: open, rule: 'r', step: 1, attempt: 1, type: 'exec', target: null, description: 'd', at: T0 });

    // The old incident stays while its pending page points at it.
    expect(journal.prune(T0 + 100)).toEqual({ incidents: 0, actions: 1, events: 1, pages: 1 });
    expect(journal.incident(open)?.actions.length).toBe(1);
    expect(journal.pageStats().pending).toBe(1);
    journal.markPageSent(journal.duePages(T0 + 100)[0]!.id, T0 + 100);
    expect(journal.prune(T0 + 200)).toEqual({ incidents: 1, actions: 0, events: 0, pages: 1 });
    expect(journal.incident(old)).toBeUndefined();
  });
});
