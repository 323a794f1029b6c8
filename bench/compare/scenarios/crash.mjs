// Scenario 1: a worker is killed with SIGKILL. From the kill to a new process, and to its first
// heartbeat. medic hears its child's exit at once; Monit finds the pid gone on its next cycle.
import { readFileSync } from 'node:fs';
import { measureComeback } from '../lib/measure.mjs';
import { runWithTool } from '../lib/session.mjs';
import { medicWorkerYaml } from '../lib/tools/medic.mjs';
import { monitProcessCheck } from '../lib/tools/monit.mjs';
import { waitFor } from '../lib/wait.mjs';
import { defineWorker, readyPid } from '../lib/workers.mjs';
import { pick, POLICY, runAlternating, settle } from './common.mjs';

export default {
  id: 'crash',
  title: '1. Crash: SIGKILL of a worker',
  setup: [
    'Worker: `steady.mjs` (heartbeat every 200 ms). medic: a `start:` worker (its own child) with',
    `\`restart_policy: ${POLICY}\`, \`interval: 1s\`. Monit: \`set daemon 1\`, \`check process\` with a`,
    'pid file and start/stop programs. The kill lands 1.5 s after the worker is up plus a random',
    'part of one cycle; times are from the kill to the new process\'s launcher and to its first heartbeat.',
  ],
  async run(ctx) {
    const results = await runAlternating(ctx, 'crash', measureCrash);
    return {
      measures: [
        { label: 'kill → new process started', unit: 'ms', values: pick(results, 'startedMs') },
        { label: 'kill → heartbeat again', unit: 'ms', values: pick(results, 'heartbeatMs') },
      ],
    };
  },
};

/** One kill and comeback; also used by the storm scenario's healthy worker. */
export async function killAndMeasure(worker, handle, timeoutMs = 60_000) {
  const pid = await waitFor(() => readyPid(worker), `worker ${worker.name} to be up`, { timeoutMs: 30_000 });
  handle.assertRunning();
  const killAt = Date.now();
  process.kill(pid, 'SIGKILL');
  return measureComeback(worker, pid, killAt, timeoutMs);
}

async function measureCrash(tool, dir) {
  const w = defineWorker(dir, 'w', 'steady.mjs');
  const config = {
    medicYaml: `settings: { interval: 1s }\nworkers:\n${medicWorkerYaml(w, { restartPolicy: POLICY })}\n`,
    monitServices: monitProcessCheck(w),
  };
  return runWithTool(tool, dir, config, [w], async (handle) => {
    await waitFor(() => readyPid(w), 'the worker to be up', { timeoutMs: 30_000 });
    await settle();
    const { startedMs, heartbeatMs } = await killAndMeasure(w, handle);
    if (startedMs === null) warnNoRestart(handle);
    return { startedMs, heartbeatMs };
  });
}

function warnNoRestart(handle) {
  process.stderr.write(`crash: ${handle.tool} did not restart the worker within 60 s; log tail:\n${readFileSync(handle.logFile, 'utf8').slice(-1500)}\n`);
}
