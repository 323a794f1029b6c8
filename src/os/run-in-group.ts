// The one way medic runs a command: an argv array (never a shell), as the leader of its own
// process group, with a timeout that ends the whole tree, and with medic's secrets kept out of its
// environment (childEnv). Actions (run-command.ts), queue commands and nvidia-smi all run here, so
// the environment rule and the kill rule live in one place.
//
// execa signals only its direct child, and a grandchild holding stdout open kept execa's promise
// pending for 15 s and survived (PLATFORM.md). So, like execa's lib/terminate/ (timeout.js, then
// kill.js's forceKillAfterDelay) but aimed at the group: each command leads its own process group
// (`detached: true`), a stop sends SIGTERM to the group, then SIGKILL after killGraceMs.
// `detached` turns off execa's cleanup-on-exit, so callers track running groups (`track`) and
// stop them at shutdown (stopGroups).
import { performance } from 'node:perf_hooks';
import { execa, type Options, type Result } from 'execa';
import { childEnv } from './child-env.js';
import { OutputTail } from './output-tail.js';
import { listLiveGroupMembers, signalGroup, waitUntil } from './process-group.js';

export type StopReason = 'timeout' | 'shutdown' | 'abort';

export interface GroupRunOptions {
  /** How long the command may run before its process group is stopped. */
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL to the group, in ms; 0 sends SIGKILL at once. Defaults to 3000. */
  killGraceMs?: number;
  cwd?: string;
  /** Added to medic's environment, from which medic's secrets are removed first (childEnv). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Written to stdin; without it stdin is /dev/null. */
  input?: string;
  /** Aborting stops the command the way a timeout does (stopReason 'abort'). */
  signal?: AbortSignal;
  /** How much of stdout, of stderr and of both interleaved to keep, from the end. Defaults to 4096 bytes. */
  maxOutputBytes?: number;
  /**
   * After a stop: true settles `result` once the group is gone (or SIGKILL did not help within a
   * second); false settles it at once and finishes killing in the background. Defaults to true.
   */
  waitForGroup?: boolean;
  /** Running groups are kept here until `finished`, for stopGroups() at shutdown. */
  track?: Set<GroupProcess>;
}

export interface GroupRun {
  /** Why medic stopped it; null when it ended by itself. */
  stopReason: StopReason | null;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, in the order they came. */
  all: string;
  /** Set when the program could not start: the errno code when known (ENOENT, EACCES) and execa's message. */
  spawnError: { code: string | undefined; message: string } | null;
  durationMs: number;
}

export interface GroupProcess {
  /** The leader's pid, which is also the process group id; undefined when it could not start. */
  readonly pid: number | undefined;
  /** Never rejects. */
  readonly result: Promise<GroupRun>;
  /** The leader has exited and been reaped. */
  readonly exited: Promise<void>;
  /** medic is done with the group: it ended by itself, or the kill sequence is over. */
  readonly finished: Promise<void>;
  /** Stops the group as a timeout does: SIGTERM, SIGKILL after the grace. No-op once it exited. */
  stop(reason: StopReason): void;
}

/**
 * After the main process exits, how long its pipes may stay open before medic stops reading.
 * A restart script may leave a daemon behind that still holds stdout; that is not a hang.
 */
const DRAIN_MS = 250;
/** After SIGKILL, how long to wait before settling anyway (a process in D state cannot die). */
const KILL_SETTLE_MS = 1000;
const GROUP_POLL_MS = 50;
const MAX_TIMER_MS = 2 ** 31 - 1;

// Runs argv in its own group with a tree-killing timeout; resolves (never rejects) when done.
export function runInGroup(argv: readonly string[], options: GroupRunOptions): Promise<GroupRun> {
  return startInGroup(argv, options).result;
}

