// Worker probes beyond up/RSS/CPU against real processes and a real loopback server: a node
// parent with two children holding ~20 MB each, and HostSampler running the health probes.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeWorkers } from '../../src/daemon/worker-probes.js';
import type { WorkerSpec } from '../../src/core/types.js';
import { readProcessInfo } from '../../src/os/process-info.js';
import { HostSampler } from '../../src/samplers/sample-host.js';
import { WorkerSampler } from '../../src/samplers/worker.js';
import { eventually } from '../helpers/eventually.js';

const MiB = 1024 * 1024;
const HOLDER = "globalThis.held = Buffer.alloc(20 * 1024 * 1024, 1); process.stdout.write('ready\\n'); setInterval(() => {}, 1000);";
// The parent prints its children's pids once both hold their memory.
const PARENT = `
const { spawn } = require('node:child_process');
const pids = [];
for (let i = 0; i < 2; i++) {
  const child = spawn(process.execPath, ['-e', ${JSON.stringify(HOLDER)}], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.once('data', () => { pids.push(child.pid); if (pids.length === 2) console.log(pids.join(' ')); });
}
setInterval(() => {}, 1000);
`;

interface Tree {
  parent: ChildProcess;
  childPids: number[];
}

const trees: Tree[] = [];
const servers: http.Server[] = [];

afterEach(async () => {
  for (const { parent, childPids } of trees.splice(0)) {
    // Children first, so their parent reaps them (PID 1 here reaps nobody), then the parent.
    for (const pid of childPids) if (readProcessInfo(pid) !== null) process.kill(pid, 'SIGKILL');
    await eventually(() => childPids.every((pid) => readProcessInfo(pid) === null), 'the children to be reaped');
    if (parent.exitCode === null && parent.signalCode === null) {
      parent.kill('SIGKILL');
      await once(parent, 'exit');
    }
  }
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function startTree(): Promise<Tree> {
  const parent = spawn(process.execPath, ['-e', PARENT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const tree: Tree = { parent, childPids: [] };
  trees.push(tree);
  parent.stdout!.setEncoding('utf8');
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    parent.stdout!.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    parent.once('exit', (code) => reject(new Error(`the parent exited with ${code} before its children were ready`)));
  });
  tree.childPids = line.trim().split(' ').map(Number);
  return tree;
}

async function startServer(status: number): Promise<string> {
  const server = http.createServer((_request, response) => response.writeHead(status).end());
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
}

describe('worker process trees', () => {
  it('sums the children into rss_total and counts the tree; threads and fds of the main process', async () => {
    const { parent, childPids } = await startTree();
    const pid = parent.pid!;
    const result = new WorkerSampler().sample([{ name: 'tree', pid, restarts: 0 }], Date.now());
    const value = (field: string): number | undefined => result.values.get(`worker.tree.${field}`);

    expect(value('up')).toBe(1);
    expect(value('processes')).toBe(3);
    // Each child touched 20 MiB; the parent's own RSS comes on top.
    expect(value('rss_total')).toBeGreaterThanOrEqual(value('rss')! + 2 * 20 * MiB);
    const sum = [pid, ...childPids].reduce((total, member) => total + (readProcessInfo(member)?.rssBytes ?? 0), 0);
    expect(Math.abs(value('rss_total')! - sum) / sum).toBeLessThan(0.1);
    expect(value('threads')).toBeGreaterThanOrEqual(1);
    expect(value('threads')).toBe(readProcessInfo(pid)!.threads);
    expect(value('fds')).toBeGreaterThanOrEqual(3);
    for (const field of ['threads', 'fds', 'rss_total', 'processes']) expect(result.unknown.has(`worker.tree.${field}`)).toBe(false);
  });

  it('drops a child that exits from the tree', async () => {
    const { parent, childPids } = await startTree();
    const sampler = new WorkerSampler();
    process.kill(childPids[0]!, 'SIGKILL');
    await eventually(() => readProcessInfo(childPids[0]!) === null, 'the child to be reaped');
    const result = sampler.sample([{ name: 'tree', pid: parent.pid!, restarts: 0 }], Date.now());
    expect(result.values.get('worker.tree.processes')).toBe(2);
  });

  it('leaves the tree metrics unknown, with the reason, for a worker that is down', () => {
    const result = new WorkerSampler().sample([{ name: 'down', pid: null, restarts: 0 }], Date.now());
    for (const field of ['threads', 'fds', 'rss_total', 'processes']) {
      expect(result.values.has(`worker.down.${field}`)).toBe(false);
      expect(result.unknown.get(`worker.down.${field}`)).toBe('worker not running');
    }
  });
});

describe('HostSampler with health probes', () => {
  it('puts process, tree and probe metrics of configured workers into one snapshot', async () => {
    const { parent } = await startTree();
    const healthy = await startServer(200);
    const failing = await startServer(503);
    const workers: WorkerSpec[] = [
      { name: 'api', mode: 'command', restartArgv: ['/bin/true'], restartTimeoutMs: 1000, health: { http: { url: healthy, timeoutMs: 1000 } } },
      { name: 'db', mode: 'command', restartArgv: ['/bin/true'], restartTimeoutMs: 1000, health: { http: { url: failing, timeoutMs: 1000 }, tcp: { host: '127.0.0.1', port: Number(new URL(failing).port), timeoutMs: 1000 } } },
    ];
    const sampler = new HostSampler({
      diskPaths: () => [],
      workerProbes: async () => (await probeWorkers(workers, {})).map((probe) => (probe.name === 'api' ? { ...probe, pid: parent.pid!, pidError: undefined } : probe)),
    });
    const snapshot = await sampler.sample(Date.now());
    expect(snapshot.values.get('worker.api.up')).toBe(1);
    expect(snapshot.values.get('worker.api.processes')).toBe(3);
    expect(snapshot.values.get('worker.api.health_ok')).toBe(1);
    expect(snapshot.values.get('worker.api.health_status')).toBe(200);
    expect(snapshot.values.get('worker.api.health_latency')).toBeLessThan(1);
    // db has no pid file, so its process is unknown; its probes still answer.
    expect(snapshot.unknown.get('worker.db.up')).toBe('no pid_file configured');
    expect(snapshot.values.get('worker.db.health_ok')).toBe(0);
    expect(snapshot.values.get('worker.db.health_status')).toBe(503);
    expect(snapshot.values.get('worker.db.tcp_ok')).toBe(1);
    expect(snapshot.durationsMs?.get('workers')).toBeLessThan(1000);
  });
});
