// The live view of a running `medic run` (a real process): the status socket in the state folder,
// `medic diagnose` reading it, the socket's life across SIGTERM and SIGKILL, and the opt-in
// Prometheus endpoint scraped over HTTP.
import { mkdirSync, mkdtempSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonStatus } from '../../src/daemon/daemon-status.js';
import { fetchDaemonStatus } from '../../src/daemon/status-client.js';
import type { Diagnosis } from '../../src/cli/diagnose.js';
import { eventually, REPO, runMedic, startMedic, type MedicProcess } from '../helpers/medic-process.js';
import { findSample, parseExposition } from '../helpers/prometheus-text.js';

const STEADY = join(REPO, 'test', 'fixtures', 'workers', 'steady.mjs');
const running: MedicProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function setup(rules: string): { rulesDir: string; stateDir: string; socket: string } {
  const dir = mkdtempSync(join(tmpdir(), 'medic-live-'));
  dirs.push(dir);
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  writeFileSync(join(rulesDir, 'rules.yaml'), rules);
  const stateDir = join(dir, 'state');
  return { rulesDir, stateDir, socket: join(stateDir, 'medic.sock') };
}

function medic(rulesDir: string, stateDir: string): MedicProcess {
  const m = startMedic(['run', '--rules', rulesDir, '--state', stateDir]);
  running.push(m);
  return m;
}

/** Polls the status socket until `test` holds, with a deadline. */
function statusWhen(socket: string, test: (status: DaemonStatus) => boolean, what: string): Promise<DaemonStatus> {
  let last: DaemonStatus | null = null;
  return eventually(async () => {
    last = await fetchDaemonStatus(socket, { timeoutMs: 1000 });
    return last !== null && test(last) && last;
  }, () => `${what}; last status: ${JSON.stringify(last)}`);
}

async function diagnoseJson(rulesDir: string, stateDir: string): Promise<{ diagnosis: Diagnosis; tookMs: number }> {
  const started = Date.now();
  const result = await runMedic(['diagnose', '--json', '--rules', rulesDir, '--state', stateDir]);
  const tookMs = Date.now() - started;
  if (result.stderr) throw new Error(`diagnose wrote to stderr: ${result.stderr}`);
  return { diagnosis: JSON.parse(result.stdout) as Diagnosis, tookMs };
}

const SLOW_RULE = `
settings: { interval: 200ms }
workers:
  steady:
    start: [node, ${STEADY}]
rules:
  - name: slow-burn
    when: worker.steady.up == 1
    for: 100 samples
    do: [{ exec: [/bin/true] }]
`;

describe('medic run: live status', () => {
  it('answers GET /status on <state>/medic.sock, and diagnose shows its rule states only through it', async () => {
    const { rulesDir, stateDir, socket } = setup(SLOW_RULE);
    const m = medic(rulesDir, stateDir);
    const status = await statusWhen(socket, (s) => (s.rules.find((r) => r.name === 'slow-burn')?.state as { hits?: number }).hits! >= 2, 'slow-burn to be pending with 2 hits');
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(status.pid).toBe(m.child.pid);
    expect(status.rules.find((r) => r.name === 'slow-burn')).toMatchObject({ severity: 'critical', state: { kind: 'pending' }, incidentId: null });
    expect(status.snapshot?.values['worker.steady.up']).toBe(1);
    expect(status.snapshot?.durationsMs).toHaveProperty('workers');
    // Prometheus is opt-in.
    expect(status.prometheus).toBeNull();
    expect(m.logs.some((l) => l.msg.includes('Prometheus'))).toBe(false);

    const live = await diagnoseJson(rulesDir, stateDir);
    const rule = live.diagnosis.rules.find((r) => r.name === 'slow-burn')!;
    expect(rule.daemon).toMatchObject({ kind: 'pending', state: { kind: 'pending' } });
    expect((rule.daemon!.state as { hits: number }).hits).toBeGreaterThanOrEqual(2);
    expect(rule.daemon!.description).toMatch(/^pending: \d+ of 100 samples true$/);
    expect(live.diagnosis.daemon).toMatchObject({ running: true, pid: m.child.pid });
    // Answered from the daemon's snapshot: no sampling of its own (which waits 250 ms for CPU).
    expect(live.tookMs).toBeLessThan(5000);

    expect((await m.stop('SIGTERM')).code).toBe(0);
    expect(existsSync(socket)).toBe(false);

    // Without a daemon, diagnose samples by itself and knows of no pending state.
    const alone = await diagnoseJson(rulesDir, stateDir);
    expect(alone.diagnosis.daemon).toEqual({ running: false });
    expect(alone.diagnosis.rules.find((r) => r.name === 'slow-burn')!.daemon).toBeNull();
    expect(alone.tookMs).toBeLessThan(5000);
  });

  it('replaces the stale socket left by a medic killed with SIGKILL', async () => {
    const { rulesDir, stateDir, socket } = setup(SLOW_RULE);
    const first = medic(rulesDir, stateDir);
    await statusWhen(socket, (s) => s.pid === first.child.pid, 'the first medic to answer');
    await first.stop('SIGKILL');
    expect(statSync(socket).isSocket()).toBe(true);
    expect(await fetchDaemonStatus(socket)).toBeNull();

    const second = medic(rulesDir, stateDir);
    const status = await statusWhen(socket, (s) => s.pid === second.child.pid, 'the second medic to answer');
    expect(status.rules.map((r) => r.name)).toContain('slow-burn');
    expect(second.logs.some((l) => l.msg.includes('live status unavailable'))).toBe(false);
  });
});

