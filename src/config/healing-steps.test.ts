// The healing steps as operators write them: each form turns into its ActionSpec with defaults,
// and each mistake comes back with file:line:col.
import { describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../core/errors.js';
import { parseRulesText } from './load-config.js';

function load(text: string) {
  const result = parseRulesText(text, '/etc/medic/rules.yaml');
  return result.ok ? { ok: true as const, config: result.config } : { ok: false as const, errors: result.errors.map(formatConfigIssue) };
}

const WORKERS = `
workers:
  render:
    start: [node, worker.js]
    replicas: { min: 1, max: 4 }
    degradation: { file: run/level, command: [/usr/local/bin/set-level, "--level={level}"], http: "http://127.0.0.1:8080/level" }
  api: { systemd: api.service }
`;

function ladderOf(steps: string, extra = '') {
  const result = load(`${WORKERS}rules:\n  - name: r\n    when: cpu.usage_pct > 90\n${extra}    do:\n${steps}`);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return { ladder: result.config.rules.find((r) => r.name === 'r')!.ladder.map((step) => step.action), config: result.config };
}

describe('healing steps', () => {
  it('clear_cache: the folder form with every target, and the worker form', () => {
    const { ladder } = ladderOf(`      - clear_cache: { dir: /var/cache/render, older_than: 7d, keep_under: 10GiB, disk_under: 80%, min_age: 5s, timeout: 5m }
      - clear_cache: { dir: /var/cache/render, disk_under: 75 }
      - clear_cache: { worker: render, command: [/opt/render/bin/clear-cache, --all] }
      - clear_cache: { worker: render, http: { url: "http://127.0.0.1:8080/cache", method: PUT }, timeout: 10s }
`);
    expect(ladder).toEqual([
      { type: 'clear_cache', dir: '/var/cache/render', olderThanMs: 7 * 86_400_000, targetSizeBytes: 10 * 1024 ** 3, targetDiskUsedPct: 80, minAgeMs: 5000, timeoutMs: 300_000 },
      { type: 'clear_cache', dir: '/var/cache/render', targetDiskUsedPct: 75, timeoutMs: 300_000 },
      { type: 'clear_cache', worker: 'render', command: ['/opt/render/bin/clear-cache', '--all'], timeoutMs: 300_000 },
      { type: 'clear_cache', worker: 'render', http: { url: 'http://127.0.0.1:8080/cache', method: 'PUT' }, timeoutMs: 10_000 },
    ]);
  });

  it('archive_files with defaults (timeout 30m)', () => {
    const { ladder } = ladderOf(`      - archive_files: { dir: /var/log/render, dest: /mnt/archive, match: "*.log", older_than: 3d, name: "render-{date}" }\n`);
    expect(ladder).toEqual([{ type: 'archive_files', dir: '/var/log/render', dest: '/mnt/archive', match: '*.log', olderThanMs: 3 * 86_400_000, nameTemplate: 'render-{date}', timeoutMs: 1_800_000 }]);
  });

  it('throttle, and restore_after on the rule', () => {
    const { ladder, config } = ladderOf(`      - throttle: { worker: render, level: reduced }
      - throttle: { worker: render, level: emergency, cpu_quota: 25%, pause: true, timeout: 5s }
      - throttle: { worker: api, cpu_quota: 150% }
`, '    restore_after: 90s\n');
    expect(ladder).toEqual([
      { type: 'throttle', worker: 'render', level: 'reduced', timeoutMs: 30_000 },
      { type: 'throttle', worker: 'render', level: 'emergency', cpuQuotaPct: 25, pause: true, timeoutMs: 5000 },
      { type: 'throttle', worker: 'api', cpuQuotaPct: 150, timeoutMs: 30_000 },
    ]);
    expect(config.rules.find((r) => r.name === 'r')!.restoreAfterMs).toBe(90_000);
  });

  it('scale_out / scale_in: replicas of a managed worker, a fleet by command or HTTP', () => {
    const { ladder } = ladderOf(`      - scale_out: { worker: render }
      - scale_out: { command: [kubectl, scale, deploy/render, "--replicas={replicas}"], current_command: [kubectl, get, deploy/render, -o, "jsonpath={.spec.replicas}"], min: 2, max: 10, step: 2, cooldown: 10m }
      - scale_in: { http: "https://fleet.example.com/groups/render", min: 0, max: 3, cooldown: 0s }
`);
    expect(ladder).toEqual([
      { type: 'scale_out', worker: 'render', step: 1, cooldownMs: 300_000, timeoutMs: 120_000 },
      {
        type: 'scale_out', step: 2, cooldownMs: 600_000, timeoutMs: 120_000,
        fleet: { command: ['kubectl', 'scale', 'deploy/render', '--replicas={replicas}'], currentCommand: ['kubectl', 'get', 'deploy/render', '-o', 'jsonpath={.spec.replicas}'], min: 2, max: 10 },
      },
      { type: 'scale_in', step: 1, cooldownMs: 0, timeoutMs: 120_000, fleet: { http: { url: 'https://fleet.example.com/groups/render', method: 'POST' }, min: 0, max: 3 } },
    ]);
  });

  it('worker options: degradation resolves a relative file against the cwd; replicas', () => {
    const { config } = ladderOf('      - throttle: { worker: render, level: reduced }\n');
    const render = config.workers.get('render')!;
    expect(render.degradation).toEqual({ file: '/etc/medic/run/level', command: ['/usr/local/bin/set-level', '--level={level}'], http: { url: 'http://127.0.0.1:8080/level', method: 'POST' }, timeoutMs: 10_000 });
    expect(render.mode === 'managed' && render.replicas).toEqual({ min: 1, max: 4 });
  });

  it.each([
    {
      what: 'a step with two actions',
      step: '      - { clear_cache: { dir: /var/cache/x, older_than: 1d }, throttle: { worker: render, level: reduced } }\n',
      error: '/etc/medic/rules.yaml:12:63: rule "r": rules[0].do[0].throttle: a step takes exactly one of clear_cache or throttle; found both',
    },
    {
      what: 'clear_cache with neither dir nor worker',
      step: '      - clear_cache: { older_than: 1d }\n',
      error: '/etc/medic/rules.yaml:12:22: rule "r": rules[0].do[0].clear_cache: clear_cache needs one of dir, worker',
    },
    {
      what: 'clear_cache on "/"',
      step: '      - clear_cache: { dir: /, older_than: 1d }\n',
      error: '/etc/medic/rules.yaml:12:29: rule "r": rules[0].do[0].clear_cache.dir: refusing "/": name a folder below it, got "/"',
    },
    {
      what: 'a disk target over 100%',
      step: '      - clear_cache: { dir: /var/cache/x, disk_under: 120% }\n',
      error: '/etc/medic/rules.yaml:12:55: rule "r": rules[0].do[0].clear_cache.disk_under: expected a percentage from 0% to 100% like "80%", got "120%"',
    },
    {
      what: 'a misspelt throttle key, with a suggestion',
      step: '      - throttle: { worker: render, levle: reduced }\n',
      error: '/etc/medic/rules.yaml:12:37: rule "r": rules[0].do[0].throttle.levle: unknown key "levle"; did you mean "level"?',
    },
    {
      what: 'scale_out on a worker with min/max of its own',
      step: '      - scale_out: { worker: render, max: 9 }\n',
      error: '/etc/medic/rules.yaml:12:38: rule "r": rules[0].do[0].scale_out.max: "max" comes from the worker\'s replicas: { min, max }',
    },
    {
      what: 'a scale HTTP target that is not http(s)',
      step: '      - scale_out: { http: "ftp://x/y", min: 1, max: 2 }\n',
      error: '/etc/medic/rules.yaml:12:28: rule "r": rules[0].do[0].scale_out.http: expected an http:// or https:// URL like "http://127.0.0.1:8080/cache/clear", got "ftp://x/y"',
    },
  ])('$what', ({ step, error }) => {
    const result = load(`${WORKERS}rules:\n  - name: r\n    when: cpu.usage_pct > 90\n    do:\n${step}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual([error]);
  });

  it('replicas only for workers medic starts', () => {
    const result = load('workers:\n  api: { systemd: api.service, replicas: { max: 3 } }\n');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatch(/^\/etc\/medic\/rules\.yaml:2:32: .*workers\.api\.replicas: "replicas" only applies to workers with start:$/);
    }
  });
});
