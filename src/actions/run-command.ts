// Runs one command from an argv array (never a shell) with a timeout that ends the whole tree,
// and turns how it ended into an ActionOutcome. The process-group run itself (environment without
// medic's secrets, SIGTERM then SIGKILL to the group) is src/os/run-in-group.ts, shared with the
// samplers; running commands are tracked here for killAllCommands() at shutdown.
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { ActionOutcome } from '../core/types.js';
import { describeOutcome, describeSpawnError, lastOutputLine } from './describe-outcome.js';
import { startInGroup, stopGroups, type GroupProcess, type GroupRun } from '../os/run-in-group.js';
import { ACTION_ID_ENV, findCommandOwner } from './command-owner.js';

export { describeOutcome } from './describe-outcome.js';

export interface RunCommandOptions {
  /** How long the command may run before its process group gets SIGTERM. */
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL to the group, in ms. Defaults to 3000. */
  killGraceMs?: number;
  cwd?: string;
  /** Added to medic's own environment, from which medic's secrets are removed (src/os/child-env.ts). */
  env?: Record<string, string>;
  /** How much of the combined stdout+stderr to keep, from the end. Defaults to 4096. */
  outputTailBytes?: number;
  /** Written to stdin; without it stdin is /dev/null. */
  input?: string;
  /** Name used in the outcome message. Defaults to the program's basename. */
  name?: string;
  /** Aborting stops the command the way a timeout does, with status 'aborted'. */
  signal?: AbortSignal;
}

const running = new Set<GroupProcess>();

// Runs argv with a tree-killing timeout; always resolves (never rejects) to an outcome.
export async function runCommand(argv: string[], options: RunCommandOptions): Promise<ActionOutcome> {
  const [program] = argv;
  const name = options.name ?? (program ? path.basename(program) : 'command');
  if (program === undefined || program === '') return failToSpawn(`${name} could not start: empty argv`, 0);
  // Inside an action: marked and journaled, so the next medic can end it after a kill -9 (command-owner.ts).
  const owner = findCommandOwner();
  const env = owner ? { ...options.env, [ACTION_ID_ENV]: String(owner.actionId) } : options.env;
  const started = startInGroup(argv, {
    timeoutMs: options.timeoutMs,
    track: running,
    ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(env !== undefined ? { env } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    maxOutputBytes: options.outputTailBytes ?? 4096,
  });
  if (owner && started.pid !== undefined) owner.onSpawn(started.pid);
  const run = await started.result;
  if (run.spawnError) {
    const cwdMissing = options.cwd !== undefined && !existsSync(options.cwd);
    const message = cwdMissing
      ? `${name} could not start: working directory ${JSON.stringify(options.cwd)} does not exist`
      : describeSpawnError(name, program, run.spawnError.code);
    return failToSpawn(message, run.durationMs);
  }
  return buildOutcome(name, run, options.timeoutMs);
}

// For shutdown: stops every command still running (SIGTERM, SIGKILL after its grace) and waits.
export async function killAllCommands(): Promise<void> {
  await stopGroups(running);
}

function buildOutcome(name: string, run: GroupRun, timeoutMs: number): ActionOutcome {
  const { exitCode, signal } = run;
  const status =
    run.stopReason === 'timeout' ? 'timed-out'
    : run.stopReason !== null ? 'aborted'
    : signal !== null ? 'signal'
    : exitCode === 0 ? 'ok'
    : 'exit-code';
  const fields = { ok: status === 'ok', status, timedOut: status === 'timed-out', exitCode, signal, durationMs: run.durationMs };
  const outputTail = run.all;
  const why = status === 'exit-code' || status === 'signal' ? lastOutputLine(outputTail) : undefined;
  const message = describeOutcome(name, fields, timeoutMs) + (why ? `: ${why}` : '');
  return { ...fields, message, outputTail };
}

function failToSpawn(message: string, durationMs: number): ActionOutcome {
  return { ok: false, status: 'spawn-failed', timedOut: false, exitCode: null, signal: null, durationMs, message, outputTail: '' };
}
