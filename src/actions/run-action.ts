// The one entry point the daemon calls to carry out an ActionSpec. New action types are added
// here. Always resolves to an outcome: a bug in an action becomes status 'internal-error'
// rather than an exception in the daemon's tick.
import type { ActionOutcome, ActionSpec, WorkerSpec } from '../core/types.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { describeHealingAction } from './describe-healing.js';
import { execAction } from './exec.js';
import type { HealingDeps } from './healing-deps.js';
import { runHealingAction } from './run-healing.js';
import { restartWorker } from './restart-worker.js';

export interface ActionContext {
  workers: ReadonlyMap<string, WorkerSpec>;
  supervisor: Supervisor;
  /** Program used to restart systemd workers. Defaults to 'systemctl'. */
  systemctl?: string;
  /** The rule acting, for throttle and scale (what they did is undone per rule). */
  rule?: string;
  /** The daemon's throttle and scale books; without them those actions refuse. */
  healing?: HealingDeps;
  /** Healing actions only: report what would be done, change nothing. */
  dryRun?: boolean;
}

export async function runAction(action: ActionSpec, context: ActionContext): Promise<ActionOutcome> {
  const started = Date.now();
  try {
    switch (action.type) {
      case 'restart_worker': {
        const spec = context.workers.get(action.worker);
        // An empty target set is an error, never "everything".
        if (!spec) return failure(action, 'no-target', `no worker named ${JSON.stringify(action.worker)}`);
        return await restartWorker(spec, context);
      }
      case 'exec':
        if (action.worker !== undefined && !context.workers.has(action.worker)) {
          return failure(action, 'no-target', `no worker named ${JSON.stringify(action.worker)}`);
        }
        return await execAction(action);
      case 'clear_cache':
      case 'archive_files':
      case 'throttle':
      case 'scale_out':
      case 'scale_in':
        return await runHealingAction(action, context, (status, why) => failure(action, status, why));
      default:
        return failure(action, 'unsupported', 'unknown action type');
    }
  } catch (error) {
    return { ...failure(action, 'internal-error', (error as Error).message), durationMs: Date.now() - started };
  }
}

// `restart_worker demo`, `exec /usr/local/bin/drop-caches --all`: for logs and the journal.
export function describeAction(action: ActionSpec): string {
  switch (action.type) {
    case 'restart_worker':
      return `restart_worker ${action.worker}`;
    case 'exec':
      return ['exec', ...action.argv.map(quoteArg)].join(' ');
    case 'clear_cache':
    case 'archive_files':
    case 'throttle':
    case 'scale_out':
    case 'scale_in':
      return describeHealingAction(action, quoteArg);
    default:
      return `unknown action ${JSON.stringify((action as { type?: unknown }).type)}`;
  }
}

/** Plain words as they are; anything else JSON-quoted, so spaces and newlines stay visible. */
function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg);
}

function failure(action: ActionSpec, status: string, why: string): ActionOutcome {
  return { ok: false, status, timedOut: false, exitCode: null, signal: null, durationMs: 0, message: `${describeAction(action)}: ${why}`, outputTail: '' };
}
