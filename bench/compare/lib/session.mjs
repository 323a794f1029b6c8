// One run of one tool: a fresh folder, the tool started on its generated config, the measurement,
// then the tool stopped and every worker process it started gone (reaped), whatever happened.
// An interrupted harness (Ctrl-C) still stops what is running and unmounts what it mounted.
import { mkdirSync } from 'node:fs';
import { startMedic } from './tools/medic.mjs';
import { startMonit } from './tools/monit.mjs';
import { killWorkers } from './workers.mjs';

const cleanups = new Set();

/** Runs `cleanup` if the harness is interrupted before the returned function is called. */
export function cleanUpOnInterrupt(cleanup) {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    console.error(`\nbench/compare: ${signal}: stopping the tools and workers still running`);
    for (const cleanup of [...cleanups].reverse()) await Promise.resolve().then(cleanup).catch(() => {});
    process.exit(130);
  });
}

/**
 * `config` is { medicYaml, medicEnv, monitServices, monitIntervalS }; `workers` are the workers
 * the config starts; `measure(handle)` does the run and returns its numbers.
 */
export async function runWithTool(tool, dir, config, workers, measure) {
  mkdirSync(dir, { recursive: true });
  const handle = tool === 'medic'
    ? await startMedic(dir, config.medicYaml, config.medicEnv)
    : await startMonit(dir, config.monitServices, { intervalS: config.monitIntervalS ?? 1 });
  const stop = async () => {
    if (tool === 'medic') await handle.stop();
    else await handle.stop(() => killWorkers(workers));
    killWorkers(workers);
  };
  const forget = cleanUpOnInterrupt(stop);
  try {
    return await measure(handle);
  } finally {
    forget();
    await stop();
  }
}
