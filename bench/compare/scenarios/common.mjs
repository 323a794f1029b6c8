// What every scenario shares: the restart policy medic's workers get, the settle-then-random-phase
// pause before a fault (so faults land anywhere in a tool's cycle), and the run loop over tools.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { sleep } from '../lib/wait.mjs';

/**
 * medic's restart policy in the benchmark: a short verify and reset_after, so that a run's
 * incident is over before the next fault. Monit has no equivalent (it never backs off).
 */
export const POLICY = '{ verify: 2s, budget: 5 per 10m, backoff: { initial: 1s, max: 1m, reset_after: 5s } }';

/** After a worker is up: 1.5 s to settle, then a random part of one 1 s cycle. */
export function settle(cycleMs = 1000) {
  return sleep(1500 + Math.random() * cycleMs);
}

/**
 * Runs `once(tool, dir, i)` settings.runs times for each available tool, alternating tools so
 * that a change in the machine's load hits both. Returns { medic: [result...], monit: [...] }.
 */
export async function runAlternating(ctx, id, once, runs = ctx.settings.runs) {
  const results = Object.fromEntries(ctx.tools.map((tool) => [tool, []]));
  for (let i = 0; i < runs; i++) {
    for (const tool of ctx.tools) {
      const dir = path.join(ctx.scratch, id, `${tool}-${i + 1}`);
      mkdirSync(dir, { recursive: true });
      const result = await once(tool, dir, i);
      ctx.log(`  ${id} ${tool} run ${i + 1}/${runs}: ${JSON.stringify(result)}`);
      results[tool].push(result);
    }
  }
  return results;
}

/** Pulls one numeric field out of each run's result, per tool. */
export function pick(results, field) {
  return Object.fromEntries(Object.entries(results).map(([tool, rows]) => [tool, rows.map((row) => row[field])]));
}
