// One worker, two launchers. Both tools run the same program (test/fixtures/workers/*.mjs) with
// the same environment; only the launch differs, as each tool expects:
// - medic starts `NAME.exec.sh` as its own child; `exec` keeps the pid, so medic watches the worker.
// - Monit runs `NAME.bg.sh`, which puts the worker in the background and returns (Monit waits for
//   a start program to exit, up to its timeout, so a program that stays in front blocks it).
// Both launchers write the pid file and append "PID EPOCH_MICROSECONDS" to NAME.starts, so every
// start is timed the same way for both tools. NAME.hb is the heartbeat file, NAME.out the output.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NODE, WORKERS_DIR } from './paths.mjs';
import { isAlive, killQuietly, readCmdline } from './proc.mjs';

/** `program` is a file in test/fixtures/workers; HEARTBEAT_FILE is added to `env`. */
export function defineWorker(dir, name, program, env = {}) {
  const file = (suffix) => path.join(dir, `${name}.${suffix}`);
  const worker = {
    name,
    program: path.join(WORKERS_DIR, program),
    pidFile: file('pid'),
    startsFile: file('starts'),
    outFile: file('out'),
    heartbeatFile: file('hb'),
    execScript: file('exec.sh'),
    bgScript: file('bg.sh'),
    stopScript: file('stop.sh'),
  };
  const exports = Object.entries({ HEARTBEAT_FILE: worker.heartbeatFile, ...env }).map(([k, v]) => `export ${k}=${quote(String(v))}`);
  const run = `${quote(NODE)} ${quote(worker.program)} >> ${quote(worker.outFile)} 2>&1 < /dev/null`;
  const logStart = (pid) => `echo "${pid} \${EPOCHREALTIME/[.,]/}" >> ${quote(worker.startsFile)}`;
  writeScript(worker.execScript, [`echo $$ > ${quote(worker.pidFile)}`, logStart('$$'), ...exports, `exec ${run}`]);
  writeScript(worker.bgScript, [...exports, `${run} &`, `echo $! > ${quote(worker.pidFile)}`, logStart('$!')]);
  writeScript(worker.stopScript, [`kill -TERM "$(cat ${quote(worker.pidFile)})"`]);
  return worker;
}

function writeScript(file, lines) {
  writeFileSync(file, ['#!/bin/bash', ...lines, ''].join('\n'));
  chmodSync(file, 0o755);
}

function quote(text) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Every start so far: [{ pid, atMs }] in order. */
export function readStarts(worker) {
  let text = '';
  try {
    text = readFileSync(worker.startsFile, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    const match = /^(\d+) (\d+)$/.exec(line.trim());
    return match ? [{ pid: Number(match[1]), atMs: Number(match[2]) / 1000 }] : [];
  });
}

export function readPid(worker) {
  try {
    const pid = Number(readFileSync(worker.pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The epoch ms in the heartbeat file, or null (missing, or caught mid-write). */
export function readHeartbeat(worker) {
  try {
    const at = Number(readFileSync(worker.heartbeatFile, 'utf8').trim());
    return Number.isFinite(at) && at > 0 ? at : null;
  } catch {
    return null;
  }
}

/** The running worker's pid once it is up and has written a heartbeat at or after `sinceMs`. */
export function readyPid(worker, sinceMs = 0) {
  const pid = readPid(worker);
  const beat = readHeartbeat(worker);
  return pid !== null && isAlive(pid) && beat !== null && beat >= sinceMs ? pid : undefined;
}

/** SIGKILLs every process these workers ever started that still runs (checked by command line). */
export function killWorkers(workers) {
  let killed = 0;
  for (const worker of workers) {
    for (const { pid } of readStarts(worker)) {
      if (isAlive(pid) && readCmdline(pid).includes(worker.program) && killQuietly(pid)) killed += 1;
    }
  }
  return killed;
}
