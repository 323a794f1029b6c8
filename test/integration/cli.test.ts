// The command line as an operator runs it: the built `medic` binary as a separate process.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { REPO, runMedic } from '../helpers/medic-process.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'medic-cli-'));
  dirs.push(dir);
  return dir;
}

describe('medic validate', () => {
  it('prints three errors, each with file:line:column, for a file with three mistakes, and exits 1', async () => {
    const file = join('test', 'fixtures', 'rules', 'three-mistakes.bad.yaml');
    const result = await runMedic(['validate', file], {}, REPO);
    expect(result.code).toBe(1);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith(file));
    expect(errors).toEqual([
      `${file}:13:10: rule "render-busy": rules[0].for: expected a duration like "30s" or a count like "3 samples", got "5 minutes"`,
      `${file}:18:11: rule "memory-high": rules[1].when: unknown memory metric "usd_pct"; did you mean "used_pct"?`,
      `${file}:25:25: rule "render-leak": rules[2].do[0].restart_worker: undefined worker "rendr"; did you mean "render"?`,
    ]);
    expect(result.stderr).toContain('3 error(s)');
  });

  it('refuses an empty rules file, which would otherwise stop every worker on reload', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rules.yaml'), '');
    const result = await runMedic(['validate', join(dir, 'rules.yaml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('rules.yaml:1:1: no workers and no rules: refusing an empty rules set');
  });

  it('accepts the bundled rules', async () => {
    const result = await runMedic(['validate', 'rules'], {}, REPO);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^ok: \d+ rule\(s\), 1 worker\(s\) in /);
    expect(result.code).toBe(0);
  });
});

describe('medic diagnose', () => {
  function rules(when: string, severity = 'critical'): string {
    const dir = tempDir();
    writeFileSync(join(dir, 'rules.yaml'), `rules:\n  - name: r\n    when: ${when}\n    severity: ${severity}\n    do: [exec: [/bin/true]]\n`);
    return dir;
  }

  it('exits 0 (OK) when no rule holds, listing signals and what medic would do', async () => {
    const result = await runMedic(['diagnose', '--rules', rules('memory.total < 0'), '--state', tempDir()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OK: medic diagnose on /);
    expect(result.stdout).toMatch(/memory\.used_pct\s+\d/);
    expect(result.stdout).toContain('nothing: condition is false');
  });

  it('exits 2 (CRITICAL) when a critical rule holds and says what medic would do', async () => {
    const result = await runMedic(['diagnose', '--json', '--rules', rules('memory.total > 0'), '--state', tempDir()]);
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout) as { status: string; rules: Array<{ name: string; truth: unknown; wouldDo: string; values: Record<string, number> }> };
    expect(json.status).toBe('CRITICAL');
    expect(json.rules[0]).toMatchObject({ name: 'r', truth: true, wouldDo: 'act now: step 1: exec /bin/true' });
    expect(json.rules[0]!.values['memory.total']).toBeGreaterThan(0);
  });

  it('exits 1 (WARNING) for a warning rule', async () => {
    const result = await runMedic(['diagnose', '--rules', rules('memory.total > 0', 'warning'), '--state', tempDir()]);
    expect(result.code).toBe(1);
  });

  it('exits 3 (UNKNOWN) when a rule cannot be evaluated, and says why', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rules.yaml'), `workers:\n  w:\n    restart: [/bin/true]\n    pid_file: ${join(dir, 'missing.pid')}\nrules:\n  - name: r\n    when: worker.w.rss > 1GiB\n    do: [restart_worker: w]\n`);
    const result = await runMedic(['diagnose', '--rules', dir, '--state', tempDir()]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('worker.w.rss unknown');
    expect(result.stdout).toContain('missing.pid');
  });

  it('exits 3 with the errors when the rules are broken', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rules.yaml'), 'rules:\n  - name: r\n    when: memory.nope > 1\n    do: [exec: [/bin/true]]\n');
    const result = await runMedic(['diagnose', '--rules', dir, '--state', tempDir()]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('rules.yaml:3:11');
  });
});

describe('medic history', () => {
  it('lists the journal newest first, filtered by rule and time, as text and JSON', async () => {
    const state = tempDir();
    mkdirSync(state, { recursive: true });
    const journal = Journal.open(join(state, 'journal.sqlite'));
    const now = Date.now();
    const old = journal.openIncident({ rule: 'old-rule', severity: 'critical', at: now - 3 * 3600_000, trigger: { 'memory.used_pct': 99 }, whenText: 'memory.used_pct > 95' });
    journal.closeIncident(old, now - 3 * 3600_000 + 60_000, 'recovered');
    const incident = journal.openIncident({ rule: 'leak', severity: 'critical', at: now - 60_000, trigger: { 'worker.w.rss': 2e9 }, whenText: 'worker.w.rss > 1GiB' });
    const action = journal.startAction({ incidentId: incident, rule: 'leak', step: 0, attempt: 1, type: 'restart_worker', target: 'worker:w', description: 'restart_worker w', at: now - 59_000 });
    journal.finishAction(action, { ok: true, status: 'restarted', timedOut: false, exitCode: null, signal: null, durationMs: 20, message: 'restart_worker w ok in 20 ms', outputTail: '' }, now - 58_000);
    journal.closeIncident(incident, now - 30_000, 'recovered');
    journal.close();

    const text = await runMedic(['history', '--state', state, '--since', '1h']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('restart_worker w');
    expect(text.stdout).not.toContain('old-rule');

    const json = await runMedic(['history', '--state', state, '--rule', 'old-rule', '--json']);
    const entries = JSON.parse(json.stdout) as Array<{ rule: string; at: number }>;
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.rule === 'old-rule')).toBe(true);
    expect(entries[0]!.at).toBeGreaterThanOrEqual(entries[entries.length - 1]!.at);

    const detail = await runMedic(['history', '--state', state, '--incident', String(incident)]);
    expect(detail.code).toBe(0);
    expect(detail.stdout).toContain('restart_worker w ok in 20 ms');

    const bad = await runMedic(['history', '--state', state, '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a duration');
  });
});
