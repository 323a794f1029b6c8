// Where the Slack webhook URL comes from, and how it is kept out of every message. The URL is a
// bearer secret (anyone holding it can post), so like Alertmanager's RedactURL nothing medic
// prints, journals or throws may contain it.
import { readFileSync } from 'node:fs';

export type WebhookUrlResult = { url: string; source: string } | { error: string } | null;

/**
 * MEDIC_SLACK_WEBHOOK_URL, else MEDIC_SLACK_WEBHOOK_FILE (a file holding the URL, trimmed);
 * null when neither is set. Error texts never contain the URL.
 */
export function readWebhookUrl(env: NodeJS.ProcessEnv): WebhookUrlResult {
  const direct = env.MEDIC_SLACK_WEBHOOK_URL?.trim();
  if (direct) return checkUrl(direct, 'MEDIC_SLACK_WEBHOOK_URL');
  const file = env.MEDIC_SLACK_WEBHOOK_FILE?.trim();
  if (!file) return null;
  return readWebhookFile(file, `MEDIC_SLACK_WEBHOOK_FILE ${file}`);
}

/** A file holding the URL (trimmed); `source` names it in errors, which never contain the URL. */
export function readWebhookFile(file: string, source: string): Exclude<WebhookUrlResult, null> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { error: `cannot read ${source}: ${code}` };
  }
  const url = text.trim();
  if (!url) return { error: `${source} is empty` };
  return checkUrl(url, source);
}

/** Checks that a secret URL is http(s) without ever repeating it. */
export function checkUrl(url: string, source: string): Exclude<WebhookUrlResult, null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: `${source} does not hold a valid URL` };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { error: `${source} must be an http(s) URL, not ${parsed.protocol.replace(/:$/, '')}` };
  }
  return { url, source };
}

const SLACK_HOOK_PATH = /hooks\.slack\.com\/(services|workflows|triggers)\/[^\s"'<>)\]}]*/gi;

/** Replaces each secret, and any hooks.slack.com/services/... path, with "<redacted>". */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('<redacted>').split(encodeURIComponent(secret)).join('<redacted>');
    // The path and query alone (what an HTTP library may print) are as secret as the whole URL.
    const tail = pathOf(secret);
    if (tail && tail.length >= 8) out = out.split(tail).join('<redacted>');
  }
  return out.replace(SLACK_HOOK_PATH, 'hooks.slack.com/<redacted>');
}

function pathOf(url: string): string | null {
  try {
    const u = new URL(url);
    const path = `${u.pathname}${u.search}`;
    return path === '/' ? null : path;
  } catch {
    return null;
  }
}

/** A redactor bound to a set of secrets, for passing around. */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  return (text) => redactSecrets(text, secrets);
}
