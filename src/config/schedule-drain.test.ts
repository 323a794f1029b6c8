// Config for issue 4's rule and worker keys: schedule/timezone, dry_run and a worker's drain.
import { describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../core/errors.js';
import { parseRulesText } from './load-config.js';
import { checkCronExpression, checkTimeZone } from './schedule-fields.js';

function load(text: string) {
  const result = parseRulesText(text, 'r.yaml', '/srv');
  if (!result.ok) throw new Error(result.errors.map(formatConfigIssue).join('\n'));
  return result.config;
}

function errorsOf(text: string): string[] {
  const result = parseRulesText(text, 'r.yaml', '/srv');
  return result.ok ? [] : result.errors.map(formatConfigIssue);
}

describe('schedule, timezone and dry_run', () => {
  it('a rule may run on a schedule alone, on a schedule gated by when, or in shadow mode', () => {
    const config = load(`
rules:
  - name: nightly
    schedule: "0 3 * * *"
    timezone: Europe/Berlin
    do: [{ exec: [/usr/local/bin/archive] }]
  - name: gated
    schedule: "*/5 * * * * *"
    when: disk[/].used_pct > 80%
    do: [{ exec: [/usr/local/bin/archive] }]
  - name: shadow
    when: cpu.usage_pct > 95
    dry_run: true
    do: [{ exec: [/usr/local/bin/flush] }]
`);
    const [nightly, gated, shadow] = config.rules;
    expect(nightly).toMatchObject({ name: 'nightly', whenText: '', schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' } });
    expect(nightly).not.toHaveProperty('when');
    expect(nightly).not.toHaveProperty('dryRun');
    expect(gated).toMatchObject({ whenText: 'disk[/].used_pct > 80%', schedule: { cron: '*/5 * * * * *' }, when: { kind: 'compare', metric: 'disk[/].used_pct' } });
    expect(gated!.schedule).not.toHaveProperty('timezone');
    expect(shadow).toMatchObject({ dryRun: true });
    expect(shadow).not.toHaveProperty('schedule');
  });

  it.each([
    ['61 * * * *', 'minute "61" is out of range or malformed'],
    ['0 3 * *', 'expected 5 or 6 fields but got 4'],
    ['every night', 'expected 5 or 6 fields but got 2'],
  ])('rejects the cron expression %j: %s', (expression, why) => {
    expect(checkCronExpression(expression)).toContain(why);
  });

  it('accepts 5 and 6 fields and names; knows IANA zones', () => {
    for (const ok of ['0 3 * * *', '*/1 * * * * *', '0 0 * * sun', '30 2 1 jan *']) expect(checkCronExpression(ok), ok).toBeNull();
    expect(checkTimeZone('UTC')).toBeNull();
    expect(checkTimeZone('America/New_York')).toBeNull();
    expect(checkTimeZone('Mars/Olympus')).toContain('unknown time zone "Mars/Olympus"');
  });

  it('dry_run must be a boolean; schedule must be a string', () => {
    expect(errorsOf('rules:\n  - { name: r, when: cpu.usage_pct > 1, dry_run: maybe, do: [{ exec: [x] }] }\n')).toEqual([
      'r.yaml:2:50: rule "r": rules[0].dry_run: expected true or false, got "maybe"',
    ]);
    expect(errorsOf('rules:\n  - { name: r, schedule: 3, do: [{ exec: [x] }] }\n')[0]).toContain('rules[0].schedule: expected a cron expression like "0 3 * * *"');
  });
});

describe('drain', () => {
  it('builds the drain of each kind with a 30s default grace', () => {
    const config = load(`
workers:
  a: { start: [/bin/sleep, "100"], drain: { signal: usr1 } }
  b: { systemd: b.service, drain: { command: [/usr/local/bin/drain, b], grace: 5s } }
  c: { restart: [/usr/local/bin/restart-c], drain: { http: "http://127.0.0.1:8080/drain", grace: 1m } }
  d: { start: [/bin/sleep, "100"] }
`);
    expect(config.workers.get('a')).toMatchObject({ mode: 'managed', drain: { kind: 'signal', signal: 'SIGUSR1', graceMs: 30_000 } });
    expect(config.workers.get('b')).toMatchObject({ mode: 'systemd', drain: { kind: 'command', argv: ['/usr/local/bin/drain', 'b'], graceMs: 5000 } });
    expect(config.workers.get('c')).toMatchObject({ mode: 'command', drain: { kind: 'http', url: 'http://127.0.0.1:8080/drain', graceMs: 60_000 } });
    expect(config.workers.get('d')).not.toHaveProperty('drain');
  });

  it('rejects an http drain that is not a URL and a typo in its keys', () => {
    expect(errorsOf('workers:\n  a: { start: [x], drain: { http: "127.0.0.1/drain" } }\n')[0]).toContain('workers.a.drain.http: expected an http:// or https:// URL');
    expect(errorsOf('workers:\n  a: { start: [x], drain: { signal: USR1, grcae: 5s } }\n')).toEqual([
      'r.yaml:2:43: rule "a": workers.a.drain.grcae: unknown key "grcae"; did you mean "grace"?',
    ]);
  });
});
