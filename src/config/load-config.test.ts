import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../core/errors.js';
import type { ConfigIssue } from '../core/errors.js';
import type { Config, Rule } from '../core/types.js';
import { loadConfig, loadRulesTexts, parseRulesText } from './load-config.js';
import type { LoadResult } from './load-config.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/rules');
const BASE = '/srv/medic/rules';

function configOf(result: LoadResult): Config {
  if (!result.ok) throw new Error(`expected a config, got:\n${result.errors.map(formatConfigIssue).join('\n')}`);
  return result.config;
}

function errorsOf(result: LoadResult): ConfigIssue[] {
  if (result.ok) throw new Error('expected errors, got a config');
  return result.errors;
}

function yaml(lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

const FULL = yaml([
  'settings:',
  '  interval: 10s',
  'workers:',
  '  demo:',
  '    start: [node, ../examples/demo-worker.js]',
  '    cwd: ..',
  '    env: { LEAK_MB: "20", ROUNDS: 3 }',
  '    stop_timeout: 5s',
  '    heartbeat: { file: ../.medic-state/demo.heartbeat, stale_after: 10s }',
  '    restart_policy:',
  '      verify: 5s',
  '      budget: 4 per 10m',
  '      backoff: { initial: 2s, max: 1m, reset_after: 5m }',
  '      attempts: 2',
  '  ingest:',
  '    systemd: ingest.service',
  '    heartbeat: { file: hb/ingest, stale_after: 1m }',
  '  legacy:',
  '    restart: [/usr/local/bin/legacy-restart, --fast]',
  '    pid_file: /run/legacy.pid',
  '    restart_timeout: 2m',
  'rules:',
  '  - name: demo-leak',
  '    when: worker.demo.rss > 150MiB and not (memory.used_pct < 10%)',
  '    for: 3 samples',
  '    do:',
  '      - exec: [/usr/local/bin/drop-caches]',
  '      - exec: { argv: [/bin/true], timeout: 5s, worker: demo }',
  '      - restart_worker: demo',
  '      - { restart_worker: demo, attempts: 3 }',
  '    verify: 45s',
  '    budget: 3 per 1h',
  '    backoff: { initial: 10s, max: 10m, reset_after: 30m }',
  '    severity: warning',
  '    runbook: https://wiki/render-leak',
  '  - name: ingest-stale',
  '    when: worker[ingest].heartbeat_age > 90s',
  '    for: 30s',
  '    do: [{ restart_worker: ingest }]',
]);

describe('parseRulesText: a full valid file', () => {
  it('produces the exact Config', () => {
    const result = parseRulesText(FULL, 'rules/demo.yaml', BASE);
    const config = configOf(result);
    expect(result.warnings).toEqual([]);
    expect(config.settings).toMatchObject({ intervalMs: 10_000 });
    expect(config.settings.sampling.host).toEqual({ intervalMs: 10_000, timeoutMs: 10_000 });
    expect(config.files).toEqual(['rules/demo.yaml']);
    expect([...config.workers.entries()]).toEqual([
      [
        'demo',
        {
          name: 'demo',
          mode: 'managed',
          argv: ['node', '../examples/demo-worker.js'],
          cwd: '/srv/medic',
          env: { LEAK_MB: '20', ROUNDS: '3' },
          stopTimeoutMs: 5000,
          restartTimeoutMs: 60_000,
          // relative to the worker's cwd, not the rules folder
          heartbeat: { file: '/srv/.medic-state/demo.heartbeat', staleAfterMs: 10_000 },
        },
      ],
      ['ingest', { name: 'ingest', mode: 'systemd', unit: 'ingest.service', restartTimeoutMs: 60_000, heartbeat: { file: '/srv/medic/rules/hb/ingest', staleAfterMs: 60_000 } }],
      ['legacy', { name: 'legacy', mode: 'command', restartArgv: ['/usr/local/bin/legacy-restart', '--fast'], pidFile: '/run/legacy.pid', restartTimeoutMs: 120_000 }],
    ]);
    const expected: Rule[] = [
      {
        name: 'demo:down',
        implicit: true,
        whenText: 'worker.demo.up == 0',
        when: { kind: 'compare', metric: 'worker.demo.up', op: '==', value: 0, text: 'worker.demo.up == 0' },
        hold: { samples: 1 },
        ladder: [{ action: { type: 'restart_worker', worker: 'demo' }, attempts: 2 }],
        verifyMs: 5000,
        budget: { count: 4, windowMs: 600_000 },
        backoff: { initialMs: 2000, maxMs: 60_000, resetAfterMs: 300_000 },
        severity: 'critical',
        source: { file: 'rules/demo.yaml', line: 4, col: 3 },
      },
      {
        name: 'demo-leak',
        whenText: 'worker.demo.rss > 150MiB and not (memory.used_pct < 10%)',
        when: {
          kind: 'and',
          left: { kind: 'compare', metric: 'worker.demo.rss', op: '>', value: 157_286_400, text: 'worker.demo.rss > 150MiB' },
          right: { kind: 'not', operand: { kind: 'compare', metric: 'memory.used_pct', op: '<', value: 10, text: 'memory.used_pct < 10%' } },
        },
        hold: { samples: 3 },
        ladder: [
          { action: { type: 'exec', argv: ['/usr/local/bin/drop-caches'], timeoutMs: 60_000 }, attempts: 1 },
          { action: { type: 'exec', argv: ['/bin/true'], timeoutMs: 5000, worker: 'demo' }, attempts: 1 },
          { action: { type: 'restart_worker', worker: 'demo' }, attempts: 1 },
          { action: { type: 'restart_worker', worker: 'demo' }, attempts: 3 },
        ],
        verifyMs: 45_000,
        budget: { count: 3, windowMs: 3_600_000 },
        backoff: { initialMs: 10_000, maxMs: 600_000, resetAfterMs: 1_800_000 },
        severity: 'warning',
        runbook: 'https://wiki/render-leak',
        source: { file: 'rules/demo.yaml', line: 23, col: 5 },
      },
      {
        name: 'ingest-stale',
        whenText: 'worker[ingest].heartbeat_age > 90s',
        when: { kind: 'compare', metric: 'worker.ingest.heartbeat_age', op: '>', value: 90, text: 'worker[ingest].heartbeat_age > 90s' },
        hold: { ms: 30_000 },
        ladder: [{ action: { type: 'restart_worker', worker: 'ingest' }, attempts: 1 }],
        verifyMs: 30_000,
        budget: { count: 5, windowMs: 3_600_000 },
        backoff: { initialMs: 1000, maxMs: 300_000, resetAfterMs: 600_000 },
        severity: 'critical',
        source: { file: 'rules/demo.yaml', line: 36, col: 5 },
      },
    ];
    expect(config.rules).toEqual(expected);
  });

  it('fills in every default', () => {
    const config = configOf(parseRulesText(yaml(['workers:', '  w: { start: [sleep, 100] }', 'rules:', '  - { name: r, when: worker.w.up == 0, do: [{ exec: [/bin/true] }] }']), 'r.yaml', BASE));
    expect(config.settings).toEqual({
      intervalMs: 5000,
      sampling: {
        host: { intervalMs: 5000, timeoutMs: 5000 },
        gpu: { intervalMs: 15_000, timeoutMs: 5000, enabled: 'auto', command: 'nvidia-smi' },
        queues: { intervalMs: 10_000, timeoutMs: 5000 },
      },
    });
    expect(config.queues).toEqual(new Map());
    expect(config.workers.get('w')).toEqual({ name: 'w', mode: 'managed', argv: ['sleep', '100'], cwd: BASE, stopTimeoutMs: 10_000, restartTimeoutMs: 60_000 });
    const [crash, rule] = config.rules;
    expect(crash).toMatchObject({ name: 'w:down', verifyMs: 10_000, budget: { count: 5, windowMs: 600_000 }, backoff: { initialMs: 1000, maxMs: 300_000, resetAfterMs: 600_000 } });
    // attempts default to the budget's count
    expect(crash!.ladder).toEqual([{ action: { type: 'restart_worker', worker: 'w' }, attempts: 5 }]);
    expect(rule).toMatchObject({ hold: { samples: 1 }, verifyMs: 30_000, budget: { count: 5, windowMs: 3_600_000 }, severity: 'critical' });
    expect(rule).not.toHaveProperty('runbook');
  });

  it('generates no crash rule when restart_policy is off, and then the name is free', () => {
    const config = configOf(
      parseRulesText(
        yaml(['workers:', '  w: { start: [sleep, 100], restart_policy: off }', 'rules:', '  - { name: "w:down", when: worker.w.up == 0, for: 2 samples, do: [{ restart_worker: w }] }']),
        'r.yaml',
        BASE,
      ),
    );
    expect(config.rules.map((rule) => [rule.name, rule.implicit ?? false])).toEqual([['w:down', false]]);
  });

  it('accepts an empty document and a document with empty sections', () => {
    expect(configOf(parseRulesText('', 'empty.yaml', BASE))).toMatchObject({ workers: new Map(), queues: new Map(), rules: [], settings: { intervalMs: 5000 }, files: ['empty.yaml'] });
    expect(configOf(parseRulesText('workers:\nrules:\n', 'empty.yaml', BASE)).rules).toEqual([]);
  });

  it('resolves relative paths against the file folder when no baseDir is given', () => {
    const config = configOf(parseRulesText(yaml(['workers:', '  w: { restart: [x], pid_file: run/w.pid }']), 'some/dir/r.yaml'));
    expect(config.workers.get('w')).toMatchObject({ pidFile: path.resolve('some/dir/run/w.pid') });
  });
});

describe('loadConfig: folders', () => {
  it('merges every file of a folder, in name order, across references', () => {
    const location = path.join(FIXTURES, 'valid');
    const result = loadConfig(location);
    const config = configOf(result);
    expect(config.files).toEqual([path.join(location, 'rules.yaml'), path.join(location, 'workers.yaml')]);
    expect([...config.workers.keys()]).toEqual(['demo', 'ingest', 'legacy']);
    // crash rules first, then the user rules in file order
    expect(config.rules.map((rule) => rule.name)).toEqual(['demo:down', 'demo-leak', 'disk-full']);
    expect(config.settings).toMatchObject({ intervalMs: 2000, host: 'render-01' });
    expect(config.workers.get('demo')).toMatchObject({ cwd: FIXTURES, heartbeat: { file: path.join(FIXTURES, 'state/demo.heartbeat'), staleAfterMs: 10_000 } });
    expect(config.workers.get('legacy')).toMatchObject({ pidFile: path.join(location, 'run/legacy.pid') });
    expect(config.rules[1]!.source).toEqual({ file: path.join(location, 'rules.yaml'), line: 3, col: 5 });
    expect(result.warnings).toEqual([]);
  });

  it('rejects names defined twice across files, pointing at the second definition', () => {
    const errors = errorsOf(
      loadRulesTexts([
        { file: 'a.yaml', baseDir: BASE, text: yaml(['settings: { interval: 1s }', 'workers:', '  w: { start: [sleep, 1] }', 'rules:', '  - { name: r, when: worker.w.up == 0, do: [{ restart_worker: w }] }']) },
        { file: 'b.yaml', baseDir: BASE, text: yaml(['settings: { host: h }', 'workers:', '  w: { systemd: w.service }', 'rules:', '  - { name: r, when: cpu.usage_pct > 1, do: [{ exec: [x] }] }']) },
      ]),
    );
    expect(errors.map(formatConfigIssue)).toEqual([
      'b.yaml:1:1: settings: settings may appear in only one file; already set at a.yaml:1:1',
      'b.yaml:3:3: rule "w": workers.w: duplicate worker "w"; first defined at a.yaml:3:3',
      'b.yaml:5:13: rule "r": rules[0].name: duplicate rule name "r"; first defined at a.yaml:5:13',
    ]);
  });

  it('reports a missing path and an empty folder at line 1', () => {
    const missing = path.join(os.tmpdir(), 'medic-no-such-rules');
    expect(errorsOf(loadConfig(missing))).toEqual([{ file: missing, line: 1, col: 1, path: '', message: 'cannot read rules location: no such file or folder' }]);
    const empty = makeTempDir();
    fs.writeFileSync(path.join(empty, 'notes.txt'), 'not rules');
    expect(errorsOf(loadConfig(empty))).toEqual([{ file: empty, line: 1, col: 1, path: '', message: 'no rules files (*.yaml or *.yml) in this folder' }]);
  });

  it('reads .yml files and skips sub-folders', () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, 'b.yml'), 'rules:\n  - { name: b, when: cpu.usage_pct > 1, do: [{ exec: [x] }] }\n');
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'rules:\n  - { name: a, when: cpu.usage_pct > 1, do: [{ exec: [x] }] }\n');
    fs.mkdirSync(path.join(dir, 'nested.yaml'));
    const config = configOf(loadConfig(dir));
    expect(config.rules.map((rule) => rule.name)).toEqual(['a', 'b']);
    expect(config.files).toEqual([path.join(dir, 'a.yaml'), path.join(dir, 'b.yml')]);
  });
});

