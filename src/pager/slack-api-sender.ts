// Posts through Slack's Web API with a bot token (chat.postMessage, chat.update), so medic can
// keep one message per incident: the page is the message, details and follow-ups go in its
// thread, and the message is updated when the incident clears. Plain fetch: the API is two
// JSON POSTs, and the answer's headers (Retry-After) must stay visible.
import { classifySlackApiResponse } from './classify-api.js';
import type { SendOptions, SendResult, SlackRef, SlackSender } from './slack-sender.js';
import { redactSecrets } from './webhook-url.js';

export interface SlackApiSenderOptions {
  token: string;
  /** Channel id (C0123ABC) or name (#oncall). */
  channel: string;
  /** Defaults to https://slack.com/api (MEDIC_SLACK_API_URL overrides it, for proxies and tests). */
  apiUrl?: string;
  /** Gives up on a request after this long and classifies it as retry. Defaults to 10000 ms. */
  timeoutMs?: number;
}

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api';

export function createSlackApiSender(options: SlackApiSenderOptions): SlackSender {
  const apiUrl = (options.apiUrl ?? DEFAULT_SLACK_API_URL).replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const redact = (text: string) => redactSecrets(text, [options.token]);

  async function call(method: 'chat.postMessage' | 'chat.update', body: Record<string, unknown>): Promise<SendResult> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${apiUrl}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${options.token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      text = await res.text();
    } catch (error) {
      return { kind: 'retry', reason: redact(describeFetchError(error, timeoutMs)) };
    }
    const result = classifySlackApiResponse(res.status, text, res.headers.get('retry-after'));
    return result.kind === 'sent' ? result : { ...result, reason: redact(`${method}: ${result.reason}`) };
  }

  return {
    redact,
    send(message: unknown, sendOptions: SendOptions = {}) {
      const thread = sendOptions.thread ? { thread_ts: sendOptions.thread.ts, ...(sendOptions.broadcast ? { reply_broadcast: true } : {}) } : {};
      const channel = sendOptions.thread?.channel ?? options.channel;
      return call('chat.postMessage', { ...(message as object), channel, ...thread, unfurl_links: false });
    },
    update(ref: SlackRef, message: unknown) {
      return call('chat.update', { ...(message as object), channel: ref.channel, ts: ref.ts });
    },
  };
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `request timed out after ${timeoutMs} ms`;
  const cause = (error as { cause?: { message?: string } }).cause;
  return `request failed: ${cause?.message ?? (error instanceof Error ? error.message : String(error))}`;
}
