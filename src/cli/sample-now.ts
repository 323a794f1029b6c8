// One sample of every source this config names (host, workers, GPU, queues), without a daemon:
// what `medic metrics` shows and what `medic diagnose` evaluates when no daemon answers.
import type { Config, Snapshot } from '../core/types.js';
import { probeWorkers } from '../daemon/worker-probes.js';
import { readPidFile } from '../supervisor/pid-file.js';
import { diskPathsOf, MountCache } from '../samplers/disk-paths.js';
import { sampleEverySourceOnce } from '../samplers/sampling-scheduler.js';

export function sampleNow(config: Config, stateDir: string): Promise<Snapshot> {
  return sampleEverySourceOnce({
    config,
    host: {
      diskPaths: () => diskPathsOf(config.rules, new MountCache().list()),
      // Managed workers belong to a daemon that may run elsewhere: their pid files say where they are.
      workerProbes: () => probeWorkers(config.workers.values(), { readManagedPid: (name) => readPidFile(stateDir, name) }),
    },
  });
}
