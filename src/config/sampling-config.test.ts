// `queues:`, `settings.sampling` and the GPU warning, through the real loader.
import { describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../core/errors.js';
import type { Config } from '../core/types.js';
import { loadRulesTexts, parseRulesText, type LoadOptions, type LoadResult } from './load-config.js';

const BASE = '/srv/medic/rules';
const yaml = (lines: string[]) => `${lines.join('\n')}\n`;
const noGpu: LoadOptions = { findProgram: () => null };

function configOf(result: LoadResult): Config {
  if (!result.ok) throw new Error(`expected a config, got:\n${result.errors.map(formatConfigIssue).join('\n')}`);
  return result.config;
}

function errorsOf(result: LoadResult): string[] {
  if (result.ok) throw new Error('expected errors, got a config');
  return result.errors.map(formatConfigIssue);
}

// The YAML examples from src/samplers/queue/spec.ts's header, as they go in a rules file.
const QUEUES = yaml([
  'queues:',
  '  jobs:    { redis: { url: redis://127.0.0.1:6379/0, list: jobs } }',
  '  events:  { redis: { url: redis://127.0.0.1:6379/0, stream: events, group: workers } }',
  '  emails:  { redis: { url: redis://127.0.0.1:6379/0, bullmq: emails } }',
  '  renders: { rabbitmq: { url: amqp://guest:guest@127.0.0.1:5672, queue: renders } }',
  '  api:     { http: { url: http://127.0.0.1:8080/stats, path: queue.depth }, timeout: 2s }',
  '  legacy:  { command: [/usr/local/bin/queue-depth, --name, legacy], interval: 1m }',
  '  spool:   { spool: { dir: spool/render, suffix: .job } }',
  'rules:',
  '  - name: backlog',
  '    when: queue.jobs.depth > 1000 or queue[api].growth_per_s > 5',
  '    do: [{ exec: [/usr/local/bin/scale-out] }]',
]);

describe('queues', () => {
  it('parses every source into Config.queues, with the sampling defaults filled in', () => {
    const config = configOf(parseRulesText(QUEUES, 'q.yaml', BASE));
    expect([...config.queues.keys()]).toEqual(['jobs', 'events', 'emails', 'renders', 'api', 'legacy', 'spool']);
    expect(config.queues.get('jobs')).toEqual({ intervalMs: 10_000, timeoutMs: 5000, rateWindowMs: 300_000, redis: { url: 'redis://127.0.0.1:6379/0', list: 'jobs' } });
    expect(config.queues.get('events')).toMatchObject({ redis: { stream: 'events', group: 'workers' } });
    expect(config.queues.get('emails')).toMatchObject({ redis: { bullmq: { queue: 'emails', prefix: 'bull' } } });
    expect(config.queues.get('renders')).toMatchObject({ rabbitmq: { url: 'amqp://guest:guest@127.0.0.1:5672', queue: 'renders' } });
    // A queue's own interval and timeout beat the defaults.
    expect(config.queues.get('api')).toMatchObject({ intervalMs: 10_000, timeoutMs: 2000, http: { path: 'queue.depth' } });
    expect(config.queues.get('legacy')).toMatchObject({ intervalMs: 60_000, timeoutMs: 5000 });
    // A relative spool folder is relative to the rules file, like worker paths.
    expect(config.queues.get('spool')).toMatchObject({ spool: { dir: `${BASE}/spool/render`, suffix: '.job' } });
    expect(config.rules[0]!.when).toMatchObject({ kind: 'or', left: { metric: 'queue.jobs.depth' }, right: { metric: 'queue.api.growth_per_s' } });
  });

  it('takes interval and timeout defaults from settings.sampling.queues', () => {
    const text = yaml(['settings: { sampling: { queues: { interval: 30s, timeout: 1s } } }', QUEUES]);
    const config = configOf(parseRulesText(text, 'q.yaml', BASE));
    expect(config.queues.get('jobs')).toMatchObject({ intervalMs: 30_000, timeoutMs: 1000 });
    expect(config.queues.get('api')).toMatchObject({ intervalMs: 30_000, timeoutMs: 2000 });
    expect(config.queues.get('legacy')).toMatchObject({ intervalMs: 60_000, timeoutMs: 1000 });
  });

  it('rejects a rule about an undefined queue, pointing at the metric, with a suggestion', () => {
    const text = yaml(['queues:', '  jobs: { spool: { dir: /tmp } }', 'rules:', '  - name: r', '    when: cpu.usage_pct > 5 and queue.jbos.depth > 3', '    do: [{ exec: [x] }]']);
    expect(errorsOf(parseRulesText(text, 'q.yaml', BASE))).toEqual(['q.yaml:5:33: rule "r": rules[0].when: undefined queue "jbos"; did you mean "jobs"?']);
  });

  it('says so when no queues are defined at all', () => {
    const text = yaml(['rules:', '  - { name: r, when: queue.jobs.depth > 3, do: [{ exec: [x] }] }']);
    expect(errorsOf(parseRulesText(text, 'q.yaml', BASE))).toEqual(['q.yaml:2:22: rule "r": rules[0].when: undefined queue "jobs" (no queues are defined)']);
  });

  it('lets a rule read a queue defined in another file, and rejects a name defined twice', () => {
    const a = { text: yaml(['queues:', '  jobs: { spool: { dir: /tmp } }']), file: 'a.yaml', baseDir: BASE };
    const b = { text: yaml(['rules:', '  - { name: r, when: queue.jobs.depth > 3, do: [{ exec: [x] }] }']), file: 'b.yaml', baseDir: BASE };
    expect(configOf(loadRulesTexts([a, b])).queues.has('jobs')).toBe(true);
    const again = { text: yaml(['queues:', '  # again', '  jobs: { spool: { dir: /var/tmp } }']), file: 'c.yaml', baseDir: BASE };
    expect(errorsOf(loadRulesTexts([a, b, again]))).toEqual(['c.yaml:3:3: queues.jobs: duplicate queue "jobs"; first defined at a.yaml:2:3']);
  });

  it('rejects a queue name that cannot be a metric label, and a queue that is not a mapping', () => {
    const text = yaml(['queues:', '  "bad name": { spool: { dir: /tmp } }', '  jobs: 5']);
    expect(errorsOf(parseRulesText(text, 'q.yaml', BASE))).toEqual([
      'q.yaml:2:3: queues["bad name"]: invalid queue name "bad name": use letters, digits, _ and -, starting with a letter or _',
      'q.yaml:3:9: queues.jobs: expected a mapping, got 5',
    ]);
  });
});

describe('settings.sampling', () => {
  it('defaults: host at the tick interval, GPU every 15 s when nvidia-smi is found, queues every 10 s', () => {
    const config = configOf(parseRulesText('settings: { interval: 20s }\n', 's.yaml', BASE));
    expect(config.settings.sampling).toEqual({
      host: { intervalMs: 20_000, timeoutMs: 20_000 },
      gpu: { intervalMs: 15_000, timeoutMs: 5000, enabled: 'auto', command: 'nvidia-smi' },
      queues: { intervalMs: 10_000, timeoutMs: 5000 },
    });
  });

  it('takes every key', () => {
    const text = yaml([
      'settings:',
      '  interval: 1s',
      '  sampling:',
      '    host: { interval: 2s, timeout: 500ms }',
      '    gpu: { interval: 1m, timeout: 10s, enabled: true, command: /opt/nvidia/bin/nvidia-smi }',
      '    queues: { interval: 3s, timeout: 2s }',
    ]);
    expect(configOf(parseRulesText(text, 's.yaml', BASE)).settings.sampling).toEqual({
      host: { intervalMs: 2000, timeoutMs: 500 },
      gpu: { intervalMs: 60_000, timeoutMs: 10_000, enabled: true, command: '/opt/nvidia/bin/nvidia-smi' },
      queues: { intervalMs: 3000, timeoutMs: 2000 },
    });
  });

  it('reports mistakes with their place', () => {
    const text = yaml(['settings:', '  sampling:', '    gpu: { enabled: maybe, intervall: 5s }', '    host: { timeout: 5 }', '    disk: {}']);
    expect(errorsOf(parseRulesText(text, 's.yaml', BASE))).toEqual([
      's.yaml:3:21: settings.sampling.gpu.enabled: expected auto, true or false, got "maybe"',
      's.yaml:3:28: settings.sampling.gpu.intervall: unknown key "intervall"; did you mean "interval"?',
      's.yaml:4:22: settings.sampling.host.timeout: expected a duration like "5s", got 5 (add a unit: ms, s, m, h or d)',
      's.yaml:5:5: settings.sampling.disk: unknown key "disk" (expected one of: host, gpu, queues)',
    ]);
  });
});

describe('GPU rules on a host without nvidia-smi', () => {
  const RULES = yaml(['rules:', '  - name: hot', '    when: gpu.0.temperature > 85 or nvidia.healthy == 0', '    do: [{ exec: [x] }]', '  - { name: cpu, when: cpu.usage_pct > 90, do: [{ exec: [x] }] }']);

  it('validate: the rule is valid, with a warning at its condition that it will stay unknown', () => {
    const result = parseRulesText(RULES, 'g.yaml', BASE, noGpu);
    expect(result.ok).toBe(true);
    expect(result.warnings.map(formatConfigIssue)).toEqual(['g.yaml:3:11: rule "hot": rules[0].when: gpu.0.temperature, nvidia.healthy will stay unknown: nvidia-smi is not on PATH on this host']);
  });

  it('no warning when the command is found; the lookup uses the configured command and runs only for GPU rules', () => {
    const asked: string[] = [];
    const found: LoadOptions = { findProgram: (command) => (asked.push(command), `/usr/bin/${command}`) };
    expect(parseRulesText(RULES, 'g.yaml', BASE, found).warnings).toEqual([]);
    expect(asked).toEqual(['nvidia-smi']);
    asked.length = 0;
    parseRulesText(yaml(['settings: { sampling: { gpu: { command: /opt/smi } } }', RULES]), 'g.yaml', BASE, found);
    expect(asked).toEqual(['/opt/smi']);
    asked.length = 0;
    parseRulesText(yaml(['rules:', '  - { name: cpu, when: cpu.usage_pct > 90, do: [{ exec: [x] }] }']), 'g.yaml', BASE, found);
    expect(asked).toEqual([]);
  });

  it('warns too when GPU sampling is switched off', () => {
    const text = yaml(['settings: { sampling: { gpu: { enabled: false } } }', RULES]);
    const result = parseRulesText(text, 'g.yaml', BASE, { findProgram: () => '/usr/bin/nvidia-smi' });
    expect(result.warnings.map((w) => w.message)).toEqual(['gpu.0.temperature, nvidia.healthy will stay unknown: GPU sampling is off (settings.sampling.gpu.enabled: false)']);
  });

  it('searches the real PATH by default', () => {
    const path = `${new URL('../../test/fixtures/bin', import.meta.url).pathname}`;
    expect(parseRulesText(RULES, 'g.yaml', BASE, { env: { PATH: path } }).warnings).toEqual([]);
    expect(parseRulesText(RULES, 'g.yaml', BASE, { env: { PATH: '/nonexistent' } }).warnings).toHaveLength(1);
  });
});
