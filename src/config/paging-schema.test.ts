import { describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../core/errors.js';
import { loadRulesTexts, parseRulesText } from './load-config.js';
import { PAGING_DEFAULTS } from './paging-schema.js';
import { PAGING_DEFAULTS as PAGER_DEFAULTS } from '../pager/pager.js';

const RULES = `
workers:
  render: { start: [/usr/local/bin/render] }
rules:
  - name: gpu-hot
    when: memory.used_pct > 90
    do: [exec: [/bin/true]]
`;

function load(paging: string) {
  return parseRulesText(`${RULES}${paging}`, 'rules.yaml', '/etc/medic');
}

function errorsOf(paging: string): string[] {
  const result = load(paging);
  if (result.ok) throw new Error('expected errors');
  return result.errors.map(formatConfigIssue);
}

describe('paging:', () => {
  it('builds routes, reminders, grouping, the limit and the dead-man switch', () => {
    const result = load(`
paging:
  default: { webhook_env: MEDIC_SLACK_WEBHOOK_URL }
  routes:
    - { name: gpu, rules: [gpu-hot, "render:down"], webhook_file: secrets/gpu-webhook }
    - { name: warnings, severity: warning, channel: "#ops-warnings" }
  slack_bot: { token_env: OPS_BOT_TOKEN }
  reminder: 2h
  group_window: 0s
  rate_limit: 10 per 30m
  deadman: { url_env: MEDIC_DEADMAN_URL, every: 30s, method: GET }
`);
    expect(result.ok && result.config.paging).toEqual({
      default: { webhookEnv: 'MEDIC_SLACK_WEBHOOK_URL' },
      routes: [
        { name: 'gpu', rules: ['gpu-hot', 'render:down'], webhookFile: '/etc/medic/secrets/gpu-webhook' },
        { name: 'warnings', severity: 'warning', channel: '#ops-warnings' },
      ],
      botTokenEnv: 'OPS_BOT_TOKEN',
      reminderMs: 2 * 3_600_000,
      groupWindowMs: 0,
      rateLimit: { count: 10, windowMs: 30 * 60_000 },
      storageProbeMs: 30_000,
      deadman: { urlEnv: 'MEDIC_DEADMAN_URL', everyMs: 30_000, method: 'GET' },
    });
  });

  it('fills in the defaults, which are the pager own defaults', () => {
    const result = load('paging: {}\n');
    expect(result.ok && result.config.paging).toEqual({ routes: [], botTokenEnv: 'MEDIC_SLACK_BOT_TOKEN', reminderMs: 4 * 3_600_000, groupWindowMs: 30_000, rateLimit: { count: 20, windowMs: 3_600_000 }, storageProbeMs: 30_000 });
    expect(PAGER_DEFAULTS).toMatchObject({ reminderMs: PAGING_DEFAULTS.reminderMs, groupWindowMs: PAGING_DEFAULTS.groupWindowMs, rateLimit: PAGING_DEFAULTS.rateLimit, storageProbeMs: PAGING_DEFAULTS.storageProbeMs, botTokenEnv: PAGING_DEFAULTS.botTokenEnv });
    const none = load('');
    expect(none.ok && none.config.paging).toBeUndefined();
  });

  it.each([
    ['webhook_env', 'paging:\n  default: { webhook_env: "https://hooks.slack.com/services/T1/B1/s3cretS3cret" }\n'],
    ['webhook_file', 'paging:\n  default: { webhook_file: https://hooks.slack.com/services/T1/B1/s3cretS3cret }\n'],
    ['channel', 'paging:\n  default: { channel: "https://hooks.slack.com/services/T1/B1/s3cretS3cret" }\n'],
    ['an unknown key', 'paging:\n  webhook: https://hooks.slack.com/services/T1/B1/s3cretS3cret\n'],
    ['the dead-man switch', 'paging:\n  deadman: { url_env: "https://hc-ping.com/s3cretS3cret" }\n'],
    ['a list', 'paging:\n  routes: [https://hooks.slack.com/services/T1/B1/s3cretS3cret]\n'],
  ])('refuses a URL in %s without repeating it', (_where, paging) => {
    const errors = errorsOf(paging);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('this looks like a URL: the rules file must not hold the webhook URL (it is a secret)');
    expect(errors.join('\n')).not.toContain('s3cret');
  });

  it('refuses routes that clash', () => {
    expect(errorsOf(`
paging:
  routes:
    - { name: a, rules: [gpu-hot], webhook_env: A }
    - { name: b, rules: [gpu-hot], webhook_env: B }
    - { name: a, severity: warning, webhook_env: C }
    - { name: c, severity: warning, webhook_env: D }
    - { name: default, severity: critical, webhook_env: E }
`)).toEqual([
      'rules.yaml:12:26: paging.routes[1].rules[0]: rule "gpu-hot" is already routed by routes[0]',
      'rules.yaml:13:15: paging.routes[2].name: name "a" is already routed by routes[0]',
      'rules.yaml:14:28: paging.routes[3].severity: severity "warning" is already routed by routes[2]',
      'rules.yaml:15:15: paging.routes[4].name: the default route is set with paging.default, not in routes',
    ]);
  });

  it('takes one webhook source per route and exactly one of rules or severity', () => {
    expect(errorsOf(`
paging:
  routes:
    - { name: a, webhook_env: A, webhook_file: /a }
`)).toEqual([
      'rules.yaml:11:7: paging.routes[0]: a route takes exactly one of rules or severity',
      'rules.yaml:11:34: paging.routes[0].webhook_file: a route takes one of webhook_env or webhook_file, not both',
    ]);
  });

  it('allows paging in one file only', () => {
    const result = loadRulesTexts([
      { text: 'paging: { reminder: 1h }\n', file: 'a.yaml', baseDir: '/etc/medic' },
      { text: 'rules: []\npaging: { reminder: 2h }\n', file: 'b.yaml', baseDir: '/etc/medic' },
    ]);
    expect(result.ok ? [] : result.errors.map(formatConfigIssue)).toEqual(['b.yaml:2:1: paging: paging may appear in only one file; already set at a.yaml:1:1']);
  });
});
