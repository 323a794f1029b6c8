// Runs the built `medic` CLI (dist/, from `npm run build`) the way an operator does, and talks
// to it through its status socket. Shared by the bench scenarios.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const MEDIC = join(REPO, 'dist', 'cli', 'main.js');

async function statusClient() {
  if (!existsSync(MEDIC)) throw new Error(`${MEDIC} is missing: run npm run build (npm run bench does)`);
  return import(join(REPO, 'dist', 'daemon', 'status-client.js'));
}

/** `medic validate DIR`: { ok, output }. */
export function validateRules(rulesDir, env = {}) {
  const result = spawnSync(process.execPath, [MEDIC, 'validate', rulesDir], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * Starts `medic run` and resolves once it answers on its status socket with a first snapshot.
 * Output goes to `logFile`-less pipes that are drained and kept (the last lines explain a failure).
 */
/** The node flags on the bin's `#!/usr/bin/env -S node …` line: how the installed medic runs. */
export function binNodeFlags() {
  const shebang = readFileSync(MEDIC, 'utf8').split('\n', 1)[0];
  return shebang.startsWith('#!') ? shebang.split(/\s+/).filter((word) => word.startsWith('--')) : [];
}

export async function startMedicRun({ rulesDir, stateDir, env = {}, nodeArgs = binNodeFlags(), readyTimeoutMs = 30_000 }) {
  const { fetchDaemonStatus } = await statusClient();
  const child = spawn(process.execPath, [...nodeArgs, MEDIC, 'run', '--rules', rulesDir, '--state', stateDir, '--log-json'], {
    env: { ...process.env, MEDIC_SLACK_WEBHOOK_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const socket = join(stateDir, 'medic.sock');
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`medic exited while starting:\n${output}`);
    const status = await fetchDaemonStatus(socket, { timeoutMs: 1000 });
    if (status?.snapshot) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`medic did not answer on ${socket} within ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    pid: child.pid,
    output: () => output,
    status: () => fetchDaemonStatus(socket, { timeoutMs: 2000 }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
