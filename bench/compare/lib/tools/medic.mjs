// medic's side: writes the rules, runs `medic run` from dist/ as a separate process (as systemd
// would), and reads its journal. Its workers are its own children, so it reaps them itself.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MEDIC_CLI, NODE, REPO } from '../paths.mjs';
import { isAlive, killQuietly } from '../proc.mjs';
import { sleep, waitFor } from '../wait.mjs';

export function describeMedic() {
  if (!existsSync(MEDIC_CLI)) return { missing: `${path.relative(REPO, MEDIC_CLI)} is missing: run npm run build` };
  const version = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
  const git = spawnSync('git', ['-C', REPO, 'describe', '--always', '--dirty'], { encoding: 'utf8' });
  return { version: `${version}${git.status === 0 ? ` (${git.stdout.trim()})` : ''}`, nodeArgs: NODE_ARGS };
}

/**
 * The node flags in the CLI's shebang (`#!/usr/bin/env -S node --max-semi-space-size=1`): an
 * installed `medic` runs with them, so the benchmark does too.
 */
function readShebangNodeArgs(file) {
  try {
    const first = readFileSync(file, 'utf8').split('\n', 1)[0];
    const words = first.replace(/^#!\s*/, '').split(/\s+/).filter((w) => w !== '-S' && !w.endsWith('/env'));
    return /(^|\/)node$/.test(words[0] ?? '') ? words.slice(1) : [];
  } catch {
    return [];
  }
}

const NODE_ARGS = readShebangNodeArgs(MEDIC_CLI);

/** argv for running the CLI as installed: node, the shebang's flags, the script, `args`. */
export function medicArgv(...args) {
  return [...NODE_ARGS, MEDIC_CLI, ...args];
}

/** Starts `medic run` on `rulesYaml`; resolves once the process runs (its workers may still start). */
export async function startMedic(dir, rulesYaml, env = {}) {
  const rulesDir = path.join(dir, 'rules');
  const stateDir = path.join(dir, 'state');
  const logFile = path.join(dir, 'medic.log');
  mkdirSync(rulesDir, { recursive: true });
  writeFileSync(path.join(rulesDir, 'rules.yaml'), rulesYaml);
  const check = spawnSync(NODE, medicArgv('validate', rulesDir), { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`medic validate refused the generated rules:\n${check.stdout}${check.stderr}`);
  const out = openSync(logFile, 'a');
  const child = spawn(NODE, medicArgv('run', '--rules', rulesDir, '--state', stateDir, '--log-json'), {
    stdio: ['ignore', out, out],
    env: { ...process.env, MEDIC_SLACK_WEBHOOK_URL: '', MEDIC_SLACK_WEBHOOK_FILE: '', ...env },
  });
  closeSync(out);
  let exit = null;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exit = { code, signal }))));
  const medic = {
    tool: 'medic',
    pid: child.pid,
    dir,
    rulesDir,
    stateDir,
    logFile,
    running: () => exit === null,
    /** Throws with medic's log when it died: a benchmark must not wait out a deadline for nothing. */
    assertRunning() {
      if (exit !== null) throw new Error(`medic exited (${exit.signal ?? exit.code}); log:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    },
    async stop() {
      if (exit === null) killQuietly(child.pid, 'SIGTERM');
      const done = await Promise.race([exited, sleep(15_000).then(() => null)]);
      if (done === null) {
        killQuietly(child.pid, 'SIGKILL');
        await exited;
      }
    },
    query: (sql, ...params) => queryJournal(stateDir, sql, params),
  };
  await waitFor(() => (medic.assertRunning(), isAlive(child.pid) || undefined), 'medic to start', { timeoutMs: 5000 });
  return medic;
}

/** Reads the journal the way an operator's sqlite3 would, without holding it open. */
export function queryJournal(stateDir, sql, params = []) {
  const file = path.join(stateDir, 'journal.sqlite');
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params);
  } catch (error) {
    if (/no such table/.test(String(error))) return [];
    throw error;
  } finally {
    db.close();
  }
}

/** The YAML of one managed worker for medic (JSON strings are valid YAML scalars). */
export function medicWorkerYaml(worker, { heartbeatStaleAfter, restartPolicy } = {}) {
  const lines = [`  ${worker.name}:`, `    start: ${JSON.stringify(['/bin/bash', worker.execScript])}`, '    stop_timeout: 5s'];
  if (heartbeatStaleAfter) lines.push(`    heartbeat: { file: ${JSON.stringify(worker.heartbeatFile)}, stale_after: ${heartbeatStaleAfter} }`);
  if (restartPolicy) lines.push(`    restart_policy: ${restartPolicy}`);
  return lines.join('\n');
}
