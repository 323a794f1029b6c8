// Actions against real processes from test/fixtures/bin/: timeouts that must kill whole trees,
// argv that must reach the program verbatim, and the systemd boundary.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerSpec } from '../../src/core/types.js';
import { describeOutcome, killAllCommands, runCommand } from '../../src/actions/run-command.js';
import { restartWorker } from '../../src/actions/restart-worker.js';
import { execAction } from '../../src/actions/exec.js';
import { describeAction, runAction } from '../../src/actions/run-action.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { waitUntil } from '../../src/os/process-group.js';
import { isProcessAlive } from '../../src/os/process-info.js';

const BIN = fileURLToPath(new URL('../fixtures/bin/', import.meta.url));
const WORKERS = fileURLToPath(new URL('../fixtures/workers/', import.meta.url));
const bin = (name: string): string => path.join(BIN, name);

let tmp: string;
const leftoverPids: number[] = [];

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'medic-actions-'));
});
afterEach(async () => {
  await killAllCommands();
  for (const pid of leftoverPids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function pidsIn(output: string, word: string): number[] {
  return [...output.matchAll(new RegExp(`^${word} (\\d+)$`, 'gm'))].map((match) => Number(match[1]));
}

describe('runCommand', () => {
  it('reports success', async () => {
    const outcome = await runCommand([bin('exit-code.sh'), '0'], { timeoutMs: 10_000 });
    expect(outcome).toMatchObject({ ok: true, status: 'ok', timedOut: false, exitCode: 0, signal: null });
    expect(outcome.message).toMatch(/^exit-code\.sh ok in \d+ ms$/);
    expect(outcome.outputTail).toContain('exit-code: stdout');
    expect(outcome.outputTail).toContain('exit-code: exiting with 0');
  });

  it('reports a non-zero exit code with the last output line', async () => {
    const outcome = await runCommand([bin('exit-code.sh'), '3'], { timeoutMs: 10_000 });
    expect(outcome).toMatchObject({ ok: false, status: 'exit-code', timedOut: false, exitCode: 3, signal: null });
    expect(outcome.message).toBe('exit-code.sh exited with code 3: exit-code: exiting with 3');
  });

  it('reports a program that does not exist, naming it', async () => {
    const outcome = await runCommand(['/nonexistent/medic-prog', '--flag'], { timeoutMs: 10_000, env: { SECRET_TOKEN: 'hunter2' } });
    expect(outcome).toMatchObject({ ok: false, status: 'spawn-failed', timedOut: false, exitCode: null, signal: null });
    expect(outcome.message).toContain('/nonexistent/medic-prog');
    expect(outcome.message).toContain('ENOENT');
    expect(outcome.message).not.toContain('hunter2');
  });

  it('reports a file that is not executable', async () => {
    const file = path.join(tmp, 'not-executable.sh');
    writeFileSync(file, '#!/bin/sh\necho hi\n');
    chmodSync(file, 0o644);
    const outcome = await runCommand([file], { timeoutMs: 10_000 });
    expect(outcome).toMatchObject({ ok: false, status: 'spawn-failed' });
    expect(outcome.message).toContain('EACCES');
  });

  it('reports a missing working directory as such', async () => {
    const outcome = await runCommand([bin('exit-code.sh')], { timeoutMs: 10_000, cwd: path.join(tmp, 'no-such-dir') });
    expect(outcome).toMatchObject({ ok: false, status: 'spawn-failed' });
    expect(outcome.message).toContain('working directory');
  });

  it('treats an empty argv as a spawn failure', async () => {
    const outcome = await runCommand([], { timeoutMs: 1000 });
    expect(outcome).toMatchObject({ ok: false, status: 'spawn-failed' });
  });

  it('kills a tree that ignores SIGTERM and holds stdout, promptly', async () => {
    const timeoutMs = 500;
    const killGraceMs = 500;
    const deadline = Date.now() + timeoutMs + killGraceMs + 2000;
    const outcome = await runCommand([bin('ignores-sigterm.sh')], { timeoutMs, killGraceMs });
    expect(Date.now()).toBeLessThan(deadline);
    expect(outcome).toMatchObject({ ok: false, status: 'timed-out', timedOut: true, signal: 'SIGKILL' });
    expect(outcome.message).toBe('ignores-sigterm.sh timed out after 500 ms; killed with SIGKILL');
    const [grandchild] = pidsIn(outcome.outputTail, 'grandchild');
    expect(grandchild).toBeTypeOf('number');
    leftoverPids.push(grandchild!);
    // SIGKILL is delivered asynchronously; a zombie counts as gone.
    expect(await waitUntil(() => !isProcessAlive(grandchild!), 2000)).toBe(true);
  });

  it('stops a tree that obeys SIGTERM without needing SIGKILL', async () => {
    const outcome = await runCommand([bin('forever.sh')], { timeoutMs: 300, killGraceMs: 5000 });
    expect(outcome).toMatchObject({ ok: false, status: 'timed-out', timedOut: true, signal: 'SIGTERM' });
    expect(outcome.durationMs).toBeLessThan(3000);
  });

  it('keeps only the tail of long output', async () => {
    const outcome = await runCommand([bin('print-lots.sh')], { timeoutMs: 10_000, outputTailBytes: 1024 });
    expect(outcome.ok).toBe(true);
    expect(Buffer.byteLength(outcome.outputTail)).toBeLessThanOrEqual(1024);
    expect(Buffer.byteLength(outcome.outputTail)).toBeGreaterThan(900);
    expect(outcome.outputTail.endsWith('END\n')).toBe(true);
    expect(outcome.outputTail).toContain('line 400 of print-lots');
    expect(outcome.outputTail).not.toContain('line 1 of print-lots');
  });

  it('passes argv verbatim, with no shell in between', async () => {
    const marker = path.join(tmp, 'injected');
    const args = ['a b', `"double" 'single'`, `$(touch ${marker})`, '`touch ' + marker + '`', 'line1\nline2', '*', '; echo pwned', '', '--x=$HOME'];
    const outcome = await runCommand([bin('argv-json.mjs'), ...args], { timeoutMs: 10_000 });
    expect(outcome.ok).toBe(true);
    expect(JSON.parse(outcome.outputTail)).toEqual(args);
    expect(existsSync(marker)).toBe(false);
  });

  it('feeds input to stdin when given', async () => {
    const outcome = await runCommand(['cat'], { timeoutMs: 10_000, input: 'hello from medic\n' });
    expect(outcome).toMatchObject({ ok: true, outputTail: 'hello from medic\n' });
  });

  it('settles when the command exits even if a background child keeps stdout open', async () => {
    const deadline = Date.now() + 3000;
    const outcome = await runCommand(['bash', '-c', 'sleep 100000 & echo "child $!"'], { timeoutMs: 20_000 });
    expect(Date.now()).toBeLessThan(deadline);
    expect(outcome).toMatchObject({ ok: true, status: 'ok', exitCode: 0 });
    leftoverPids.push(...pidsIn(outcome.outputTail, 'child'));
  });

  it('killAllCommands ends every running group at shutdown', async () => {
    const ready = path.join(tmp, 'ignores-sigterm.ready');
    const pending = [
      runCommand([bin('ignores-sigterm.sh')], { timeoutMs: 60_000, killGraceMs: 300, env: { READY_FILE: ready } }),
      runCommand([bin('forever.sh')], { timeoutMs: 60_000 }),
    ];
    // Until its trap is set, SIGTERM would still kill the stubborn one.
    expect(await waitUntil(() => existsSync(ready), 5000)).toBe(true);
    await killAllCommands();
    const [stubborn, polite] = await Promise.all(pending);
    expect(stubborn).toMatchObject({ ok: false, status: 'aborted', timedOut: false, signal: 'SIGKILL' });
    expect(stubborn!.message).toBe('ignores-sigterm.sh was stopped before it finished; killed with SIGKILL');
    expect(polite).toMatchObject({ ok: false, status: 'aborted', signal: 'SIGTERM' });
    for (const pid of pidsIn(stubborn!.outputTail, 'grandchild')) expect(await waitUntil(() => !isProcessAlive(pid), 2000)).toBe(true);
  });

  it('stops the command when its AbortSignal fires', async () => {
    const controller = new AbortController();
    const pending = runCommand([bin('forever.sh')], { timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, status: 'aborted' });
  });
});

describe('describeOutcome', () => {
  const base = { ok: false, timedOut: false, exitCode: null, signal: null, durationMs: 12 };
  it.each([
    [{ ...base, status: 'timed-out', timedOut: true, signal: 'SIGKILL' }, 30000, 'exec timed out after 30000 ms; killed with SIGKILL'],
    [{ ...base, status: 'timed-out', timedOut: true, exitCode: 0 }, 500, 'exec timed out after 500 ms; exited with code 0 after SIGTERM'],
    [{ ...base, status: 'exit-code', exitCode: 3 }, undefined, 'exec exited with code 3'],
    [{ ...base, status: 'signal', signal: 'SIGSEGV' }, undefined, 'exec was killed by SIGSEGV'],
    [{ ...base, status: 'ok', ok: true, exitCode: 0 }, undefined, 'exec ok in 12 ms'],
    [{ ...base, status: 'spawn-failed' }, undefined, 'exec could not start'],
  ])('%# %s', (outcome, timeoutMs, expected) => {
    expect(describeOutcome('exec', outcome, timeoutMs)).toBe(expected);
  });
});

describe('restartWorker and runAction', () => {
  let supervisor: Supervisor;
  const record = (): string => path.join(tmp, 'systemctl-argv');
  beforeAll(() => {
    supervisor = new Supervisor({ stateDir: path.join(tmp, 'state') });
  });
  afterEach(async () => {
    await supervisor.stopAll();
    delete process.env.SYSTEMCTL_RECORD_FILE;
    delete process.env.SYSTEMCTL_EXIT_CODE;
  });

  const systemdWorker: WorkerSpec = { name: 'render', mode: 'systemd', unit: 'render worker@1.service', restartTimeoutMs: 10_000 };

  it('restarts a systemd worker with exactly [restart, unit]', async () => {
    process.env.SYSTEMCTL_RECORD_FILE = record();
    const outcome = await restartWorker(systemdWorker, { supervisor, systemctl: bin('systemctl') });
    expect(outcome).toMatchObject({ ok: true, status: 'ok' });
    expect(readFileSync(record(), 'utf8')).toBe('restart\nrender worker@1.service\n');
    expect(outcome.message).toMatch(/^restart_worker render: systemctl ok in \d+ ms$/);
  });

  it('fails when systemctl fails', async () => {
    process.env.SYSTEMCTL_RECORD_FILE = record();
    process.env.SYSTEMCTL_EXIT_CODE = '1';
    const outcome = await restartWorker(systemdWorker, { supervisor, systemctl: bin('systemctl') });
    expect(outcome).toMatchObject({ ok: false, status: 'exit-code', exitCode: 1 });
    expect(outcome.message).toBe('restart_worker render: systemctl exited with code 1: Failed to restart render worker@1.service: Unit render worker@1.service not found.');
  });

  it('fails clearly, without hanging, with the real systemctl on a host without systemd', async () => {
    const deadline = Date.now() + 12_000;
    const outcome = await restartWorker({ ...systemdWorker, unit: 'medic-test-x.service' }, { supervisor });
    expect(Date.now()).toBeLessThan(deadline);
    expect(outcome.ok).toBe(false);
    // 'spawn-failed' where systemctl is not installed at all.
    expect(['no-systemd', 'spawn-failed']).toContain(outcome.status);
    expect(outcome.message).toMatch(/^restart_worker render: .*systemctl/);
    if (outcome.status === 'no-systemd') {
      expect(outcome.message).toBe('restart_worker render: systemd is not running on this host (not PID 1); systemctl cannot restart medic-test-x.service');
    }
  });

  it('refuses a unit name that would read as an option', async () => {
    const outcome = await restartWorker({ ...systemdWorker, unit: '--all' }, { supervisor, systemctl: bin('systemctl') });
    expect(outcome).toMatchObject({ ok: false, status: 'invalid-target' });
  });

  it('restarts a command worker by running its restartArgv', async () => {
    const worker: WorkerSpec = { name: 'legacy', mode: 'command', restartArgv: [bin('exit-code.sh'), '0'], restartTimeoutMs: 10_000 };
    expect(await restartWorker(worker, { supervisor })).toMatchObject({ ok: true, status: 'ok' });
    const slow: WorkerSpec = { ...worker, restartArgv: [bin('forever.sh')], restartTimeoutMs: 300 };
    const outcome = await restartWorker(slow, { supervisor });
    expect(outcome).toMatchObject({ ok: false, status: 'timed-out', timedOut: true });
    expect(outcome.message).toBe('restart_worker legacy: forever.sh timed out after 300 ms; killed with SIGTERM');
  });

  it('restarts a managed worker through the supervisor', async () => {
    const worker: WorkerSpec = { name: 'steady', mode: 'managed', argv: [process.execPath, path.join(WORKERS, 'steady.mjs')], stopTimeoutMs: 3000, restartTimeoutMs: 10_000 };
    const first = await runAction({ type: 'restart_worker', worker: 'steady' }, { workers: new Map([['steady', worker]]), supervisor });
    expect(first).toMatchObject({ ok: true, status: 'started' });
    const second = await runAction({ type: 'restart_worker', worker: 'steady' }, { workers: new Map([['steady', worker]]), supervisor });
    expect(second).toMatchObject({ ok: true, status: 'restarted', details: { oldPid: first.details?.pid } });
    expect(supervisor.status('steady')).toMatchObject({ up: true, restarts: 1, pid: second.details?.newPid });
  });

  it('returns no-target for an unknown worker, never acting on everything', async () => {
    const workers = new Map<string, WorkerSpec>();
    const restart = await runAction({ type: 'restart_worker', worker: 'ghost' }, { workers, supervisor });
    expect(restart).toMatchObject({ ok: false, status: 'no-target' });
    expect(restart.message).toBe('restart_worker ghost: no worker named "ghost"');
    const exec = await runAction({ type: 'exec', argv: [bin('exit-code.sh')], timeoutMs: 1000, worker: 'ghost' }, { workers, supervisor });
    expect(exec).toMatchObject({ ok: false, status: 'no-target' });
  });

  it('runs exec actions with the exec name in messages', async () => {
    const outcome = await execAction({ type: 'exec', argv: [bin('exit-code.sh'), '4'], timeoutMs: 10_000 });
    expect(outcome.message).toMatch(/^exec exited with code 4/);
    const viaRunAction = await runAction({ type: 'exec', argv: ['/nonexistent/drop-caches'], timeoutMs: 1000 }, { workers: new Map(), supervisor });
    expect(viaRunAction.message).toBe('exec could not start "/nonexistent/drop-caches": ENOENT (no such file or directory)');
  });

  it('describes actions for logs', () => {
    expect(describeAction({ type: 'restart_worker', worker: 'demo' })).toBe('restart_worker demo');
    expect(describeAction({ type: 'exec', argv: ['/usr/local/bin/drop-caches', '--all'], timeoutMs: 1 })).toBe('exec /usr/local/bin/drop-caches --all');
    expect(describeAction({ type: 'exec', argv: ['echo', 'a b', 'x\ny'], timeoutMs: 1 })).toBe('exec echo "a b" "x\\ny"');
  });
});
