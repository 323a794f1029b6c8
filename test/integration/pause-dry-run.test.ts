// `medic pause` / `medic resume` against a running `medic run`, and dry run (`--dry-run` and a
// per-rule `dry_run: true`), end to end: real processes, a real journal file.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, queryJournal, REPO, runMedic, startMedic, type MedicProcess } from '../helpers/medic-process.js';

const WORKERS = join(REPO, 'test', 'fixtures', 'workers');

const running: MedicProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function setup(rules: (dir: string) => string): { dir: string; rulesDir: string; stateDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'medic-pause-'));
  dirs.push(dir);
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  writeFileSync(join(rulesDir, 'rules.yaml'), rules(dir));
  return { dir, rulesDir, stateDir: join(dir, 'state') };
}

function medic(args: string[]): MedicProcess {
  const m = startMedic(args);
  running.push(m);
  return m;
}

interface EventRow {
  kind: string;
  rule: string | null;
  message: string;
  data_json: string | null;
}
interface ActionRow {
  rule: string;
  status: string;
  description: string;
}

const events = (stateDir: string, kind: string) => queryJournal<EventRow>(stateDir, 'SELECT kind, rule, message, data_json FROM events WHERE kind = ? ORDER BY id', kind);
const actions = (stateDir: string) => queryJournal<ActionRow>(stateDir, 'SELECT rule, status, description FROM actions ORDER BY id');

describe('medic pause / resume against a running daemon', () => {
  it('a paused rule observes (incident, skip "paused") but does not act; after resume it acts', async () => {
    // The rule fires once the test creates the heartbeat file (before that the metric is unknown).
    const { dir, rulesDir, stateDir } = setup((d) => `
settings: { interval: 200ms }
workers:
  t: { restart: [/bin/true], heartbeat: { file: ${join(d, 'beat')}, stale_after: 1h } }
rules:
  - name: trigger
    when: worker.t.heartbeat_age < 1h
    do:
      - exec: { argv: [/bin/sh, -c, 'echo acted >> "$0"', ${join(d, 'marker')}], worker: t }
`);
    const paths = ['--rules', rulesDir, '--state', stateDir];
    medic(['run', ...paths]);
    await eventually(() => queryJournal(stateDir, `SELECT 1 FROM rule_states WHERE rule = 'trigger'`)[0], 'the first tick');

    const paused = await runMedic(['pause', 'trigger', '--for', '1h', '--reason', 'maintenance window', ...paths], { SUDO_USER: 'alice' });
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^paused trigger for 1h, until \S+ \S+, by alice: maintenance window$/m);
    const began = await eventually(() => events(stateDir, 'paused')[0], 'the daemon to journal the pause');
    expect(began).toMatchObject({ rule: 'trigger' });
    expect(began.message).toMatch(/^rule trigger paused by alice until \S+: maintenance window; observing only/);

    writeFileSync(join(dir, 'beat'), 'now\n');
    const skip = await eventually(() => events(stateDir, 'skip').find((e) => JSON.parse(e.data_json ?? '{}').reason === 'paused'), 'a skip with reason paused');
    expect(skip.message).toMatch(/^not acting: paused: the rule is paused; step 1\/1 held back \(paused by alice until .*: maintenance window\)$/);
    expect(queryJournal(stateDir, `SELECT id FROM incidents WHERE rule = 'trigger' AND status = 'open'`)).toHaveLength(1);

    // diagnose shows the pause, with who and why.
    const diagnosis = await runMedic(['diagnose', ...paths]);
    expect(diagnosis.stdout).toMatch(/^paused \(observing and journaling, not acting, pages held\):\n\s+trigger\s+until \S+ \S+\s+by alice\s+maintenance window$/m);
    expect(diagnosis.stdout).toMatch(/trigger\s+.*hold back \(paused\)/);

    // Several more ticks: still no action, and the skip was journaled once.
    const seen = Number(queryJournal<{ n: number }>(stateDir, 'SELECT MAX(id) AS n FROM events')[0]!.n);
    const later = Date.now() + 600;
    await eventually(() => queryJournal(stateDir, 'SELECT 1 FROM rule_states WHERE saved_at > ?', later)[0], 'more ticks');
    expect(actions(stateDir)).toEqual([]);
    expect(existsSync(join(dir, 'marker'))).toBe(false);
    expect(queryJournal(stateDir, `SELECT id FROM events WHERE kind = 'skip' AND id > ?`, seen)).toEqual([]);

    const resumed = await runMedic(['resume', 'trigger', ...paths], { SUDO_USER: '', USER: 'bob' });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^resumed trigger \(was paused by alice until .*: maintenance window\)$/m);
    const ended = await eventually(() => events(stateDir, 'resumed')[0], 'the daemon to journal the resume');
    expect(ended.message).toBe('rule trigger resumed by bob; acting again');
    const action = await eventually(() => actions(stateDir)[0], 'the action after the resume');
    expect(action).toMatchObject({ rule: 'trigger', description: expect.stringContaining('exec /bin/sh -c') });
    await eventually(() => (existsSync(join(dir, 'marker')) ? true : undefined), 'the action to run');
    expect(readFileSync(join(dir, 'marker'), 'utf8')).toBe('acted\n');
  });

  it('a pause ends by itself at its time, and the end is journaled', async () => {
    const { rulesDir, stateDir } = setup(() => `
settings: { interval: 200ms }
rules:
  - name: calm
    when: cpu.cores < 0
    do: [{ exec: [/bin/true] }]
`);
    const paths = ['--rules', rulesDir, '--state', stateDir];
    medic(['run', ...paths]);
    const paused = await runMedic(['pause', '--all', '--for', '1500ms', '--reason', 'short', ...paths]);
    expect(paused.code).toBe(0);
    await eventually(() => events(stateDir, 'paused')[0], 'the pause to begin');
    const ended = await eventually(() => events(stateDir, 'resumed')[0], 'the pause to end by itself');
    expect(ended.message).toMatch(/^rule calm pause by \S+ ended at \S+; acting again$/);
    expect(JSON.parse(ended.data_json!)).toMatchObject({ expired: true });
  });

  it('refuses unknown rule names (with a suggestion), a missing reason and a bad duration', async () => {
    const { rulesDir, stateDir } = setup(() => `
rules:
  - { name: disk-full, when: cpu.cores < 0, do: [{ exec: [/bin/true] }] }
`);
    const paths = ['--rules', rulesDir, '--state', stateDir];
    const typo = await runMedic(['pause', 'disk-ful', '--for', '1h', '--reason', 'x', ...paths]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown rule "disk-ful"; did you mean "disk-full"?');
    const forever = await runMedic(['pause', 'disk-full', '--for', 'ever', '--reason', 'x', ...paths]);
    expect(forever.code).toBe(2);
    expect(forever.stderr).toContain('--for: expected how long to pause, like "2h" or "30m", got "ever"');
    const silent = await runMedic(['pause', 'disk-full', '--for', '1h', ...paths]);
    expect(silent.code).not.toBe(0);
    expect(silent.stderr).toContain("required option '--reason <text>' not specified");
    const both = await runMedic(['resume', 'disk-full', '--all', ...paths]);
    expect(both.code).toBe(2);
    expect(existsSync(join(stateDir, 'journal.sqlite')) ? queryJournal(stateDir, 'SELECT * FROM pauses') : []).toEqual([]);
  });
});

