// `medic diagnose`: what is wrong on this host right now, and what would medic do. When `medic
// run` answers on the status socket, its live view is shown (its last snapshot, rule states,
// timers, ladder positions); otherwise diagnose samples on its own (twice for CPU, which needs a
// delta). Either way every rule is evaluated without acting, with the pure engine. The journal
// gives the last incidents. Exit codes follow Nagios.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { evaluateRule, initialRuleState } from '../core/evaluate-rule.js';
import { formatConfigIssue } from '../core/errors.js';
import { lookupMetric } from '../core/metrics.js';
import type { Decision, Rule, RuleState, RuleStateKind, Snapshot } from '../core/types.js';
import { loadConfig } from '../config/load-config.js';
import { describeAction } from '../actions/run-action.js';
import { Journal } from '../journal/journal.js';
import { snapshotFromStatus, type DaemonStatus, type InFlightAction, type RuleStatus } from '../daemon/daemon-status.js';
import { fetchDaemonStatus } from '../daemon/status-client.js';
import { diagnosePaging, type PagingDiagnosis } from '../pager/paging-health.js';
import { statusSocketPath } from '../daemon/status-server.js';
import type { PageStats } from '../journal/rows.js';
import { describeRuleState } from './describe-rule-state.js';
import { describeSchedule } from './describe-schedule.js';
import { findActivePause, type ActivePause } from '../journal/pause-store.js';
import { formatAgo, formatMetricValue, formatTime, formatValuesNote, table, unitOfMetric } from './format.js';
import { rulesPath, statePath, type PathOptions } from './paths.js';
import { sampleNow } from './sample-now.js';

export type NagiosStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';
const EXIT: Record<NagiosStatus, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

export interface RuleDiagnosis {
  name: string;
  severity: string;
  truth: boolean | 'unknown';
  values: Record<string, number>;
  unknown: Array<{ metric: string; reason: string }>;
  /** The running daemon's state for the rule; null when no daemon answered. */
  daemon: LiveRuleState | null;
  wouldDo: string;
}

export interface LiveRuleState {
  kind: RuleStateKind;
  /** `pending: 3 of 100 samples true`, `firing for 40s: step 2/3, attempt 1/2, next action in 12s`, ... */
  description: string;
  /** The engine's state with all its fields (hits, since, waitUntil, step, attempt, until, reason). */
  state: RuleState;
  incidentId: number | null;
  budget: RuleStatus['budget'];
}

export type DaemonView =
  | { running: false }
  | {
      running: true;
      pid: number;
      startedAt: number;
      /** Age of the daemon's last snapshot, which this diagnosis shows; null before its first tick ended. */
      snapshotAgoMs: number | null;
      intervalMs: number;
      samplingMs: Record<string, number>;
      inFlight: InFlightAction[];
      busyTargets: string[];
      outbox: PageStats;
      prometheus: string | null;
    };

export interface Diagnosis {
  host: string;
  at: number;
  status: NagiosStatus;
  signals: Array<{ metric: string; value: number; unit: string }>;
  unknown: Array<{ metric: string; reason: string }>;
  rules: RuleDiagnosis[];
  daemon: DaemonView;
  incidents: Array<{ id: number; rule: string; status: string; openedAt: number; closedAt: number | null }>;
  errors: string[];
  /** `medic pause` in force now, per rule (from the journal). */
  pauses?: Array<{ rule: string; until: number; who: string; reason: string }>;
  /** Routes and the state folder: a dead pager makes the whole diagnosis CRITICAL. */
  paging?: PagingDiagnosis;
}

