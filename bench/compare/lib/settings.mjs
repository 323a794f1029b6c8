// The harness's knobs, all from the environment, with the defaults the issue asks for.
import path from 'node:path';
import { REPO } from './paths.mjs';

export const SCENARIO_IDS = ['crash', 'leak', 'hang', 'disk', 'storm', 'overhead', 'diagnose'];

/**
 * BENCH_RUNS            runs per scenario (default 5)
 * BENCH_SECONDS         overhead measurement per configuration, in s (default 60)
 * BENCH_STORM_SECONDS   length of the restart storm, in s (default 60)
 * BENCH_WORKERS         worker counts for the overhead scenario (default "1,50")
 * BENCH_INTERVALS       sampling intervals for the overhead scenario, in s (default "1,5")
 * BENCH_SCENARIOS       comma-separated subset of SCENARIO_IDS (default: all; argv works too)
 * BENCH_OUT             where the report goes (default BENCHMARKS.md at the repository root)
 * BENCH_INSTALL_MONIT   "1": apt-get install monit when it is missing (needs root and a mirror)
 * BENCH_FAULTS          "0": leave the fault suite's table out (it runs vitest on test/faults)
 * BENCH_KEEP            "1": keep the scratch folder (configs, logs) for a post-mortem
 */
export function readSettings(env = process.env, argv = []) {
  const picked = argv.length > 0 ? argv : listOf(env.BENCH_SCENARIOS);
  const unknown = picked.filter((id) => !SCENARIO_IDS.includes(id));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIO_IDS.join(', ')}`);
  return {
    runs: positive(env.BENCH_RUNS, 5, 'BENCH_RUNS'),
    overheadSeconds: positive(env.BENCH_SECONDS, 60, 'BENCH_SECONDS'),
    stormSeconds: positive(env.BENCH_STORM_SECONDS, 60, 'BENCH_STORM_SECONDS'),
    overheadWorkers: listOf(env.BENCH_WORKERS ?? '1,50').map((n) => positive(n, 1, 'BENCH_WORKERS')),
    overheadIntervalsS: listOf(env.BENCH_INTERVALS ?? '1,5').map((n) => positive(n, 1, 'BENCH_INTERVALS')),
    scenarios: picked.length > 0 ? SCENARIO_IDS.filter((id) => picked.includes(id)) : SCENARIO_IDS,
    out: path.resolve(REPO, env.BENCH_OUT ?? 'BENCHMARKS.md'),
    installMonit: env.BENCH_INSTALL_MONIT === '1',
    faults: env.BENCH_FAULTS !== '0',
    keep: env.BENCH_KEEP === '1',
  };
}

function listOf(text) {
  return (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function positive(text, fallback, name) {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(text)}`);
  return value;
}
