import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWebhookUrl, redactSecrets } from './webhook-url.js';

const URL_ = 'https://hooks.slack.com/services/T0123/B0456/s3cretS3cretS3cret';
const dir = mkdtempSync(join(tmpdir(), 'medic-webhook-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readWebhookUrl', () => {
  it('is null when nothing is set', () => {
    expect(readWebhookUrl({})).toBeNull();
    expect(readWebhookUrl({ MEDIC_SLACK_WEBHOOK_URL: '  ' })).toBeNull();
  });

  it('reads the variable first', () => {
    const file = join(dir, 'other');
    writeFileSync(file, 'https://example.com/other\n');
    expect(readWebhookUrl({ MEDIC_SLACK_WEBHOOK_URL: URL_, MEDIC_SLACK_WEBHOOK_FILE: file })).toEqual({ url: URL_, source: 'MEDIC_SLACK_WEBHOOK_URL' });
  });

  it('reads and trims the file', () => {
    const file = join(dir, 'hook');
    writeFileSync(file, `\n  ${URL_}\n`);
    expect(readWebhookUrl({ MEDIC_SLACK_WEBHOOK_FILE: file })).toEqual({ url: URL_, source: `MEDIC_SLACK_WEBHOOK_FILE ${file}` });
  });

  it('explains a missing or empty file', () => {
    expect(readWebhookUrl({ MEDIC_SLACK_WEBHOOK_FILE: join(dir, 'nope') })).toEqual({ error: `cannot read MEDIC_SLACK_WEBHOOK_FILE ${join(dir, 'nope')}: ENOENT` });
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    expect(readWebhookUrl({ MEDIC_SLACK_WEBHOOK_FILE: empty })).toEqual({ error: `MEDIC_SLACK_WEBHOOK_FILE ${empty} is empty` });
  });

  it('rejects what is not an http(s) URL without repeating it', () => {
    const secretish = 'ftp://user:s3cret@hooks.example/services/x';
    const result = readWebhookUrl({ MEDIC_SLACK_WEBHOOK_URL: secretish });
    expect(result).toEqual({ error: 'MEDIC_SLACK_WEBHOOK_URL must be an http(s) URL, not ftp' });
    const junk = readWebhookUrl({ MEDIC_SLACK_WEBHOOK_URL: 'hooks.slack.com/services/T/B/s3cret' });
    expect(junk).toEqual({ error: 'MEDIC_SLACK_WEBHOOK_URL does not hold a valid URL' });
    expect(JSON.stringify(junk)).not.toContain('s3cret');
  });
});

describe('redactSecrets', () => {
  it('replaces the secret, its path and its encoded form', () => {
    expect(redactSecrets(`POST ${URL_} failed`, [URL_])).toBe('POST <redacted> failed');
    expect(redactSecrets('GET /services/T0123/B0456/s3cretS3cretS3cret 404', [URL_])).toBe('GET <redacted> 404');
    expect(redactSecrets(`url=${encodeURIComponent(URL_)}`, [URL_])).toBe('url=<redacted>');
  });

  it('replaces any Slack hook path even when it is not a known secret', () => {
    expect(redactSecrets('see https://hooks.slack.com/services/TX/BX/abc.', [])).toBe('see https://hooks.slack.com/<redacted>');
  });

  it('leaves other text alone and ignores empty secrets', () => {
    expect(redactSecrets('nothing here', ['', URL_])).toBe('nothing here');
  });
});
