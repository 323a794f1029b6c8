// Where a program would be found on PATH, the way execa (and a shell) would find it. Used to
// decide whether GPU sampling runs at all (`enabled: auto`) and for `validate`'s warning that
// rules about GPUs stay unknown on this host (Monit's `resourcecpuid` idea).
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export type FindProgram = (command: string, env?: NodeJS.ProcessEnv) => string | null;

/** The executable file `command` names (a path, or a bare name searched on PATH), or null. */
export const findProgram: FindProgram = (command, env = process.env) => {
  const candidates = command.includes('/')
    ? [path.resolve(command)]
    : (env.PATH ?? '')
        .split(':')
        .filter((dir) => dir !== '')
        .map((dir) => path.join(dir, command));
  return candidates.find(isExecutableFile) ?? null;
};

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
