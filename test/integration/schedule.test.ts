// Scheduled rules in a running `medic run` (node-cron with a seconds field, so the test is short),
// and `medic test` as an operator runs it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, queryJournal, REPO, runMedic, startMedic, type MedicProcess } from '../helpers/medic-process.js';

const running: MedicProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'medic-schedule-'));
  dirs.push(dir);
  return dir;
}

interface ActionRow {
  rule: string;
  incident_id: number | null;
  status: string;
  started_at: number;
  ended_at: number | null;
}

describe('scheduled rules', () => {
  it('run step 1 at each cron tick, never two at once: a due run while one is going is journaled as skipped', async () => {
    const dir = tempDir();
    const log = join(dir, 'job.log');
    const rulesDir = join(dir, 'rules');
    const stateDir = join(dir, 'state');
    mkdirSync(rulesDir);
    writeFileSync(join(rulesDir, 'rules.yaml'), `
settings: { interval: 200ms }
rules:
  - name: every-second
    schedule: "* * * * * *"
    timezone: UTC
    do:
      - exec: [/bin/sh, -c, 'echo start >> "$0"; sleep 1.6; echo end >> "$0"', ${log}]
  - name: gated
    schedule: "* * * * * *"
    when: cpu.cores < 0
    do: [{ exec: [/bin/sh, -c, 'echo gated >> "$0"', ${log}] }]
`);
    const m = startMedic(['run', '--rules', rulesDir, '--state', stateDir]);
    running.push(m);
    const done = () => queryJournal<ActionRow>(stateDir, `SELECT rule, incident_id, status, started_at, ended_at FROM actions WHERE rule = 'every-second' AND status <> 'running' ORDER BY id`);
    await eventually(() => (done().length >= 2 ? true : undefined), 'two scheduled runs to finish', 20_000);
    const skips = await eventually(() => {
      const rows = queryJournal<{ rule: string; message: string; data_json: string }>(stateDir, `SELECT rule, message, data_json FROM events WHERE kind = 'schedule-skip' ORDER BY id`);
      return rows.some((r) => r.rule === 'every-second') ? rows : undefined;
    }, 'an overlap to be journaled');
    const stop = await m.stop('SIGTERM');
    expect(stop.code).toBe(0);

    const runs = done();
    for (const run of runs) expect(run).toMatchObject({ status: 'ok', incident_id: null });
    // Never two at once: each run starts after the one before it ended.
    runs.slice(1).forEach((run, i) => expect(run.started_at).toBeGreaterThanOrEqual(runs[i]!.ended_at!));
    const lines = readFileSync(log, 'utf8').trim().split('\n').filter((l) => l !== 'gated');
    lines.forEach((line, i) => expect(line, `line ${i} of ${lines.join(',')}`).toBe(i % 2 === 0 ? 'start' : 'end'));

    const overlaps = skips.filter((s) => s.rule === 'every-second');
    expect(overlaps[0]).toMatchObject({ message: 'scheduled run skipped: the previous run is still going' });
    expect(overlaps.every((s) => JSON.parse(s.data_json).reason === 'overlap')).toBe(true);
    // The gated rule's condition stayed false: skipped at every tick, journaled once.
    const gated = skips.filter((s) => s.rule === 'gated');
    expect(gated).toHaveLength(1);
    expect(gated[0]!.message).toMatch(/^scheduled run skipped: cpu\.cores < 0 is false \(cpu\.cores=\d+\)$/);
    expect(readFileSync(log, 'utf8')).not.toContain('gated');
  });
});

describe('medic test', () => {
  it('passes the bundled rules against rules/tests/ (exit 0)', async () => {
    const result = await runMedic(['test', join(REPO, 'rules'), join(REPO, 'rules', 'tests', 'demo.test.yaml')]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^ok: 7 passed, 0 failed$/m);
    expect(result.code).toBe(0);
  });

  it('catches a broken copy of the rules (exit 1) with a readable diff', async () => {
    const dir = tempDir();
    const text = readFileSync(join(REPO, 'rules', 'demo.yaml'), 'utf8');
    writeFileSync(join(dir, 'demo.yaml'), text.replace('worker.demo.rss > 150MiB', 'worker.demo.rss > 180MiB'));
    const result = await runMedic(['test', dir, join(REPO, 'rules', 'tests', 'demo.test.yaml')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL  ');
    expect(result.stdout).toContain('- act demo-leak step 1: restart_worker demo');
    expect(result.stdout).toMatch(/^FAILED: 6 passed, 1 failed$/m);
  });
});
