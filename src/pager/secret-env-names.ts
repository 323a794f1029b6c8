// The environment variables the `paging:` config reads secrets from: route webhooks
// (webhook_env), the bot token (slack_bot.token_env) and the dead-man's switch (deadman.url_env).
// The daemon registers them with src/os/child-env.ts so that no child medic starts inherits them.
import type { PagingConfig } from '../core/types.js';

export function listPagingSecretEnvNames(paging: PagingConfig | undefined): string[] {
  if (!paging) return [];
  const names = [paging.default?.webhookEnv, ...paging.routes.map((route) => route.webhookEnv), paging.botTokenEnv, paging.deadman?.urlEnv];
  return [...new Set(names.filter((name): name is string => typeof name === 'string' && name.length > 0))];
}
