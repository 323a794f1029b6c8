// Which channel a page goes to, and how to reach it. Routes name where the secret lives (an
// environment variable, a file, or a channel for the bot token); the secret is read here, when
// medic starts or reloads, and never written anywhere.
import type { PageTarget, PagingConfig } from '../core/types.js';
import { createSlackApiSender } from './slack-api-sender.js';
import { createSlackSender, type SlackSender } from './slack-sender.js';
import { checkUrl, readWebhookFile, readWebhookUrl } from './webhook-url.js';

export const DEFAULT_ROUTE = 'default';

export interface ResolvedRoute {
  name: string;
  /** Null when the route cannot send: see `problem`, or nothing is configured at all. */
  sender: SlackSender | null;
  /** Why the route cannot send (unset variable, unreadable file, not a URL); never contains the secret. */
  problem: string | null;
  /** Where the secret came from, for logs: `MEDIC_SLACK_WEBHOOK_URL`, `file /etc/medic/gpu-webhook`. */
  source: string | null;
  /** What to redact from everything written about this route. */
  secrets: string[];
}

export interface RouteOptions {
  /** Per request. Defaults to 10000 ms. */
  timeoutMs?: number;
}

/** A rule's own route, else its severity's, else the default. */
export function chooseRoute(paging: PagingConfig | undefined, rule: string, severity: string): string {
  const routes = paging?.routes ?? [];
  return (routes.find((r) => r.rules?.includes(rule)) ?? routes.find((r) => r.severity === severity))?.name ?? DEFAULT_ROUTE;
}

export function resolveRoutes(paging: PagingConfig | undefined, env: NodeJS.ProcessEnv, options: RouteOptions = {}): Map<string, ResolvedRoute> {
  const routes = new Map<string, ResolvedRoute>();
  routes.set(DEFAULT_ROUTE, resolveDefault(paging, env, options));
  for (const route of paging?.routes ?? []) routes.set(route.name, resolveTarget(route.name, route, paging?.botTokenEnv, env, options));
  return routes;
}

function resolveDefault(paging: PagingConfig | undefined, env: NodeJS.ProcessEnv, options: RouteOptions): ResolvedRoute {
  if (paging?.default) return resolveTarget(DEFAULT_ROUTE, paging.default, paging.botTokenEnv, env, options);
  // No `paging.default`: the environment, as before routes existed.
  const channel = env.MEDIC_SLACK_CHANNEL?.trim();
  if (channel) return resolveTarget(DEFAULT_ROUTE, { channel }, paging?.botTokenEnv, env, options);
  const found = readWebhookUrl(env);
  if (!found) return { name: DEFAULT_ROUTE, sender: null, problem: null, source: null, secrets: [] };
  if ('error' in found) return broken(DEFAULT_ROUTE, found.error);
  return webhookRoute(DEFAULT_ROUTE, found.url, found.source, options);
}

function resolveTarget(name: string, target: PageTarget, botTokenEnv: string | undefined, env: NodeJS.ProcessEnv, options: RouteOptions): ResolvedRoute {
  const tokenEnv = botTokenEnv ?? 'MEDIC_SLACK_BOT_TOKEN';
  const token = env[tokenEnv]?.trim();
  if (target.channel && token) {
    const apiUrl = env.MEDIC_SLACK_API_URL?.trim() || undefined;
    const sender = createSlackApiSender({ token, channel: target.channel, ...(apiUrl ? { apiUrl } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
    return { name, sender, problem: null, source: `bot token ${tokenEnv}, channel ${target.channel}`, secrets: [token] };
  }
  if (target.webhookEnv) {
    const value = env[target.webhookEnv]?.trim();
    if (!value) return broken(name, `route ${name}: environment variable ${target.webhookEnv} is not set`);
    const checked = checkUrl(value, target.webhookEnv);
    return 'error' in checked ? broken(name, `route ${name}: ${checked.error}`) : webhookRoute(name, checked.url, checked.source, options);
  }
  if (target.webhookFile) {
    const read = readWebhookFile(target.webhookFile, `webhook file ${target.webhookFile}`);
    return 'error' in read ? broken(name, `route ${name}: ${read.error}`) : webhookRoute(name, read.url, read.source, options);
  }
  if (target.channel) return broken(name, `route ${name}: channel ${target.channel} needs a bot token in ${tokenEnv}, which is not set`);
  return broken(name, `route ${name}: no webhook_env, webhook_file or channel`);
}

function webhookRoute(name: string, url: string, source: string, options: RouteOptions): ResolvedRoute {
  return { name, sender: createSlackSender(url, options), problem: null, source, secrets: [url] };
}

function broken(name: string, problem: string): ResolvedRoute {
  return { name, sender: null, problem, source: null, secrets: [] };
}
