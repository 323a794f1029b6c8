// The supervisor against real worker processes from test/fixtures/workers/ and test/fixtures/bin/.
// Every wait is on an event or a poll with a deadline; every test checks that nothing is left.
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Supervisor, type ManagedWorkerSpec } from '../../src/supervisor/supervisor.js';
import { readPidFile } from '../../src/supervisor/pid-file.js';
import { listLiveGroupMembers, waitUntil } from '../../src/os/process-group.js';
import { isProcessAlive } from '../../src/os/process-info.js';

const BIN = fileURLToPath(new URL('../fixtures/bin/', import.meta.url));
const WORKERS = fileURLToPath(new URL('../fixtures/workers/', import.meta.url));

let tmp: string;
let stateDir: string;
let supervisor: Supervisor;
let lines: { worker: string; stream: string; line: string }[];

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'medic-supervisor-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => {
  stateDir = mkdtempSync(path.join(tmp, 'state-'));
  lines = [];
  supervisor = new Supervisor({ stateDir, onOutput: (worker, stream, line) => lines.push({ worker, stream, line }) });
});
afterEach(async () => {
  const groups = supervisor.statuses().flatMap((s) => (s.pid === null ? [] : [s.pid]));
  await supervisor.stopAll();
  for (const pgid of groups) expect(listLiveGroupMembers(pgid)).toEqual([]);
});

function nodeWorker(name: string, script: string, env: Record<string, string> = {}, extra: Partial<ManagedWorkerSpec> = {}): ManagedWorkerSpec {
  return { name, mode: 'managed', argv: [process.execPath, path.join(WORKERS, script)], env, stopTimeoutMs: 3000, restartTimeoutMs: 10_000, ...extra };
}

function scriptWorker(name: string, script: string, extra: Partial<ManagedWorkerSpec> = {}): ManagedWorkerSpec {
  return { name, mode: 'managed', argv: ['bash', path.join(BIN, script)], stopTimeoutMs: 3000, restartTimeoutMs: 10_000, ...extra };
}

/** Waits for a line matching `pattern` from `worker`; returns the first capture group. */
async function waitForLine(worker: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  let found: string | undefined;
  const seen = await waitUntil(() => {
    const match = lines.filter((l) => l.worker === worker).map((l) => pattern.exec(l.line)).find((m) => m !== null);
    found = match?.[1] ?? match?.[0];
    return found !== undefined;
  }, timeoutMs);
  if (!seen) throw new Error(`no line matching ${pattern} from ${worker}; got ${JSON.stringify(lines)}`);
  return found!;
}

function pidsPrinted(worker: string, word: string): number[] {
  const pattern = new RegExp(`^${word} (\\d+)$`);
  return lines.filter((l) => l.worker === worker).flatMap((l) => {
    const match = pattern.exec(l.line);
    return match ? [Number(match[1])] : [];
  });
}

function isGroupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // Members may remain as zombies (PID 1 here does not reap orphans): they count as dead.
  return listLiveGroupMembers(pgid).length === 0;
}

