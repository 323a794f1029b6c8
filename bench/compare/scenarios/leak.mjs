// Scenario 2: a worker's RSS grows 20 MB/s past 200 MiB; the rule restarts it. From the moment
// it crossed (the worker writes the time to a file) to the old process gone and the new one started.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { waitForDeath, measureComeback } from '../lib/measure.mjs';
import { runWithTool } from '../lib/session.mjs';
import { medicWorkerYaml } from '../lib/tools/medic.mjs';
import { monitProcessCheck } from '../lib/tools/monit.mjs';
import { waitFor } from '../lib/wait.mjs';
import { defineWorker, readyPid } from '../lib/workers.mjs';
import { pick, POLICY, runAlternating } from './common.mjs';

const LIMIT_MIB = 200;

export default {
  id: 'leak',
  title: '2. Leak: RSS over 200 MiB → restart',
  setup: [
    `Worker: \`leaky.mjs\` growing 18–22 MB/s (random per run, so the crossing lands anywhere in a tool's cycle); it`,
    `writes the epoch ms at which its RSS first passed ${LIMIT_MIB} MiB.`,
    `medic: \`when: worker.w.rss > ${LIMIT_MIB}MiB\` → \`restart_worker: w\`, \`interval: 1s\`. Monit: \`if totalmem > ${LIMIT_MIB} MB then restart\``,
    '(Monit\'s MB is 1024²), `set daemon 1`. The restarted process does not leak (LEAK_ONCE_FILE).',
    '"Action" is the old process gone (both tools stop it with SIGTERM first).',
  ],
  async run(ctx) {
    const results = await runAlternating(ctx, 'leak', measureLeak);
    return {
      measures: [
        { label: 'crossed → action (old process stopped)', unit: 'ms', values: pick(results, 'stoppedMs'), goal: 'action' },
        { label: 'crossed → new process started', unit: 'ms', values: pick(results, 'startedMs') },
        { label: 'crossed → heartbeat again', unit: 'ms', values: pick(results, 'heartbeatMs') },
      ],
    };
  },
};

async function measureLeak(tool, dir) {
  const crossedFile = path.join(dir, 'crossed');
  const rate = (18 + Math.random() * 4).toFixed(2);
  const w = defineWorker(dir, 'w', 'leaky.mjs', { LEAK_MB_PER_S: rate, CROSS_MB: LIMIT_MIB, CROSSED_FILE: crossedFile, LEAK_ONCE_FILE: path.join(dir, 'leaked-once') });
  const config = {
    medicYaml: [
      'settings: { interval: 1s }',
      'workers:',
      medicWorkerYaml(w, { restartPolicy: POLICY }),
      'rules:',
      '  - name: leak',
      `    when: worker.w.rss > ${LIMIT_MIB}MiB`,
      '    do: [restart_worker: w]',
      '    verify: 2s',
      '',
    ].join('\n'),
    monitServices: monitProcessCheck(w, [`if totalmem > ${LIMIT_MIB} MB then restart`]),
  };
  return runWithTool(tool, dir, config, [w], async (handle) => {
    const pid = await waitFor(() => readyPid(w), 'the worker to be up', { timeoutMs: 30_000 });
    const crossedAt = await waitFor(() => readNumber(crossedFile), 'the worker to cross the limit', { timeoutMs: 60_000, everyMs: 20 });
    const diedAt = await waitForDeath(pid, 30_000);
    const back = await measureComeback(w, pid, crossedAt, 30_000);
    handle.assertRunning();
    return { stoppedMs: diedAt === undefined ? null : diedAt - crossedAt, startedMs: back.startedMs, heartbeatMs: back.heartbeatMs };
  });
}

function readNumber(file) {
  try {
    const value = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}
