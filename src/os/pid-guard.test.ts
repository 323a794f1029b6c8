// A pid read from a pid file is signalled only when it is alive, not PID 1 or medic, and started
// before the file was written (else it is a reused pid). Real processes, real files.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerSpec } from '../core/types.js';
import { drainWorker } from '../actions/drain-worker.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { checkPidFromFile } from './pid-guard.js';
import { isProcessAlive } from './process-info.js';
import { waitUntil } from './process-group.js';

let dir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'medic-pid-guard-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function startSleeper(): Promise<number> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid!;
}

async function pidFile(pid: number, mtimeAgoMs = 0): Promise<string> {
  const file = path.join(dir, 'worker.pid');
  await writeFile(file, `${pid}\n`);
  if (mtimeAgoMs > 0) {
    const at = new Date(Date.now() - mtimeAgoMs);
    await utimes(file, at, at);
  }
  return file;
}

describe('checkPidFromFile', () => {
  it('accepts a live process that started before the file was written', async () => {
    const pid = await startSleeper();
    const file = await pidFile(pid);
    expect(checkPidFromFile(pid, file)).toEqual({ ok: true, pid });
  });

  it('refuses a process that started after the file was written: the pid was reused', async () => {
    const pid = await startSleeper();
    const file = await pidFile(pid, 60_000);
    const checked = checkPidFromFile(pid, file);
    expect(checked.ok).toBe(false);
    expect(checked).toMatchObject({ reason: expect.stringMatching(new RegExp(`^pid ${pid} started \\d+ s after ${file} was written: the pid was reused`)) });
  });

  it('refuses PID 1, medic itself, and a pid that is not running', async () => {
    const file = await pidFile(1);
    expect(checkPidFromFile(1, file)).toMatchObject({ ok: false, reason: expect.stringContaining('never signals') });
    expect(checkPidFromFile(process.pid, file)).toMatchObject({ ok: false, reason: `pid file ${file} names medic itself (pid ${process.pid})` });
    const pid = await startSleeper();
    children.at(-1)!.kill('SIGKILL');
    await waitUntil(() => !isProcessAlive(pid), 5000);
    expect(checkPidFromFile(pid, file)).toMatchObject({ ok: false, reason: expect.stringMatching(/^not running/) });
  });
});

describe('drain of a command worker through its pid file', () => {
  const spec = (file: string): WorkerSpec => ({ name: 'legacy', mode: 'command', restartArgv: ['true'], pidFile: file, restartTimeoutMs: 5000 });

  it('does not signal a pid whose process started after the pid file was written', async () => {
    const pid = await startSleeper();
    const file = await pidFile(pid, 60_000);
    const result = await drainWorker(spec(file), { kind: 'signal', signal: 'SIGTERM', graceMs: 300 }, { supervisor: new Supervisor({ stateDir: dir }) });
    expect(result.status).toBe('failed');
    expect(result.summary).toMatch(/^drain refused: pid \d+ started \d+ s after .* was written/);
    expect(isProcessAlive(pid)).toBe(true);
  });

  it('does not signal medic itself', async () => {
    const file = await pidFile(process.pid);
    const result = await drainWorker(spec(file), { kind: 'signal', signal: 'SIGTERM', graceMs: 300 }, { supervisor: new Supervisor({ stateDir: dir }) });
    expect(result).toMatchObject({ status: 'failed', summary: `drain refused: pid file ${file} names medic itself (pid ${process.pid})` });
  });
});
