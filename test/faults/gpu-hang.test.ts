// Fault: nvidia-smi hangs (a GPU that fell off the bus can hang it in the kernel). The GPU is
// sampled in the background under a timeout, so medic's loop never waits for it: a crashed
// worker is restarted as fast as ever, nvidia.healthy turns 0, at most one nvidia-smi is alive
// at a time (no pile-up), and none is left once medic stops.
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, queryJournal } from '../helpers/medic-process.js';
import { BIN, WORKERS, createFaultBed, createMarker, findPids, useFaultBeds } from './support.js';

useFaultBeds();

describe('a hung nvidia-smi', () => {
  it('never stalls the loop: a crashed worker is back within a tick or two, one nvidia-smi at a time, none left after', async () => {
    const marker = createMarker('gpu');
    const bed = createFaultBed((dir) => {
      // A link of the fake nvidia-smi in this test's folder: its command line names the folder.
      mkdirSync(path.join(dir, 'bin'));
      symlinkSync(path.join(BIN, 'nvidia-smi'), path.join(dir, 'bin', 'nvidia-smi'));
      return `settings:
  interval: 200ms
  sampling: { gpu: { interval: 300ms, timeout: 1s, enabled: true, command: ${path.join(dir, 'bin', 'nvidia-smi')} } }
workers:
  w:
    start: [node, ${path.join(WORKERS, 'steady.mjs')}, ${marker}]
    restart_policy: { verify: 300ms, backoff: { initial: 100ms, max: 200ms, reset_after: 500ms } }
rules:
  - name: gpu-lost
    when: nvidia.healthy == 0
    do: [exec: [/bin/true]]
`;
    });
    const smi = path.join(bed.dir, 'bin', 'nvidia-smi');
    const medic = bed.start({ NVIDIA_SMI_HANG: '1' });
    await medic.waitForLog((line) => line.msg.startsWith('steady: up'));
    await eventually(() => (findPids(smi).length > 0 ? true : undefined), 'nvidia-smi to be running (and hanging)');

    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, findPids(smi).length)), 25);
    try {
      const [pid] = findPids(marker);
      const killedAt = Date.now();
      process.kill(pid!, 'SIGKILL');
      await eventually(() => findPids(marker).find((other) => other !== pid), 'the worker to be restarted', 10_000, 10);
      expect(Date.now() - killedAt).toBeLessThan(1500);
      await eventually(() => queryJournal(bed.stateDir, `SELECT id FROM incidents WHERE rule = 'gpu-lost'`)[0], 'nvidia.healthy to turn 0', 10_000);
      // Several timeouts have passed by now: each hung nvidia-smi was killed before the next.
      await eventually(() => (Date.now() - killedAt > 2500 ? true : undefined), 'a few GPU intervals');
    } finally {
      clearInterval(watch);
    }
    expect(most).toBe(1);
    await medic.stop();
    await eventually(() => (findPids(smi).length === 0 ? true : undefined), 'no nvidia-smi left after medic stopped', 3000);
  });
});
