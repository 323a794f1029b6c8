// Monit's side: finds (or, when asked, installs) Debian's monit, writes its control file, and runs
// `monit -I` in the foreground under subreaper.py, with its own id, state and pid files and an
// HTTP interface on a unix socket (for `monit status`).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SUBREAPER } from '../paths.mjs';
import { isAlive, killQuietly, listChildren, readCmdline } from '../proc.mjs';
import { sleep, waitFor } from '../wait.mjs';

// The system's python3, not a version-manager shim: a shim runs helpers as children of its own
// pid, and the harness finds monit as the subreaper's child.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** { version } when monit can run here, else { missing: why }. Installs it only when asked. */
export function describeMonit({ install = false, log = console.log } = {}) {
  let found = readMonitVersion();
  if (!found && install) {
    log('monit is missing; BENCH_INSTALL_MONIT=1: running apt-get install -y monit');
    const result = spawnSync('apt-get', ['install', '-y', 'monit'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) return { missing: `apt-get install -y monit failed (exit ${result.status}): ${(result.stderr || result.stdout || '').trim().split('\n').at(-1)}` };
    found = readMonitVersion();
  }
  if (!found) return { missing: 'monit is not installed (apt-get install -y monit, or run with BENCH_INSTALL_MONIT=1)' };
  const python = spawnSync(PYTHON, ['-c', 'import ctypes'], { encoding: 'utf8' });
  if (python.status !== 0) return { missing: 'python3 is needed to run Monit under a subreaper (PID 1 here does not reap orphans)' };
  return { version: found };
}

function readMonitVersion() {
  try {
    return /Monit version ([\d.]+)/.exec(execFileSync('monit', ['-V'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    return null;
  }
}

/** Starts Monit on `services` (control-file text) with `set daemon intervalS`. */
export async function startMonit(dir, services, { intervalS = 1 } = {}) {
  const conf = path.join(dir, 'monitrc');
  const logFile = path.join(dir, 'monit.log');
  const header = [
    `set daemon ${intervalS}`,
    `set logfile ${logFile}`,
    `set pidfile ${path.join(dir, 'monit.pid')}`,
    `set idfile ${path.join(dir, 'monit.id')}`,
    `set statefile ${path.join(dir, 'monit.state')}`,
    `set httpd unixsocket ${path.join(dir, 'monit.sock')}`,
    '  allow localhost',
    '',
  ];
  writeFileSync(conf, [...header, services, ''].join('\n'));
  chmodSync(conf, 0o600); // monit refuses a control file others can read
  const check = spawnSync('monit', ['-c', conf, '-t'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`monit -t refused the generated control file:\n${check.stdout}${check.stderr}`);
  const out = openSync(path.join(dir, 'monit.stdout'), 'a');
  const reaper = spawn(PYTHON, [SUBREAPER, 'monit', '-c', conf, '-I'], { stdio: ['ignore', out, out] });
  closeSync(out);
  let exit = null;
  const exited = new Promise((resolve) => reaper.once('exit', (code, signal) => resolve((exit = { code, signal }))));
  const pid = await waitFor(() => {
    if (exit !== null) throw new Error(`monit exited at start: ${readFileSync(path.join(dir, 'monit.stdout'), 'utf8')}`);
    return listChildren(reaper.pid).find((child) => readCmdline(child)[0] === 'monit');
  }, 'monit to start', { timeoutMs: 5000 });
  return {
    tool: 'monit',
    pid,
    reaperPid: reaper.pid,
    dir,
    conf,
    logFile,
    running: () => isAlive(pid),
    assertRunning() {
      if (!isAlive(pid)) throw new Error(`monit exited; log:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    },
    /** `monit status` through the unix socket: { ms, code, output }. */
    status() {
      const t0 = performance.now();
      const result = spawnSync('monit', ['-c', conf, 'status'], { encoding: 'utf8' });
      return { ms: performance.now() - t0, code: result.status, output: result.stdout + result.stderr };
    },
    /**
     * Stops Monit; `killWorkers` then ends what it started (Monit leaves its services running),
     * and the subreaper exits once it has reaped them.
     */
    async stop(killWorkers = () => {}) {
      killQuietly(pid, 'SIGTERM');
      await waitFor(() => (isAlive(pid) ? undefined : true), 'monit to stop', { timeoutMs: 10_000 }).catch(() => killQuietly(pid, 'SIGKILL'));
      killWorkers();
      const done = await Promise.race([exited, sleep(5000).then(() => null)]);
      if (done === null) {
        killQuietly(reaper.pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

/** One `check process` for a worker, with its launcher scripts and extra test lines. */
export function monitProcessCheck(worker, tests = []) {
  return [
    `check process ${worker.name} with pidfile ${worker.pidFile}`,
    `  start program = "/bin/bash ${worker.bgScript}"`,
    `  stop program = "/bin/bash ${worker.stopScript}"`,
    ...tests.map((line) => `  ${line}`),
  ].join('\n');
}
