// Replays one test through the real engine (evaluateRule) on a virtual clock: one tick per
// interval, the series' values as the snapshot, every rule evaluated in order like the daemon
// does. An action takes no time: its outcome (from the test, default ok) comes back on the next
// tick, and its target is busy for the other rules until then. Scheduled rules are not replayed.
import { formatDuration } from '../core/durations.js';
import { actionTarget, evaluateRule, initialRuleState } from '../core/evaluate-rule.js';
import { formatSuggestion } from '../core/nearest.js';
import type { ActionOutcome, Config, Decision, RuleState, Snapshot } from '../core/types.js';
import { describeAction } from '../actions/run-action.js';
import type { Expected, OutcomeToken, RuleTest } from './test-file.js';

/** One decision as the test sees it: the fields an expectation can name. */
export interface Happened {
  at: number;
  kind: Decision['kind'];
  rule: string;
  step?: number;
  action?: string;
  reason?: string;
}

export interface ReplayResult {
  intervalMs: number;
  ticks: number;
  happened: Happened[];
  /** Problems with the test itself (unknown rule, a time between ticks). */
  problems: string[];
}

export function replayTest(config: Config, test: RuleTest): ReplayResult {
  const intervalMs = test.intervalMs ?? config.settings.intervalMs;
  const problems = checkTest(config, test, intervalMs);
  const lastExpected = Math.max(0, ...test.expect.map((e) => e.at / intervalMs));
  const ticks = Math.max(1, ...[...test.series.values()].map((values) => values.length), Math.floor(lastExpected) + 1);
  const rules = config.rules.filter((rule) => !rule.schedule);
  const states = new Map<string, RuleState>(rules.map((rule) => [rule.name, initialRuleState()]));
  const actionsSoFar = new Map<string, number>();
  /** Actions started on the last tick: rule -> target. */
  let running = new Map<string, string | null>();
  const happened: Happened[] = [];

  for (let i = 0; i < ticks; i++) {
    const at = i * intervalMs;
    const snapshot = snapshotAt(test, i, at);
    const finished = running;
    running = new Map();
    const busyTargets = new Set<string>();
    for (const rule of rules) {
      const outcome = finished.has(rule.name) ? outcomeOf(test.outcomes.get(rule.name), actionsSoFar, rule.name) : undefined;
      const result = evaluateRule(rule, states.get(rule.name)!, { at, snapshot, busyTargets, ...(outcome ? { outcome } : {}) });
      states.set(rule.name, result.next);
      for (const decision of result.decisions) {
        happened.push(describeDecision(decision, at));
        if (decision.kind !== 'act') continue;
        const target = actionTarget(decision.action);
        running.set(rule.name, target);
        if (target !== null) busyTargets.add(target);
      }
    }
  }
  return { intervalMs, ticks, happened, problems };
}

function snapshotAt(test: RuleTest, index: number, at: number): Snapshot {
  const values = new Map<string, number>();
  const unknown = new Map<string, string>();
  for (const [key, series] of test.series) {
    const value = series[index];
    if (value === undefined) unknown.set(key, index < series.length ? 'no sample (_) in the test series' : 'past the end of the test series');
    else values.set(key, value);
  }
  return { at, values, unknown };
}

function outcomeOf(tokens: OutcomeToken[] | undefined, counts: Map<string, number>, rule: string): ActionOutcome {
  const n = counts.get(rule) ?? 0;
  counts.set(rule, n + 1);
  const token = tokens?.[n] ?? 'ok';
  const base = { exitCode: null, signal: null, durationMs: 0, outputTail: '' };
  if (token === 'ok') return { ...base, ok: true, status: 'ok', timedOut: false, message: 'ok (medic test)' };
  if (token === 'timeout') return { ...base, ok: false, status: 'timed-out', timedOut: true, message: 'timed out (medic test)' };
  return { ...base, ok: false, status: 'failed', timedOut: false, message: 'failed (medic test)' };
}

function describeDecision(decision: Decision, at: number): Happened {
  const base = { at, kind: decision.kind, rule: decision.rule };
  switch (decision.kind) {
    case 'act':
      return { ...base, step: decision.step + 1, action: describeAction(decision.action) };
    case 'skip':
    case 'page':
      return { ...base, reason: decision.reason };
    default:
      return base;
  }
}

function checkTest(config: Config, test: RuleTest, intervalMs: number): string[] {
  const names = config.rules.map((rule) => rule.name);
  const problems: string[] = [];
  const unknownRule = (rule: string) => (names.includes(rule) ? [] : [`unknown rule "${rule}"${formatSuggestion(rule, names) || ` (rules: ${names.join(', ')})`}`]);
  for (const expected of test.expect) {
    problems.push(...unknownRule(expected.rule).map((p) => `line ${expected.line}: ${p}`));
    if (expected.at % intervalMs !== 0) problems.push(`line ${expected.line}: at ${formatDuration(expected.at)} falls between ticks; with an interval of ${formatDuration(intervalMs)} use a multiple of it`);
    if (config.rules.find((rule) => rule.name === expected.rule)?.schedule) problems.push(`line ${expected.line}: rule "${expected.rule}" runs on a schedule; medic test replays condition rules only`);
  }
  for (const rule of test.outcomes.keys()) problems.push(...unknownRule(rule).map((p) => `outcomes: ${p}`));
  return problems;
}

/** Does a decision satisfy an expectation? Fields the expectation leaves out match anything. */
export function matches(expected: Expected, happened: Happened): boolean {
  return (
    expected.at === happened.at &&
    expected.kind === happened.kind &&
    expected.rule === happened.rule &&
    (expected.step === undefined || expected.step === happened.step) &&
    (expected.action === undefined || expected.action === happened.action) &&
    (expected.reason === undefined || expected.reason === happened.reason)
  );
}
