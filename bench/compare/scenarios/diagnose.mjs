// Scenario 7: how long an operator waits for an answer. `medic diagnose` with a daemon running
// (it reads the daemon's rule states from the journal) and without one; `monit status` (which
// asks the running daemon over its unix socket) for comparison.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { NODE } from '../lib/paths.mjs';
import { runWithTool } from '../lib/session.mjs';
import { medicArgv, medicWorkerYaml } from '../lib/tools/medic.mjs';
import { monitProcessCheck } from '../lib/tools/monit.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';
import { defineWorker, readyPid } from '../lib/workers.mjs';
import { POLICY } from './common.mjs';

export default {
  id: 'diagnose',
  title: '7. `medic diagnose` and `monit status` latency',
  setup: [
    'One `steady.mjs` worker with the leak and heartbeat rules of scenario 6, `interval: 1s`. Wall time from',
    'starting the command to its exit, each run BENCH_RUNS times. Without a daemon, `monit status` cannot answer.',
  ],
  async run(ctx) {
    const values = { with: {}, without: {} };
    for (const tool of ctx.tools) {
      const dir = path.join(ctx.scratch, 'diagnose', tool);
      mkdirSync(dir, { recursive: true });
      const w = defineWorker(dir, 'w', 'steady.mjs');
      const config = {
        medicYaml: [
          'settings: { interval: 1s }',
          'workers:',
          medicWorkerYaml(w, { restartPolicy: POLICY, heartbeatStaleAfter: '10s' }),
          'rules:',
          '  - { name: leak, when: "worker.w.rss > 200MiB", do: [restart_worker: w] }',
          '  - { name: hung, when: "worker.w.heartbeat_age > 10s and worker.w.up == 1", do: [restart_worker: w] }',
          '',
        ].join('\n'),
        monitServices: monitProcessCheck(w, ['if totalmem > 200 MB then restart']),
      };
      let medicPaths;
      values.with[tool] = await runWithTool(tool, dir, config, [w], async (handle) => {
        await waitFor(() => readyPid(w), 'the worker to be up', { timeoutMs: 30_000 });
        await sleep(2000);
        medicPaths = handle.stateDir ? { rules: handle.rulesDir, state: handle.stateDir } : undefined;
        return repeat(ctx.settings.runs, () => (tool === 'medic' ? timeDiagnose(medicPaths) : handle.status()));
      });
      values.without[tool] = tool === 'medic' ? await repeat(ctx.settings.runs, () => timeDiagnose(medicPaths)) : [];
    }
    return {
      notes: ['Without a daemon `monit status` exits at once with "no status available": there is nothing to compare.'],
      measures: [
        { label: 'with the daemon running', unit: 'ms', values: values.with },
        { label: 'without a daemon (medic samples the host itself)', unit: 'ms', values: values.without },
      ],
    };
  },
};

function timeDiagnose({ rules, state }) {
  const t0 = performance.now();
  const result = spawnSync(NODE, medicArgv('diagnose', '--rules', rules, '--state', state), { encoding: 'utf8' });
  if (result.status === null || result.status > 3) throw new Error(`medic diagnose failed (${result.status}): ${result.stderr}`);
  return { ms: performance.now() - t0 };
}

async function repeat(times, run) {
  const ms = [];
  for (let i = 0; i < times; i++) {
    ms.push(run().ms);
    await sleep(200);
  }
  return ms;
}
