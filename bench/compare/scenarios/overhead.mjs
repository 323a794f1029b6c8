// Scenario 6: what the supervisor itself costs. CPU seconds (its own and its reaped children's)
// and resident memory over BENCH_SECONDS, at each interval, watching 1 and 50 healthy workers with
// a rules set like the bundled one: crash restart, RSS limit, stale heartbeat, host memory.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { readCpuSeconds, readMemory } from '../lib/proc.mjs';
import { runWithTool } from '../lib/session.mjs';
import { medicWorkerYaml } from '../lib/tools/medic.mjs';
import { monitProcessCheck } from '../lib/tools/monit.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';
import { defineWorker, readyPid } from '../lib/workers.mjs';
import { POLICY } from './common.mjs';

const WARMUP_MS = 5000;
const WINDOWS = 6;
const MiB = 2 ** 20;

export default {
  id: 'overhead',
  title: '6. Overhead: the supervisor\'s own CPU and memory',
  setup: [
    'Workers: `steady.mjs`. Per worker, medic: a `start:` worker with a heartbeat (`stale_after: 10s`), the crash',
    'restart policy, `rss > 200MiB → restart`, `heartbeat_age > 10s and up == 1 → restart`; plus `memory.used_pct > 95%`.',
    'Monit: per worker `check process` (`totalmem > 200 MB → restart`) and `check file` (`timestamp > 10 seconds →',
    'restart`); plus `check system` (`memory usage > 95%`). After all workers are up and 5 s of warm-up, CPU time',
    '(utime+stime of the daemon and its reaped children, from /proc) over the window, in windows of a sixth; RSS every second.',
  ],
  async run(ctx) {
    const measures = [];
    for (const intervalS of ctx.settings.overheadIntervalsS) {
      for (const workers of ctx.settings.overheadWorkers) {
        const results = {};
        for (const tool of ctx.tools) {
          const dir = path.join(ctx.scratch, 'overhead', `${tool}-${workers}w-${intervalS}s`);
          results[tool] = await measureOverhead(ctx, tool, dir, workers, intervalS);
          ctx.log(`  overhead ${tool} ${workers} worker(s) at ${intervalS} s: ${JSON.stringify(results[tool])}`);
        }
        const per = (field) => Object.fromEntries(Object.entries(results).map(([tool, r]) => [tool, r[field]]));
        const tag = `${workers} worker${workers === 1 ? '' : 's'}, ${intervalS} s interval`;
        measures.push(
          { label: `${tag}: CPU, % of one core (per window)`, unit: '%', values: per('cpuPct'), goal: 'cpu', intervalS, workers },
          { label: `${tag}: CPU seconds per hour`, unit: 's', values: per('cpuSecondsPerHour'), single: true, intervalS, workers },
          { label: `${tag}: RSS, MiB (sampled each second)`, unit: 'MiB', values: per('rssMiB'), goal: 'rss' },
        );
      }
    }
    return { measures };
  },
};

function buildConfig(ws, intervalS) {
  const medicYaml = [
    `settings: { interval: ${intervalS}s }`,
    'workers:',
    ...ws.map((w) => medicWorkerYaml(w, { restartPolicy: POLICY, heartbeatStaleAfter: '10s' })),
    'rules:',
    ...ws.flatMap((w) => [
      `  - { name: ${w.name}-leak, when: "worker.${w.name}.rss > 200MiB", do: [restart_worker: ${w.name}] }`,
      `  - { name: ${w.name}-hung, when: "worker.${w.name}.heartbeat_age > 10s and worker.${w.name}.up == 1", do: [restart_worker: ${w.name}] }`,
    ]),
    '  - { name: memory-pressure, when: "memory.used_pct > 95%", do: [exec: [/bin/true]], severity: warning }',
    '',
  ].join('\n');
  const monitServices = [
    'check system bench',
    '  if memory usage > 95% then exec "/bin/true"',
    ...ws.flatMap((w) => [
      monitProcessCheck(w, ['if totalmem > 200 MB then restart']),
      `check file ${w.name}_heartbeat with path ${w.heartbeatFile}`,
      `  start program = "/bin/bash ${w.bgScript}"`,
      `  stop program = "/bin/bash ${w.stopScript}"`,
      '  if timestamp > 10 seconds then restart',
    ]),
  ].join('\n');
  return { medicYaml, monitServices, monitIntervalS: intervalS };
}

async function measureOverhead(ctx, tool, dir, workers, intervalS) {
  mkdirSync(dir, { recursive: true });
  const ws = Array.from({ length: workers }, (_, i) => defineWorker(dir, `w${i + 1}`, 'steady.mjs'));
  return runWithTool(tool, dir, buildConfig(ws, intervalS), ws, async (handle) => {
    await waitFor(() => (ws.every((w) => readyPid(w) !== undefined) ? true : undefined), `all ${workers} workers to be up`, { timeoutMs: 180_000, everyMs: 100 });
    await sleep(WARMUP_MS);
    const totalMs = ctx.settings.overheadSeconds * 1000;
    const windowMs = totalMs / WINDOWS;
    const cpuPct = [];
    const rssMiB = [];
    const t0 = performance.now();
    const cpu0 = readCpuSeconds(handle.pid);
    let last = { at: t0, cpu: cpu0 };
    for (let w = 1; w <= WINDOWS; w++) {
      while (performance.now() < t0 + w * windowMs) {
        await sleep(Math.min(1000, t0 + w * windowMs - performance.now()));
        const memory = readMemory(handle.pid);
        if (memory) rssMiB.push(memory.rssBytes / MiB);
      }
      handle.assertRunning();
      const now = { at: performance.now(), cpu: readCpuSeconds(handle.pid) };
      cpuPct.push(((now.cpu - last.cpu) / ((now.at - last.at) / 1000)) * 100);
      last = now;
    }
    const cpuSeconds = last.cpu - cpu0;
    return { cpuPct, cpuSecondsPerHour: (cpuSeconds / ((last.at - t0) / 1000)) * 3600, rssMiB, peakMiB: readMemory(handle.pid).peakBytes / MiB };
  });
}
