// What bench/run.mjs imports: `await runComparison()` runs every scenario and writes BENCHMARKS.md.
export { runComparison } from './lib/compare.mjs';
export { SCENARIO_IDS } from './lib/settings.mjs';