describe('medic run: Prometheus endpoint', () => {
  it('serves /metrics in the text exposition format: sampled metrics, rule states, actions and pages', async () => {
    const { rulesDir, stateDir, socket } = setup(`
settings:
  interval: 200ms
  prometheus: { listen: "127.0.0.1:0" }
workers:
  steady:
    start: [node, ${STEADY}]
rules:
  - name: slow-burn
    when: worker.steady.up == 1
    for: 100 samples
    do: [{ exec: [/bin/true] }]
  # Both act once and, the condition staying true, exhaust their one-step ladder and page.
  - name: runs-true
    when: worker.steady.up == 1
    do: [{ exec: [/bin/true] }]
  - name: runs-false
    when: worker.steady.up == 1
    do: [{ exec: [/bin/false] }]
`);
    const m = medic(rulesDir, stateDir);
    const logged = await m.waitForLog((l) => l.msg.startsWith('Prometheus metrics on '));
    const url = logged.msg.replace('Prometheus metrics on ', '');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await statusWhen(socket, (s) => s.prometheus !== null, 'the status to name the endpoint')).prometheus).toEqual({ url });
    // Wait until both pages went through the outbox (journaled only: no webhook).
    await statusWhen(socket, (s) => s.outbox.noWebhook >= 2, 'both pages to be drained');

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = parseExposition(await response.text());
    expect(findSample(text, 'medic_up')?.value).toBe(1);
    expect(findSample(text, 'medic_worker_rss_bytes', { worker: 'steady' })?.value).toBeGreaterThan(1024 * 1024);
    expect(findSample(text, 'medic_worker_up', { worker: 'steady' })?.value).toBe(1);
    expect(findSample(text, 'medic_rule_state', { rule: 'slow-burn', state: 'pending' })?.value).toBe(1);
    expect(findSample(text, 'medic_rule_state', { rule: 'slow-burn', state: 'ok' })?.value).toBe(0);
    expect(findSample(text, 'medic_rule_state', { rule: 'runs-false', state: 'exhausted' })?.value).toBe(1);
    expect(findSample(text, 'medic_actions_total', { rule: 'runs-true', type: 'exec', outcome: 'ok' })?.value).toBe(1);
    expect(findSample(text, 'medic_actions_total', { rule: 'runs-false', type: 'exec', outcome: 'exit-code' })?.value).toBe(1);
    expect(findSample(text, 'medic_pages_total', { outcome: 'no_webhook' })?.value).toBe(2);
    expect(findSample(text, 'medic_sampling_duration_seconds', { source: 'workers' })?.value).toBeGreaterThanOrEqual(0);
    expect(findSample(text, 'medic_event_loop_lag_seconds')?.value).toBeGreaterThanOrEqual(0);
    expect(text.types.get('medic_actions_total')).toBe('counter');

    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
    expect((await m.stop('SIGTERM')).code).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });
});
