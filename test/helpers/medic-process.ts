// Runs the built `medic` CLI as a real separate process, the way an operator or systemd does,
// and lets a test wait on what it logs (JSON lines) or journals (the SQLite file), with deadlines.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const REPO = new URL('../..', import.meta.url).pathname;
export const MEDIC = join(REPO, 'dist', 'cli', 'main.js');

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface MedicProcess {
  child: ChildProcess;
  logs: LogLine[];
  output: () => string;
  waitForLog(test: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** For test cleanup: SIGTERM, so medic stops the workers it started; SIGKILL if it hangs. */
  shutdown(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startMedic(args: string[], env: NodeJS.ProcessEnv = {}): MedicProcess {
  if (!existsSync(MEDIC)) throw new Error(`${MEDIC} is missing: run npm run build first (npm test does)`);
  const child = spawn(process.execPath, [MEDIC, ...args, '--log-json'], {
    env: { ...process.env, MEDIC_SLACK_WEBHOOK_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let raw = '';
  const waiters = new Set<() => void>();
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    raw += chunk.toString();
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ level: 0, msg: line });
      }
    }
    waiters.forEach((w) => w());
  });
  child.stderr!.on('data', (chunk: Buffer) => (raw += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      waiters.forEach((w) => w());
      resolve({ code, signal });
    }),
  );

  const waitForLog = (test: (line: LogLine) => boolean, timeoutMs = 20_000) =>
    new Promise<LogLine>((resolve, reject) => {
      let seen = 0;
      const check = () => {
        for (; seen < logs.length; seen++) {
          if (test(logs[seen]!)) {
            cleanup();
            resolve(logs[seen]!);
            return;
          }
        }
        if (child.exitCode !== null || child.signalCode !== null) {
          cleanup();
          reject(new Error(`medic exited before the awaited log line; output:\n${raw}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a log line; output:\n${raw}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    child,
    logs,
    output: () => raw,
    waitForLog,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async shutdown() {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // A medic a test froze with SIGSTOP handles the SIGTERM once it runs again.
        child.kill('SIGCONT');
      }
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Polls with a deadline and throws at it (test/helpers/eventually.ts); here for the tests that start medic. */
export { eventually } from './eventually.js';

/** Reads the journal the way an operator's sqlite3 would, without holding it open. */
export function queryJournal<T>(stateDir: string, sql: string, ...params: unknown[]): T[] {
  const file = join(stateDir, 'journal.sqlite');
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } catch (error) {
    // medic may have created the file but not yet run its migrations.
    if (error instanceof Error && /no such table/.test(error.message)) return [];
    throw error;
  } finally {
    db.close();
  }
}

/** Runs the CLI to completion (validate, diagnose, history). */
export function runMedic(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MEDIC, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
