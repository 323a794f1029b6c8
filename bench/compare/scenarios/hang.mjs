// Scenario 3: the worker stops its heartbeat but stays alive; "heartbeat older than 2 s → restart".
// From the last heartbeat to the old process gone and the new one started. The threshold itself
// is 2 s, so "past the threshold" is what a tool adds on top of it.
import { waitForDeath, measureComeback } from '../lib/measure.mjs';
import { runWithTool } from '../lib/session.mjs';
import { medicWorkerYaml } from '../lib/tools/medic.mjs';
import { monitProcessCheck } from '../lib/tools/monit.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';
import { defineWorker, readHeartbeat, readStarts, readyPid } from '../lib/workers.mjs';
import { pick, POLICY, runAlternating } from './common.mjs';

const STALE_MS = 2000;

export default {
  id: 'hang',
  title: '3. Hang: heartbeat older than 2 s → restart',
  setup: [
    'Worker: `hangs.mjs`, heartbeat every 200 ms for 2–3 s (random), then none while it stays alive.',
    'medic: `heartbeat: { file, stale_after: 2s }` and `when: worker.w.heartbeat_age > 2s and worker.w.up == 1` → `restart_worker: w`,',
    '`interval: 1s`. Monit: `check file … if timestamp > 2 seconds then restart` whose start/stop programs',
    'restart the worker, `set daemon 1`. "Past the threshold" is the time from last heartbeat minus the 2 s.',
  ],
  async run(ctx) {
    const results = await runAlternating(ctx, 'hang', measureHang);
    const past = (field) => Object.fromEntries(Object.entries(pick(results, field)).map(([tool, values]) => [tool, values.map((v) => (v === null ? null : v - STALE_MS))]));
    return {
      measures: [
        { label: 'threshold (last heartbeat + 2 s) → action (old process stopped)', unit: 'ms', values: past('stoppedMs'), goal: 'action' },
        { label: 'last heartbeat → new process started', unit: 'ms', values: pick(results, 'startedMs') },
        { label: 'last heartbeat → heartbeat again', unit: 'ms', values: pick(results, 'heartbeatMs') },
      ],
    };
  },
};

async function measureHang(tool, dir) {
  const w = defineWorker(dir, 'w', 'hangs.mjs', { HEARTBEAT_MS: 200, HANG_AFTER_MS: Math.round(2000 + Math.random() * 1000) });
  const config = {
    medicYaml: [
      'settings: { interval: 1s }',
      'workers:',
      medicWorkerYaml(w, { restartPolicy: POLICY, heartbeatStaleAfter: '2s' }),
      'rules:',
      '  - name: hung',
      '    when: worker.w.heartbeat_age > 2s and worker.w.up == 1',
      '    do: [restart_worker: w]',
      '    verify: 2s',
      '',
    ].join('\n'),
    monitServices: [
      monitProcessCheck(w),
      `check file ${w.name}_heartbeat with path ${w.heartbeatFile}`,
      `  start program = "/bin/bash ${w.bgScript}"`,
      `  stop program = "/bin/bash ${w.stopScript}"`,
      `  if timestamp > ${STALE_MS / 1000} seconds then restart`,
    ].join('\n'),
  };
  return runWithTool(tool, dir, config, [w], async (handle) => {
    const pid = await waitFor(() => readyPid(w), 'the worker to be up', { timeoutMs: 30_000 });
    // The last heartbeat is the newest one written before the process died; polled every 20 ms,
    // against beats 200 ms apart, none is missed.
    let lastBeat = 0;
    const watching = (async () => {
      while (readStarts(w).every((s) => s.pid === pid)) {
        const beat = readHeartbeat(w);
        if (beat !== null && beat > lastBeat && isFromOld(w, pid, beat)) lastBeat = beat;
        await sleep(20);
      }
    })();
    const diedAt = await waitForDeath(pid, 60_000);
    await Promise.race([watching, sleep(30_000)]);
    const back = await measureComeback(w, pid, lastBeat, 30_000);
    handle.assertRunning();
    return { stoppedMs: diedAt === undefined ? null : diedAt - lastBeat, startedMs: back.startedMs, heartbeatMs: back.heartbeatMs };
  });
}

/** A heartbeat value from the old process: older than any later start. */
function isFromOld(worker, oldPid, beat) {
  return readStarts(worker).every((s) => s.pid === oldPid || beat < s.atMs);
}
