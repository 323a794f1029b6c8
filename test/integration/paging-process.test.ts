// Paging end to end: `medic run` as real processes against a Slack-like server on 127.0.0.1.
// A kill -9 with pages pending loses and doubles none; the dead-man's switch is pinged only while
// the loop runs; a full state folder (a real 1 MiB tmpfs, filled up) is paged directly, and its
// recovery too; a rejected webhook makes `medic diagnose` CRITICAL.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, queryJournal, runMedic, startMedic, type MedicProcess } from '../helpers/medic-process.js';
import { startSlackServer, type SlackServer } from '../helpers/slack-server.js';

let slack: SlackServer;
const running: MedicProcess[] = [];
const dirs: string[] = [];
const mounts: string[] = [];
const servers: Server[] = [];

beforeAll(async () => {
  slack = await startSlackServer();
});
afterAll(async () => {
  await slack.close();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
  for (const mount of mounts.splice(0)) execFileSync('umount', ['-l', mount]);
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  slack.setMode('ok');
});

function setup(rules: string): { rulesDir: string; stateDir: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'medic-paging-e2e-'));
  dirs.push(dir);
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  execFileSync('sh', ['-c', 'cat > "$1"', 'sh', join(rulesDir, 'rules.yaml')], { input: rules });
  return { rulesDir, stateDir: join(dir, 'state'), dir };
}

function medic(rulesDir: string, stateDir: string, env: NodeJS.ProcessEnv = {}): MedicProcess {
  const m = startMedic(['run', '--rules', rulesDir, '--state', stateDir], { MEDIC_SLACK_WEBHOOK_URL: slack.url, ...env });
  running.push(m);
  return m;
}

/** Pages that reached the server while it answered ok, by rule (the word after the severity). */
function deliveredSince(from: number): string[] {
  return slack.received.slice(from).filter((r) => r.mode === 'ok').map((r) => String(r.body.text).split(' ')[1]!);
}

/** Lets medic tick for another `ms` (rule states are saved every tick), so a late duplicate would show. */
async function keepTicking(stateDir: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  await eventually(() => queryJournal<{ saved_at: number }>(stateDir, 'SELECT saved_at FROM rule_states WHERE saved_at > ?', until)[0], `medic to tick past ${ms} ms more`);
}

// Three rules whose only step fails at once, each firing 5 samples (1 s) after the one before,
// so their pages are created in a known order: alpha, bravo, charlie.
const FAILING_RULES = `
settings: { interval: 200ms, host: e2e-host }
paging: { group_window: 0s }
rules:
${['alpha', 'bravo', 'charlie'].map((name, i) => `  - name: ${name}\n    when: memory.total > 0\n    for: ${1 + 5 * i} samples\n    do: [exec: [/bin/false]]\n`).join('')}`;

