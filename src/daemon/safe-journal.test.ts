// The daemon's journal writes against a real SQLite journal that starts refusing writes
// (query_only: SQLITE_READONLY): healing goes on, the outage is logged once each way, a lost
// write is one line, and an action whose start was not journaled still runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionOutcome } from '../core/types.js';
import { Journal } from '../journal/journal.js';
import { runJournaledAction } from './journaled-action.js';
import { createLogger } from './logger.js';
import { SafeJournal } from './safe-journal.js';

let dir: string;
let journal: Journal;
let lines: Array<{ level: number; msg: string }>;
let reported: unknown[];
let safe: SafeJournal;
const log = () =>
  createLogger({
    json: true,
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
        done();
      },
    }),
  });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'medic-safe-journal-'));
  journal = Journal.open(join(dir, 'journal.sqlite'));
  lines = [];
  reported = [];
  safe = new SafeJournal(journal, { logger: log(), now: () => 5000, onStorageError: (error) => reported.push(error) });
});
afterEach(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

const refuseWrites = (refuse: boolean) => (journal as unknown as { db: Database.Database }).db.pragma(`query_only = ${refuse ? 'ON' : 'OFF'}`);
const ok: ActionOutcome = { ok: true, status: 'ok', timedOut: false, exitCode: 0, signal: null, durationMs: 3, message: 'restart_worker w ok', outputTail: '' };
const messages = () => lines.map((l) => l.msg);

describe('SafeJournal', () => {
  it('writes through while the journal works', () => {
    const id = safe.openIncident({ rule: 'r', severity: 'critical', at: 1000, trigger: { x: 1 }, whenText: 'x > 0' });
    expect(id).toBeTypeOf('number');
    expect(safe.event({ at: 1000, kind: 'skip', rule: 'r', message: 'not acting' })).toBeTypeOf('number');
    expect(safe.degraded).toBe(false);
    expect(lines).toEqual([]);
  });

  it('on a storage error returns null ids, reports it, logs the outage once and each lost write once', () => {
    refuseWrites(true);
    expect(safe.openIncident({ rule: 'r', severity: 'critical', at: 1000, trigger: {}, whenText: 'x > 0' })).toBeNull();
    expect(safe.event({ at: 1000, kind: 'verify', rule: 'r', message: 'step 1 helped' })).toBeNull();
    for (let tick = 0; tick < 20; tick++) safe.saveRuleStates([{ rule: 'r', state: { kind: 'idle' }, incidentId: null }], 1000 + tick);
    safe.finishAction(null, ok, 1000); // the start was not journaled: nothing to finish, nothing logged
    expect(safe.degraded).toBe(true);
    expect(reported.length).toBeGreaterThan(0);
    expect((reported[0] as { code: string }).code).toMatch(/^SQLITE_READONLY/);
    expect(messages()).toEqual([
      expect.stringMatching(/^journal writes fail \(SQLITE_READONLY.*\); medic keeps healing/),
      'not journaled: incident opened for rule r',
      'not journaled: verify: step 1 helped',
    ]);
    expect(JSON.stringify(lines)).not.toContain('    at ');

    refuseWrites(false);
    safe.saveRuleStates([], 6000);
    expect(safe.degraded).toBe(false);
    expect(messages().at(-1)).toBe('journal writes work again after 0 s');
    safe.saveRuleStates([], 7000);
    expect(lines).toHaveLength(4);
  });

  it('still throws what is not a storage error', () => {
    expect(() => safe.attempt(() => { throw new TypeError('a bug'); }, () => undefined, null)).toThrow('a bug');
    expect(safe.degraded).toBe(false);
  });

  it('an action whose start cannot be journaled still runs, and its end is not journaled either', async () => {
    refuseWrites(true);
    let ran = false;
    const outcome = await runJournaledAction({ journal: safe, busyTargets: new Set(), now: () => 2000, stopping: () => false }, {
      incidentId: null, rule: 'r', step: 0, attempt: 1, action: { type: 'restart_worker', worker: 'w' }, description: 'restart_worker w', at: 1000, log: log(),
      startLevel: 'warn', startMessage: 'rule r: step 1 attempt 1: restart_worker w', outcomePrefix: 'rule r: ',
    }, async () => {
      ran = true;
      return ok;
    });
    expect(ran).toBe(true);
    expect(outcome).toEqual(ok);
    refuseWrites(false);
    expect(journal.history({})).toEqual([]);
  });
});