describe('errors', () => {
  it('collects every mistake of a document in one pass, in file order', () => {
    const text = yaml([
      'settings: { interval: 5, hots: x }', // 1
      'workers:',
      '  demo: { start: [node, x.js], systemd: a.service, cwd: 3 }', // 3
      '  nil:', // 4
      'rules:',
      '  - name: r1',
      '    when: memory.usd_pct > 3 and worker.rendr.up == 0', // 7
      '    for: 5 minutes', // 8
      '    do: []', // 9
      '  - name: r2',
      '    when: cpu.usage_pct > 3',
      '    do:',
      '      - { restart: demo }', // 13
      '      - exec: { argv: [x], timeout: 5 }', // 14
      '      - exec: [a]', // 15
      '        restart_worker: demo', // 16
      '    severity: crit', // 17
      '    restart_policy: { verfy: 1s }', // 18
    ]);
    const errors = errorsOf(parseRulesText(text, 'r.yaml', BASE)).map(formatConfigIssue);
    expect(errors).toEqual([
      'r.yaml:1:23: settings.interval: expected a duration like "5s", got 5 (add a unit: ms, s, m, h or d)',
      'r.yaml:1:26: settings.hots: unknown key "hots"; did you mean "host"?',
      'r.yaml:3:32: rule "demo": workers.demo.systemd: a worker takes exactly one of start, systemd or restart; found start and systemd',
      'r.yaml:3:57: rule "demo": workers.demo.cwd: expected a string, got 3',
      'r.yaml:4:3: rule "nil": workers.nil: expected a worker with one of start, systemd or restart, got nothing',
      'r.yaml:7:11: rule "r1": rules[0].when: unknown memory metric "usd_pct"; did you mean "used_pct"?',
      'r.yaml:7:34: rule "r1": rules[0].when: undefined worker "rendr" (workers: demo, nil)',
      'r.yaml:8:10: rule "r1": rules[0].for: expected a duration like "30s" or a count like "3 samples", got "5 minutes"',
      'r.yaml:9:9: rule "r1": rules[0].do: expected at least one step (exec or restart_worker), got an empty list',
      'r.yaml:13:11: rule "r2": rules[1].do[0].restart: unknown key "restart" (expected one of: exec, restart_worker, clear_cache, archive_files, throttle, scale_out, scale_in, attempts)',
      'r.yaml:14:37: rule "r2": rules[1].do[1].exec.timeout: expected a duration like "60s", got 5 (add a unit: ms, s, m, h or d)',
      'r.yaml:16:9: rule "r2": rules[1].do[2].restart_worker: a step takes exactly one of exec or restart_worker; found both',
      'r.yaml:17:15: rule "r2": rules[1].severity: expected "critical" or "warning", got "crit"',
      'r.yaml:18:5: rule "r2": rules[1].restart_policy: unknown key "restart_policy" (expected one of: name, when, for, do, verify, budget, backoff, severity, runbook, restore_after, schedule, timezone, dry_run)',
    ]);
  });

  it.each([
    // [why, document, expected line:col message]
    ['a list at the top', '- a\n- b\n', '1:1: expected a mapping with settings, workers and rules, got a list'],
    ['a missing rule key points at the rule', 'rules:\n  - name: r\n    do: [{ exec: [x] }]\n', '2:5: rule "r": rules[0].when: missing required key "when"'],
    ['a typo inside restart_policy', 'workers:\n  w:\n    start: [x]\n    restart_policy: { verfy: 1s }\n', '4:23: rule "w": workers.w.restart_policy.verfy: unknown key "verfy"; did you mean "verify"?'],
    ['restart_policy that is neither off nor a mapping', 'workers:\n  w:\n    start: [x]\n    restart_policy: never\n', '4:21: rule "w": workers.w.restart_policy: expected "off" or a mapping'],
    ['a mode-only key on the wrong mode', 'workers:\n  w:\n    systemd: w.service\n    pid_file: /run/w.pid\n', '4:5: rule "w": workers.w.pid_file: "pid_file" only applies to workers with restart:'],
    ['a worker without a mode', 'workers:\n  w: { heartbeat: { file: f, stale_after: 1s } }\n', '2:3: rule "w": workers.w: a worker needs one of start'],
    ['a bad worker name', 'workers:\n  "9lives": { restart: [x] }\n', '2:3: rule "9lives": workers["9lives"]: invalid worker name "9lives"'],
    ['exec naming an undefined worker', 'rules:\n  - { name: r, when: cpu.usage_pct > 1, do: [{ exec: { argv: [x], worker: ghost } }] }\n', '2:75: rule "r": rules[0].do[0].exec.worker: undefined worker "ghost" (no workers are defined)'],
    ['an empty argv', 'rules:\n  - { name: r, when: cpu.usage_pct > 1, do: [{ exec: [] }] }\n', '2:54: rule "r": rules[0].do[0].exec: expected an argv list with at least the program, got an empty list'],
    ['a non-string argv item', 'rules:\n  - { name: r, when: cpu.usage_pct > 1, do: [{ exec: [x, {a: 1}] }] }\n', '2:58: rule "r": rules[0].do[0].exec[1]: expected a program argument (a string), got a mapping'],
    ['a bare number where a duration goes', 'rules:\n  - { name: r, when: cpu.usage_pct > 1, verify: 30, do: [{ exec: [x] }] }\n', '2:49: rule "r": rules[0].verify: expected a duration like "30s", got 30 (add a unit'],
    ['zero attempts', 'rules:\n  - { name: r, when: cpu.usage_pct > 1, do: [{ exec: [x], attempts: 0 }] }\n', '2:69: rule "r": rules[0].do[0].attempts: expected a whole number of at least 1, got 0'],
    ['backoff initial above max', 'rules:\n  - { name: r, when: cpu.usage_pct > 1, backoff: { initial: 1h, max: 1m }, do: [{ exec: [x] }] }\n', '2:61: rule "r": rules[0].backoff.initial: backoff initial is longer than max'],
    ['a bad rule name', 'rules:\n  - { name: "my rule", when: cpu.usage_pct > 1, do: [{ exec: [x] }] }\n', '2:13: rule "my rule": rules[0].name: expected a rule name of letters, digits'],
    ['a when in a block scalar points into its lines', 'rules:\n  - name: r\n    when: >\n      cpu.usage_pct > 1 and\n      cpu.lod1 > 2\n    do: [{ exec: [x] }]\n', '5:7: rule "r": rules[0].when: unknown cpu metric "lod1"'],
    ['the end of a block scalar is the end of its last line', 'rules:\n  - name: r\n    when: |\n      cpu.usage_pct > 1 and\n    do: [{ exec: [x] }]\n', '4:28: rule "r": rules[0].when: expected a metric'],
    ['a plain scalar over two lines', 'rules:\n  - name: r\n    when: cpu.usage_pct > 1 and\n      cpu.lod1 > 2\n    do: [{ exec: [x] }]\n', '4:7: rule "r": rules[0].when: unknown cpu metric "lod1"'],
    ['a double-quoted scalar over two lines', 'rules:\n  - name: r\n    when: "cpu.usage_pct > 1 and\n        cpu.lod1 > 2"\n    do: [{ exec: [x] }]\n', '4:9: rule "r": rules[0].when: unknown cpu metric "lod1"'],
    ['single quotes shift by one', "rules:\n  - { name: r, when: 'cpu.usage_pct >> 1', do: [{ exec: [x] }] }\n", '2:38: rule "r": rules[0].when: expected a number after ">", got ">"'],
    ['a YAML syntax error', 'rules:\n  - name: [a\n', "3:1: Flow sequence in block collection must be sufficiently indented and end with a ]"],
    ['an alias to a later anchor', 'a: *x\n', '1:1: Unresolved alias'],
  ])('%s', (_why, text, expected) => {
    const errors = errorsOf(parseRulesText(text, 'r.yaml', BASE));
    expect(errors).toHaveLength(1);
    expect(formatConfigIssue(errors[0]!)).toContain(`r.yaml:${expected}`);
  });
});

describe('warnings', () => {
  it('warns about a ladder that never touches the watched worker, and a heartbeat that does not exist', () => {
    const result = parseRulesText(
      yaml([
        'workers:',
        '  w: { start: [sleep, 100] }',
        'rules:',
        '  - name: stale',
        '    when: worker.w.heartbeat_age > 30s',
        '    do: [{ exec: [/bin/true] }]',
      ]),
      'r.yaml',
      BASE,
    );
    expect(result.ok).toBe(true);
    expect(result.warnings.map(formatConfigIssue)).toEqual([
      'r.yaml:5:11: rule "stale": rules[0].when: worker.w.heartbeat_age is always unknown: worker "w" has no heartbeat file',
      'r.yaml:6:9: rule "stale": rules[0].do: the condition is about worker "w" but no step acts on it (use restart_worker, or exec with worker:)',
    ]);
  });
});

const tempDirs: string[] = [];

function makeTempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medic-config-'));
  tempDirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
