// Every command an action runs carries MEDIC_ACTION_ID=<journal action id> in its environment,
// and its process group is journaled as soon as it spawns. A medic killed with SIGKILL leaves such
// a group running with nobody to time it out; the next start finds it by the journaled pgid and
// ends it only if the marker proves it is ours (end-orphaned-command.ts), as reclaim-orphan does
// for workers with MEDIC_WORKER. The owner travels with the async call chain (AsyncLocalStorage)
// instead of through each action's options, so every runCommand inside an action is covered,
// whatever the action type; commands run outside an action (samplers, CLI) get no marker.
import { AsyncLocalStorage } from 'node:async_hooks';

export const ACTION_ID_ENV = 'MEDIC_ACTION_ID';

export interface CommandOwner {
  /** The journal's id of the action running the commands. */
  actionId: number;
  /** Called right after each command spawned, with its pid, which is also its process group id. Must not throw. */
  onSpawn: (pgid: number) => void;
}

const owners = new AsyncLocalStorage<CommandOwner>();

// Runs `run` so that every command it starts through runCommand is marked and reported to `owner`.
export function runAsAction<T>(owner: CommandOwner, run: () => Promise<T>): Promise<T> {
  return owners.run(owner, run);
}

// The action whose commands are being run here, if any.
export function findCommandOwner(): CommandOwner | undefined {
  return owners.getStore();
}
