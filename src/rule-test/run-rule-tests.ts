// `medic test RULES TESTFILE...`: loads the rules once, replays every test of every file and
// compares what happened with what was expected, time by time. act, page and resolved are always
// compared (anything unexpected fails); fire and skip only in tests that list at least one.
import { formatConfigIssue } from '../core/errors.js';
import { formatDuration } from '../core/durations.js';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../core/types.js';
import { matches, replayTest, type Happened } from './replay.js';
import { loadTestFile, type Expected, type RuleTest } from './test-file.js';

export interface TestReport {
  file: string;
  name: string;
  line: number;
  passed: boolean;
  /** Problems with the test, then the diff: `  at 4s`, `    - act ...`, `    + act ...`. */
  details: string[];
}

export type RuleTestsResult =
  | { ok: true; reports: TestReport[] }
  /** The rules or a test file could not be loaded: nothing was replayed from it. */
  | { ok: false; reports: TestReport[]; errors: string[] };

export function runRuleTests(rulesPath: string, files: readonly string[]): RuleTestsResult {
  const loaded = loadConfig(rulesPath);
  if (!loaded.ok) return { ok: false, reports: [], errors: loaded.errors.map(formatConfigIssue) };
  const reports: TestReport[] = [];
  const errors: string[] = [];
  for (const file of files) {
    const parsed = loadTestFile(file);
    if (!parsed.ok) errors.push(...parsed.errors.map(formatConfigIssue));
    else reports.push(...parsed.tests.map((test) => runOne(loaded.config, file, test)));
  }
  return errors.length > 0 ? { ok: false, reports, errors } : { ok: true, reports };
}

function runOne(config: Config, file: string, test: RuleTest): TestReport {
  const replay = replayTest(config, test);
  const checked = new Set<string>(['act', 'page', 'resolved', ...test.expect.map((e) => e.kind)]);
  const happened = replay.happened.filter((h) => checked.has(h.kind));
  const missing = test.expect.filter((expected) => !takeMatch(expected, happened));
  const unexpected = happened;
  const details = [...replay.problems, ...renderDiff(missing, unexpected)];
  return { file, name: test.name, line: test.line, passed: details.length === 0, details };
}

/** Removes the first decision the expectation matches from `pool`; false when there is none. */
function takeMatch(expected: Expected, pool: Happened[]): boolean {
  const index = pool.findIndex((h) => matches(expected, h));
  if (index < 0) return false;
  pool.splice(index, 1);
  return true;
}

function renderDiff(missing: Expected[], unexpected: Happened[]): string[] {
  const times = [...new Set([...missing.map((e) => e.at), ...unexpected.map((h) => h.at)])].sort((a, b) => a - b);
  const lines: string[] = [];
  for (const at of times) {
    lines.push(`at ${formatDuration(at)}:`);
    for (const e of missing.filter((x) => x.at === at)) lines.push(`  - ${describe(e)}   (expected, line ${e.line})`);
    for (const h of unexpected.filter((x) => x.at === at)) lines.push(`  + ${describe(h)}`);
  }
  return lines;
}

/** `act demo-leak step 1: restart_worker demo`, `page demo-hung (ladder-exhausted)`. */
export function describe(d: Omit<Happened, 'at'>): string {
  const step = d.step !== undefined ? ` step ${d.step}` : '';
  const action = d.action !== undefined ? `: ${d.action}` : '';
  const reason = d.reason !== undefined ? ` (${d.reason})` : '';
  return `${d.kind} ${d.rule}${step}${action}${reason}`;
}

/** Human report; the last line is the verdict. */
export function formatRuleTests(result: RuleTestsResult): string[] {
  const lines: string[] = [];
  for (const report of result.reports) {
    lines.push(`${report.passed ? 'PASS' : 'FAIL'}  ${report.file}:${report.line}: ${report.name}`);
    if (!report.passed) {
      if (report.details.some((d) => /^\s+[-+] /.test(d))) lines.push('      (- expected but did not happen, + happened but was not expected)');
      lines.push(...report.details.map((d) => `      ${d}`));
    }
  }
  if (!result.ok) lines.push(...result.errors);
  const failed = result.reports.filter((r) => !r.passed).length;
  const broken = result.ok ? '' : `, ${result.errors.length} error(s) loading rules or tests`;
  lines.push(`${failed === 0 && result.ok ? 'ok' : 'FAILED'}: ${result.reports.length - failed} passed, ${failed} failed${broken}`);
  return lines;
}

export function ruleTestsPassed(result: RuleTestsResult): boolean {
  return result.ok && result.reports.every((r) => r.passed);
}