export async function diagnose(options: PathOptions): Promise<Diagnosis> {
  const at = Date.now();
  const loaded = loadConfig(rulesPath(options));
  if (!loaded.ok) {
    return { host: hostname(), at, status: 'UNKNOWN', signals: [], unknown: [], rules: [], daemon: { running: false }, incidents: [], errors: loaded.errors.map(formatConfigIssue) };
  }
  const config = loaded.config;
  const stateDir = statePath(options);
  const live = await fetchDaemonStatus(statusSocketPath(stateDir));
  // A daemon that has not finished its first tick has no snapshot yet: look for ourselves.
  const snapshot = live?.snapshot ? snapshotFromStatus(live.snapshot) : await sampleNow(config, stateDir);
  const journalFile = join(stateDir, 'journal.sqlite');
  const journal = existsSync(journalFile) ? Journal.open(journalFile) : null;
  try {
    const states = new Map((live?.rules ?? []).map((r) => [r.name, r]));
    // The engine is asked about "now": the daemon's clock when it answered, else the sample's.
    const tick = { at: live?.at ?? snapshot.at, busyTargets: new Set(live?.busyTargets ?? []) };
    const pauseRows = journal?.pauses.rows() ?? [];
    const pauses = config.rules.flatMap((rule) => {
      const pause: ActivePause | null = findActivePause(pauseRows, rule.name, tick.at);
      return pause ? [{ rule: rule.name, until: pause.until, who: pause.who, reason: pause.reason }] : [];
    });
    const rules = config.rules.map((rule) => diagnoseRule(rule, snapshot, states.get(rule.name), { ...tick, paused: pauses.some((p) => p.rule === rule.name) }));
    const incidents = (journal?.recentIncidents(5) ?? []).map((i) => ({ id: i.id, rule: i.rule, status: i.status, openedAt: i.openedAt, closedAt: i.closedAt }));
    const paging = journal ? diagnosePaging(journal, stateDir, tick.at) : undefined;
    return {
      host: live?.host ?? config.settings.host ?? hostname(),
      at: snapshot.at,
      status: worseOf(statusOf(rules), paging?.status ?? 'OK'),
      signals: [...snapshot.values].map(([metric, value]) => ({ metric, value, unit: unitOfMetric(metric) })),
      unknown: [...snapshot.unknown].map(([metric, reason]) => ({ metric, reason })),
      rules,
      daemon: live ? daemonView(live) : { running: false },
      incidents,
      errors: [],
      pauses,
      ...(paging ? { paging } : {}),
    };
  } finally {
    journal?.close();
  }
}

function daemonView(live: DaemonStatus): DaemonView {
  return {
    running: true,
    pid: live.pid,
    startedAt: live.startedAt,
    snapshotAgoMs: live.snapshot ? live.at - live.snapshot.at : null,
    intervalMs: live.intervalMs,
    samplingMs: live.snapshot?.durationsMs ?? {},
    inFlight: live.inFlight,
    busyTargets: live.busyTargets,
    outbox: live.outbox,
    prometheus: live.prometheus?.url ?? null,
  };
}

function diagnoseRule(rule: Rule, snapshot: Snapshot, live: RuleStatus | undefined, tick: { at: number; busyTargets: ReadonlySet<string>; paused?: boolean }): RuleDiagnosis {
  const state = live?.state ?? initialRuleState();
  const { condition, decisions, next } = evaluateRule(rule, state, { at: tick.at, snapshot, busyTargets: tick.busyTargets, paused: tick.paused === true });
  const unknown = condition.unknown.map((metric) => ({ metric, reason: reasonFor(metric, snapshot) }));
  return {
    name: rule.name,
    severity: rule.severity,
    truth: condition.truth,
    values: condition.values,
    unknown,
    daemon: live ? { kind: live.state.kind, description: describeRuleState(live.state, rule, tick.at), state: live.state, incidentId: live.incidentId, budget: live.budget } : null,
    wouldDo: rule.schedule ? describeSchedule(rule, rule.when ? condition.truth : true) : describePaused(tick.paused === true, describeWouldDo(rule, condition.truth, decisions, next, unknown, tick.at)),
  };
}

/** A paused rule's line says so even when the engine's skip was already journaled (and so not repeated). */
function describePaused(paused: boolean, wouldDo: string): string {
  return paused && !wouldDo.startsWith('hold back (paused)') ? `hold back (paused): no action and no page until the pause ends; else: ${wouldDo}` : wouldDo;
}