// Starts argv in its own group; the handle gives the pid at once and the result later.
export function startInGroup(argv: readonly string[], options: GroupRunOptions): GroupProcess {
  const startedAt = performance.now();
  const [program, ...args] = argv;
  if (program === undefined || program === '') return notStarted({ code: undefined, message: 'empty argv' }, startedAt);
  const execaOptions: Options = {
    reject: false,
    shell: false,
    detached: true,
    cleanup: false,
    // Output is read here into bounded tails instead of execa's unbounded buffer.
    buffer: false,
    extendEnv: false,
    env: childEnv(options.env),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
  };
  let subprocess;
  try {
    subprocess = execa(program, args, execaOptions);
  } catch (error) {
    return notStarted({ code: (error as NodeJS.ErrnoException).code, message: (error as Error).message }, startedAt);
  }
  const maxBytes = options.maxOutputBytes ?? 4096;
  const tails = { stdout: new OutputTail(maxBytes), stderr: new OutputTail(maxBytes), all: new OutputTail(maxBytes) };
  for (const stream of ['stdout', 'stderr'] as const) {
    subprocess[stream]?.on('data', (chunk: Buffer | string) => {
      tails[stream].push(chunk);
      tails.all.push(chunk);
    });
  }
  const pgid = subprocess.pid;
  if (pgid === undefined) {
    const result = subprocess.then((value) => runOf(null, value, null, tails, startedAt, describeStartFailure(value)));
    return { pid: undefined, result, exited: result.then(() => undefined), finished: result.then(() => undefined), stop: () => undefined };
  }

  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let result: Result | undefined;
  let stopReason: StopReason | null = null;
  let settled = false;
  let done = false;
  const drainTimers: NodeJS.Timeout[] = [];
  let timeoutTimer: NodeJS.Timeout | undefined;
  let resolveResult!: (run: GroupRun) => void;
  let resolveExited!: () => void;
  let resolveFinished!: () => void;
  const onAbort = (): void => handle.stop('abort');

  const settle = (): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timeoutTimer);
    options.signal?.removeEventListener('abort', onAbort);
    resolveResult(runOf(exit, result, stopReason, tails, startedAt, null));
  };
  const finish = (): void => {
    if (done) return;
    done = true;
    settle();
    drainTimers.forEach(clearTimeout);
    options.track?.delete(handle);
    // Whatever still holds the pipes is no longer medic's to wait for.
    subprocess.stdout?.destroy();
    subprocess.stderr?.destroy();
    resolveFinished();
  };
  const killGroup = async (): Promise<void> => {
    const allGone = (): boolean => result !== undefined && listLiveGroupMembers(pgid).length === 0;
    const graceMs = options.killGraceMs ?? 3000;
    if (graceMs > 0) {
      sendToGroup(pgid, 'SIGTERM');
      if (await waitUntil(allGone, graceMs, GROUP_POLL_MS)) return finish();
    }
    sendToGroup(pgid, 'SIGKILL');
    await waitUntil(allGone, KILL_SETTLE_MS, GROUP_POLL_MS);
    finish();
  };

  const handle: GroupProcess = {
    pid: pgid,
    result: new Promise<GroupRun>((resolve) => (resolveResult = resolve)),
    exited: new Promise<void>((resolve) => (resolveExited = resolve)),
    finished: new Promise<void>((resolve) => (resolveFinished = resolve)),
    stop(reason) {
      if (done || stopReason !== null || exit !== null) return;
      stopReason = reason;
      if (options.waitForGroup === false) settle();
      void killGroup();
    },
  };
  options.track?.add(handle);

  subprocess.on('exit', (code, signal) => {
    exit = { code, signal };
    resolveExited();
    if (stopReason === null) drainTimers.push(setTimeout(finish, DRAIN_MS));
  });
  void subprocess.then(
    (value) => {
      result = value;
      if (stopReason === null) finish();
    },
    () => undefined,
  );
  // setTimeout turns delays past 2^31-1 ms into 1 ms.
  timeoutTimer = setTimeout(() => handle.stop('timeout'), Math.min(Math.max(0, options.timeoutMs), MAX_TIMER_MS));
  if (options.signal?.aborted) handle.stop('abort');
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  return handle;
}

// For shutdown: stops every tracked group (SIGTERM, SIGKILL after its grace) and waits for them.
export async function stopGroups(groups: Set<GroupProcess>, reason: StopReason = 'shutdown'): Promise<void> {
  const running = [...groups];
  for (const group of running) group.stop(reason);
  await Promise.all(running.map((group) => group.finished));
}

function sendToGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    signalGroup(pgid, signal);
  } catch {
    // EPERM: a member changed its credentials; the others got the signal, the wait tells the rest.
  }
}

function runOf(
  exit: { code: number | null; signal: NodeJS.Signals | null } | null,
  result: Result | undefined,
  stopReason: StopReason | null,
  tails: { stdout: OutputTail; stderr: OutputTail; all: OutputTail },
  startedAt: number,
  spawnError: GroupRun['spawnError'],
): GroupRun {
  return {
    stopReason,
    exitCode: exit ? exit.code : (result?.exitCode ?? null),
    signal: exit ? exit.signal : ((result?.signal as NodeJS.Signals | undefined) ?? null),
    stdout: tails.stdout.text(),
    stderr: tails.stderr.text(),
    all: tails.all.text(),
    spawnError,
    durationMs: Math.round(performance.now() - startedAt),
  };
}

function describeStartFailure(result: Result): NonNullable<GroupRun['spawnError']> {
  const code = (result as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : undefined, message: result.originalMessage || result.shortMessage || 'failed to start' };
}

function notStarted(spawnError: NonNullable<GroupRun['spawnError']>, startedAt: number): GroupProcess {
  const result = Promise.resolve<GroupRun>({ stopReason: null, exitCode: null, signal: null, stdout: '', stderr: '', all: '', spawnError, durationMs: Math.round(performance.now() - startedAt) });
  const over = Promise.resolve();
  return { pid: undefined, result, exited: over, finished: over, stop: () => undefined };
}