describe('dry run', () => {
  it('medic run --dry-run: the engine runs, every decision is journaled as "would have", no process is restarted', async () => {
    const { rulesDir, stateDir } = setup(() => `
settings: { interval: 200ms }
workers:
  w:
    start: [node, ${join(WORKERS, 'steady.mjs')}]
rules:
  - name: restart-w
    when: worker.w.up == 1
    do: [restart_worker: w]
    verify: 400ms
`);
    const m = medic(['run', '--rules', rulesDir, '--state', stateDir, '--dry-run']);
    const startLine = await m.waitForLog((l) => /^started worker w \(pid \d+\)$/.test(l.msg));
    const pid = Number(/pid (\d+)/.exec(startLine.msg)![1]);
    const page = await eventually(() => events(stateDir, 'would-page')[0], 'the ladder to run out (would page)', 30_000);
    expect(page.message).toMatch(/^dry run: would have paged on-call \(ladder-exhausted\): tried 1 step/);

    expect(actions(stateDir)).toEqual([{ rule: 'restart-w', status: 'dry-run', description: 'restart_worker w' }]);
    const outcome = queryJournal<{ result: string; message: string }>(stateDir, 'SELECT result, message FROM actions')[0]!;
    expect(outcome).toEqual({ result: 'dry-run', message: 'dry run: would have run restart_worker w; not executed' });
    expect(events(stateDir, 'would-fire')).toHaveLength(1);
    expect(events(stateDir, 'verify')[0]!.message).toMatch(/^dry run: step 1 did not help/);
    expect(queryJournal(stateDir, 'SELECT id FROM pages')).toEqual([]);
    // The worker was never touched: same process, never restarted.
    expect(m.logs.filter((l) => /^started worker w/.test(l.msg))).toHaveLength(1);
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(m.logs.some((l) => l.msg === 'rule restart-w: dry run: step 1 attempt 1: would have run restart_worker w')).toBe(true);

    const history = await runMedic(['history', '--state', stateDir, '--rule', 'restart-w']);
    expect(history.code).toBe(0);
    expect(history.stdout.split('\n')[0]).toMatch(/^dry run: restart-w would have fired once, acted once \(restart_worker w ×1\) and paged once \(.+ to .+\)$/);
    expect(history.stdout).toContain('dry-run');
  });

  it('dry_run: true makes one rule a shadow while the others act', async () => {
    const { dir, rulesDir, stateDir } = setup((d) => `
settings: { interval: 200ms }
rules:
  - name: shadow
    dry_run: true
    when: cpu.cores > 0
    do: [{ exec: [/bin/sh, -c, 'echo shadow >> "$0"', ${join(d, 'shadow')}] }]
  - name: real
    when: cpu.cores > 0
    do: [{ exec: [/bin/sh, -c, 'echo real >> "$0"', ${join(d, 'real')}] }]
`);
    medic(['run', '--rules', rulesDir, '--state', stateDir]);
    await eventually(() => actions(stateDir).find((a) => a.rule === 'real' && a.status === 'ok'), 'the real rule to act');
    expect(readFileSync(join(dir, 'real'), 'utf8')).toBe('real\n');
    await eventually(() => actions(stateDir).find((a) => a.rule === 'shadow'), 'the shadow rule to "act"');
    expect(actions(stateDir).map((a) => [a.rule, a.status]).sort()).toEqual([
      ['real', 'ok'],
      ['shadow', 'dry-run'],
    ]);
    expect(existsSync(join(dir, 'shadow'))).toBe(false);
    const history = await runMedic(['history', '--state', stateDir, '--rule', 'real']);
    expect(history.stdout).not.toContain('dry run:');
  });
});
