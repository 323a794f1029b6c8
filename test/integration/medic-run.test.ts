// End to end: `medic run` as a separate process with a temporary rules folder, real worker
// processes, a real journal file and a Slack-like HTTP server on 127.0.0.1.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSlackServer } from '../helpers/slack-server.js';
import { eventually, queryJournal, REPO, startMedic, type MedicProcess } from '../helpers/medic-process.js';

const WORKERS = join(REPO, 'test', 'fixtures', 'workers');
const BIN = join(REPO, 'test', 'fixtures', 'bin');

type Slack = Awaited<ReturnType<typeof startSlackServer>>;
let slack: Slack;
const running: MedicProcess[] = [];
const dirs: string[] = [];
const strayGroups: number[] = [];

beforeAll(async () => {
  slack = await startSlackServer();
});
afterAll(async () => {
  await slack.close();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
  for (const pgid of strayGroups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {}
  }
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function setup(rules: string | ((dir: string) => string)): { rulesDir: string; stateDir: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'medic-e2e-'));
  dirs.push(dir);
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  writeFileSync(join(rulesDir, 'rules.yaml'), typeof rules === 'string' ? rules : rules(dir));
  return { rulesDir, stateDir: join(dir, 'state'), dir };
}

function medic(rulesDir: string, stateDir: string, env: NodeJS.ProcessEnv = {}): MedicProcess {
  const m = startMedic(['run', '--rules', rulesDir, '--state', stateDir], { MEDIC_SLACK_WEBHOOK_URL: slack.url, ...env });
  running.push(m);
  return m;
}

interface ActionRow {
  id: number;
  rule: string;
  type: string;
  status: string;
  details_json: string | null;
}