describe('medic run, paging', () => {
  it('sends every page exactly once after a kill -9 while Slack was failing', async () => {
    const { rulesDir, stateDir } = setup(FAILING_RULES);
    const from = slack.received.length;
    slack.setMode('error');
    const first = medic(rulesDir, stateDir);
    await eventually(() => (queryJournal(stateDir, `SELECT id FROM pages WHERE status = 'pending' AND attempts > 0`).length > 0 && queryJournal(stateDir, 'SELECT id FROM pages').length === 3 ? true : undefined), 'three pages journaled, one tried', 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(slack.received.slice(from).every((r) => r.mode === 'error')).toBe(true);

    slack.setMode('ok');
    medic(rulesDir, stateDir);
    await eventually(() => (deliveredSince(from).length >= 3 ? true : undefined), 'the three pages to arrive after the restart', 30_000);
    await keepTicking(stateDir, 1500);
    const rows = queryJournal<{ rule: string; status: string; attempts: number }>(stateDir, 'SELECT rule, status, attempts FROM pages ORDER BY created_at, id');
    expect(rows.map((r) => r.rule)).toEqual(['alpha', 'bravo', 'charlie']);
    // Oldest first after the restart too, the page that failed before the kill included: not sorted here.
    expect(deliveredSince(from)).toEqual(['alpha', 'bravo', 'charlie']);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    // The page tried before the kill kept its count of failed tries across the restart.
    expect(rows.some((r) => r.attempts > 1)).toBe(true);
  });

  it('pings the dead-man switch after ticks, and stops while medic hangs', async () => {
    const pings: Array<{ at: number; method: string; body: string }> = [];
    const deadman = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        pings.push({ at: Date.now(), method: req.method ?? '', body });
        res.writeHead(200).end('OK');
      });
    });
    servers.push(deadman);
    await new Promise<void>((resolve) => deadman.listen(0, '127.0.0.1', resolve));
    const { rulesDir, stateDir } = setup(`
settings: { interval: 200ms, host: e2e-host }
paging: { deadman: { url_env: MEDIC_DEADMAN_URL, every: 300ms } }
rules:
  - name: never
    when: memory.total < 0
    do: [exec: [/bin/true]]
`);
    const m = medic(rulesDir, stateDir, { MEDIC_DEADMAN_URL: `http://127.0.0.1:${(deadman.address() as AddressInfo).port}/ping/uuid` });
    await eventually(() => (pings.length >= 3 ? true : undefined), 'three pings');
    expect(pings[0]).toMatchObject({ method: 'POST', body: expect.stringMatching(/^medic on e2e-host: tick completed at /) });
    // A hung medic (stopped, as a deadlock would) pings no more: that is what the switch notices.
    m.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    const before = pings.length;
    // Absence can only be shown by waiting: a second is more than three ping intervals.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(pings.filter((p) => p.at > stoppedAt + 100)).toHaveLength(0);
    m.child.kill('SIGCONT');
    await eventually(() => (pings.length >= before + 2 ? true : undefined), 'pings again after SIGCONT');
  });

  it('pages directly when the state folder fills up, and when it has room again', async () => {
    const { rulesDir, stateDir } = setup(`
settings: { interval: 200ms, host: e2e-host }
paging: { storage_probe: 200ms }
rules:
  - name: never
    when: memory.total < 0
    do: [exec: [/bin/true]]
`);
    mkdirSync(stateDir);
    // As root chmod stops nothing, so the folder is a real 1 MiB tmpfs that the test fills up.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'medic-test', stateDir]);
    mounts.push(stateDir);
    const from = slack.received.length;
    const m = medic(rulesDir, stateDir);
    await keepTicking(stateDir, 300);
    const filler = join(stateDir, 'filler');
    fill(filler);
    const down = await eventually(() => slack.received.slice(from).find((r) => String(r.body.text).startsWith('[CRITICAL] medic on e2e-host cannot write its state')), 'the direct page about the full state folder', 20_000);
    expect(String(down.body.text)).toMatch(/cannot write its state: (ENOSPC|SQLITE_FULL)/);
    expect(m.logs.some((l) => String(l.msg).startsWith('medic cannot write its state folder'))).toBe(true);
    unlinkSync(filler);
    const up = await eventually(() => slack.received.slice(from).find((r) => String(r.body.text).startsWith('[RESOLVED] medic on e2e-host can write its state again')), 'the direct page about the recovery', 20_000);
    expect(up).toBeDefined();
    expect(slack.received.slice(from).filter((r) => String(r.body.text).includes('cannot write its state'))).toHaveLength(1);
    const exit = await m.stop('SIGTERM');
    expect(exit.code).toBe(0);
  });

  it('makes medic diagnose CRITICAL when Slack rejects the webhook', async () => {
    const { rulesDir, stateDir } = setup(`
settings: { interval: 200ms, host: e2e-host }
paging: { group_window: 0s }
rules:
  - name: wobbly
    when: memory.total > 0
    severity: warning
    do: [exec: [/bin/false]]
`);
    slack.setMode('invalid_token');
    const m = medic(rulesDir, stateDir);
    await eventually(() => queryJournal(stateDir, `SELECT id FROM pages WHERE status = 'failed'`)[0], 'the page to fail', 30_000);
    // Logged once, as an error (the journal row may be read before the log line arrives).
    await m.waitForLog((l) => l.level >= 50 && String(l.msg).startsWith('paging broken on route default'));
    expect(m.logs.filter((l) => String(l.msg).startsWith('paging broken on route default'))).toHaveLength(1);
    const result = await runMedic(['diagnose', '--rules', rulesDir, '--state', stateDir]);
    // The rule alone is a warning (1); a pager that cannot reach anyone is critical (2).
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('paging:');
    expect(result.stdout).toMatch(/CRITICAL route default rejected since .*: HTTP 403: invalid_token; pages on it cannot reach on-call/);
    expect(result.stdout + result.stderr).not.toContain(new URL(slack.url).pathname);
  });
});

/** Writes until the filesystem says it is full. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  // The last partial chunk may have left a few bytes: fill them one page at a time.
  const small = openSync(file, 'a');
  try {
    for (;;) writeSync(small, Buffer.alloc(512, 1));
  } catch {
    // full
  } finally {
    closeSync(small);
  }
}