describe('Supervisor', () => {
  it('starts a worker, reports its status and writes its pid file', async () => {
    const heartbeat = path.join(tmp, 'steady.heartbeat');
    const started = once(supervisor, 'start');
    const outcome = await supervisor.start(nodeWorker('steady', 'steady.mjs', { HEARTBEAT_FILE: heartbeat }));
    expect(outcome).toMatchObject({ ok: true, status: 'started' });
    const pid = outcome.details?.pid as number;
    expect(await started).toEqual(['steady', pid]);
    expect(supervisor.status('steady')).toMatchObject({ name: 'steady', up: true, pid, restarts: 0, lastExit: null });
    expect(supervisor.status('steady')?.startedAt).toBeTypeOf('number');
    expect(readPidFile(stateDir, 'steady')).toBe(pid);
    // The environment carries MEDIC_WORKER, and output arrives line by line.
    expect(await waitForLine('steady', /^steady: up pid=(\d+) worker=steady$/)).toBe(String(pid));
    expect(await waitUntil(() => existsSync(heartbeat), 5000)).toBe(true);
    expect(supervisor.statuses().map((s) => s.name)).toEqual(['steady']);
  });

  it('fires exit at once when the worker is killed from outside, and does not restart it', async () => {
    const starts: number[] = [];
    supervisor.on('start', (_name, pid) => starts.push(pid));
    const { details } = await supervisor.start(nodeWorker('victim', 'steady.mjs'));
    const pid = details?.pid as number;
    const exited = once(supervisor, 'exit');
    process.kill(pid, 'SIGKILL');
    const [name, exit] = await exited;
    expect(name).toBe('victim');
    expect(exit).toMatchObject({ pid, code: null, signal: 'SIGKILL', expected: false });
    expect(supervisor.status('victim')).toMatchObject({ up: false, pid: null, restarts: 0, lastExit: exit });
    expect(readPidFile(stateDir, 'victim')).toBeNull();
    expect(starts).toEqual([pid]);
  });

  it('reports a worker that crashes at start', async () => {
    const exited = once(supervisor, 'exit');
    const outcome = await supervisor.start(nodeWorker('crasher', 'crash-at-start.mjs', { EXIT_CODE: '3' }));
    expect(outcome).toMatchObject({ ok: true, status: 'started' });
    const [, exit] = await exited;
    expect(exit).toMatchObject({ code: 3, signal: null, expected: false });
    expect(supervisor.status('crasher')).toMatchObject({ up: false, restarts: 0 });
    expect(await waitForLine('crasher', /^crash-at-start: failing on purpose$/)).toBeTruthy();
    expect(lines.find((l) => l.worker === 'crasher')?.stream).toBe('stderr');
  });

  it('reports a program that cannot start', async () => {
    const outcome = await supervisor.start({ ...nodeWorker('ghost', 'steady.mjs'), argv: ['/nonexistent/worker'] });
    expect(outcome).toMatchObject({ ok: false, status: 'spawn-failed' });
    expect(outcome.message).toBe('start ghost could not start: "/nonexistent/worker": ENOENT');
    expect(supervisor.status('ghost')).toMatchObject({ up: false, pid: null });
  });

  it('restarts a worker with a new pid', async () => {
    const first = await supervisor.start(nodeWorker('steady', 'steady.mjs'));
    const oldPid = first.details?.pid as number;
    await waitForLine('steady', /^steady: up/);
    const exits: unknown[] = [];
    supervisor.on('exit', (_name, exit) => exits.push(exit));
    const outcome = await supervisor.restart('steady');
    expect(outcome).toMatchObject({ ok: true, status: 'restarted', details: { oldPid } });
    const newPid = outcome.details?.newPid as number;
    expect(newPid).not.toBe(oldPid);
    expect(supervisor.status('steady')).toMatchObject({ up: true, pid: newPid, restarts: 1 });
    expect(readPidFile(stateDir, 'steady')).toBe(newPid);
    expect(isProcessAlive(oldPid)).toBe(false);
    // steady exits 0 on SIGTERM; the exit is marked as asked for.
    expect(exits).toEqual([expect.objectContaining({ pid: oldPid, code: 0, expected: true })]);
  });

  it('restarts a worker that is down (a crash) by starting it', async () => {
    const exited = once(supervisor, 'exit');
    await supervisor.start(nodeWorker('crasher', 'crash-at-start.mjs'));
    await exited;
    const outcome = await supervisor.restart('crasher');
    expect(outcome).toMatchObject({ ok: true, status: 'restarted', details: { oldPid: null } });
    expect(supervisor.status('crasher')?.restarts).toBe(1);
  });

  it('stop kills the children and grandchildren too', async () => {
    const { details } = await supervisor.start(scriptWorker('family', 'spawns-children.sh'));
    const pgid = details?.pid as number;
    await waitForLine('family', /^ready$/);
    await waitForLine('family', /^grandchild (\d+)$/);
    const descendants = [...pidsPrinted('family', 'child'), ...pidsPrinted('family', 'grandchild')];
    expect(descendants).toHaveLength(4);
    expect(descendants.every(isProcessAlive)).toBe(true);
    const outcome = await supervisor.stop('family');
    expect(outcome).toMatchObject({ ok: true, status: 'stopped' });
    expect(descendants.filter(isProcessAlive)).toEqual([]);
    expect(isGroupGone(pgid)).toBe(true);
    expect(supervisor.status('family')).toMatchObject({ up: false, lastExit: { expected: true } });
    expect(readPidFile(stateDir, 'family')).toBeNull();
  });

  it('stop escalates to SIGKILL after stopTimeoutMs', async () => {
    const { details } = await supervisor.start(scriptWorker('stubborn', 'ignores-sigterm.sh', { stopTimeoutMs: 300 }));
    const pgid = details?.pid as number;
    const grandchild = Number(await waitForLine('stubborn', /^grandchild (\d+)$/));
    const deadline = Date.now() + 300 + 2000;
    const outcome = await supervisor.stop('stubborn');
    expect(Date.now()).toBeLessThan(deadline);
    expect(outcome).toMatchObject({ ok: true, status: 'stopped', details: { signal: 'SIGKILL' } });
    expect(isProcessAlive(grandchild)).toBe(false);
    expect(isGroupGone(pgid)).toBe(true);
  });

  it('keeps a restart inside restartTimeoutMs even when stopTimeoutMs is longer', async () => {
    const spec = scriptWorker('stubborn', 'ignores-sigterm.sh', { stopTimeoutMs: 20_000, restartTimeoutMs: 1500 });
    await supervisor.start(spec);
    await waitForLine('stubborn', /^grandchild (\d+)$/);
    const deadline = Date.now() + 1500 + 500;
    const outcome = await supervisor.restart('stubborn');
    expect(Date.now()).toBeLessThan(deadline);
    expect(outcome).toMatchObject({ ok: true, status: 'restarted' });
    // A reload that changes only timeouts updates them without a restart (and keeps afterEach fast).
    const pid = supervisor.status('stubborn')?.pid;
    await supervisor.reconcile([{ ...spec, stopTimeoutMs: 300 }]);
    expect(supervisor.status('stubborn')).toMatchObject({ pid, restarts: 1 });
  });

  it('kills what a crashed worker left in its group', async () => {
    const { details } = await supervisor.start(scriptWorker('family', 'spawns-children.sh'));
    const pgid = details?.pid as number;
    await waitForLine('family', /^ready$/);
    await waitForLine('family', /^grandchild (\d+)$/);
    const descendants = [...pidsPrinted('family', 'child'), ...pidsPrinted('family', 'grandchild')];
    const exited = once(supervisor, 'exit');
    process.kill(pgid, 'SIGKILL');
    expect((await exited)[1]).toMatchObject({ signal: 'SIGKILL', expected: false });
    expect(await waitUntil(() => descendants.every((pid) => !isProcessAlive(pid)), 2000)).toBe(true);
    expect(isGroupGone(pgid)).toBe(true);
  });

  it('reconciles after a reload: starts new, stops removed, restarts changed, leaves the rest', async () => {
    const same = nodeWorker('same', 'steady.mjs');
    const changed = nodeWorker('changed', 'steady.mjs', { MODE: 'a' });
    const removed = nodeWorker('removed', 'steady.mjs');
    await supervisor.reconcile([same, changed, removed]);
    const before = Object.fromEntries(supervisor.statuses().map((s) => [s.name, s.pid]));
    expect(Object.values(before).every((pid) => typeof pid === 'number')).toBe(true);

    const added = nodeWorker('added', 'steady.mjs');
    await supervisor.reconcile([{ ...same, stopTimeoutMs: 1000 }, { ...changed, env: { MODE: 'b' } }, added]);
    expect(supervisor.status('same')).toMatchObject({ up: true, pid: before.same, restarts: 0 });
    expect(supervisor.status('changed')).toMatchObject({ up: true, restarts: 1 });
    expect(supervisor.status('changed')?.pid).not.toBe(before.changed);
    expect(supervisor.status('removed')).toBeUndefined();
    expect(isProcessAlive(before.removed!)).toBe(false);
    expect(readPidFile(stateDir, 'removed')).toBeNull();
    expect(supervisor.status('added')).toMatchObject({ up: true });
  });

  it('stopAll leaves no process behind', async () => {
    await supervisor.start(nodeWorker('a', 'steady.mjs'));
    await supervisor.start(scriptWorker('b', 'spawns-children.sh'));
    await supervisor.start(scriptWorker('c', 'ignores-sigterm.sh', { stopTimeoutMs: 300 }));
    await waitForLine('b', /^grandchild (\d+)$/);
    await waitForLine('c', /^grandchild (\d+)$/);
    const groups = supervisor.statuses().map((s) => s.pid as number);
    const descendants = [...pidsPrinted('b', 'child'), ...pidsPrinted('b', 'grandchild'), ...pidsPrinted('c', 'grandchild')];
    await supervisor.stopAll();
    expect(supervisor.statuses().every((s) => !s.up)).toBe(true);
    expect(groups.filter((pgid) => !isGroupGone(pgid))).toEqual([]);
    expect(descendants.filter(isProcessAlive)).toEqual([]);
  });

  it('answers no-target for a worker it does not know', async () => {
    expect(await supervisor.stop('nobody')).toMatchObject({ ok: false, status: 'no-target' });
    expect(await supervisor.restart('nobody')).toMatchObject({ ok: false, status: 'no-target' });
  });
});

describe('worker fixtures', () => {
  it('leaky grows its RSS and says when it crosses CROSS_MB', async () => {
    await supervisor.start(nodeWorker('leaky', 'leaky.mjs', { LEAK_MB_PER_S: '100', CROSS_MB: '120' }));
    expect(await waitForLine('leaky', /^leaky: crossed (\d+) MB \(rss \d+ MB\)$/)).toBe('120');
  });

  it('hangs stops its heartbeat but stays alive', async () => {
    const heartbeat = path.join(tmp, 'hangs.heartbeat');
    await supervisor.start(nodeWorker('hangs', 'hangs.mjs', { HEARTBEAT_FILE: heartbeat, HANG_AFTER_MS: '300', HEARTBEAT_MS: '50' }));
    await waitForLine('hangs', /^hangs: hung$/);
    const lastBeatMs = statSync(heartbeat).mtimeMs;
    // Long enough for several missed beats: the file stays as it was and the worker stays up.
    expect(await waitUntil(() => Date.now() - lastBeatMs > 500, 5000)).toBe(true);
    expect(statSync(heartbeat).mtimeMs).toBe(lastBeatMs);
    expect(supervisor.status('hangs')?.up).toBe(true);
  });
});
