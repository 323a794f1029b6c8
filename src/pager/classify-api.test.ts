import { describe, expect, it } from 'vitest';
import { classifySlackApiResponse } from './classify-api.js';

describe('classifySlackApiResponse', () => {
  const ok = JSON.stringify({ ok: true, channel: 'C0ONCALL', ts: '1700000000.000100' });
  const error = (word: string) => JSON.stringify({ ok: false, error: word });
  const cases: Array<[string, number, string, string | null, object]> = [
    // the message is posted: keep where it is, to thread and update
    ['posted', 200, ok, null, { kind: 'sent', ref: { channel: 'C0ONCALL', ts: '1700000000.000100' } }],
    // the API answers 200 with ok:false for what a webhook answers 4xx: same again fails again
    ['invalid_auth', 200, error('invalid_auth'), null, { kind: 'permanent', reason: 'Slack API error: invalid_auth' }],
    ['token_revoked', 200, error('token_revoked'), null, { kind: 'permanent', reason: 'Slack API error: token_revoked' }],
    ['channel_not_found', 200, error('channel_not_found'), null, { kind: 'permanent', reason: 'Slack API error: channel_not_found' }],
    ['not_in_channel', 200, error('not_in_channel'), null, { kind: 'permanent', reason: 'Slack API error: not_in_channel' }],
    ['is_archived', 200, error('is_archived'), null, { kind: 'permanent', reason: 'Slack API error: is_archived' }],
    ['invalid_blocks', 200, error('invalid_blocks'), null, { kind: 'permanent', reason: 'Slack API error: invalid_blocks' }],
    // transient errors Slack documents
    ['internal_error', 200, error('internal_error'), null, { kind: 'retry', reason: 'Slack API error: internal_error' }],
    ['ratelimited in the body', 200, error('ratelimited'), null, { kind: 'retry', reason: 'Slack API error: ratelimited' }],
    // HTTP-level answers
    ['429 with Retry-After', 429, error('ratelimited'), '12', { kind: 'retry', reason: 'HTTP 429: ratelimited', retryAfterMs: 12_000 }],
    ['500', 500, error('internal_error'), null, { kind: 'retry', reason: 'HTTP 500: internal_error' }],
    ['503 without a body', 503, '', null, { kind: 'retry', reason: 'HTTP 503' }],
    ['302: wrong URL', 302, '', null, { kind: 'permanent', reason: 'HTTP 302' }],
    // a proxy answered, not Slack
    ['200 that is not JSON', 200, '<html>login</html>', null, { kind: 'permanent', reason: 'HTTP 200: not a Slack API answer' }],
    ['ok without ts', 200, JSON.stringify({ ok: true }), null, { kind: 'permanent', reason: 'Slack API answered ok without a message id' }],
  ];

  it.each(cases)('%s', (_name, status, body, retryAfter, expected) => {
    expect(classifySlackApiResponse(status, body, retryAfter)).toEqual(expected);
  });
});
