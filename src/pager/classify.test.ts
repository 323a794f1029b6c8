import { describe, expect, it } from 'vitest';
import { classifySlackResponse, parseRetryAfterMs, type SlackVerdict } from './classify.js';

describe('classifySlackResponse', () => {
  const cases: Array<[string, number, string, string | null, SlackVerdict]> = [
    // the only success an incoming webhook gives
    ['200 ok', 200, 'ok', null, { kind: 'sent' }],
    // a proxy or portal answered instead of Slack
    ['200 with another body', 200, '<html>login</html>', null, { kind: 'permanent', reason: 'HTTP 200: <html>login</html> (expected "ok")' }],
    // a redirect means a wrong URL
    ['302 redirect', 302, '', null, { kind: 'permanent', reason: 'HTTP 302' }],
    // malformed blocks: sending again fails again
    ['400 invalid_payload', 400, 'invalid_payload', null, { kind: 'permanent', reason: 'HTTP 400: invalid_payload' }],
    ['400 no_text', 400, 'no_text', null, { kind: 'permanent', reason: 'HTTP 400: no_text' }],
    // the webhook was revoked
    ['403 invalid_token', 403, 'invalid_token', null, { kind: 'permanent', reason: 'HTTP 403: invalid_token' }],
    ['403 action_prohibited', 403, 'action_prohibited', null, { kind: 'permanent', reason: 'HTTP 403: action_prohibited' }],
    // the webhook does not exist
    ['404 no_service', 404, 'no_service', null, { kind: 'permanent', reason: 'HTTP 404: no_service' }],
    ['404 channel_not_found', 404, 'channel_not_found', null, { kind: 'permanent', reason: 'HTTP 404: channel_not_found' }],
    // the channel is gone
    ['410 channel_is_archived', 410, 'channel_is_archived', null, { kind: 'permanent', reason: 'HTTP 410: channel_is_archived' }],
    // the server gave up waiting for us
    ['408 timeout', 408, '', null, { kind: 'retry', reason: 'HTTP 408' }],
    // rate limited: wait as long as Slack says
    ['429 with Retry-After', 429, 'rate_limited', '30', { kind: 'retry', reason: 'HTTP 429: rate_limited', retryAfterMs: 30_000 }],
    ['429 without Retry-After', 429, 'rate_limited', null, { kind: 'retry', reason: 'HTTP 429: rate_limited' }],
    ['429 with a junk Retry-After', 429, 'rate_limited', 'soon', { kind: 'retry', reason: 'HTTP 429: rate_limited' }],
    // Slack is having a bad day
    ['500 internal_error', 500, 'internal_error', null, { kind: 'retry', reason: 'HTTP 500: internal_error' }],
    ['502 bad gateway', 502, '', null, { kind: 'retry', reason: 'HTTP 502' }],
    ['503 service unavailable', 503, 'service_unavailable', null, { kind: 'retry', reason: 'HTTP 503: service_unavailable' }],
    ['504 gateway timeout', 504, '', null, { kind: 'retry', reason: 'HTTP 504' }],
    // any other 4xx: permanent
    ['413 too large', 413, 'request_too_large', null, { kind: 'permanent', reason: 'HTTP 413: request_too_large' }],
  ];

  it.each(cases)('%s', (_name, status, body, retryAfter, expected) => {
    expect(classifySlackResponse(status, body, retryAfter)).toEqual(expected);
  });

  it('cuts a long body', () => {
    const verdict = classifySlackResponse(500, 'x'.repeat(5000));
    expect(verdict.kind === 'retry' && verdict.reason.length).toBe('HTTP 500: '.length + 200);
  });
});

describe('parseRetryAfterMs', () => {
  it.each([
    ['1', 1000],
    [' 2 ', 2000],
    ['0.5', 500],
    ['0', 0],
  ])('%s seconds', (header, ms) => expect(parseRetryAfterMs(header)).toBe(ms));

  it.each([[null], [undefined], [''], ['-1'], ['Wed, 21 Oct 2015 07:28:00 GMT']])('%s gives undefined', (header) => {
    expect(parseRetryAfterMs(header)).toBeUndefined();
  });
});
