// Scenario 5: a worker that exits at every start, for BENCH_STORM_SECONDS. How often each tool
// restarts it, how the restarts spread out, how many pages; and meanwhile a healthy worker is
// SIGKILLed again and again: how long until it is back, next to scenario 1's numbers.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startPageServer } from '../lib/page-server.mjs';
import { REPO } from '../lib/paths.mjs';
import { runWithTool } from '../lib/session.mjs';
import { medicWorkerYaml } from '../lib/tools/medic.mjs';
import { monitProcessCheck } from '../lib/tools/monit.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';
import { defineWorker, readStarts, readyPid } from '../lib/workers.mjs';
import { killAndMeasure } from './crash.mjs';
import { POLICY } from './common.mjs';

const PAGE = path.join(REPO, 'bench', 'compare', 'page.sh');
const FIRST_KILL_S = 8;
// Longer than medic's verify (2 s) + reset_after (5 s) + a tick: each kill finds the healthy
// worker's rule with its backoff reset, as in scenario 1. At most 4 kills stay inside its budget.
const PAUSE_MS = 10_000;
const MAX_KILLS = 4;

export default {
  id: 'storm',
  title: '5. Restart storm, and a healthy worker killed meanwhile',
  setup: [
    'Worker `storm`: `crash-at-start.mjs` (exits 1 at once, every time). Worker `w`: `steady.mjs`.',
    `medic: both \`start:\` workers with \`restart_policy: ${POLICY}\` (5 restarts, then one page),`,
    'pages to a local Slack-like server (medic holds a page up to 30 s, its default `paging.group_window`, to group it',
    'with others). Monit: `check process` for both, with its default start timeout (30 s),',
    '`if 5 restarts within 600 cycles then exec page.sh` (the same budget: 5 per 10 min).',
    `\`w\` is SIGKILLed ${FIRST_KILL_S} s into the storm (or 1 s after it first came up, if later) and again ${PAUSE_MS / 1000} s after`,
    `each comeback, at most ${MAX_KILLS} times, while the storm lasts. Restarts and pages are counted inside the storm's window.`,
  ],
  async run(ctx) {
    const results = {};
    for (const tool of ctx.tools) results[tool] = await measureStorm(ctx, tool, path.join(ctx.scratch, 'storm', tool));
    const per = (field) => Object.fromEntries(Object.entries(results).map(([tool, r]) => [tool, r[field]]));
    const crash = ctx.previous.crash?.measures?.find((m) => m.label === 'kill → new process started');
    return {
      notes: Object.entries(results).map(([tool, r]) => `${tool}: storm restarts at ${r.startOffsetsS.map((s) => s.toFixed(1)).join(', ')} s after the first start${r.pageNote}.`),
      measures: [
        { label: `storm restarts in ${ctx.settings.stormSeconds} s`, unit: 'count', values: per('restarts'), single: true },
        { label: 'pages about the storm worker', unit: 'count', values: per('pages'), single: true },
        { label: 'healthy worker: kill → new process started, during the storm', unit: 'ms', values: per('startedMs') },
        ...(crash ? [{ label: 'the same without a storm (scenario 1)', unit: 'ms', values: crash.values }] : []),
        { label: 'healthy worker: kill → heartbeat again, during the storm', unit: 'ms', values: per('heartbeatMs') },
      ],
    };
  },
};

async function measureStorm(ctx, tool, dir) {
  mkdirSync(dir, { recursive: true });
  const storm = defineWorker(dir, 'storm', 'crash-at-start.mjs');
  const w = defineWorker(dir, 'w', 'steady.mjs');
  const pageLog = path.join(dir, 'pages.log');
  const server = await startPageServer();
  const config = {
    medicYaml: `settings: { interval: 1s }\nworkers:\n${medicWorkerYaml(storm, { restartPolicy: POLICY })}\n${medicWorkerYaml(w, { restartPolicy: POLICY })}\n`,
    medicEnv: { MEDIC_SLACK_WEBHOOK_URL: server.url },
    monitServices: [monitProcessCheck(storm, [`if 5 restarts within 600 cycles then exec "/bin/bash ${PAGE} ${pageLog} storm"`]), monitProcessCheck(w)].join('\n'),
  };
  try {
    const stormMs = ctx.settings.stormSeconds * 1000;
    let t0 = 0;
    const kills = await runWithTool(tool, dir, config, [storm, w], async (handle) => {
      t0 = Date.now();
      const samples = [];
      await waitFor(() => readyPid(w), 'the healthy worker to be up', { timeoutMs: stormMs + 60_000, everyMs: 20 });
      await sleep(Math.max(1000, t0 + FIRST_KILL_S * 1000 - Date.now()));
      while (samples.length < MAX_KILLS && Date.now() - t0 < stormMs - PAUSE_MS) {
        // Past the storm's end if need be: a tool that is blocked must be seen coming back.
        const sample = await killAndMeasure(w, handle, Math.max(stormMs - (Date.now() - t0), 40_000));
        samples.push(sample);
        ctx.log(`  storm ${tool}: healthy worker back in ${JSON.stringify(sample)}`);
        if (sample.heartbeatMs === null) break;
        await sleep(PAUSE_MS);
      }
      await sleep(Math.max(0, t0 + stormMs - Date.now()));
      return samples;
    });
    const inWindow = (at) => at <= t0 + stormMs;
    const starts = readStarts(storm).map((s) => s.atMs).filter(inWindow);
    const pages = tool === 'medic'
      ? server.pages.filter((page) => inWindow(page.at) && page.body.includes('storm')).length
      : countLines(pageLog, /storm/, inWindow);
    const alerts = tool === 'monit' ? countLines(path.join(dir, 'monit.log'), /error\s+: 'storm'/) : null;
    return {
      restarts: Math.max(0, starts.length - 1),
      startOffsetsS: starts.slice(1).map((at) => (at - starts[0]) / 1000),
      pages,
      pageNote: alerts === null ? '' : `; ${alerts} error events about it in Monit's log (each an e-mail with \`set alert\`)`,
      startedMs: kills.map((k) => k.startedMs),
      heartbeatMs: kills.map((k) => k.heartbeatMs),
    };
  } finally {
    await server.close();
  }
}

/** Lines matching `pattern`; with `inWindow`, only those whose first field (epoch µs) passes it. */
function countLines(file, pattern, inWindow) {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter((line) => pattern.test(line));
    return inWindow ? lines.filter((line) => inWindow(Number(line.split(' ')[0]) / 1000)).length : lines.length;
  } catch {
    return 0;
  }
}
