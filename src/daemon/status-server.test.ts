// The status socket with real unix sockets in a temp folder: the answer, the file mode, a stale
// socket from a killed medic, a live one from another medic, and a daemon that does not answer.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initialRuleState } from '../core/evaluate-rule.js';
import type { Rule } from '../core/types.js';
import { buildDaemonStatus, type DaemonStatus, type StatusParts } from './daemon-status.js';
import { fetchDaemonStatus } from './status-client.js';
import { startStatusServer, StatusSocketBusyError, statusSocketPath, type StatusServer } from './status-server.js';

const dirs: string[] = [];
const servers: Array<StatusServer | Server> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => ('socketPath' in server ? void server.close().then(resolve) : server.close(() => resolve())));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function tempState(): string {
  const dir = mkdtempSync(join(tmpdir(), 'medic-sock-'));
  dirs.push(dir);
  return dir;
}

function parts(overrides: Partial<StatusParts> = {}): StatusParts {
  return {
    host: 'web-1', startedAt: 1000, at: 2000, intervalMs: 5000, rules: [], runtimes: new Map(), snapshot: undefined,
    busyTargets: new Set(['worker:render']), outbox: { pending: 0, failed: 0, sent: 0, noWebhook: 0, lastError: null },
    ...overrides,
  };
}

const status = (): DaemonStatus => buildDaemonStatus(parts());

async function serve(stateDir: string): Promise<StatusServer> {
  const server = await startStatusServer({ socketPath: statusSocketPath(stateDir), readStatus: status });
  servers.push(server);
  return server;
}

describe('status socket', () => {
  it('answers GET /status with the live view, on a socket only its owner can open', async () => {
    const dir = tempState();
    await serve(dir);
    const socket = join(dir, 'medic.sock');
    expect(statSync(socket).isSocket()).toBe(true);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const answer = await fetchDaemonStatus(socket);
    expect(answer).toMatchObject({ host: 'web-1', startedAt: 1000, busyTargets: ['worker:render'], rules: [], snapshot: null, prometheus: null });
  });

  it('removes the socket file when closed', async () => {
    const dir = tempState();
    const server = await serve(dir);
    await server.close();
    expect(existsSync(join(dir, 'medic.sock'))).toBe(false);
  });

  it('replaces a stale socket file left by a medic that was killed', async () => {
    const dir = tempState();
    const socket = join(dir, 'medic.sock');
    // A real process binds the socket and is SIGKILLed: the file stays, nobody listens.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(statSync(socket).isSocket()).toBe(true);
    await serve(dir);
    expect(await fetchDaemonStatus(socket)).toMatchObject({ host: 'web-1' });
  });

  it('leaves alone a socket another medic answers on, and a file that is not a socket', async () => {
    const dir = tempState();
    await serve(dir);
    await expect(startStatusServer({ socketPath: statusSocketPath(dir), readStatus: status })).rejects.toThrow(StatusSocketBusyError);
    expect(await fetchDaemonStatus(statusSocketPath(dir))).toMatchObject({ host: 'web-1' });

    const other = tempState();
    writeFileSync(join(other, 'medic.sock'), 'not a socket');
    await expect(startStatusServer({ socketPath: statusSocketPath(other), readStatus: status })).rejects.toThrow(/is not a socket/);
  });
  it('refuses a socket path too long for a unix socket, instead of binding a truncated one', async () => {
    const dir = join(tempState(), 'x'.repeat(120));
    mkdirSync(dir);
    await expect(startStatusServer({ socketPath: statusSocketPath(dir), readStatus: status })).rejects.toThrow(/longer than a unix socket path may be/);
  });
});

describe('fetchDaemonStatus', () => {
  it('is null at once when no daemon runs', async () => {
    const started = Date.now();
    expect(await fetchDaemonStatus(join(tempState(), 'medic.sock'))).toBeNull();
    // Refused at once, not after the 300 ms timeout.
    expect(Date.now() - started).toBeLessThan(290);
  });

  it('gives up on a daemon that accepts but never answers, after the timeout', async () => {
    const socket = join(tempState(), 'medic.sock');
    // Reads the request and never answers (reading, so it sees the client hang up).
    const hung = createServer((connection) => connection.resume());
    servers.push(hung);
    await new Promise<void>((resolve) => hung.listen(socket, resolve));
    const started = Date.now();
    expect(await fetchDaemonStatus(socket, { timeoutMs: 300 })).toBeNull();
    const tookMs = Date.now() - started;
    expect(tookMs).toBeGreaterThanOrEqual(250);
    expect(tookMs).toBeLessThan(2000);
  });

  it('is null for an answer that is not a medic status', async () => {
    const socket = join(tempState(), 'medic.sock');
    const other = await startStatusServer({ socketPath: socket, readStatus: () => ({ version: 99 }) as unknown as DaemonStatus });
    servers.push(other);
    expect(await fetchDaemonStatus(socket)).toBeNull();
  });

  it('carries rule states as the engine holds them', async () => {
    const socket = join(tempState(), 'medic.sock');
    const state = { ...initialRuleState(), kind: 'pending' as const, since: 1500, hits: 3 };
    const rule = { name: 'leak', severity: 'warning', budget: { count: 2, windowMs: 60_000 }, ladder: [] } as unknown as Rule;
    const server = await startStatusServer({
      socketPath: socket,
      readStatus: () => buildDaemonStatus(parts({ rules: [rule], runtimes: new Map([['leak', { state, incidentId: 7 }]]) })),
    });
    servers.push(server);
    const answer = await fetchDaemonStatus(socket);
    expect(answer?.rules).toEqual([{ name: 'leak', severity: 'warning', implicit: false, state, incidentId: 7, budget: { used: 0, count: 2, windowMs: 60_000 } }]);
  });
});
