// The machine and software a run measured, for the report's header.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function describeMachine() {
  const osRelease = readText('/etc/os-release');
  return {
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    os: /^PRETTY_NAME="?([^"\n]+)"?/m.exec(osRelease)?.[1] ?? os.type(),
    kernel: os.release(),
    node: process.version,
    python: run('/usr/bin/python3', ['--version']) ?? run('python3', ['--version']) ?? 'missing',
    virtualization: run('systemd-detect-virt', []) ?? 'unknown',
  };
}

/** The 1-minute load average: other work on the machine shows in every number. */
export function readLoad() {
  return os.loadavg()[0];
}

function readText(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function run(program, args) {
  try {
    return execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}
