// One pure function decides what a Slack answer means for a page, like Alertmanager's
// Retrier.Check (notify/util.go). Network errors and timeouts never reach here: the sender
// classifies those as retry itself.

export type SlackVerdict =
  | { kind: 'sent' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'permanent'; reason: string };

/** Slack's error bodies are short words (`no_service`); anything longer is cut. */
const BODY_MAX_CHARS = 200;

export function classifySlackResponse(status: number, body: string, retryAfterHeader?: string | null): SlackVerdict {
  const word = body.trim().slice(0, BODY_MAX_CHARS);
  const reason = word ? `HTTP ${status}: ${word}` : `HTTP ${status}`;
  if (status >= 200 && status < 300) {
    // A webhook answers exactly `ok`; anything else on 200 (a captive portal, a proxy's page)
    // means the message did not reach Slack, and sending it again will not change that.
    return word === 'ok' ? { kind: 'sent' } : { kind: 'permanent', reason: `${reason} (expected "ok")` };
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(retryAfterHeader);
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  // 408 Request Timeout is the server giving up on a slow request: worth another try.
  if (status >= 500 || status === 408) return { kind: 'retry', reason };
  // 400 invalid_payload, 403 invalid_token, 404 no_service, 410 channel_is_archived, 3xx, ...:
  // the same request will fail the same way.
  return { kind: 'permanent', reason };
}

/** Retry-After as delta-seconds (what Slack sends); an HTTP-date or junk gives undefined. */
export function parseRetryAfterMs(header: string | null | undefined): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  return Math.round(Number(text) * 1000);
}
