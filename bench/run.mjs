// `npm run bench`: runs every scenario in bench/scenarios/ (or those named on the command line:
// `node bench/run.mjs sampling-cost`) and prints each one's table, as Markdown, with its notes.
// Every number is measured by the scenario; none is typed.
//
// A scenario is a module exporting `name`, `title` and `async run({ log })`, which resolves to
// `{ title, columns: string[], rows: Array<Record<column, string | number>>, notes: string[] }`.
import { readdirSync } from 'node:fs';
import { arch, cpus, release } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { renderResult } from './lib/table.mjs';

const SCENARIOS = fileURLToPath(new URL('./scenarios/', import.meta.url));

async function main(names) {
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.mjs')).sort();
  const scenarios = await Promise.all(files.map((f) => import(pathToFileURL(join(SCENARIOS, f)).href)));
  const chosen = names.length ? scenarios.filter((s) => names.includes(s.name)) : scenarios;
  const missing = names.filter((n) => !scenarios.some((s) => s.name === n));
  if (missing.length) throw new Error(`no scenario named ${missing.join(', ')}; there are: ${scenarios.map((s) => s.name).join(', ')}`);
  const cpu = cpus();
  console.log(`medic bench on ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, Linux ${release()} ${arch()}, Node ${process.version}\n`);
  let failed = 0;
  for (const scenario of chosen) {
    const log = (line) => process.stderr.write(`[${scenario.name}] ${line}\n`);
    try {
      const result = await scenario.run({ log });
      console.log(renderResult(result));
    } catch (error) {
      failed++;
      console.log(`## ${scenario.title ?? scenario.name}\n\nFAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
