// Drain before restart, with real workers: one that finishes its job and exits on SIGUSR1, one
// that ignores it (cut off after the grace), and drains by command and by HTTP.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DrainSpec, WorkerSpec } from '../../src/core/types.js';
import { restartWorker } from '../../src/actions/restart-worker.js';
import { killAllCommands } from '../../src/actions/run-command.js';
import { Supervisor, type ManagedWorkerSpec } from '../../src/supervisor/supervisor.js';
import { waitUntil } from '../../src/os/process-group.js';
import { isProcessAlive } from '../../src/os/process-info.js';

const DRAINS = fileURLToPath(new URL('../fixtures/workers/drains.sh', import.meta.url));

let tmp: string;
let supervisor: Supervisor;
const strays: number[] = [];
const servers: Server[] = [];

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'medic-drain-'));
  supervisor = new Supervisor({ stateDir: tmp });
});
afterEach(async () => {
  await supervisor.stopAll();
  await killAllCommands();
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(tmp, { recursive: true, force: true });
});

function managed(drain: DrainSpec, env: Record<string, string> = {}): ManagedWorkerSpec {
  return { name: 'job', mode: 'managed', argv: [DRAINS], env: { READY_FILE: path.join(tmp, 'ready'), DRAIN_FILE: path.join(tmp, 'drained'), ...env }, stopTimeoutMs: 2000, restartTimeoutMs: 10_000, drain };
}

async function startReady(spec: ManagedWorkerSpec): Promise<number> {
  const started = await supervisor.start(spec);
  expect(started.ok, started.message).toBe(true);
  const ready = path.join(tmp, 'ready');
  expect(await waitUntil(() => existsSync(ready), 10_000)).toBe(true);
  rmSync(ready);
  return started.details!.pid as number;
}

describe('restart_worker with drain: signal (managed worker)', () => {
  it('asks the worker to finish, waits for it to exit by itself, then restarts; journals drained: true', async () => {
    const spec = managed({ kind: 'signal', signal: 'SIGUSR1', graceMs: 10_000 });
    const oldPid = await startReady(spec);
    const exits: Array<{ expected?: boolean }> = [];
    supervisor.on('exit', (_name, exit) => exits.push(exit));

    const outcome = await restartWorker(spec, { supervisor });

    expect(outcome.ok, outcome.message).toBe(true);
    expect(outcome.details).toMatchObject({ drained: true, drainedPid: oldPid, newPid: expect.any(Number) });
    expect(outcome.details!.drain).toMatch(/^drained in \d/);
    expect(outcome.details!.drainMs).toBeGreaterThanOrEqual(200);
    expect(outcome.message).toMatch(/^restart_worker job .*\(drained in [\d.]+m?s\)$/);
    // The worker finished its job itself (the trap ran), and medic saw an exit it asked for.
    expect(readFileSync(path.join(tmp, 'drained'), 'utf8')).toBe(`drained ${oldPid}\n`);
    expect(exits.length).toBeGreaterThan(0);
    expect(exits.every((exit) => exit.expected)).toBe(true);
    expect(isProcessAlive(oldPid)).toBe(false);
    expect(supervisor.status('job')).toMatchObject({ up: true, pid: outcome.details!.newPid });
  });

  it('cuts off a worker that ignores the drain signal after the grace, then restarts it', async () => {
    const spec = managed({ kind: 'signal', signal: 'SIGUSR1', graceMs: 600 }, { IGNORE_DRAIN: '1' });
    const oldPid = await startReady(spec);
    const outcome = await restartWorker(spec, { supervisor });
    expect(outcome.ok, outcome.message).toBe(true);
    expect(outcome.details).toMatchObject({ drained: false, drain: 'cut off after 600ms', oldPid, drainedPid: oldPid });
    expect(outcome.details!.drainMs).toBeGreaterThanOrEqual(590);
    expect(outcome.message).toContain('(cut off after 600ms)');
    expect(existsSync(path.join(tmp, 'drained'))).toBe(false);
    expect(isProcessAlive(oldPid)).toBe(false);
    expect(supervisor.status('job')?.up).toBe(true);
  });

  it('a worker that is not running has nothing to drain; it is started', async () => {
    const spec = managed({ kind: 'signal', signal: 'SIGUSR1', graceMs: 5000 });
    await startReady(spec);
    await supervisor.stop('job');
    const outcome = await restartWorker(spec, { supervisor });
    expect(outcome.ok, outcome.message).toBe(true);
    expect(outcome.details).toMatchObject({ drained: false, drain: 'not running, nothing to drain' });
    expect(outcome.details!.drainMs).toBeLessThan(1000);
  });
});

