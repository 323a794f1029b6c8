import { describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../core/errors.js';
import { parseRulesText } from './load-config.js';
import { parseListenAddress } from './prometheus-field.js';

const RULE = ['rules:', '  - name: full', '    when: disk[/].used_pct > 90', '    do: [{ exec: [/bin/true] }]'];

function settingsOf(lines: string[]) {
  const result = parseRulesText(`${[...lines, ...RULE].join('\n')}\n`, '/srv/medic/rules.yaml');
  if (!result.ok) throw new Error(result.errors.map(formatConfigIssue).join('\n'));
  return result.config.settings;
}

describe('parseListenAddress', () => {
  it.each([
    // a bare port listens on loopback, never on every interface
    [9464, { host: '127.0.0.1', port: 9464 }],
    ['9464', { host: '127.0.0.1', port: 9464 }],
    [':9464', { host: '127.0.0.1', port: 9464 }],
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    // exposing it on the network is a choice written down
    ['0.0.0.0:9464', { host: '0.0.0.0', port: 9464 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['localhost:9100', { host: 'localhost', port: 9100 }],
    // 0: the kernel picks a free port (tests); medic logs the URL
    [0, { host: '127.0.0.1', port: 0 }],
  ])('%j -> %j', (input, expected) => {
    expect(parseListenAddress(input)).toEqual(expected);
  });

  it.each([['127.0.0.1:99999'], ['http://127.0.0.1:9464'], ['127.0.0.1'], [''], [-1], [1.5], [null], [['9464']], ['bad host:9464']])('%j is refused', (input) => {
    expect(parseListenAddress(input)).toBeNull();
  });
});

describe('settings.prometheus', () => {
  it('is off unless given', () => {
    expect(settingsOf(['settings: { interval: 5s }']).prometheus).toBeUndefined();
    expect(settingsOf([]).prometheus).toBeUndefined();
  });

  it('takes a listen address', () => {
    expect(settingsOf(['settings:', '  prometheus: { listen: 9464 }']).prometheus).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(settingsOf(['settings:', '  prometheus: { listen: "0.0.0.0:9100" }']).prometheus).toEqual({ host: '0.0.0.0', port: 9100 });
  });

  it('says what it expected, at the place of the mistake', () => {
    const result = parseRulesText(`${['settings:', '  prometheus: { listen: nine }', ...RULE].join('\n')}\n`, '/srv/medic/rules.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatConfigIssue)).toEqual([
      '/srv/medic/rules.yaml:2:25: settings.prometheus.listen: expected an address like "127.0.0.1:9464" or a port like 9464, got "nine"',
    ]);
  });
});
