// SIGHUP in the middle of an incident: `medic run` as a process reloads its rules (one unrelated
// rule added) and every surviving rule keeps its state: a pending rule keeps counting from where
// it was, a firing rule waiting out its backoff keeps its incident and its place on the ladder.
// Read through the status socket, as `medic diagnose` reads it, and through the journal.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RuleStatus } from '../../src/daemon/daemon-status.js';
import { fetchDaemonStatus } from '../../src/daemon/status-client.js';
import { statusSocketPath } from '../../src/daemon/status-server.js';
import { eventually, queryJournal, startMedic, type MedicProcess } from '../helpers/medic-process.js';

const running: MedicProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const RULES = `
settings: { interval: 200ms }
rules:
  # Always true, but it must hold for 1000 samples: pending for the whole test.
  - name: slow-burn
    when: cpu.cores > 0
    for: 1000 samples
    do: [{ exec: [/bin/true] }]
  # Fires at once; its step fails, and the next attempt waits an hour of backoff.
  - name: retrying
    when: cpu.cores > 0
    do: [{ exec: [/bin/false], attempts: 3 }]
    backoff: { initial: 1h, max: 1h }
`;

const ADDED = `
  - name: newcomer
    when: cpu.cores < 0
    do: [{ exec: [/bin/true] }]
`;

async function rulesNow(stateDir: string): Promise<Map<string, RuleStatus> | undefined> {
  const status = await fetchDaemonStatus(statusSocketPath(stateDir), { timeoutMs: 2000 });
  return status ? new Map(status.rules.map((rule) => [rule.name, rule])) : undefined;
}

/** Polls the status socket until `test` holds (async, so not eventually()). */
async function statusWhen(stateDir: string, test: (rules: Map<string, RuleStatus>) => boolean, what: string, timeoutMs = 30_000): Promise<Map<string, RuleStatus>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rules = await rulesNow(stateDir);
    if (rules && test(rules)) return rules;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last status: ${JSON.stringify(rules ? [...rules.values()] : null)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('reload keeps rule state', () => {
  it('SIGHUP mid-incident: the pending rule keeps counting, the firing rule keeps its incident and ladder position', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medic-reload-state-'));
    dirs.push(dir);
    const rulesDir = join(dir, 'rules');
    const stateDir = join(dir, 'state');
    mkdirSync(rulesDir);
    writeFileSync(join(rulesDir, 'rules.yaml'), RULES);
    const m = startMedic(['run', '--rules', rulesDir, '--state', stateDir]);
    running.push(m);

    const before = await statusWhen(
      stateDir,
      (rules) => {
        const pending = rules.get('slow-burn')?.state;
        const firing = rules.get('retrying');
        return pending?.kind === 'pending' && pending.hits >= 3 && firing?.state.kind === 'firing' && firing.state.attempt > 1;
      },
      'slow-burn pending for 3 samples and retrying in its backoff after a failed attempt',
    );
    const pendingBefore = before.get('slow-burn')!.state as Extract<RuleStatus['state'], { kind: 'pending' }>;
    const firingBefore = before.get('retrying')!;
    expect(firingBefore.incidentId).not.toBeNull();
    expect(firingBefore.state).toMatchObject({ kind: 'firing', step: 0 });
    const firingState = firingBefore.state as Extract<RuleStatus['state'], { kind: 'firing' }>;
    expect(firingState.waitUntil - Date.now()).toBeGreaterThan(30 * 60_000); // the hour of backoff

    writeFileSync(join(rulesDir, 'rules.yaml'), RULES + ADDED);
    m.child.kill('SIGHUP');
    await m.waitForLog((line) => line.msg.startsWith('rules reloaded: 3 rule(s)'));

    // Ticks after the reload: the new rule is there, and the pending rule counted on.
    const after = await statusWhen(
      stateDir,
      (rules) => rules.has('newcomer') && (rules.get('slow-burn')?.state as { hits?: number }).hits! > pendingBefore.hits + 2,
      'ticks after the reload',
    );
    const pendingAfter = after.get('slow-burn')!;
    expect(pendingAfter.state).toMatchObject({ kind: 'pending', since: pendingBefore.since });
    expect(pendingAfter.incidentId).toBeNull();
    const firingAfter = after.get('retrying')!;
    expect(firingAfter.incidentId).toBe(firingBefore.incidentId);
    expect(firingAfter.state).toMatchObject({ kind: 'firing', since: firingState.since, step: firingState.step, attempt: firingState.attempt, waitUntil: firingState.waitUntil });
    expect(after.get('newcomer')!.state.kind).toBe('ok');

    // The journal agrees: one incident for retrying, still open, one action (the failed attempt), no new one.
    const incidents = queryJournal<{ id: number; rule: string; status: string }>(stateDir, 'SELECT id, rule, status FROM incidents ORDER BY id');
    expect(incidents).toEqual([{ id: firingBefore.incidentId, rule: 'retrying', status: 'open' }]);
    const actions = queryJournal<{ rule: string; incident_id: number; status: string }>(stateDir, 'SELECT rule, incident_id, status FROM actions ORDER BY id');
    expect(actions).toEqual([{ rule: 'retrying', incident_id: firingBefore.incidentId, status: 'failed' }]);
    await eventually(() => queryJournal(stateDir, `SELECT 1 FROM events WHERE kind = 'reload'`)[0], 'the reload event');
  }, 60_000);
});
