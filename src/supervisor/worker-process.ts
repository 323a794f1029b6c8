// One running managed worker: the leader of its own process group, its output forwarded line by
// line, and its exit reported from the child's 'exit' event itself (not a poll), so a crash is
// seen at once.
//
// node:child_process rather than execa: a worker is long-lived and its output is streamed, not
// collected; execa's promise, buffering and cleanup-on-exit (off anyway with `detached`) are built
// for commands that finish, and would only stand between medic and the raw 'exit' event.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { listLiveGroupMembers, signalGroup, waitUntil } from '../os/process-group.js';
import { createLineSplitter } from './line-splitter.js';

export interface WorkerExit {
  pid: number;
  code: number | null;
  signal: string | null;
  at: number;
  /** True when medic asked for it (stop, restart); false for a crash. */
  expected: boolean;
}

export interface SpawnWorkerOptions {
  argv: string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  now: () => number;
  maxLineLength: number;
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Called inside the 'exit' event, before `exited` settles. */
  onExit: (exit: WorkerExit) => void;
}

export type SpawnResult = { ok: true; worker: WorkerProcess } | { ok: false; code: string; message: string };

// Starts the worker and resolves once it has a pid ('spawn') or could not start ('error').
export async function spawnWorker(options: SpawnWorkerOptions): Promise<SpawnResult> {
  const [program, ...args] = options.argv;
  if (program === undefined || program === '') return { ok: false, code: 'EMPTY', message: 'empty argv' };
  let child: ChildProcess;
  try {
    child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
  } catch (error) {
    return { ok: false, code: (error as NodeJS.ErrnoException).code ?? 'ERROR', message: (error as Error).message };
  }
  const started = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (error) => resolve(error));
  });
  if (started !== null || child.pid === undefined) {
    const code = started?.code ?? 'ERROR';
    const cwdMissing = code === 'ENOENT' && options.cwd !== undefined && !existsSync(options.cwd);
    const message = cwdMissing ? `working directory ${JSON.stringify(options.cwd)} does not exist` : `${JSON.stringify(program)}: ${code}`;
    return { ok: false, code, message };
  }
  return { ok: true, worker: new WorkerProcess(child, child.pid, options) };
}

export class WorkerProcess {
  readonly startedAt: number;
  exit: WorkerExit | null = null;
  readonly exited: Promise<WorkerExit>;
  private stopRequested = false;

  constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    options: SpawnWorkerOptions,
  ) {
    this.startedAt = options.now();
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = child[stream];
      if (!readable) continue;
      const splitter = createLineSplitter(options.maxLineLength, (line) => options.onLine(stream, line));
      readable.setEncoding('utf8');
      // Read even when nobody listens: a full pipe would block the worker.
      readable.on('data', (text: string) => splitter.push(text));
      readable.on('end', () => splitter.flush());
      readable.on('error', () => undefined);
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const exit = { pid, code, signal, at: options.now(), expected: this.stopRequested };
        this.exit = exit;
        // A managed worker runs in the foreground; what it leaves in its group once it is gone
        // would be an orphan holding memory or a GPU, and a duplicate after the restart.
        if (!exit.expected) this.trySignalGroup('SIGKILL');
        options.onExit(exit);
        resolve(exit);
      });
    });
  }

  /**
   * Drain: `signal` to the main process only (the worker decides how to finish), and its exit is
   * then one medic asked for, not a crash. Resolves true if it exited within graceMs.
   */
  async requestExit(signal: NodeJS.Signals, graceMs: number): Promise<boolean> {
    if (this.exit !== null) return true;
    this.stopRequested = true;
    try {
      this.child.kill(signal);
    } catch {
      // Already gone between the check and the signal: the exit event settles `exited`.
    }
    await Promise.race([this.exited, delay(graceMs)]);
    if (this.exit === null) return false;
    // As after a crash: what it left in its group would outlive it and duplicate the next start.
    this.trySignalGroup('SIGKILL');
    return true;
  }

  /**
   * SIGTERM to the group; SIGKILL to whatever is left after graceMs. Resolves true once the main
   * process has exited and no member of the group is alive (zombies count as dead), false if that
   * still is not so killWaitMs after SIGKILL (a process stuck in D state).
   */
  async terminate(graceMs: number, killWaitMs: number): Promise<boolean> {
    this.stopRequested = true;
    const deadline = Date.now() + graceMs;
    const allGone = (): boolean => this.exit !== null && listLiveGroupMembers(this.pid).length === 0;
    this.trySignalGroup('SIGTERM');
    // The exit event first (no polling), then the rest of the group.
    await Promise.race([this.exited, delay(graceMs)]);
    if (this.exit !== null && (await waitUntil(allGone, deadline - Date.now(), 50))) return true;
    this.trySignalGroup('SIGKILL');
    return waitUntil(allGone, killWaitMs, 25);
  }

  private trySignalGroup(signal: NodeJS.Signals): void {
    try {
      signalGroup(this.pid, signal);
    } catch {
      // EPERM: a member changed user (setuid). The leader is still ours and was signalled.
      this.child.kill(signal);
    }
  }
}

function delay(ms: number): Promise<void> {
  // setTimeout turns delays past 2^31-1 ms into 1 ms.
  return new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(0, ms), 2 ** 31 - 1)).unref());
}
