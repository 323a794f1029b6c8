// No process medic starts inherits medic's secrets: the rule itself, then each way medic starts a
// child (the group runner behind actions, queue commands and nvidia-smi, and the supervisor).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../actions/run-command.js';
import { runInGroup as runQueueCommand } from '../samplers/queue/run-in-group.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { childEnv, isSecretEnvName, listSecretEnvNames, listSecretEnvValues, registerSecretEnvNames } from './child-env.js';
import { runInGroup } from './run-in-group.js';

const SECRETS = {
  MEDIC_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/medic-child-env-secret',
  MEDIC_SLACK_WEBHOOK_FILE: '/etc/medic/webhook',
  MEDIC_SLACK_BOT_TOKEN: 'xoxb-medic-child-env-token',
  MEDIC_DEADMAN_URL: 'https://deadman.example/ping/medic-child-env',
  MEDIC_SLACK_WEBHOOK_URL_GPU: 'https://hooks.slack.com/services/T000/B001/gpu-route',
  ROUTE_HOOK: 'https://hooks.example/route-from-config',
};
const PRINT_ENV = [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))'];

describe('childEnv', () => {
  afterEach(() => registerSecretEnvNames([]));

  it('drops the fixed MEDIC_* secrets and MEDIC_SLACK_WEBHOOK_* route variables, keeps the rest', () => {
    const env = childEnv({ MEDIC_WORKER: 'render' }, { ...SECRETS, PATH: '/usr/bin', HOME: '/root' });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/root', ROUTE_HOOK: SECRETS.ROUTE_HOOK, MEDIC_WORKER: 'render' });
  });

  it('drops the names the paging config registers, and forgets them when a reload drops them', () => {
    registerSecretEnvNames(['ROUTE_HOOK']);
    expect(childEnv({}, SECRETS)).toEqual({});
    expect(listSecretEnvNames()).toContain('ROUTE_HOOK');
    registerSecretEnvNames([]);
    expect(childEnv({}, SECRETS)).toEqual({ ROUTE_HOOK: SECRETS.ROUTE_HOOK });
  });

  it('takes no secret from `extra` either (callers may pass a whole environment there)', () => {
    expect(childEnv({ ...SECRETS, MEDIC_WORKER: 'w' }, {})).toEqual({ ROUTE_HOOK: SECRETS.ROUTE_HOOK, MEDIC_WORKER: 'w' });
    expect(isSecretEnvName('MEDIC_WORKER')).toBe(false);
  });

  it('lists the secret values to redact: not the *_FILE path, not values too short to matter', () => {
    registerSecretEnvNames(['ROUTE_HOOK', 'SHORT']);
    expect(listSecretEnvValues({ ...SECRETS, SHORT: '1', OTHER: 'not a secret at all' }).sort()).toEqual(
      [SECRETS.MEDIC_SLACK_WEBHOOK_URL, SECRETS.MEDIC_SLACK_BOT_TOKEN, SECRETS.MEDIC_DEADMAN_URL, SECRETS.MEDIC_SLACK_WEBHOOK_URL_GPU, SECRETS.ROUTE_HOOK].sort(),
    );
  });
});

describe('children medic starts', () => {
  const saved: Record<string, string | undefined> = {};
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'medic-child-env-'));
    for (const [name, value] of Object.entries(SECRETS)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    registerSecretEnvNames(['ROUTE_HOOK']);
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    registerSecretEnvNames([]);
    await rm(stateDir, { recursive: true, force: true });
  });

  function expectNoSecret(printed: string): Record<string, string> {
    const env = JSON.parse(printed) as Record<string, string>;
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(env[name]).toBeUndefined();
      expect(printed).not.toContain(value);
    }
    expect(env.PATH).toBe(process.env.PATH);
    return env;
  }

  it('the group runner (actions, queue commands, nvidia-smi, systemctl)', async () => {
    const run = await runInGroup(PRINT_ENV, { timeoutMs: 10_000, maxOutputBytes: 1 << 20, env: { EXTRA: 'yes' } });
    expect(expectNoSecret(run.stdout).EXTRA).toBe('yes');
  });

  it('runCommand (exec, restart, drain commands)', async () => {
    const outcome = await runCommand(PRINT_ENV, { timeoutMs: 10_000, outputTailBytes: 1 << 20, env: { MEDIC_WORKER: 'render' } });
    expect(outcome.ok).toBe(true);
    expect(expectNoSecret(outcome.outputTail).MEDIC_WORKER).toBe('render');
  });

  it('queue commands', async () => {
    const run = await runQueueCommand(PRINT_ENV, 10_000, new Set());
    expectNoSecret(run.stdout);
  });

  it('managed workers started by the supervisor', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor({ stateDir, onOutput: (_worker, _stream, line) => lines.push(line), maxLineLength: 1 << 20 });
    const exited = new Promise((resolve) => supervisor.once('exit', resolve));
    const started = await supervisor.start({ name: 'printer', mode: 'managed', argv: [...PRINT_ENV.slice(0, 2), `${PRINT_ENV[2]}; process.stdout.write('\\n')`], env: { OWN: 'set' }, stopTimeoutMs: 2000, restartTimeoutMs: 5000 });
    expect(started.ok).toBe(true);
    await exited;
    const env = expectNoSecret(lines.join(''));
    expect(env).toMatchObject({ OWN: 'set', MEDIC_WORKER: 'printer' });
    await supervisor.stopAll();
  });
});
