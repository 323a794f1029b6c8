// exec: runs an operator-written command (argv, never a shell) under a tree-killing timeout.
import type { ActionOutcome, ActionSpec } from '../core/types.js';
import { runCommand } from './run-command.js';

export type ExecActionSpec = Extract<ActionSpec, { type: 'exec' }>;

// `exec timed out after 30000 ms; killed with SIGKILL`. A targeted exec gets MEDIC_WORKER=<name>.
export function execAction(action: ExecActionSpec): Promise<ActionOutcome> {
  return runCommand(action.argv, {
    timeoutMs: action.timeoutMs,
    name: 'exec',
    ...(action.worker !== undefined ? { env: { MEDIC_WORKER: action.worker } } : {}),
  });
}
