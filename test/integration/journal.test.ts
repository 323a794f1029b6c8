// The journal across processes: a row written before a kill -9 is there after reopening and is
// marked interrupted; two processes opening a new file at once both migrate it safely.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// vite-node (vitest's own runner) lets a child process run the TypeScript sources as they are.
const viteNode = join(dirname(createRequire(import.meta.url).resolve('vite-node/package.json')), 'vite-node.mjs');
const journalModule = join(root, 'src/journal/journal.ts');

let dir: string;
const journals: Journal[] = [];
const open = (file: string) => {
  const j = Journal.open(file);
  journals.push(j);
  return j;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'medic-journal-it-'));
});

afterEach(() => {
  for (const j of journals.splice(0)) j.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a TypeScript snippet in a child node; resolves with its stdout, exit code and signal. */
function runChild(source: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }> {
  const script = join(dir, `child-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(script, source);
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [viteNode, script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolveRun({ stdout, stderr, code, signal }));
  });
}

const T0 = 1_700_000_000_000;

describe('journal across a kill -9', () => {
  it('keeps what was written before the kill and marks the running action interrupted on the next start', async () => {
    const file = join(dir, 'state', 'journal.db');
    const child = await runChild(
      `
      import { Journal } from ${JSON.stringify(journalModule)};
      const j = Journal.open(process.argv[2]);
      const incidentId = j.openIncident({ rule: 'render-leak', severity: 'critical', at: ${T0}, trigger: { 'worker.render.rss': 9e9 }, whenText: 'worker.render.rss > 8GiB' });
      const actionId = j.startAction({ incidentId, rule: 'render-leak', step: 1, attempt: 1, type: 'restart_worker', target: 'worker:render', description: 'restart worker render', at: ${T0 + 10} });
      j.enqueuePage({ incidentId, rule: 'render-leak', at: ${T0 + 20}, payload: { hello: 'page' } });
      j.saveRuleStates([{ rule: 'render-leak', state: { kind: 'acting', step: 0 }, incidentId }], ${T0 + 30});
      process.stdout.write(JSON.stringify({ incidentId, actionId }));
      // No close(): medic dies mid-action.
      process.kill(process.pid, 'SIGKILL');
      `,
      [file],
    );
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const { incidentId, actionId } = JSON.parse(child.stdout) as { incidentId: number; actionId: number };

    const journal = open(file);
    expect(journal.incident(incidentId)?.actions).toMatchObject([{ id: actionId, status: 'running', endedAt: null }]);
    expect(journal.loadRuleStates()).toEqual([{ rule: 'render-leak', state: { kind: 'acting', step: 0 }, incidentId, savedAt: T0 + 30 }]);
    expect(journal.duePages(T0 + 20).map((p) => p.payload)).toEqual([{ hello: 'page' }]);

    expect(journal.markInterrupted(T0 + 60_000)).toEqual({ actions: 1, incidents: 1 });
    const detail = journal.incident(incidentId)!;
    expect(detail.status).toBe('interrupted');
    expect(detail.actions[0]).toMatchObject({ status: 'interrupted', endedAt: T0 + 60_000, durationMs: 60_000 - 10, message: 'medic stopped while this action ran' });
    expect(detail.events.map((e) => e.kind)).toEqual(['action-interrupted', 'incident-interrupted']);
    // The page outlives the crash: it is still pending for the outbox to send.
    expect(journal.pageStats()).toMatchObject({ pending: 1 });
    expect(journal.history({ rule: 'render-leak' })[0]?.kind).toBe('incident-interrupted');
  });
});

describe('journal shared between processes', () => {
  it('lets two processes open and migrate a new file at the same time', async () => {
    const file = join(dir, 'race', 'journal.db');
    const source = `
      import { Journal } from ${JSON.stringify(journalModule)};
      const j = Journal.open(process.argv[2]);
      j.event({ at: ${T0}, kind: 'start', message: 'medic started ' + process.pid });
      j.close();
      process.stdout.write('ok');
    `;
    const results = await Promise.all([runChild(source, [file]), runChild(source, [file])]);
    for (const r of results) expect(r.stdout, r.stderr).toBe('ok');
    expect(open(file).history({}).filter((e) => e.kind === 'start')).toHaveLength(2);
  });

  it('lets a reader (medic history) see what a writer committed while both are open', () => {
    const file = join(dir, 'journal.db');
    const writer = open(file);
    const reader = open(file);
    const id = writer.openIncident({ rule: 'disk', severity: 'warning', at: T0, trigger: { 'disk[/].used_pct': 91 }, whenText: 'disk[/].used_pct > 90' });
    writer.event({ at: T0 + 1, kind: 'skip', message: 'backoff', rule: 'disk', incidentId: id });
    writer.event({ at: T0 + 2, kind: 'reload', message: 'rules reloaded' });
    expect(reader.history({ rule: 'disk' }).map((e) => e.kind)).toEqual(['skip', 'incident-open']);
    expect(reader.history({ since: T0 + 2 }).map((e) => e.kind)).toEqual(['reload']);
    expect(reader.journalMode).toBe('wal');
  });
});
