#!/usr/bin/env node
// node bench/compare/run.mjs [scenario ...]: medic next to Monit on the same jobs, then the fault
// suite; writes BENCHMARKS.md. Knobs: bench/compare/lib/settings.mjs. Build first (npm run build).
import { runComparison } from './lib/compare.mjs';

try {
  await runComparison({ argv: process.argv.slice(2) });
} catch (error) {
  console.error(`bench/compare: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
