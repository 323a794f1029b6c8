// The throttle book on real processes and a real level file: several rules on one worker get
// the strongest throttle; releasing a rule falls back to what the others ask; the book survives
// a medic restart; a restarted worker is throttled again; shutdown resumes what was paused.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ThrottleAction } from '../../core/action-specs.js';
import type { WorkerSpec } from '../../core/types.js';
import { readProcessInfo } from '../../os/process-info.js';
import type { EnactDeps } from './enact.js';
import { ThrottleBook } from './throttle-book.js';

const children: ChildProcess[] = [];
let dir: string;
let levelFile: string;
let workers: Map<string, WorkerSpec>;
let pids: number[];
let deps: EnactDeps;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-throttle-')));
  levelFile = path.join(dir, 'degradation');
  const render: WorkerSpec = { name: 'render', mode: 'managed', argv: ['x'], stopTimeoutMs: 1000, restartTimeoutMs: 1000, degradation: { file: levelFile, timeoutMs: 1000 } };
  const bare: WorkerSpec = { name: 'bare', mode: 'managed', argv: ['x'], stopTimeoutMs: 1000, restartTimeoutMs: 1000 };
  workers = new Map([['render', render], ['bare', bare]]);
  pids = [startWorker()];
  deps = { systemctl: 'systemctl', timeoutMs: 5000, cgroup: { disabled: true }, pidsOf: async () => pids };
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
  }
  await rm(dir, { recursive: true, force: true });
});

function startWorker(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

const state = (pid: number) => readProcessInfo(pid)?.state;
const level = () => readFile(levelFile, 'utf8');
const throttle = (fields: Partial<ThrottleAction>): ThrottleAction => ({ type: 'throttle', worker: 'render', timeoutMs: 5000, ...fields });

describe('ThrottleBook', () => {
  it('applies, combines across rules, and restores per rule with the numbers', async () => {
    const book = new ThrottleBook({ file: path.join(dir, 'throttles.json') });
    const first = await book.apply('hot', throttle({ level: 'reduced', pause: true }), workers.get('render')!, deps);
    expect(first).toMatchObject({ ok: true, status: 'ok', message: 'throttle render: level normal -> level reduced, paused' });
    expect(first.details).toMatchObject({ levelBefore: 'normal', levelAfter: 'reduced', pausedBefore: false, pausedAfter: true, published: ['file'], pids });
    expect(await level()).toBe('reduced\n');
    expect(state(pids[0]!)).toBe('T');

    const second = await book.apply('backlog', throttle({ level: 'essential' }), workers.get('render')!, deps);
    expect(second.details).toMatchObject({ levelBefore: 'reduced', levelAfter: 'essential' });
    expect(book.rules().sort()).toEqual(['backlog', 'hot']);

    // backlog lets go: hot still wants reduced and paused.
    const [eased] = await book.release('backlog', workers, deps);
    expect(eased).toMatchObject({ ok: true, details: { levelBefore: 'essential', levelAfter: 'reduced', pausedAfter: true } });
    expect(await level()).toBe('reduced\n');
    expect(state(pids[0]!)).toBe('T');

    const [restored] = await book.release('hot', workers, deps);
    expect(restored).toMatchObject({ ok: true, message: 'throttle render restored: level reduced, paused -> level normal' });
    expect(await level()).toBe('normal\n');
    expect(state(pids[0]!)).not.toBe('T');
    expect(book.rules()).toEqual([]);
  });

  it('a CPU quota through renice, restored with the rest', async () => {
    const book = new ThrottleBook({ file: path.join(dir, 'throttles.json') });
    const outcome = await book.apply('hot', throttle({ cpuQuotaPct: 50 }), workers.get('render')!, deps);
    expect(outcome.details).toMatchObject({ cpuQuotaPctBefore: null, cpuQuotaPctAfter: 50, cpuMethod: 'renice' });
    expect(outcome.message).toContain('(reniced to 10 (no writable cgroup: cgroups turned off))');
    const [restored] = await book.release('hot', workers, deps);
    expect(restored!.details).toMatchObject({ cpuQuotaPctBefore: 50, cpuQuotaPctAfter: null });
  });

  it('remembers across a medic restart what it has to undo', async () => {
    const file = path.join(dir, 'throttles.json');
    await new ThrottleBook({ file }).apply('hot', throttle({ level: 'emergency', pause: true }), workers.get('render')!, deps);
    const after = new ThrottleBook({ file });
    await after.load();
    expect(after.rules()).toEqual(['hot']);
    expect(after.effectOf('render')).toEqual({ level: 'emergency', cpuQuotaPct: null, paused: true });
    await after.release('hot', workers, deps);
    expect(await level()).toBe('normal\n');
    expect(state(pids[0]!)).not.toBe('T');
  });

  it('follows a restarted worker: the new process is paused again', async () => {
    const book = new ThrottleBook({ file: path.join(dir, 'throttles.json') });
    await book.apply('hot', throttle({ pause: true }), workers.get('render')!, deps);
    expect(await book.reassert(workers, deps)).toEqual([]);
    pids = [startWorker()];
    const [change] = await book.reassert(workers, deps);
    expect(change).toMatchObject({ ok: true, details: { pausedAfter: true, pids } });
    expect(state(pids[0]!)).toBe('T');
  });

  it('at shutdown resumes what it paused; after a restart reassert pauses it again', async () => {
    const file = path.join(dir, 'throttles.json');
    const book = new ThrottleBook({ file });
    await book.apply('hot', throttle({ level: 'reduced', pause: true }), workers.get('render')!, deps);
    const [resumed] = await book.resumeAll(workers, deps);
    expect(resumed).toMatchObject({ ok: true, details: { pausedBefore: true, pausedAfter: false, levelAfter: 'reduced' } });
    expect(state(pids[0]!)).not.toBe('T');
    const next = new ThrottleBook({ file });
    await next.load();
    await next.reassert(workers, deps);
    expect(state(pids[0]!)).toBe('T');
    await next.release('hot', workers, deps);
  });

  it('dry run: says what it would do and changes nothing', async () => {
    const book = new ThrottleBook({ file: path.join(dir, 'throttles.json') });
    const outcome = await book.apply('hot', throttle({ level: 'essential' }), workers.get('render')!, deps, { dryRun: true });
    expect(outcome).toMatchObject({ ok: true, status: 'dry-run', message: 'throttle render (dry run): would go from level normal to level essential' });
    expect(book.rules()).toEqual([]);
    await expect(level()).rejects.toThrow(/ENOENT/);
  });

  it('a throttle that could take no effect fails and is not kept', async () => {
    const book = new ThrottleBook({ file: path.join(dir, 'throttles.json') });
    const outcome = await book.apply('hot', { ...throttle({ level: 'reduced' }), worker: 'bare' }, workers.get('bare')!, deps);
    expect(outcome).toMatchObject({ ok: false, status: 'failed' });
    expect(outcome.message).toContain('worker bare has no degradation channel');
    expect(book.rules()).toEqual([]);
  });
});
