// One scheduled run against a real journal: when it runs, when it skips (and journals the skip
// once), and dry run. The action itself is a stub here; real runs are in test/integration/schedule.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
      'scheduled run skipped: disk[/].used_pct > 80% is false (disk[/].used_pct=50)',
      'scheduled run skipped: disk[/].used_pct > 80% is false (disk[/].used_pct=50)',
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

  it('dry run: journals the action as dry-run and runs nothing', async () => {
    const { ctx, ran } = context({ dryRun: () => true });
    await new ScheduledRunner(ctx).run(rule(), 1000);
    expect(ran).toEqual([]);
    expect(journal.dryRunSummary('nightly')).toMatchObject({ acted: 1, actions: [{ description: 'exec /usr/local/bin/archive', count: 1 }] });
  });
});
