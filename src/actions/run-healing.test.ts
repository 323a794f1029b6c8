// clear_cache and archive_files as ladder steps through runAction, the daemon's one entry point:
// real folders and files, a real worker command, a real HTTP endpoint on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, utimes, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionSpec, WorkerSpec } from '../core/types.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { describeAction, runAction } from './run-action.js';

let base: string;
let context: Parameters<typeof runAction>[1];

beforeEach(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-healing-')));
  const workers = new Map<string, WorkerSpec>([['render', { name: 'render', mode: 'command', restartArgv: ['/bin/true'], restartTimeoutMs: 1000 }]]);
  context = { workers, supervisor: new Supervisor({ stateDir: base }) };
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** `count` files of `bytes` each, the first the oldest (minutes apart, all older than min_age). */
async function fill(dir: string, count: number, bytes: number, ext = '.bin'): Promise<void> {
  await mkdir(dir, { recursive: true });
  const now = Date.now() / 1000;
  for (let i = 0; i < count; i += 1) {
    const file = path.join(dir, `f${String(i).padStart(2, '0')}${ext}`);
    await writeFile(file, Buffer.alloc(bytes, 'x'));
    await utimes(file, now - 3600 + i * 60, now - 3600 + i * 60);
  }
}

describe('clear_cache step', () => {
  it('deletes oldest first until the folder is under keep_under, and journals the numbers', async () => {
    const dir = path.join(base, 'cache');
    await fill(dir, 10, 1024);
    const outcome = await runAction({ type: 'clear_cache', dir, targetSizeBytes: 4096, timeoutMs: 10_000 }, context);
    expect(outcome).toMatchObject({ ok: true, status: 'ok' });
    expect(outcome.details).toMatchObject({ filesDeleted: 6, bytesFreed: 6144, bytesBefore: 10_240, bytesAfter: 4096, dryRun: false });
    expect((await readdir(dir)).sort()).toEqual(['f06.bin', 'f07.bin', 'f08.bin', 'f09.bin']);
  });

  it('dry run: says what it would free and deletes nothing', async () => {
    const dir = path.join(base, 'cache');
    await fill(dir, 3, 100);
    const outcome = await runAction({ type: 'clear_cache', dir, olderThanMs: 1000, timeoutMs: 10_000 }, { ...context, dryRun: true });
    expect(outcome.details).toMatchObject({ filesDeleted: 3, bytesFreed: 300, dryRun: true });
    expect(await readdir(dir)).toHaveLength(3);
  });

  it("runs the worker's own cache-clearing command with MEDIC_WORKER set", async () => {
    const marker = path.join(base, 'cleared');
    const script = path.join(base, 'clear.sh');
    await writeFile(script, `#!/bin/sh\necho "$MEDIC_WORKER $1" > "${marker}"\n`, { mode: 0o755 });
    const outcome = await runAction({ type: 'clear_cache', worker: 'render', command: [script, '--all'], timeoutMs: 5000 }, context);
    expect(outcome).toMatchObject({ ok: true, details: { worker: 'render', via: 'command' } });
    expect(await readFile(marker, 'utf8')).toBe('render --all\n');
  });

  it("calls the worker's HTTP endpoint, and fails on a non-2xx answer", async () => {
    const seen: Array<{ method: string; body: string }> = [];
    let status = 204;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, body });
        res.writeHead(status).end(status === 204 ? undefined : 'cache locked\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cache?token=s3cret`;
      const action: ActionSpec = { type: 'clear_cache', worker: 'render', http: { url, method: 'POST' }, timeoutMs: 2000 };
      expect(await runAction(action, context)).toMatchObject({ ok: true, details: { httpStatus: 204, via: 'http' } });
      expect(seen[0]).toEqual({ method: 'POST', body: '{"worker":"render","action":"clear_cache"}' });
      status = 503;
      const failed = await runAction(action, context);
      expect(failed).toMatchObject({ ok: false, status: 'http-status' });
      expect(failed.message).toContain('answered 503: cache locked');
      expect(failed.message).not.toContain('s3cret');
      expect(describeAction(action)).not.toContain('s3cret');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a worker that does not exist, never "everything"', async () => {
    const outcome = await runAction({ type: 'clear_cache', worker: 'rendr', command: ['/bin/true'], timeoutMs: 1000 }, context);
    expect(outcome).toMatchObject({ ok: false, status: 'no-target' });
  });
});

describe('archive_files step', () => {
  it('moves matching old files into a verified archive and journals the manifest', async () => {
    const dir = path.join(base, 'logs');
    const dest = path.join(base, 'archive');
    await fill(dir, 4, 500, '.log');
    await writeFile(path.join(dir, 'keep.txt'), 'not a log');
    await mkdir(dest);
    const outcome = await runAction({ type: 'archive_files', dir, dest, match: '*.log', olderThanMs: 60_000, timeoutMs: 30_000 }, context);
    expect(outcome).toMatchObject({ ok: true, details: { files: 4, bytes: 2000, filesRemoved: 4 } });
    expect(await readdir(dir)).toEqual(['keep.txt']);
    const archive = String(outcome.details!['archive']);
    expect(existsSync(archive)).toBe(true);
    expect((outcome.details!['manifest'] as Array<{ path: string }>).map((entry) => entry.path).sort()).toEqual(['f00.log', 'f01.log', 'f02.log', 'f03.log']);
  });
});

describe('describeAction', () => {
  it.each([
    [{ type: 'clear_cache', dir: '/var/cache/render', olderThanMs: 7 * 86_400_000, targetSizeBytes: 10 * 1024 ** 3, timeoutMs: 1 }, 'clear_cache /var/cache/render (older than 7d, keep under 10GiB)'],
    [{ type: 'clear_cache', worker: 'render', command: ['/opt/clear', '--all'], timeoutMs: 1 }, 'clear_cache render via command /opt/clear --all'],
    [{ type: 'archive_files', dir: '/var/log/r', dest: '/mnt/a', match: '*.log', olderThanMs: 3 * 86_400_000, timeoutMs: 1 }, 'archive_files /var/log/r -> /mnt/a (*.log, older than 3d)'],
    [{ type: 'throttle', worker: 'render', level: 'reduced', cpuQuotaPct: 50, pause: true, timeoutMs: 1 }, 'throttle render (level reduced, cpu 50%, pause)'],
    [{ type: 'scale_out', worker: 'render', step: 1, cooldownMs: 1, timeoutMs: 1 }, 'scale_out render +1'],
    [{ type: 'scale_in', step: 2, cooldownMs: 1, timeoutMs: 1, fleet: { command: ['kubectl', 'scale', '--replicas={replicas}'], min: 1, max: 5 } }, 'scale_in -2 (1..5) via kubectl scale "--replicas={replicas}"'],
  ] as Array<[ActionSpec, string]>)('%j', (action, text) => {
    expect(describeAction(action)).toBe(text);
  });

  it('throttle and scale refuse without the daemon (nothing would undo them)', async () => {
    expect(await runAction({ type: 'throttle', worker: 'render', level: 'reduced', timeoutMs: 1000 }, context)).toMatchObject({ ok: false, status: 'unsupported' });
  });
});
