import { afterEach, describe, expect, it } from 'vitest';
import type { ActionOutcome } from '../core/types.js';
import { registerSecretEnvNames } from '../os/child-env.js';
import { createRedactor } from '../pager/webhook-url.js';
import { createChildOutputRedactor } from './redact-child-output.js';

const URL_ = 'https://hooks.example.com/services/T1/B2/secret-path-for-redaction';
const TOKEN = 'xoxb-redaction-test-token';
const ROUTE = 'https://other.example/route-secret-value';
const FILE_URL = 'https://hooks.example.com/from-a-webhook-file/abcdef';
const env = { MEDIC_SLACK_WEBHOOK_URL: URL_, MEDIC_SLACK_BOT_TOKEN: TOKEN, TEAM_HOOK: ROUTE, PATH: '/usr/bin:/bin' };

afterEach(() => registerSecretEnvNames([]));

describe('createChildOutputRedactor', () => {
  it('removes secret env values, registered route variables and the pager routes’ secrets', () => {
    registerSecretEnvNames(['TEAM_HOOK']);
    // The pager's redactor knows the URL read from a webhook file, which is in no variable.
    const redactor = createChildOutputRedactor(env, () => createRedactor([FILE_URL]));
    const line = `env: ${URL_} ${TOKEN} ${ROUTE} ${FILE_URL} path ${new URL(URL_).pathname} PATH=/usr/bin:/bin`;
    const text = redactor.text(line);
    for (const secret of [URL_, TOKEN, ROUTE, FILE_URL, new URL(URL_).pathname]) expect(text).not.toContain(secret);
    expect(text).toContain('PATH=/usr/bin:/bin');
  });

  it('redacts an outcome’s message, output tail and the strings in its details', () => {
    const redactor = createChildOutputRedactor(env, () => (text) => text);
    const outcome: ActionOutcome = {
      ok: false, status: 'exit-code', timedOut: false, exitCode: 1, signal: null, durationMs: 5,
      message: `exec exited with code 1: ${TOKEN}`,
      outputTail: `MEDIC_SLACK_WEBHOOK_URL=${URL_}\n`,
      details: { drain: `drain failed: ${URL_}`, pids: [1, 2], nested: { lines: [TOKEN] }, drained: false },
    };
    const clean = redactor.outcome(outcome);
    expect(JSON.stringify(clean)).not.toContain(TOKEN);
    expect(JSON.stringify(clean)).not.toContain(URL_);
    expect(clean).toMatchObject({ ok: false, exitCode: 1, details: { pids: [1, 2], drained: false } });
    expect(clean.message).toBe('exec exited with code 1: <redacted>');
  });
});
