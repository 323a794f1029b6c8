// Posts one message to a Slack incoming webhook and says what happened as a SlackVerdict.
// @slack/webhook does the request; our own `fetch` is passed in because the client's errors
// carry no headers (PLATFORM.md), and a 429's Retry-After is what says when to try again.
import type { FetchFunction, IncomingWebhookSendArguments } from '@slack/webhook';
import { classifySlackResponse, type SlackVerdict } from './classify.js';
import { redactSecrets } from './webhook-url.js';

type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/** A message posted with a bot token: where it is, so follow-ups can thread under it or update it. */
export interface SlackRef {
  channel: string;
  ts: string;
}

export type SendResult = SlackVerdict & { ref?: SlackRef };

export interface SendOptions {
  /** Bot token only: reply in this message's thread. A webhook posts a new message instead. */
  thread?: SlackRef;
  /** With `thread`: show the reply in the channel too (reminders). */
  broadcast?: boolean;
}

export interface SlackSender {
  send(message: unknown, options?: SendOptions): Promise<SendResult>;
  /** Bot token only: replaces a message's content (chat.update). */
  update?(ref: SlackRef, message: unknown): Promise<SendResult>;
  /** Removes this sender's secret (the URL) from a text; the outbox applies it to all it writes. */
  redact?(text: string): string;
}

export interface SlackSenderOptions {
  /** Gives up on a request after this long and classifies it as retry. Defaults to 10000 ms. */
  timeoutMs?: number;
}

export function createSlackSender(url: string, options: SlackSenderOptions = {}): SlackSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const redact = (text: string) => redactSecrets(text, [url]);
  return {
    redact,
    async send(message) {
      let response: { status: number; body: string; retryAfter: string | null } | undefined;
      // A fresh client per send, so the captured response belongs to this send alone.
      const fetchAndKeep: FetchFunction = async (target, init) => {
        const res = await fetch(target, {
          ...init,
          // Our own timeout covers reading the body too; a redirect means a wrong URL, so it
          // comes back as a 3xx status (permanent) instead of a network error (retry).
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'manual',
        });
        const body = await res.text();
        response = { status: res.status, body, retryAfter: res.headers.get('retry-after') };
        return replayResponse(res, body);
      };
      // Loaded at the first page, not at start: a medic that never pages never pays for it.
      const { IncomingWebhook } = await import('@slack/webhook');
      const webhook = new IncomingWebhook(url, { fetch: fetchAndKeep, retryConfig: { retries: 0 } });
      try {
        await webhook.send(message as IncomingWebhookSendArguments);
      } catch (error) {
        if (!response) return { kind: 'retry', reason: redact(describeRequestError(error, timeoutMs)) };
      }
      if (!response) return { kind: 'retry', reason: 'no response' };
      return redactVerdict(classifySlackResponse(response.status, response.body, response.retryAfter), redact);
    },
  };
}

/** The client reads the body itself; hand it a response whose body can be read again. */
function replayResponse(res: Response, body: string): FetchResponse {
  return {
    ok: res.ok,
    status: res.status,
    statusText: res.statusText,
    url: '',
    headers: res.headers,
    text: async () => body,
    json: async () => JSON.parse(body) as unknown,
    arrayBuffer: async () => new TextEncoder().encode(body).buffer as ArrayBuffer,
  };
}

/** `timed out after 10000 ms`, `connect ECONNREFUSED 127.0.0.1:9`, ...: never the URL. */
function describeRequestError(error: unknown, timeoutMs: number): string {
  const original = (error as { original?: unknown }).original ?? error;
  const name = (original as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `request timed out after ${timeoutMs} ms`;
  const cause = (original as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.message ?? (original instanceof Error ? original.message : String(original));
  return `request failed: ${detail}`;
}

function redactVerdict(verdict: SlackVerdict, redact: (text: string) => string): SlackVerdict {
  return verdict.kind === 'sent' ? verdict : { ...verdict, reason: redact(verdict.reason) };
}
