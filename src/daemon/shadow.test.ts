import { describe, expect, it } from 'vitest';
import type { ActionOutcome, ActionSpec } from '../core/types.js';
import { runDry } from './shadow.js';

const predicted: ActionOutcome = { ok: false, status: 'target-not-reached', timedOut: false, exitCode: null, signal: null, durationMs: 3, message: 'clear_cache /c (dry run): would delete 2 files, 10 KiB; target not reached', outputTail: '', details: { filesDeleted: 2, bytesFreed: 10_240 } };

describe('runDry', () => {
  it.each<ActionSpec>([
    { type: 'restart_worker', worker: 'w' },
    { type: 'exec', argv: ['/bin/rm', '-rf', '/data'], timeoutMs: 1000 },
  ])('$type has no safe dry form: described only, its dry form never called', async (action) => {
    let called = false;
    const outcome = await runDry(action, 'the action', async () => ((called = true), predicted));
    expect(called).toBe(false);
    expect(outcome).toMatchObject({ ok: true, status: 'dry-run', message: 'dry run: would have run the action; not executed' });
  });

  it('an action with a dry form: its prediction under status dry-run, with its numbers and its own status', async () => {
    const outcome = await runDry({ type: 'clear_cache', dir: '/c', targetSizeBytes: 1, timeoutMs: 1000 }, 'clear_cache /c (keep under 1B)', async () => predicted);
    expect(outcome).toMatchObject({ ok: false, status: 'dry-run', durationMs: 3, details: { filesDeleted: 2, bytesFreed: 10_240, dryRun: true, wouldStatus: 'target-not-reached' } });
    expect(outcome.message).toBe(`dry run: would have run clear_cache /c (keep under 1B): ${predicted.message}`);
  });
});
