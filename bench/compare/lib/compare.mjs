// The harness: runs the chosen scenarios for medic and (when present) Monit, then the fault suite,
// and writes the report. `runComparison()` is what bench/run.mjs calls.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crash from '../scenarios/crash.mjs';
import diagnose from '../scenarios/diagnose.mjs';
import disk from '../scenarios/disk.mjs';
import hang from '../scenarios/hang.mjs';
import leak from '../scenarios/leak.mjs';
import overhead from '../scenarios/overhead.mjs';
import storm from '../scenarios/storm.mjs';
import { runFaultSuite } from './faults.mjs';
import { describeMachine, readLoad } from './machine.mjs';
import { MEDIC_CLI, REPO } from './paths.mjs';
import { renderReport } from './report.mjs';
import { readSettings } from './settings.mjs';
import { describeMedic } from './tools/medic.mjs';
import { describeMonit } from './tools/monit.mjs';

const SCENARIOS = { crash, leak, hang, disk, storm, overhead, diagnose };

/** Runs the comparison and writes the report; resolves to { out, sections, faults }. */
export async function runComparison({ env = process.env, argv = [], log = console.log } = {}) {
  const settings = readSettings(env, argv);
  const medic = describeMedic();
  if (medic.missing) throw new Error(medic.missing);
  const monit = describeMonit({ install: settings.installMonit, log });
  if (monit.missing) log(`Monit's side is skipped: ${monit.missing}`);
  const tools = monit.missing ? ['medic'] : ['medic', 'monit'];
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'medic-bench-'));
  const run = { settings, machine: describeMachine(), medic, monit, medicCli: path.relative(REPO, MEDIC_CLI) || MEDIC_CLI, startedAt: Date.now(), loadBefore: readLoad(), sections: [] };
  const previous = {};
  try {
    for (const id of settings.scenarios) {
      const scenario = SCENARIOS[id];
      log(`== ${scenario.title}`);
      const t0 = Date.now();
      const load = { before: readLoad() };
      try {
        const result = await scenario.run({ settings, tools, scratch, log, previous });
        previous[id] = result;
        run.sections.push({ scenario, result, seconds: (Date.now() - t0) / 1000, load: { ...load, after: readLoad() } });
      } catch (error) {
        log(`scenario ${id} failed: ${error.stack ?? error}`);
        run.sections.push({ scenario, error: error.message.split('\n')[0], seconds: (Date.now() - t0) / 1000, load: { ...load, after: readLoad() } });
      }
    }
  } finally {
    if (settings.keep) log(`configs and logs kept in ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
  run.faults = settings.faults ? runFaultSuite(log) : null;
  run.finishedAt = Date.now();
  run.loadAfter = readLoad();
  writeFileSync(settings.out, renderReport(run));
  log(`wrote ${settings.out}`);
  return { out: settings.out, sections: run.sections, faults: run.faults };
}
