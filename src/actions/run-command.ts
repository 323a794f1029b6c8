// Runs one command from an argv array (never a shell) with a timeout that ends the whole tree.
// execa signals only its direct child, and a grandchild holding stdout open kept execa's promise
// pending for 15 s and survived (PLATFORM.md). So, like execa's lib/terminate/ (timeout.js, then
// kill.js's forceKillAfterDelay) but aimed at the group: each command leads its own process group
// (`detached: true`), a timeout sends SIGTERM to the group, then SIGKILL after killGraceMs.
// `detached` turns off execa's cleanup-on-exit, so running groups are tracked for killAllCommands().
import path from 'node:path';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { execa, type Options, type Result } from 'execa';
import type { ActionOutcome } from '../core/types.js';
import { describeOutcome, describeSpawnError, lastOutputLine } from './describe-outcome.js';
import { OutputTail } from './output-tail.js';
import { listLiveGroupMembers, signalGroup, waitUntil } from '../os/process-group.js';

export { describeOutcome } from './describe-outcome.js';

export interface RunCommandOptions {
  /** How long the command may run before its process group gets SIGTERM. */
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL to the group, in ms. Defaults to 3000. */
  killGraceMs?: number;
  cwd?: string;
  /** Added to medic's own environment. */
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

type StopReason = 'timeout' | 'shutdown' | 'abort';

interface RunningCommand {
  stop(reason: StopReason): void;
  settled: Promise<ActionOutcome>;
}

const running = new Set<RunningCommand>();

/**
 * After the main process exits, how long its pipes may stay open before medic stops reading.
 * A restart script may leave a daemon behind that still holds stdout; that is not a hang.
 */
const DRAIN_MS = 250;
/** After SIGKILL, how long to wait before settling anyway (a process in D state cannot die). */
const KILL_SETTLE_MS = 1000;
const GROUP_POLL_MS = 50;
const MAX_TIMER_MS = 2 ** 31 - 1;

// Runs argv with a tree-killing timeout; always resolves (never rejects) to an outcome.
export async function runCommand(argv: string[], options: RunCommandOptions): Promise<ActionOutcome> {
  const startedAt = performance.now();
  const [program, ...args] = argv;
  const name = options.name ?? (program ? path.basename(program) : 'command');
  if (program === undefined || program === '') return failToSpawn(`${name} could not start: empty argv`, startedAt);

  const execaOptions: Options = {
    reject: false,
    shell: false,
    detached: true,
    all: true,
    // Output is read here into a bounded tail instead of execa's unbounded buffer.
    buffer: false,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
  };
  const tail = new OutputTail(options.outputTailBytes ?? 4096);
  let subprocess;
  try {
    subprocess = execa(program, args, execaOptions);
  } catch (error) {
    return failToSpawn(`${name} could not start ${JSON.stringify(program)}: ${(error as Error).message}`, startedAt);
  }
  subprocess.all?.on('data', (chunk: Buffer) => tail.push(chunk));
  const pgid = subprocess.pid;
  if (pgid === undefined) {
    const result = await subprocess;
    const cwdMissing = options.cwd !== undefined && !existsSync(options.cwd);
    const message = cwdMissing
      ? `${name} could not start: working directory ${JSON.stringify(options.cwd)} does not exist`
      : describeSpawnError(name, program, result.code);
    return failToSpawn(message, startedAt);
  }

  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let result: Result | undefined;
  let stopReason: StopReason | null = null;
  let settled = false;
  let resolveOutcome!: (outcome: ActionOutcome) => void;
  const timers: NodeJS.Timeout[] = [];
  const onAbort = (): void => command.stop('abort');

  const settle = (): void => {
    if (settled) return;
    settled = true;
    timers.forEach(clearTimeout);
    running.delete(command);
    options.signal?.removeEventListener('abort', onAbort);
    // Whatever still holds the pipes is no longer medic's to wait for.
    subprocess.all?.destroy();
    subprocess.stdout?.destroy();
    subprocess.stderr?.destroy();
    resolveOutcome(buildOutcome(name, { exit, result, stopReason, tail, startedAt, timeoutMs: options.timeoutMs }));
  };

  const stopGroup = async (): Promise<void> => {
    const allGone = (): boolean => result !== undefined && listLiveGroupMembers(pgid).length === 0;
    signalGroup(pgid, 'SIGTERM');
    if (!(await waitUntil(allGone, options.killGraceMs ?? 3000, GROUP_POLL_MS))) {
      signalGroup(pgid, 'SIGKILL');
      await waitUntil(allGone, KILL_SETTLE_MS, GROUP_POLL_MS);
    }
    settle();
  };

  const command: RunningCommand = {
    settled: new Promise<ActionOutcome>((resolve) => (resolveOutcome = resolve)),
    stop(reason) {
      if (settled || stopReason !== null || exit !== null) return;
      stopReason = reason;
      void stopGroup();
    },
  };
  running.add(command);

  subprocess.on('exit', (code, signal) => {
    exit = { code, signal };
    if (stopReason === null) timers.push(setTimeout(settle, DRAIN_MS));
  });
  void subprocess.then(
    (value) => {
      result = value;
      if (stopReason === null) settle();
    },
    () => undefined,
  );
  // setTimeout turns delays past 2^31-1 ms into 1 ms.
  timers.push(setTimeout(() => command.stop('timeout'), Math.min(Math.max(0, options.timeoutMs), MAX_TIMER_MS)));
  if (options.signal?.aborted) command.stop('abort');
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  return command.settled;
}

// For shutdown: stops every command still running (SIGTERM, SIGKILL after its grace) and waits.
export async function killAllCommands(): Promise<void> {
  const commands = [...running];
  for (const command of commands) command.stop('shutdown');
  await Promise.all(commands.map((command) => command.settled));
}

interface OutcomeInput {
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  result: Result | undefined;
  stopReason: StopReason | null;
  tail: OutputTail;
  startedAt: number;
  timeoutMs: number;
}

function buildOutcome(name: string, input: OutcomeInput): ActionOutcome {
  const exitCode = input.exit ? input.exit.code : (input.result?.exitCode ?? null);
  const signal = input.exit ? input.exit.signal : (input.result?.signal ?? null);
  const status =
    input.stopReason === 'timeout' ? 'timed-out'
    : input.stopReason !== null ? 'aborted'
    : signal !== null ? 'signal'
    : exitCode === 0 ? 'ok'
    : 'exit-code';
  const fields = {
    ok: status === 'ok',
    status,
    timedOut: status === 'timed-out',
    exitCode,
    signal,
    durationMs: Math.round(performance.now() - input.startedAt),
  };
  const outputTail = input.tail.text();
  const why = status === 'exit-code' || status === 'signal' ? lastOutputLine(outputTail) : undefined;
  const message = describeOutcome(name, fields, input.timeoutMs) + (why ? `: ${why}` : '');
  return { ...fields, message, outputTail };
}

function failToSpawn(message: string, startedAt: number): ActionOutcome {
  return {
    ok: false,
    status: 'spawn-failed',
    timedOut: false,
    exitCode: null,
    signal: null,
    durationMs: Math.round(performance.now() - startedAt),
    message,
    outputTail: '',
  };
}