describe('restart_worker with drain: signal (command worker with a pid file)', () => {
  it('signals the pid from the pid file, waits for the exit, then runs the restart command', async () => {
    const pidFile = path.join(tmp, 'worker.pid');
    const child = spawn(DRAINS, [], { env: { ...process.env, PID_FILE: pidFile, READY_FILE: path.join(tmp, 'ready'), DRAIN_FILE: path.join(tmp, 'drained') }, stdio: 'ignore' });
    strays.push(child.pid!);
    expect(await waitUntil(() => existsSync(path.join(tmp, 'ready')), 10_000)).toBe(true);
    const restartScript = path.join(tmp, 'restart.sh');
    writeFileSync(restartScript, `#!/bin/sh\necho restarted > ${path.join(tmp, 'restarted')}\n`);
    chmodSync(restartScript, 0o755);
    const spec: WorkerSpec = { name: 'legacy', mode: 'command', restartArgv: [restartScript], pidFile, restartTimeoutMs: 5000, drain: { kind: 'signal', signal: 'SIGUSR1', graceMs: 10_000 } };

    const outcome = await restartWorker(spec, { supervisor });

    expect(outcome.ok, outcome.message).toBe(true);
    expect(outcome.details).toMatchObject({ drained: true, drainedPid: child.pid });
    expect(readFileSync(path.join(tmp, 'drained'), 'utf8')).toBe(`drained ${child.pid}\n`);
    expect(readFileSync(path.join(tmp, 'restarted'), 'utf8')).toBe('restarted\n');
  });
});

describe('restart_worker with drain: command and http', () => {
  const commandWorker = (drain: DrainSpec): WorkerSpec => ({ name: 'svc', mode: 'command', restartArgv: ['/bin/true'], restartTimeoutMs: 5000, drain });

  it('a drain command that returns in time drains; one that outlives the grace is cut off', async () => {
    const done = await restartWorker(commandWorker({ kind: 'command', argv: ['/bin/sh', '-c', 'sleep 0.1; echo "$MEDIC_WORKER" > "$0"', path.join(tmp, 'asked')], graceMs: 5000 }), { supervisor });
    expect(done.ok, done.message).toBe(true);
    expect(done.details).toMatchObject({ drained: true });
    expect(readFileSync(path.join(tmp, 'asked'), 'utf8')).toBe('svc\n');

    const slow = await restartWorker(commandWorker({ kind: 'command', argv: ['/bin/sleep', '30'], graceMs: 300 }), { supervisor });
    expect(slow.ok, slow.message).toBe(true);
    expect(slow.details).toMatchObject({ drained: false, drain: 'cut off after 300ms' });
    expect(slow.durationMs).toBeLessThan(10_000);

    const failing = await restartWorker(commandWorker({ kind: 'command', argv: ['/bin/sh', '-c', 'echo busy >&2; exit 3'], graceMs: 5000 }), { supervisor });
    expect(failing.details).toMatchObject({ drained: false, drain: 'drain failed: drain command exited with code 3: busy' });
  });

  it('an HTTP drain POSTs and waits for the answer: 2xx drains, a hang is cut off, 500 fails', async () => {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (req.url?.startsWith('/hang')) return; // never answers
      setTimeout(() => res.writeHead(req.url === '/drain' ? 204 : 500).end(), 100);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const ok = await restartWorker(commandWorker({ kind: 'http', url: `${base}/drain`, graceMs: 5000 }), { supervisor });
    expect(ok.details).toMatchObject({ drained: true });
    const hang = await restartWorker(commandWorker({ kind: 'http', url: `${base}/hang?token=s3cret`, graceMs: 300 }), { supervisor });
    expect(hang.details).toMatchObject({ drained: false, drain: 'cut off after 300ms' });
    const broken = await restartWorker(commandWorker({ kind: 'http', url: `${base}/broken?token=s3cret`, graceMs: 5000 }), { supervisor });
    expect(broken.details).toMatchObject({ drained: false, drain: `drain failed: POST ${base}/broken answered 500` });
    expect(JSON.stringify(broken)).not.toContain('s3cret');
    expect(requests).toEqual(['POST /drain', 'POST /hang?token=s3cret', 'POST /broken?token=s3cret']);
    server.closeAllConnections();
  });
});
