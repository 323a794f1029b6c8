import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('amqp://guest:s3cret@127.0.0.1:5672/vh')).toBe('amqp://guest:***@127.0.0.1:5672/vh');
    expect(redactUrl('redis://:pw@127.0.0.1:6379/0')).toBe('redis://:***@127.0.0.1:6379/0');
    expect(redactUrl('redis://127.0.0.1:6379/0')).toBe('redis://127.0.0.1:6379/0');
  });

  it('hides userinfo of text it cannot parse', () => {
    expect(redactUrl('x://user:pw@[bad')).toBe('x://***@[bad');
  });
});

describe('redactSecrets', () => {
  it('removes the password from messages', () => {
    expect(redactSecrets('failed for amqp://u:p%40ss@h and p@ss', 'amqp://u:p%40ss@h')).toBe('failed for amqp://u:***@h and ***');
  });
});
