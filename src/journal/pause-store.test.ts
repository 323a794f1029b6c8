// Pauses and the dry-run summary against a real journal file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from './journal.js';
import { ALL_RULES, findActivePause, findResume, type PauseRow } from './pause-store.js';
import { formatDryRunSummary } from './dry-run-summary.js';

let dir: string;
let journal: Journal;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'medic-pauses-'));
  journal = Journal.open(join(dir, 'journal.sqlite'));
});
afterEach(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('PauseStore', () => {
  it('appends pause and resume rows; max(id) moves with each', () => {
    expect(journal.pauses.maxId()).toBe(0);
    expect(journal.pauses.pause({ rules: ['a', 'b'], at: 1000, until: 5000, reason: 'deploy', who: 'alice' })).toEqual([1, 2]);
    expect(journal.pauses.resume({ rules: ['a'], at: 2000, who: 'bob' })).toEqual([3]);
    expect(journal.pauses.maxId()).toBe(3);
    expect(journal.pauses.rows()).toEqual([
      { id: 1, kind: 'pause', rule: 'a', at: 1000, until: 5000, reason: 'deploy', who: 'alice' },
      { id: 2, kind: 'pause', rule: 'b', at: 1000, until: 5000, reason: 'deploy', who: 'alice' },
      { id: 3, kind: 'resume', rule: 'a', at: 2000, until: null, reason: '', who: 'bob' },
    ]);
  });
});

describe('findActivePause', () => {
  const row = (id: number, kind: PauseRow['kind'], rule: string, until: number | null = null): PauseRow => ({ id, kind, rule, at: 0, until, reason: `r${id}`, who: 'w' });
  it.each([
    // [why, rows, rule, at, expected pause id or null]
    ['no rows', [], 'a', 0, null],
    ['a pause of the rule, in force', [row(1, 'pause', 'a', 100)], 'a', 50, 1],
    ['it ends at its until', [row(1, 'pause', 'a', 100)], 'a', 100, null],
    ['another rule is not paused', [row(1, 'pause', 'a', 100)], 'b', 50, null],
    ['--all pauses every rule', [row(1, 'pause', ALL_RULES, 100)], 'b', 50, 1],
    ['a resume of the rule ends it', [row(1, 'pause', 'a', 100), row(2, 'resume', 'a')], 'a', 50, null],
    ['resume --all ends every pause', [row(1, 'pause', 'a', 100), row(2, 'resume', ALL_RULES)], 'a', 50, null],
    ['resume of one rule leaves --all in force for the others', [row(1, 'pause', ALL_RULES, 100), row(2, 'resume', 'a')], 'b', 50, 1],
    ['... and ends it for that rule', [row(1, 'pause', ALL_RULES, 100), row(2, 'resume', 'a')], 'a', 50, null],
    ['a pause after a resume counts', [row(1, 'resume', 'a'), row(2, 'pause', 'a', 100)], 'a', 50, 2],
    ['of two pauses the longer one wins', [row(1, 'pause', 'a', 300), row(2, 'pause', ALL_RULES, 100)], 'a', 150, 1],
  ] as const)('%s', (_why, rows, rule, at, expected) => {
    expect(findActivePause(rows as readonly PauseRow[], rule, at)?.id ?? null).toBe(expected);
  });

  it('findResume names who ended a pause early', () => {
    const rows = [row(1, 'pause', 'a', 100), row(2, 'resume', 'b'), row(3, 'resume', ALL_RULES)];
    expect(findResume(rows, 'a', rows[0]!)?.id).toBe(3);
    expect(findResume(rows.slice(0, 2), 'a', rows[0]!)).toBeUndefined();
  });
});

describe('dryRunSummary', () => {
  it('counts would-fire events, dry-run actions and would-page events of one rule', () => {
    expect(journal.dryRunSummary('shadow')).toBeNull();
    for (const at of [1000, 5000]) {
      const incidentId = journal.openIncident({ rule: 'shadow', severity: 'critical', at, trigger: {}, whenText: 'x > 1' });
      journal.event({ at, kind: 'would-fire', rule: 'shadow', incidentId, message: 'dry run: would have fired' });
      const id = journal.startAction({ incidentId, rule: 'shadow', step: 0, attempt: 1, type: 'restart_worker', target: 'worker:w', description: 'restart_worker w', at });
      journal.finishAction(id, { ok: true, status: 'dry-run', timedOut: false, exitCode: null, signal: null, durationMs: 0, message: 'dry run: not executed', outputTail: '' }, at);
    }
    journal.event({ at: 6000, kind: 'would-page', rule: 'shadow', message: 'dry run: would have paged' });
    // Another rule's and real actions do not count.
    const real = journal.startAction({ incidentId: null, rule: 'shadow', step: 0, attempt: 1, type: 'exec', target: null, description: 'exec x', at: 7000 });
    journal.finishAction(real, { ok: true, status: 'ok', timedOut: false, exitCode: 0, signal: null, durationMs: 1, message: 'ok', outputTail: '' }, 7001);
    journal.event({ at: 1000, kind: 'would-fire', rule: 'other', message: 'x' });

    const summary = journal.dryRunSummary('shadow');
    expect(summary).toEqual({ rule: 'shadow', since: 0, fired: 2, acted: 2, actions: [{ description: 'restart_worker w', count: 2 }], paged: 1, firstAt: 1000, lastAt: 6000 });
    expect(formatDryRunSummary(summary!, (at) => `t${at}`)).toBe('dry run: shadow would have fired 2 times, acted 2 times (restart_worker w ×2) and paged once (t1000 to t6000)');
    expect(journal.dryRunSummary('shadow', 5500)).toMatchObject({ fired: 0, acted: 0, paged: 1 });
    expect(journal.history({ rule: 'shadow' }).find((e) => e.kind === 'action' && e.summary.includes('dry-run'))).toBeDefined();
  });
});
