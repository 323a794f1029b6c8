// The degradation level where a worker can read it: a file replaced atomically, a command given
// the level, an HTTP call. Real files, a real program, a real server on 127.0.0.1.
import { createServer } from 'node:http';
import { mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { levelArgv, publishLevel } from './publish-level.js';

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-level-')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('publishLevel', () => {
  it('replaces the level file atomically, leaving no temp file behind', async () => {
    const file = path.join(dir, 'degradation');
    await writeFile(file, 'normal\n');
    const result = await publishLevel('render', { file, timeoutMs: 1000 }, 'essential');
    expect(result).toEqual({ ok: true, published: ['file'], problems: [] });
    expect(await readFile(file, 'utf8')).toBe('essential\n');
    expect(await readdir(dir)).toEqual(['degradation']);
  });

  it('runs the command with {level} replaced inside its argument, and the level in the environment', async () => {
    const record = path.join(dir, 'record');
    const script = path.join(dir, 'set-level.sh');
    await writeFile(script, `#!/bin/sh\nprintf '%s|' "$@" "$MEDIC_WORKER" "$MEDIC_DEGRADATION_LEVEL" > "${record}"\n`, { mode: 0o755 });
    const result = await publishLevel('render', { command: [script, '--level={level}', 'a b'], timeoutMs: 5000 }, 'reduced');
    expect(result.published).toEqual(['command']);
    expect(await readFile(record, 'utf8')).toBe('--level=reduced|a b|render|reduced|');
  });

  it('posts the level as JSON', async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(`${req.method} ${body}`);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/level`;
      const result = await publishLevel('render', { http: { url, method: 'PUT' }, timeoutMs: 2000 }, 'emergency');
      expect(result.ok).toBe(true);
      expect(bodies).toEqual(['PUT {"worker":"render","level":"emergency"}']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports each part that failed, and still publishes on the others', async () => {
    const file = path.join(dir, 'degradation');
    const port = await closedPort();
    const result = await publishLevel('render', { file, command: [path.join(dir, 'missing-program')], http: { url: `http://127.0.0.1:${port}/level`, method: 'POST' }, timeoutMs: 2000 }, 'reduced');
    expect(result.ok).toBe(false);
    expect(result.published).toEqual(['file']);
    expect(result.problems).toHaveLength(2);
    expect(result.problems[0]).toContain('could not start');
    expect(result.problems[1]).toBe(`degradation http: POST http://127.0.0.1:${port}/level failed: ECONNREFUSED`);
  });
});

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('levelArgv', () => {
  it('appends the level when no argument holds {level}', () => {
    expect(levelArgv(['/usr/local/bin/set-level'], 'reduced')).toEqual(['/usr/local/bin/set-level', 'reduced']);
  });

  it('never splits an argument', () => {
    expect(levelArgv(['x', '{level}; rm -rf /'], 'essential')).toEqual(['x', 'essential; rm -rf /']);
  });
});
