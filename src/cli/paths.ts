// Where medic looks when the command line does not say: the packaged layout of a systemd install.
export const DEFAULT_RULES = '/etc/medic';
export const DEFAULT_STATE = '/var/lib/medic';

export interface PathOptions {
  rules?: string;
  state?: string;
}

export function rulesPath(options: PathOptions, env: NodeJS.ProcessEnv = process.env): string {
  return options.rules ?? env.MEDIC_RULES ?? DEFAULT_RULES;
}

export function statePath(options: PathOptions, env: NodeJS.ProcessEnv = process.env): string {
  return options.state ?? env.MEDIC_STATE_DIR ?? DEFAULT_STATE;
}
