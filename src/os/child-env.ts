// The environment of every process medic starts: workers, exec/restart/drain commands, queue
// commands, nvidia-smi, systemctl. It is medic's own environment minus medic's secrets. A worker
// that runs `env` (or logs its environment when it crashes) would otherwise print the Slack
// webhook URL into medic's log, and an `exec: [/usr/bin/env]` would store it in the journal.
// Secrets are known by name: the fixed MEDIC_* variables, any MEDIC_SLACK_WEBHOOK_* (per-route
// variables by convention), and the variables the `paging:` config names (webhook_env,
// slack_bot.token_env, deadman.url_env), which the daemon registers at every config load.

/** Variables medic itself reads secrets from, whatever the config says. */
export const FIXED_SECRET_ENV_NAMES: readonly string[] = ['MEDIC_SLACK_WEBHOOK_URL', 'MEDIC_SLACK_WEBHOOK_FILE', 'MEDIC_SLACK_BOT_TOKEN', 'MEDIC_DEADMAN_URL'];

/** Route variables by convention (`MEDIC_SLACK_WEBHOOK_URL_GPU`): kept from children even after a reload stops naming them. */
const SECRET_PREFIXES: readonly string[] = ['MEDIC_SLACK_WEBHOOK_', 'MEDIC_SLACK_BOT_TOKEN'];

/** Values shorter than this are not redacted from output: "1" or "yes" would garble every line. */
const MIN_REDACTED_LENGTH = 8;

let configured: ReadonlySet<string> = new Set();

/** The env names the current config reads secrets from; replaces the previous set (call at every load and reload). */
export function registerSecretEnvNames(names: Iterable<string>): void {
  configured = new Set([...names].filter((name) => name.length > 0));
}

/** Every name treated as a secret now: fixed and configured (prefix matches are checked by isSecretEnvName). */
export function listSecretEnvNames(): string[] {
  return [...new Set([...FIXED_SECRET_ENV_NAMES, ...configured])];
}

export function isSecretEnvName(name: string): boolean {
  return FIXED_SECRET_ENV_NAMES.includes(name) || configured.has(name) || SECRET_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/**
 * medic's environment plus `extra` (a worker's `env:`, MEDIC_WORKER, ...), without any secret
 * variable: none is taken from `extra` either, since callers may pass a whole environment there.
 * Use with execa's `extendEnv: false`, or as spawn()'s whole `env`.
 */
export function childEnv(extra: Readonly<Record<string, string | undefined>> = {}, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of [base, extra]) {
    for (const [name, value] of Object.entries(source)) {
      if (value !== undefined && !isSecretEnvName(name)) env[name] = value;
    }
  }
  return env;
}

/** The values of the secret variables set in `env`, for redacting what children print (a *_FILE holds a path, not the secret). */
export function listSecretEnvValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    const trimmed = value?.trim();
    if (trimmed && trimmed.length >= MIN_REDACTED_LENGTH && isSecretEnvName(name) && !name.endsWith('_FILE')) values.add(trimmed);
  }
  return [...values];
}
