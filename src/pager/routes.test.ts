import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PagingConfig } from '../core/types.js';
import { withDefaults } from './pager.js';
import { chooseRoute, resolveRoutes } from './routes.js';

const HOOK = 'https://hooks.slack.com/services/T0123/B0456/s3cretS3cretS3cret';
const dir = mkdtempSync(join(tmpdir(), 'medic-routes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const paging = (overrides: Partial<PagingConfig>): PagingConfig => ({ ...withDefaults(undefined), ...overrides });

describe('chooseRoute', () => {
  const config = paging({
    routes: [
      { name: 'warnings', severity: 'warning', webhookEnv: 'W' },
      { name: 'gpu', rules: ['gpu-hot', 'gpu-ecc'], webhookEnv: 'G' },
    ],
  });
  it.each([
    // a rule's own route wins over its severity's, whatever the order in the file
    ['gpu-hot', 'warning', 'gpu'],
    ['gpu-ecc', 'critical', 'gpu'],
    // then the severity
    ['disk', 'warning', 'warnings'],
    // then the default
    ['disk', 'critical', 'default'],
  ])('%s (%s) -> %s', (rule, severity, route) => {
    expect(chooseRoute(config, rule, severity)).toBe(route);
  });

  it('is the default without a paging section', () => {
    expect(chooseRoute(undefined, 'x', 'critical')).toBe('default');
  });
});

describe('resolveRoutes', () => {
  it('reads the environment as before when there is no paging section', () => {
    expect(resolveRoutes(undefined, {}).get('default')).toMatchObject({ sender: null, problem: null });
    expect(resolveRoutes(undefined, { MEDIC_SLACK_WEBHOOK_URL: HOOK }).get('default')).toMatchObject({ source: 'MEDIC_SLACK_WEBHOOK_URL', secrets: [HOOK] });
    expect(resolveRoutes(undefined, { MEDIC_SLACK_WEBHOOK_FILE: join(dir, 'none') }).get('default')).toMatchObject({ sender: null, problem: `cannot read MEDIC_SLACK_WEBHOOK_FILE ${join(dir, 'none')}: ENOENT` });
    const bot = resolveRoutes(undefined, { MEDIC_SLACK_BOT_TOKEN: 'xoxb-1', MEDIC_SLACK_CHANNEL: '#oncall' }).get('default')!;
    expect(bot).toMatchObject({ source: 'bot token MEDIC_SLACK_BOT_TOKEN, channel #oncall', secrets: ['xoxb-1'] });
    expect(bot.sender?.update).toBeTypeOf('function');
  });

  it('says what is wrong with each route, never with the secret', () => {
    const file = join(dir, 'gpu-hook');
    writeFileSync(file, `${HOOK}\n`);
    writeFileSync(join(dir, 'empty'), '\n');
    const routes = resolveRoutes(
      paging({
        default: { webhookEnv: 'HOOK_DEFAULT' },
        routes: [
          { name: 'gpu', rules: ['g'], webhookFile: file },
          { name: 'unset', rules: ['u'], webhookEnv: 'HOOK_UNSET' },
          { name: 'junk', rules: ['j'], webhookEnv: 'HOOK_JUNK' },
          { name: 'nobot', rules: ['n'], channel: '#oncall' },
          { name: 'empty', rules: ['e'], webhookFile: join(dir, 'empty') },
        ],
      }),
      { HOOK_DEFAULT: HOOK, HOOK_JUNK: `hooks.slack.com/services/T/B/s3cretS3cretS3cret` },
    );
    const problems = Object.fromEntries([...routes].map(([name, r]) => [name, r.problem]));
    expect(problems).toEqual({
      default: null,
      gpu: null,
      unset: 'route unset: environment variable HOOK_UNSET is not set',
      junk: 'route junk: HOOK_JUNK does not hold a valid URL',
      nobot: 'route nobot: channel #oncall needs a bot token in MEDIC_SLACK_BOT_TOKEN, which is not set',
      empty: `route empty: webhook file ${join(dir, 'empty')} is empty`,
    });
    expect(routes.get('gpu')).toMatchObject({ source: `webhook file ${file}`, secrets: [HOOK] });
    expect(JSON.stringify(problems)).not.toContain('s3cret');
  });
});
