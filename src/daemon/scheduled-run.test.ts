// One scheduled run against a real journal: when it runs, when it skips (and journals the skip
// once), and dry run. The action itself is a stub here; real runs are in test/integration/schedule.test.ts.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HealingActionSpec } from '../core/action-specs.js';
import { runHealingAction } from '../actions/run-healing.js';
import type { ActionOutcome, ActionSpec, Rule, Snapshot } from '../core/types.js';
import { Journal } from '../journal/journal.js';
import { createLogger } from './logger.js';
import { ScheduledRunner, type ScheduledRunContext } from './scheduled-run.js';

let dir: string;
let journal: Journal;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'medic-scheduled-'));
  journal = Journal.open(join(dir, 'journal.sqlite'));
});
afterEach(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

const ok: ActionOutcome = { ok: true, status: 'ok', timedOut: false, exitCode: 0, signal: null, durationMs: 5, message: 'archive ok in 5 ms', outputTail: '' };

function rule(overrides: Partial<Rule> = {}): Rule {
  return {
    name: 'nightly',
    whenText: '',
    schedule: { cron: '0 3 * * *' },
    hold: { samples: 1 },
    ladder: [{ action: { type: 'exec', argv: ['/usr/local/bin/archive'], timeoutMs: 1000, worker: 'w' }, attempts: 1 }],
    verifyMs: 0,
    budget: { count: 5, windowMs: 3_600_000 },
    backoff: { initialMs: 1000, maxMs: 1000, resetAfterMs: 1000 },
    severity: 'critical',
    ...overrides,
  };
}

function context(overrides: Partial<ScheduledRunContext> = {}) {
  const ran: ActionSpec[] = [];
  const ctx: ScheduledRunContext = {
    journal,
    logger: createLogger({ level: 'silent' }),
    now: () => 1000,
    snapshot: () => undefined,
    maxSnapshotAgeMs: 10_000,
    pause: () => null,
    dryRun: () => false,
    busyTargets: new Set(),
    stopping: () => false,
    runAction: async (action) => {
      ran.push(action);
      return ok;
    },
    finished: () => undefined,
    ...overrides,
  };
  return { ctx, ran };
}

const snapshotOf = (at: number, value: number): Snapshot => ({ at, values: new Map([['disk[/].used_pct', value]]), unknown: new Map() });
const gated = rule({ when: { kind: 'compare', metric: 'disk[/].used_pct', op: '>', value: 80, text: 'disk[/].used_pct > 80' }, whenText: 'disk[/].used_pct > 80%' });
const skips = () => journal.history({}).filter((e) => e.kind === 'schedule-skip').map((e) => e.summary).reverse();

describe('ScheduledRunner', () => {
  it('runs step 1 through the journal: a row before, the outcome after, no incident', async () => {
    const { ctx, ran } = context();
    await new ScheduledRunner(ctx).run(rule(), 1000);
    expect(ran).toHaveLength(1);
    const actions = journal.history({}).filter((e) => e.kind === 'action');
    expect(actions.map((a) => [a.rule, a.incidentId, a.summary])).toEqual([['nightly', null, 'step 1 attempt 1: exec /usr/local/bin/archive: ok in 5 ms (archive ok in 5 ms)']]);
  });

  it('with when: runs only while the condition is true on a recent sample; each skip reason is journaled once', async () => {
    let snapshot: Snapshot | undefined;
    const { ctx, ran } = context({ snapshot: () => snapshot });
    const runner = new ScheduledRunner(ctx);
    await runner.run(gated, 1000); // no sample yet
    snapshot = snapshotOf(900, 50);
    await runner.run(gated, 1000);
    await runner.run(gated, 1000); // the same reason again: not journaled
    snapshot = snapshotOf(900, 90);
    await runner.run(gated, 1000);
    snapshot = snapshotOf(900, 50);
    await runner.run(gated, 1000); // false again after a run: journaled again
    snapshot = snapshotOf(-20_000, 90);
    await runner.run(gated, 1000); // too old
    expect(ran).toHaveLength(1);
    expect(skips()).toEqual([
      'scheduled run skipped: no recent sample to check the condition against',
      'scheduled run skipped: disk[/].used_pct > 80% is false (disk[/].used_pct=50%)',
      'scheduled run skipped: disk[/].used_pct > 80% is false (disk[/].used_pct=50%)',
      'scheduled run skipped: no recent sample to check the condition against',
    ]);
  });

  it('skips while paused, while its worker is busy, and journals every overlap', async () => {
    let paused: string | null = 'paused by alice until 04:00:00Z: migration';
    const { ctx, ran } = context({ pause: () => paused });
    const runner = new ScheduledRunner(ctx);
    await runner.run(rule(), 1000);
    paused = null;
    ctx.busyTargets.add('worker:w');
    await runner.run(rule(), 1000);
    runner.skipped(rule(), 1000, 'overlap');
    runner.skipped(rule(), 2000, 'overlap');
    expect(ran).toEqual([]);
    expect(skips()).toEqual([
      'scheduled run skipped: paused by alice until 04:00:00Z: migration',
      'scheduled run skipped: worker:w is busy with another action',
      'scheduled run skipped: the previous run is still going',
      'scheduled run skipped: the previous run is still going',
    ]);
  });

  it('marks its worker busy while it runs', async () => {
    let busyDuring: boolean | undefined;
    const { ctx } = context({
      runAction: async () => {
        busyDuring = ctx.busyTargets.has('worker:w');
        return ok;
      },
    });
    await new ScheduledRunner(ctx).run(rule(), 1000);
    expect(busyDuring).toBe(true);
    expect(ctx.busyTargets.size).toBe(0);
  });

  it('a run cut short by medic stopping is left running for the next start to mark interrupted, like a ladder step', async () => {
    let stopping = false;
    const finished: ActionOutcome[] = [];
    const { ctx } = context({
      stopping: () => stopping,
      runAction: async () => {
        stopping = true;
        return { ...ok, ok: false, status: 'signal', signal: 'SIGTERM', message: 'exec archive killed by SIGTERM' };
      },
      finished: (_rule, _action, outcome) => finished.push(outcome),
    });
    await new ScheduledRunner(ctx).run(rule(), 1000);
    expect(finished).toEqual([]);
    expect(ctx.busyTargets.size).toBe(0);
    expect(journal.history({}).filter((e) => e.kind === 'action').map((e) => e.summary)).toEqual(['step 1 attempt 1: exec /usr/local/bin/archive: running']);
  });

  it('dry run: journals the action as dry-run and runs nothing', async () => {
    const { ctx, ran } = context({ dryRun: () => true });
    await new ScheduledRunner(ctx).run(rule(), 1000);
    expect(ran).toEqual([]);
    expect(journal.dryRunSummary('nightly')).toMatchObject({ acted: 1, actions: [{ description: 'exec /usr/local/bin/archive', count: 1 }] });
  });

  it('dry run of an action with a dry form: runs it with dryRun, journals its numbers, deletes nothing', async () => {
    const cache = join(dir, 'cache');
    mkdirSync(cache);
    writeFileSync(join(cache, 'old.bin'), Buffer.alloc(3000));
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(cache, 'old.bin'), longAgo, longAgo);
    const clear: ActionSpec = { type: 'clear_cache', dir: cache, olderThanMs: 60_000, timeoutMs: 5000 };
    const asked: Array<{ dryRun: true } | undefined> = [];
    const { ctx } = context({
      dryRun: () => true,
      runAction: (action, _rule, options) => {
        asked.push(options);
        return runHealingAction(action as HealingActionSpec, { workers: new Map(), ...options }, () => ok);
      },
    });
    await new ScheduledRunner(ctx).run(rule({ ladder: [{ action: clear, attempts: 1 }] }), 1000);
    expect(asked).toEqual([{ dryRun: true }]);
    expect(readdirSync(cache)).toEqual(['old.bin']);
    const row = journal.history({}).find((e) => e.kind === 'action');
    expect(row?.summary).toContain('would have run clear_cache');
    const db = new Database(join(dir, 'journal.sqlite'), { readonly: true });
    try {
      const action = db.prepare('SELECT status, result, message, details_json FROM actions').get() as { status: string; result: string; message: string; details_json: string };
      expect(action).toMatchObject({ status: 'dry-run', result: 'dry-run' });
      expect(action.message).toMatch(/^dry run: would have run clear_cache .*: clear_cache .* \(dry run\): would delete 1 files, 2\.9KiB/);
      expect(JSON.parse(action.details_json)).toMatchObject({ dryRun: true, wouldStatus: 'ok', filesDeleted: 1, bytesFreed: 3000, wouldDelete: ['old.bin'] });
    } finally {
      db.close();
    }
  });
});
