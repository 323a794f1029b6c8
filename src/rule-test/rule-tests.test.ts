// `medic test`: the bundled rules pass their tests, a deliberately broken copy fails with a
// readable diff, and test files are checked like rules files.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { formatConfigIssue } from '../core/errors.js';
import { parseSeries } from './series.js';
import { parseTestFile } from './test-file.js';
import { formatRuleTests, ruleTestsPassed, runRuleTests } from './run-rule-tests.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RULES = path.join(REPO, 'rules');
const DEMO_TESTS = path.join(RULES, 'tests', 'demo.test.yaml');

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'medic-rule-tests-'));
  dirs.push(dir);
  return dir;
}

describe('the bundled rules', () => {
  it('pass their tests in rules/tests/', () => {
    const result = runRuleTests(RULES, [DEMO_TESTS]);
    expect(formatRuleTests(result).join('\n')).toMatch(/^ok: 7 passed, 0 failed$/m);
    expect(ruleTestsPassed(result)).toBe(true);
  });

  it('the rules loader does not read the tests folder as rules', () => {
    const loaded = loadConfig(RULES);
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(loaded.config.files.map((f) => path.relative(RULES, f))).toEqual(['demo.yaml']);
  });

  it('a copy with a wrong threshold fails the leak test with a diff naming what did not happen', () => {
    const dir = tempDir();
    const text = readFileSync(path.join(RULES, 'demo.yaml'), 'utf8');
    expect(text).toContain('worker.demo.rss > 150MiB');
    writeFileSync(path.join(dir, 'demo.yaml'), text.replace('worker.demo.rss > 150MiB', 'worker.demo.rss > 180MiB'));
    const result = runRuleTests(dir, [DEMO_TESTS]);
    expect(ruleTestsPassed(result)).toBe(false);
    const failed = result.reports.filter((r) => !r.passed);
    expect(failed.map((r) => r.name)).toEqual(['a leak is restarted after 2 samples over 150MiB, then verified for 10s']);
    const report = formatRuleTests(result).join('\n');
    expect(report).toContain(`FAIL  ${DEMO_TESTS}:6: a leak is restarted after 2 samples over 150MiB, then verified for 10s
      (- expected but did not happen, + happened but was not expected)
      at 4s:
        - fire demo-leak   (expected, line 14)
        - act demo-leak step 1: restart_worker demo   (expected, line 16)
      at 16s:
        - resolved demo-leak   (expected, line 18)`);
    expect(report).toMatch(/^FAILED: 6 passed, 1 failed$/m);
  });


  it('an action that happens at another time shows as - and +', () => {
    const dir = tempDir();
    const text = readFileSync(path.join(RULES, 'demo.yaml'), 'utf8');
    // One sample is enough now: the restart comes 2s early.
    writeFileSync(path.join(dir, 'demo.yaml'), text.replace(/(when: worker\.demo\.rss > 150MiB\n\s+for: )2 samples/, '$11 sample'));
    const report = formatRuleTests(runRuleTests(dir, [DEMO_TESTS])).join('\n');
    expect(report).toContain(`      at 2s:
        + fire demo-leak
        + act demo-leak step 1: restart_worker demo
      at 4s:
        - fire demo-leak   (expected, line 14)
        - act demo-leak step 1: restart_worker demo   (expected, line 16)
      at 14s:
        + resolved demo-leak
      at 16s:
        - resolved demo-leak   (expected, line 18)`);
  });
});

