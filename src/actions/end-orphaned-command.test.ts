import { afterEach, describe, expect, it } from 'vitest';
import { listLiveGroupMembers, signalGroup, waitUntil } from '../os/process-group.js';
import { startInGroup, type GroupProcess } from '../os/run-in-group.js';
import { runAsAction } from './command-owner.js';
import { endOrphanedCommand } from './end-orphaned-command.js';
import { runCommand } from './run-command.js';

const BIN = new URL('../../test/fixtures/bin/', import.meta.url).pathname;
const started: GroupProcess[] = [];

afterEach(async () => {
  for (const group of started.splice(0)) {
    if (group.pid !== undefined && listLiveGroupMembers(group.pid).length > 0) signalGroup(group.pid, 'SIGKILL');
    await group.result;
  }
});

/** A command as an action would have left it: its own group, MEDIC_ACTION_ID in its environment, a child. */
async function startOrphan(script: string, actionId: number): Promise<number> {
  const group = startInGroup([`${BIN}${script}`], { timeoutMs: 60_000, env: { MEDIC_ACTION_ID: String(actionId) } });
  started.push(group);
  const pid = group.pid!;
  // Leader and its `sleep` child both up: the script has exec'd with its own environment.
  expect(await waitUntil(() => listLiveGroupMembers(pid).length >= 2, 5000)).toBe(true);
  return pid;
}

describe('runCommand inside an action', () => {
  it('gives the command MEDIC_ACTION_ID and reports its pid; outside an action neither', async () => {
    const argv = ['node', '-e', 'console.log(`id=${process.env.MEDIC_ACTION_ID ?? "none"}`)'];
    const spawned: number[] = [];
    const inside = await runAsAction({ actionId: 42, onSpawn: (pgid) => spawned.push(pgid) }, () => runCommand(argv, { timeoutMs: 10_000 }));
    expect(inside.outputTail.trim()).toBe('id=42');
    expect(spawned).toHaveLength(1);
    expect(spawned[0]).toBeGreaterThan(1);
    const outside = await runCommand(argv, { timeoutMs: 10_000 });
    expect(outside.outputTail.trim()).toBe('id=none');
  });
});

describe('endOrphanedCommand', () => {
  it('leaves a group alone whose members carry another action id (a reused pgid)', async () => {
    const pid = await startOrphan('forever.sh', 7);
    expect(await endOrphanedCommand(pid, 8)).toBeNull();
    expect(listLiveGroupMembers(pid).length).toBeGreaterThanOrEqual(2);
  });

  it('ends the marked group with SIGTERM when that is enough', async () => {
    const pid = await startOrphan('forever.sh', 7);
    expect(await endOrphanedCommand(pid, 7)).toBe('SIGTERM');
    expect(listLiveGroupMembers(pid)).toEqual([]);
  });

  it('sends SIGKILL after the grace to a group that ignores SIGTERM', async () => {
    const pid = await startOrphan('ignores-sigterm.sh', 9);
    expect(await endOrphanedCommand(pid, 9, { graceMs: 200 })).toBe('SIGKILL');
    expect(listLiveGroupMembers(pid)).toEqual([]);
  });

  it('does nothing for a group that is gone, or for pids medic never signals', async () => {
    const pid = await startOrphan('forever.sh', 5);
    signalGroup(pid, 'SIGKILL');
    await started.at(-1)!.result;
    expect(await endOrphanedCommand(pid, 5)).toBeNull();
    expect(await endOrphanedCommand(1, 5)).toBeNull();
    expect(await endOrphanedCommand(process.pid, 5)).toBeNull();
  });
});
