// Dispatch for the healing actions (run-action.ts hands them here): file actions run on their
// own; throttle and scale go through the daemon's books so that they can be undone later.
import type { HealingActionSpec } from '../core/action-specs.js';
import type { ActionOutcome, WorkerSpec } from '../core/types.js';
import { runArchiveFiles, runClearCache } from './file-steps.js';
import type { HealingDeps } from './healing-deps.js';

export interface HealingRunContext {
  workers: ReadonlyMap<string, WorkerSpec>;
  /** The rule acting: throttles and scale-outs are remembered under its name. */
  rule?: string;
  healing?: HealingDeps;
  /** Work out and report what would be done; change nothing. */
  dryRun?: boolean;
}

export async function runHealingAction(action: HealingActionSpec, context: HealingRunContext, fail: (status: string, why: string) => ActionOutcome): Promise<ActionOutcome> {
  const dryRun = context.dryRun === true;
  if ('worker' in action && action.worker !== undefined && !context.workers.has(action.worker)) {
    return fail('no-target', `no worker named ${JSON.stringify(action.worker)}`);
  }
  switch (action.type) {
    case 'clear_cache':
      return runClearCache(action, { dryRun });
    case 'archive_files':
      return runArchiveFiles(action, { dryRun });
    case 'throttle': {
      if (!context.healing) return fail('unsupported', 'throttle needs the daemon (nothing would restore it)');
      return context.healing.throttles.apply(context.rule ?? '', action, context.workers.get(action.worker)!, context.healing.enact, { dryRun });
    }
    case 'scale_out':
    case 'scale_in': {
      if (!context.healing) return fail('unsupported', `${action.type} needs the daemon (nothing would scale it back)`);
      return context.healing.scaler.scale(context.rule ?? '', action, { workers: context.workers, replicas: context.healing.replicas }, { dryRun });
    }
  }
}