describe('medic run', () => {
  it('restarts a worker that leaks memory and journals the incident as recovered', async () => {
    const { rulesDir, stateDir } = setup((dir) => `
settings: { interval: 200ms }
workers:
  leaky:
    start: [node, ${join(WORKERS, 'leaky.mjs')}]
    env: { LEAK_MB_PER_S: "60", CROSS_MB: "110", LEAK_ONCE_FILE: ${join(dir, 'leaked-once')} }
rules:
  - name: leak
    when: worker.leaky.rss > 110MiB
    for: 2 samples
    do: [restart_worker: leaky]
    verify: 1s
`);
    const m = medic(rulesDir, stateDir);
    const incident = await eventually(
      () => queryJournal<{ id: number; status: string }>(stateDir, `SELECT id, status FROM incidents WHERE rule = 'leak' AND status = 'recovered'`)[0],
      'the leak incident to be recovered',
      30_000,
    );
    const actions = queryJournal<ActionRow>(stateDir, 'SELECT * FROM actions WHERE incident_id = ?', incident.id);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ type: 'restart_worker', status: 'ok' });
    const details = JSON.parse(actions[0]!.details_json ?? '{}') as { oldPid?: number; newPid?: number };
    expect(details.newPid).toBeGreaterThan(0);
    expect(details.newPid).not.toBe(details.oldPid);
    const trigger = queryJournal<{ trigger_json: string }>(stateDir, 'SELECT trigger_json FROM incidents WHERE id = ?', incident.id)[0]!;
    expect(JSON.parse(trigger.trigger_json)['worker.leaky.rss']).toBeGreaterThan(110 * 1024 * 1024);

    const exit = await m.stop('SIGTERM');
    expect(exit.code).toBe(0);
    // SIGTERM stops the workers medic started.
    expect(() => process.kill(details.newPid!, 0)).toThrow();
  });

  it('restarts a worker that crashes at every start a bounded number of times, then pages once', async () => {
    const { rulesDir, stateDir } = setup(`
settings: { interval: 200ms, host: e2e-host }
# Pages go out at once instead of waiting 30s for others to group with.
paging: { group_window: 0s }
workers:
  crashy:
    start: [node, ${join(WORKERS, 'crash-at-start.mjs')}]
    restart_policy: { verify: 1s, budget: 10 per 10m, attempts: 4, backoff: { initial: 100ms, max: 400ms, reset_after: 10m } }
`);
    const before = slack.received.length;
    const m = medic(rulesDir, stateDir);
    await slack.waitForRequests(before + 1, 30_000);
    const pagedAt = Date.now();
    // Keep watching while medic ticks on for another second: no more restarts, no second page.
    await eventually(
      () => queryJournal<{ saved_at: number }>(stateDir, 'SELECT saved_at FROM rule_states WHERE saved_at > ?', pagedAt + 1000)[0],
      'medic to keep ticking after the page',
    );
    const actions = queryJournal<ActionRow>(stateDir, `SELECT * FROM actions WHERE rule = 'crashy:down' ORDER BY id`);
    // `attempts` restarts, each seen to fail, then the page: no more.
    expect(actions.map((a) => a.type)).toEqual(['restart_worker', 'restart_worker', 'restart_worker', 'restart_worker']);
    const pages = slack.received.slice(before);
    expect(pages).toHaveLength(1);
    const body = JSON.stringify(pages[0]!.body);
    expect(body).toContain('crashy:down');
    expect(body).toContain('e2e-host');
    expect(body).toContain('ladder exhausted');
    const sent = queryJournal<{ status: string }>(stateDir, 'SELECT status FROM pages');
    expect(sent).toEqual([{ status: 'sent' }]);
    // The backoff grew between restarts (100, 200, 400 ms caps), so they are spread out.
    const starts = queryJournal<{ started_at: number }>(stateDir, `SELECT started_at FROM actions WHERE rule = 'crashy:down' ORDER BY id`).map((r) => r.started_at);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(gaps[2]!).toBeGreaterThanOrEqual(gaps[0]!);
    expect(m.logs.some((l) => l.msg.includes('auto-recovery failed'))).toBe(true);
  });

  it('marks an action interrupted when medic is killed with SIGKILL while it runs', async () => {
    const marker = `medic-e2e-${process.pid}-${Date.now()}`;
    const { rulesDir, stateDir } = setup(`
settings: { interval: 200ms }
rules:
  - name: always
    when: memory.total > 0
    do:
      - exec: { argv: [${join(BIN, 'forever.sh')}, ${marker}], timeout: 60s }
`);
    const first = medic(rulesDir, stateDir);
    const action = await eventually(
      () => queryJournal<ActionRow>(stateDir, `SELECT * FROM actions WHERE rule = 'always' AND status = 'running'`)[0],
      'the action to be journaled as running',
    );
    first.child.kill('SIGKILL');
    await first.exited;
    // The command ran in its own process group; with medic gone, the test cleans it up as an init would.
    for (const pid of pidsWithArg(marker)) strayGroups.push(pid);

    medic(rulesDir, stateDir);
    const after = await eventually(
      () => queryJournal<ActionRow>(stateDir, `SELECT * FROM actions WHERE id = ? AND status = 'interrupted'`, action.id)[0],
      'the interrupted action to be marked after the restart',
    );
    expect(after.status).toBe('interrupted');
    await eventually(() => (queryJournal(stateDir, `SELECT kind FROM events WHERE kind = 'start'`).length === 2 ? true : undefined), 'the second start');
    const note = queryJournal<{ message: string }>(stateDir, `SELECT message FROM events WHERE kind = 'action-interrupted'`);
    expect(note).toHaveLength(1);
    expect(note[0]!.message).toContain('medic stopped while this action ran');
  });

  it('after a kill -9, stops the worker the dead medic left running before starting a new one', async () => {
    const marker = `steady-${process.pid}-${Date.now()}`;
    const { rulesDir, stateDir } = setup(`
settings: { interval: 200ms }
workers:
  steady:
    start: [node, ${join(WORKERS, 'steady.mjs')}, ${marker}]
`);
    const first = medic(rulesDir, stateDir);
    const pidFile = join(stateDir, 'workers', 'steady.pid');
    const oldPid = await eventually(() => readPid(pidFile), 'the worker pid file');
    // Past its start-up output: a worker writing to the dead medic's pipe would die of EPIPE.
    await first.waitForLog((l) => l.msg === `steady: up pid=${oldPid} worker=steady`);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(isAlive(oldPid)).toBe(true);
    strayGroups.push(oldPid);

    const second = medic(rulesDir, stateDir);
    await second.waitForLog((l) => l.msg.includes(`(pid ${oldPid}) left running by a previous medic`));
    const newPid = await eventually(() => {
      const pid = readPid(pidFile);
      return pid !== undefined && pid !== oldPid ? pid : undefined;
    }, 'the new worker pid');
    expect(isAlive(oldPid)).toBe(false);
    expect(isAlive(newPid)).toBe(true);
    expect(pidsWithArg(marker).filter(isAlive)).toEqual([newPid]);
  });

  it('keeps the last good rules when a reload brings broken ones', async () => {
    const { rulesDir, stateDir } = setup(`
settings: { interval: 200ms }
rules:
  - name: never
    when: memory.total < 0
    do: [exec: [/bin/true]]
`);
    const m = medic(rulesDir, stateDir);
    await m.waitForLog((l) => l.msg.startsWith('medic started'));
    writeFileSync(join(rulesDir, 'rules.yaml'), 'rules:\n  - name: broken\n    when: memory.nope > 1\n    do: []\n');
    m.child.kill('SIGHUP');
    const refused = await m.waitForLog((l) => l.msg.startsWith('reload refused'));
    expect(refused.msg).toContain('keeping the 1 rule(s) in force');
    expect(m.logs.some((l) => /rules\.yaml:3:11/.test(l.msg))).toBe(true);
    const events = queryJournal<{ kind: string }>(stateDir, `SELECT kind FROM events WHERE kind = 'reload-failed'`);
    expect(events).toHaveLength(1);
    // A truncated file is refused too, rather than taken as "nothing to watch".
    writeFileSync(join(rulesDir, 'rules.yaml'), '');
    m.child.kill('SIGHUP');
    await eventually(() => queryJournal(stateDir, `SELECT kind FROM events WHERE kind = 'reload-failed'`).length === 2, 'the empty file to be refused');
    writeFileSync(join(rulesDir, 'rules.yaml'), 'rules:\n  - name: a\n    when: memory.total < 0\n    do: [exec: [/bin/true]]\n  - name: b\n    when: memory.total < 0\n    do: [exec: [/bin/true]]\n');
    m.child.kill('SIGHUP');
    await m.waitForLog((l) => l.msg.startsWith('rules reloaded: 2 rule(s)'));
  });
});

/** Process ids whose command line holds `arg` (found through /proc, as ps would). */
function pidsWithArg(arg: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(arg)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (PID 1 here does not reap orphans). */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
