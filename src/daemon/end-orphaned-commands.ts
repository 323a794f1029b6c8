// At start, after a kill -9: the commands of actions that were still running live on in their own
// process groups, with the timeout that would have ended them gone with the old medic. Each one
// whose group still carries its action's marker is ended (SIGTERM, SIGKILL after the grace), and
// the journal and the log say so once; a pgid now used by someone else is left alone.
import { endOrphanedCommand } from '../actions/end-orphaned-command.js';
import type { ActionProcess, Journal } from '../journal/journal.js';
import type { Logger } from './logger.js';

export interface EndOrphanedCommandsDeps {
  journal: Journal;
  log: Logger;
  now: () => number;
  /** Between SIGTERM and SIGKILL, in ms. Defaults to 3000. */
  graceMs?: number;
}

// `processes`: Journal.runningActionProcesses(), read before markInterrupted. Resolves to how many were ended.
export async function endOrphanedCommands(deps: EndOrphanedCommandsDeps, processes: readonly ActionProcess[]): Promise<number> {
  const ended = await Promise.all(processes.map((p) => endOne(deps, p)));
  return ended.filter(Boolean).length;
}

async function endOne(deps: EndOrphanedCommandsDeps, p: ActionProcess): Promise<boolean> {
  let signal: 'SIGTERM' | 'SIGKILL' | null;
  try {
    signal = await endOrphanedCommand(p.pgid, p.actionId, deps.graceMs !== undefined ? { graceMs: deps.graceMs } : {});
  } catch (error) {
    deps.log.warn(`could not end process group ${p.pgid} of interrupted action #${p.actionId}: ${(error as Error).message}`);
    return false;
  }
  if (signal === null) return false;
  const message = `ended process group ${p.pgid} of interrupted action #${p.actionId} (${signal}): a previous medic left its command running`;
  deps.journal.event({ at: deps.now(), kind: 'action-command-ended', incidentId: p.incidentId, rule: p.rule, message, data: { actionId: p.actionId, pgid: p.pgid, signal } });
  deps.log.warn({ rule: p.rule }, `rule ${p.rule}: ${message}`);
  return true;
}