describe('test files', () => {
  const RULES_TEXT = `
settings: { interval: 1s }
workers:
  w: { restart: [/bin/true] }
rules:
  - name: hot
    when: cpu.usage_pct > 90%
    do: [restart_worker: w, { exec: [/usr/local/bin/cool-down] }]
    verify: 2s
`;
  function rulesDir(): string {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'rules.yaml'), RULES_TEXT);
    return dir;
  }
  function testFile(dir: string, text: string): string {
    mkdirSync(path.join(dir, 'tests'), { recursive: true });
    const file = path.join(dir, 'tests', 't.yaml');
    writeFileSync(file, text);
    return file;
  }

  it('outcomes drive the ladder: a failed first step moves on to the second at once', () => {
    const dir = rulesDir();
    const file = testFile(dir, `
tests:
  - name: step 1 fails, step 2 helps
    series: { cpu.usage_pct: "95 95 95 50 50 50 50" }
    outcomes: { hot: fail ok }
    expect:
      - { at: 0s, act: { rule: hot, step: 1, action: restart_worker w } }
      - { at: 1s, act: { rule: hot, step: 2, action: exec /usr/local/bin/cool-down } }
      - { at: 4s, resolved: hot }
`);
    const result = runRuleTests(dir, [file]);
    expect(formatRuleTests(result)).toEqual([`PASS  ${file}:3: step 1 fails, step 2 helps`, 'ok: 1 passed, 0 failed']);
  });

  it('a page nobody expected fails the test; unknown rules and times between ticks are named', () => {
    const dir = rulesDir();
    const file = testFile(dir, `
interval: 1s
tests:
  - name: stays hot
    series: { cpu.usage_pct: 95x6 }
    outcomes: { hto: ok }
    expect:
      - { at: 0s, act: hot }
      - { at: 1500ms, act: hto }
`);
    const result = runRuleTests(dir, [file]);
    const [report] = result.reports;
    expect(report!.passed).toBe(false);
    expect(report!.details).toEqual([
      'line 9: unknown rule "hto"; did you mean "hot"?',
      'line 9: at 1.5s falls between ticks; with an interval of 1s use a multiple of it',
      'outcomes: unknown rule "hto"; did you mean "hot"?',
      'at 1.5s:',
      '  - act hto   (expected, line 9)',
      'at 2s:',
      '  + act hot step 2: exec /usr/local/bin/cool-down',
      'at 4s:',
      '  + page hot (ladder-exhausted)',
    ]);
  });

  it('reports mistakes in a test file with file:line:col', () => {
    const result = parseTestFile(
      `tests:
  - name: t
    series:
      cpu.usage_pct: "95 hot"
      worker.w.rs: "1"
    expect:
      - { at: 2s }
      - { at: soon, resolved: r }
      - { at: 1s, page: { rule: r, reason: tired } }
`,
      't.yaml',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatConfigIssue)).toEqual([
      't.yaml:4:22: tests[0].series["cpu.usage_pct"]: "hot": "hot" is not a number',
      expect.stringMatching(/^t\.yaml:5:20: tests\[0\]\.series\["worker\.w\.rs"\]: unknown worker metric "rs" \(known: up, pid, rss, /),
      't.yaml:7:9: tests[0].expect[0]: an expectation takes "at" and exactly one of fire, act, skip, page, resolved; found none',
      't.yaml:8:15: tests[0].expect[1].at: expected a duration like "4s", got "soon"',
      't.yaml:9:44: tests[0].expect[2].page.reason: expected "ladder-exhausted" or "budget-spent", got "tired"',
    ]);
  });
});

describe('parseSeries', () => {
  it.each([
    ['worker.demo.rss', '100MiB 160MiB x2 _ 1GiB', [100 * 2 ** 20, 160 * 2 ** 20, 160 * 2 ** 20, undefined, 2 ** 30]],
    ['memory.used_pct', '95% 50x3', [95, 50, 50, 50]],
    ['worker.demo.heartbeat_age', '1 30s 2m', [1, 30, 120]],
    ['worker.demo.up', '1x2 0 _x2', [1, 1, 0, undefined, undefined]],
  ])('%s: %s', (metric, text, values) => {
    expect(parseSeries(metric, text)).toEqual({ ok: true, key: metric, values });
  });

  it.each([
    ['memory.used_pct', '95MiB', '"95MiB": memory.used_pct is a percentage; "95MiB" is a size'],
    ['worker.demo.up', '2', '"2": worker.demo.up is 0 or 1, got 2'],
    ['memory.used_pct', '', 'expected at least one sample'],
    ['memory.used_pct', '5x0', '"5x0": a repeat count from 1'],
  ])('%s: %j is refused', (metric, text, message) => {
    const result = parseSeries(metric, text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });
});

// Keep the example in the README runnable: it is the documented format.
describe('the README example', () => {
  it('is a valid test file that passes against rules/', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const block = /<!-- rule-test-example -->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README.md has a ```yaml block after <!-- rule-test-example -->').toBeDefined();
    const dir = tempDir();
    copyFileSync(path.join(RULES, 'demo.yaml'), path.join(dir, 'demo.yaml'));
    // In a sub-folder: a *.yaml beside the rules would be read as rules.
    mkdirSync(path.join(dir, 'tests'));
    const file = path.join(dir, 'tests', 'example.test.yaml');
    writeFileSync(file, block!);
    const result = runRuleTests(dir, [file]);
    expect(formatRuleTests(result).at(-1)).toMatch(/^ok: \d+ passed, 0 failed$/);
  });
});
