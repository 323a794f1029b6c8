// What an answer of Slack's Web API (chat.postMessage, chat.update) means for a page. Unlike a
// webhook, the API answers 200 with `{ ok: false, error }` for most failures, so the error word
// decides: a few mean "try again later", the rest will fail the same way every time.
import { parseRetryAfterMs } from './classify.js';
import type { SlackRef, SendResult } from './slack-sender.js';

/** Error words Slack documents as transient. */
const TRANSIENT = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

export function classifySlackApiResponse(status: number, body: string, retryAfterHeader?: string | null): SendResult {
  const word = body.trim().slice(0, 200);
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(retryAfterHeader);
    const reason = `HTTP 429${word ? `: ${errorWord(word) ?? word}` : ''}`;
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  if (status >= 500 || status === 408) return { kind: 'retry', reason: `HTTP ${status}${word ? `: ${errorWord(word) ?? word}` : ''}` };
  if (status < 200 || status >= 300) return { kind: 'permanent', reason: `HTTP ${status}${word ? `: ${errorWord(word) ?? word}` : ''}` };
  let answer: { ok?: unknown; error?: unknown; ts?: unknown; channel?: unknown };
  try {
    answer = JSON.parse(body) as typeof answer;
  } catch {
    return { kind: 'permanent', reason: `HTTP ${status}: not a Slack API answer` };
  }
  if (answer.ok === true && typeof answer.ts === 'string' && typeof answer.channel === 'string') {
    const ref: SlackRef = { channel: answer.channel, ts: answer.ts };
    return { kind: 'sent', ref };
  }
  const error = typeof answer.error === 'string' ? answer.error.slice(0, 100) : 'no error given';
  if (answer.ok === true) return { kind: 'permanent', reason: `Slack API answered ok without a message id` };
  const reason = `Slack API error: ${error}`;
  return TRANSIENT.has(error) ? { kind: 'retry', reason } : { kind: 'permanent', reason };
}

function errorWord(body: string): string | undefined {
  try {
    const error = (JSON.parse(body) as { error?: unknown }).error;
    return typeof error === 'string' ? error : undefined;
  } catch {
    return undefined;
  }
}
