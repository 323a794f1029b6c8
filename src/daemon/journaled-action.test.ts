// The one journaled action path, against a real journal: the row before the run, the outcome
// after, the busy target in between, and a stop that leaves the row for the next start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionOutcome, ActionSpec } from '../core/types.js';
import { Journal } from '../journal/journal.js';
import { runJournaledAction, type JournaledAction, type JournaledActionDeps } from './journaled-action.js';
import { createLogger } from './logger.js';

let dir: string;
let journal: Journal;
let logLines: Array<{ level: number; msg: string }>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'medic-journaled-'));
  journal = Journal.open(join(dir, 'journal.sqlite'));
  logLines = [];
});
afterEach(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

const restart: ActionSpec = { type: 'restart_worker', worker: 'w' };
const failed: ActionOutcome = { ok: false, status: 'exit-code', timedOut: false, exitCode: 1, signal: null, durationMs: 7, message: 'restart_worker w: exited with code 1', outputTail: '' };

function deps(stopping = () => false): JournaledActionDeps {
  return { journal, busyTargets: new Set(), now: () => 2000, stopping };
}

function request(): JournaledAction {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((line) => logLines.push(JSON.parse(line) as { level: number; msg: string })));
  const log = createLogger({ json: true, level: 'info', destination: stream });
  return {
    incidentId: null, rule: 'leak', step: 1, attempt: 2, action: restart, description: 'restart_worker w', at: 1000, log,
    startLevel: 'warn', startMessage: 'rule leak: step 2 attempt 2: restart_worker w', outcomePrefix: 'rule leak: ',
  };
}

const actionRows = () => journal.history({}).filter((e) => e.kind === 'action').map((e) => e.summary);

describe('runJournaledAction', () => {
  it('journals the row before the run, marks the target busy while it runs, and finishes the row after', async () => {
    const d = deps();
    let during: { rows: string[]; busy: boolean } | undefined;
    const outcome = await runJournaledAction(d, request(), async () => {
      during = { rows: actionRows(), busy: d.busyTargets.has('worker:w') };
      return failed;
    });
    expect(outcome).toEqual(failed);
    expect(during).toEqual({ rows: ['step 2 attempt 2: restart_worker w: running'], busy: true });
    expect(d.busyTargets.size).toBe(0);
    expect(actionRows()).toEqual(['step 2 attempt 2: restart_worker w: failed in 7 ms (restart_worker w: exited with code 1)']);
    await new Promise((resolve) => setImmediate(resolve)); // pino writes to the stream asynchronously
    expect(logLines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'rule leak: step 2 attempt 2: restart_worker w'],
      [50, 'rule leak: restart_worker w: exited with code 1'],
    ]);
  });

  it('once medic is stopping, returns null and leaves the row for the next start to mark interrupted', async () => {
    let stopping = false;
    const d = deps(() => stopping);
    const outcome = await runJournaledAction(d, request(), async () => {
      stopping = true; // shutdown kills the action, which then ends as failed
      return failed;
    });
    expect(outcome).toBeNull();
    expect(d.busyTargets.size).toBe(0);
    expect(actionRows()).toEqual(['step 2 attempt 2: restart_worker w: running']);
    expect(journal.markInterrupted(3000)).toMatchObject({ actions: 1 });
    expect(actionRows()).toEqual(['step 2 attempt 2: restart_worker w: interrupted in 2000 ms (medic stopped while this action ran)']);
  });

  it('a throw from the run leaves the row running, frees the target and reaches the caller', async () => {
    const d = deps();
    await expect(runJournaledAction(d, request(), () => Promise.reject(new Error('bug')))).rejects.toThrow('bug');
    expect(d.busyTargets.size).toBe(0);
    expect(actionRows()).toEqual(['step 2 attempt 2: restart_worker w: running']);
  });
});