function describeWouldDo(rule: Rule, truth: boolean | 'unknown', decisions: Decision[], next: RuleState, unknown: RuleDiagnosis['unknown'], at: number): string {
  if (truth === 'unknown') return `nothing: ${unknown.map((u) => `${u.metric} unknown (${u.reason})`).join('; ')}`;
  const act = decisions.find((d) => d.kind === 'act');
  if (act?.kind === 'act') return `act now: step ${act.step + 1}: ${describeAction(act.action)}`;
  const page = decisions.find((d) => d.kind === 'page');
  if (page?.kind === 'page') return `page on-call: ${page.detail}`;
  const skip = decisions.find((d) => d.kind === 'skip');
  if (skip?.kind === 'skip') return `hold back (${skip.reason}): ${skip.detail}`;
  if (!truth) return next.kind === 'ok' ? 'nothing: condition is false' : `waiting: ${describeRuleState(next, rule, at)}`;
  if (next.kind === 'pending') {
    const hold = 'samples' in rule.hold ? `${rule.hold.samples} samples in a row` : `${Math.round(rule.hold.ms / 1000)}s`;
    return `will act if it holds for ${hold}: ${describeAction(rule.ladder[0]!.action)}`;
  }
  return `waiting: ${describeRuleState(next, rule, at)}`;
}

function reasonFor(metric: string, snapshot: Snapshot): string {
  const direct = snapshot.unknown.get(metric);
  if (direct) return direct;
  const found = lookupMetric(metric);
  const family = found.ok ? found.family : metric.split(/[.[]/)[0]!;
  for (const [key, reason] of snapshot.unknown) if (key === family || key === `${family}s` || key.startsWith(`${family}.`)) return reason;
  return 'not sampled on this host';
}

function statusOf(rules: RuleDiagnosis[]): NagiosStatus {
  if (rules.some((r) => r.truth === true && r.severity === 'critical')) return 'CRITICAL';
  if (rules.some((r) => r.truth === true)) return 'WARNING';
  if (rules.some((r) => r.truth === 'unknown')) return 'UNKNOWN';
  return 'OK';
}

const RANK: Record<NagiosStatus, number> = { OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3 };

function worseOf(a: NagiosStatus, b: NagiosStatus): NagiosStatus {
  return RANK[b] > RANK[a] ? b : a;
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
        [r.daemon ? `[daemon: ${r.daemon.description}] ` : '', r.wouldDo, formatValuesNote(r.values)].join(''),
      ]),
    ),
  );
  if (d.pauses?.length) {
    lines.push('', 'paused (observing and journaling, not acting, pages held):');
    lines.push(...table(d.pauses.map((p) => [p.rule, `until ${formatTime(p.until)}`, `by ${p.who}`, p.reason])));
  }
  if (d.paging?.lines.length) lines.push('', 'paging:', ...d.paging.lines.map((line) => `  ${line}`));
  lines.push('', ...renderDaemonView(d.daemon));
  if (d.incidents.length) {
    lines.push('', 'recent incidents:');
    lines.push(...table(d.incidents.map((i) => [`#${i.id}`, i.rule, i.status, `opened ${formatTime(i.openedAt)}`, i.closedAt ? `closed ${formatTime(i.closedAt)}` : 'open'])));
  }
  return lines;
}

function renderDaemonView(daemon: DaemonView): string[] {
  if (!daemon.running) return ['daemon: not answering on the status socket in this state folder; this is a one-shot view sampled by diagnose'];
  const snapshot = daemon.snapshotAgoMs === null ? 'no sample of its own yet, so diagnose sampled' : `its sample from ${formatAgo(daemon.snapshotAgoMs)}`;
  const lines = [`daemon: running (pid ${daemon.pid}, started ${formatTime(daemon.startedAt)}); showing ${snapshot}`];
  const sampling = Object.entries(daemon.samplingMs).map(([source, ms]) => `${source} ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`);
  if (sampling.length) lines.push(`  sampling took: ${sampling.join(', ')}`);
  for (const a of daemon.inFlight) lines.push(`  running now: ${a.rule} step ${a.step + 1} attempt ${a.attempt}: ${a.action} (started ${formatTime(a.startedAt)})`);
  if (daemon.busyTargets.length) lines.push(`  busy targets: ${daemon.busyTargets.join(', ')}`);
  const { pending, failed, lastError } = daemon.outbox;
  if (pending || failed) lines.push(`  pages: ${pending} waiting to be sent, ${failed} failed${lastError ? ` (last error: ${lastError})` : ''}`);
  if (daemon.prometheus) lines.push(`  Prometheus metrics: ${daemon.prometheus}`);
  return lines;
}
