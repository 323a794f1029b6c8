// `medic diagnose`: what is wrong on this host right now, and what would medic do. Samples once
// (twice for CPU, which needs a delta), evaluates every rule without acting, and reads the
// journal for the daemon's own view and the last incidents. Exit codes follow Nagios.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { evaluateRule, initialRuleState } from '../core/evaluate-rule.js';
import { formatConfigIssue } from '../core/errors.js';
import { lookupMetric } from '../core/metrics.js';
import type { Config, Decision, Rule, RuleState, Snapshot } from '../core/types.js';
import { loadConfig } from '../config/load-config.js';
import { describeAction } from '../actions/run-action.js';
import { Journal } from '../journal/journal.js';
import { HostSampler } from '../samplers/sample-host.js';
import { readPidFile } from '../samplers/resolve-pid.js';
import { diskPathsOf } from '../daemon/daemon.js';
import { probeWorkers } from '../daemon/worker-probes.js';
import { formatAgo, formatMetricValue, formatTime, formatValues, table } from './format.js';
import { rulesPath, statePath, type PathOptions } from './paths.js';

export type NagiosStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';
const EXIT: Record<NagiosStatus, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

export interface RuleDiagnosis {
  name: string;
  severity: string;
  truth: boolean | 'unknown';
  values: Record<string, number>;
  unknown: Array<{ metric: string; reason: string }>;
  /** The daemon's state for the rule, when a daemon saved one recently. */
  daemonState: string | null;
  wouldDo: string;
}

export interface Diagnosis {
  host: string;
  at: number;
  status: NagiosStatus;
  signals: Array<{ metric: string; value: number; unit: string }>;
  unknown: Array<{ metric: string; reason: string }>;
  rules: RuleDiagnosis[];
  daemon: { running: boolean; savedAgoMs: number | null };
  incidents: Array<{ id: number; rule: string; status: string; openedAt: number; closedAt: number | null }>;
  errors: string[];
}

export async function diagnose(options: PathOptions): Promise<Diagnosis> {
  const at = Date.now();
  const loaded = loadConfig(rulesPath(options));
  if (!loaded.ok) {
    return { host: hostname(), at, status: 'UNKNOWN', signals: [], unknown: [], rules: [], daemon: { running: false, savedAgoMs: null }, incidents: [], errors: loaded.errors.map(formatConfigIssue) };
  }
  const config = loaded.config;
  const stateDir = statePath(options);
  const snapshot = await sampleTwice(config, stateDir);
  const journalFile = join(stateDir, 'journal.sqlite');
  const journal = existsSync(journalFile) ? Journal.open(journalFile) : null;
  try {
    const saved = new Map((journal?.loadRuleStates() ?? []).map((row) => [row.rule, row]));
    const newest = Math.max(0, ...[...saved.values()].map((row) => row.savedAt));
    const savedAgoMs = newest ? snapshot.at - newest : null;
    const running = savedAgoMs !== null && savedAgoMs < 3 * config.settings.intervalMs + 5000;
    const rules = config.rules.map((rule) => diagnoseRule(rule, snapshot, running ? (saved.get(rule.name)?.state as RuleState | undefined) : undefined));
    const incidents = (journal?.recentIncidents(5) ?? []).map((i) => ({ id: i.id, rule: i.rule, status: i.status, openedAt: i.openedAt, closedAt: i.closedAt }));
    return {
      host: config.settings.host ?? hostname(),
      at: snapshot.at,
      status: statusOf(rules),
      signals: [...snapshot.values].map(([metric, value]) => ({ metric, value, unit: unitOf(metric) })),
      unknown: [...snapshot.unknown].map(([metric, reason]) => ({ metric, reason })),
      rules,
      daemon: { running, savedAgoMs },
      incidents,
      errors: [],
    };
  } finally {
    journal?.close();
  }
}

async function sampleTwice(config: Config, stateDir: string): Promise<Snapshot> {
  const sampler = new HostSampler({
    diskPaths: () => diskPathsOf(config.rules),
    workerProbes: () => probeWorkers(config.workers.values(), { readManagedPid: (name) => readPidFile(join(stateDir, 'workers', `${name}.pid`)) }),
  });
  await sampler.sample(Date.now());
  // CPU usage is a rate: it needs two readings some time apart.
  await new Promise((resolve) => setTimeout(resolve, 250));
  return sampler.sample(Date.now());
}

function diagnoseRule(rule: Rule, snapshot: Snapshot, daemonState: RuleState | undefined): RuleDiagnosis {
  const state = daemonState ?? initialRuleState();
  const { condition, decisions, next } = evaluateRule(rule, state, { at: snapshot.at, snapshot, busyTargets: new Set() });
  const unknown = condition.unknown.map((metric) => ({ metric, reason: reasonFor(metric, snapshot) }));
  return {
    name: rule.name,
    severity: rule.severity,
    truth: condition.truth,
    values: condition.values,
    unknown,
    daemonState: daemonState ? describeState(daemonState) : null,
    wouldDo: describeWouldDo(rule, condition.truth, decisions, next, unknown),
  };
}

function describeWouldDo(rule: Rule, truth: boolean | 'unknown', decisions: Decision[], next: RuleState, unknown: RuleDiagnosis['unknown']): string {
  if (truth === 'unknown') return `nothing: ${unknown.map((u) => `${u.metric} unknown (${u.reason})`).join('; ')}`;
  const act = decisions.find((d) => d.kind === 'act');
  if (act?.kind === 'act') return `act now: step ${act.step + 1}: ${describeAction(act.action)}`;
  const page = decisions.find((d) => d.kind === 'page');
  if (page?.kind === 'page') return `page on-call: ${page.detail}`;
  const skip = decisions.find((d) => d.kind === 'skip');
  if (skip?.kind === 'skip') return `hold back (${skip.reason}): ${skip.detail}`;
  if (!truth) return next.kind === 'ok' ? 'nothing: condition is false' : `waiting: ${describeState(next)}`;
  if (next.kind === 'pending') {
    const hold = 'samples' in rule.hold ? `${rule.hold.samples} samples in a row` : `${Math.round(rule.hold.ms / 1000)}s`;
    return `will act if it holds for ${hold}: ${describeAction(rule.ladder[0]!.action)}`;
  }
  return `waiting: ${describeState(next)}`;
}

function describeState(state: RuleState): string {
  switch (state.kind) {
    case 'ok':
    case 'pending':
      return state.kind;
    case 'firing':
      return `firing (step ${state.step + 1}, attempt ${state.attempt})`;
    case 'acting':
      return `acting (step ${state.step + 1}, attempt ${state.attempt})`;
    case 'verifying':
      return `verifying step ${state.step + 1}`;
    case 'exhausted':
      return `exhausted (${state.reason}), on-call paged`;
  }
}

function reasonFor(metric: string, snapshot: Snapshot): string {
  const direct = snapshot.unknown.get(metric);
  if (direct) return direct;
  const found = lookupMetric(metric);
  const family = found.ok ? found.family : metric.split(/[.[]/)[0]!;
  for (const [key, reason] of snapshot.unknown) if (key === family || key === `${family}s` || key.startsWith(`${family}.`)) return reason;
  return 'not sampled on this host';
}

function unitOf(metric: string): string {
  const found = lookupMetric(metric);
  return found.ok ? found.def.unit : 'count';
}

function statusOf(rules: RuleDiagnosis[]): NagiosStatus {
  if (rules.some((r) => r.truth === true && r.severity === 'critical')) return 'CRITICAL';
  if (rules.some((r) => r.truth === true)) return 'WARNING';
  if (rules.some((r) => r.truth === 'unknown')) return 'UNKNOWN';
  return 'OK';
}

export function exitCodeOf(diagnosis: Diagnosis): number {
  return EXIT[diagnosis.status];
}

export function renderDiagnosis(d: Diagnosis): string[] {
  const lines = [`${d.status}: medic diagnose on ${d.host} at ${formatTime(d.at)}`];
  if (d.errors.length) return [...lines, ...d.errors.map((e) => `  ${e}`)];
  lines.push('', 'signals:');
  lines.push(...table(d.signals.map((s) => [s.metric, formatMetricValue(s.metric, s.value)])));
  if (d.unknown.length) lines.push(...table(d.unknown.map((u) => [u.metric, `unknown: ${u.reason}`])));
  lines.push('', 'rules:');
  lines.push(
    ...table(
      d.rules.map((r) => [
        r.truth === true ? (r.severity === 'critical' ? 'CRITICAL' : 'WARNING') : r.truth === 'unknown' ? 'UNKNOWN' : 'OK',
        r.name,
        [r.daemonState ? `[daemon: ${r.daemonState}] ` : '', r.wouldDo, Object.keys(r.values).length ? ` (${formatValues(r.values)})` : ''].join(''),
      ]),
    ),
  );
  lines.push('', d.daemon.running ? `daemon: running (rule states saved ${formatAgo(d.daemon.savedAgoMs ?? 0)})` : 'daemon: not running here (or no journal in the state folder); this is a one-shot view');
  if (d.incidents.length) {
    lines.push('', 'recent incidents:');
    lines.push(...table(d.incidents.map((i) => [`#${i.id}`, i.rule, i.status, `opened ${formatTime(i.openedAt)}`, i.closedAt ? `closed ${formatTime(i.closedAt)}` : 'open'])));
  }
  return lines;
}
