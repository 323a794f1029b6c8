// medic's metrics in a private prom-client Registry (never the global one: an embedding
// program's metrics are not ours to mix in). Sampled values are copied from the daemon's last
// snapshot on each scrape; a metric that is unknown now is absent, never 0.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Registry } from 'prom-client';
import { METRIC_FAMILIES, parseMetricKey, type MetricFamily, type ParsedMetricKey } from '../core/metrics.js';
import type { Rule, RuleStateKind, Snapshot } from '../core/types.js';
import type { DrainResult } from '../pager/outbox.js';
import { prometheusMetricName } from './prometheus-names.js';
import type { RuleRuntime } from './rule-runtime.js';

/** What the daemon offers (the Daemon itself fits). */
export interface MetricsSource {
  readonly rules: readonly Rule[];
  ruleStates(): ReadonlyMap<string, RuleRuntime>;
  snapshot(): Snapshot | undefined;
}

const STATE_KINDS: RuleStateKind[] = ['ok', 'pending', 'firing', 'acting', 'verifying', 'exhausted'];
/**
 * The event-loop monitor wakes this often. 10 ms (prom-client's default) cost 0.4 % of a core
 * on an idle process here, 100 ms about 0.08 %; a stall that matters to a 5 s sampling loop
 * is far longer than 100 ms.
 */
const LAG_RESOLUTION_MS = 100;

export class MedicMetrics {
  readonly registry = new Registry();
  /** Gauges of sampled metrics by name, made on first sight; `labelled` when the family has a label. */
  private readonly sampled = new Map<string, { gauge: Gauge; labelled: boolean }>();
  private readonly ruleState: Gauge;
  private readonly actions: Counter;
  private readonly pages: Counter;
  private readonly samplingDuration: Gauge;
  private readonly lag: Gauge;
  private readonly lagHistogram: IntervalHistogram;

  constructor(
    private readonly source: MetricsSource,
    private readonly families: Record<string, MetricFamily> = METRIC_FAMILIES,
  ) {
    const registers = [this.registry];
    new Gauge({ name: 'medic_up', help: '1 while medic runs and answers', registers }).set(1);
    this.ruleState = new Gauge({ name: 'medic_rule_state', help: 'each rule\'s state: 1 for the current one, 0 for the others', labelNames: ['rule', 'state'], registers });
    this.actions = new Counter({ name: 'medic_actions_total', help: 'actions medic finished, by rule, action type and outcome status (ok, exit-code, timed-out, ...)', labelNames: ['rule', 'type', 'outcome'], registers });
    this.pages = new Counter({ name: 'medic_pages_total', help: 'page deliveries by outcome: sent, retried (a failed try that will be repeated), failed, no_webhook', labelNames: ['outcome'], registers });
    this.samplingDuration = new Gauge({ name: 'medic_sampling_duration_seconds', help: 'how long each source took in the last sample', labelNames: ['source'], registers });
    this.lag = new Gauge({ name: 'medic_event_loop_lag_seconds', help: `longest event-loop delay since the last scrape (measured every ${LAG_RESOLUTION_MS} ms)`, registers });
    this.lagHistogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    this.lagHistogram.enable();
  }

  countAction(rule: string, type: string, outcome: string): void {
    this.actions.inc({ rule, type, outcome });
  }

  countPages(result: DrainResult): void {
    const outcomes: Array<[keyof DrainResult, string]> = [['sent', 'sent'], ['retried', 'retried'], ['failed', 'failed'], ['noWebhook', 'no_webhook']];
    for (const [key, outcome] of outcomes) if (result[key] > 0) this.pages.inc({ outcome }, result[key]);
  }

  /** The exposition text, with every gauge brought up to date first. */
  async render(): Promise<string> {
    this.refresh();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.lagHistogram.disable();
  }

  private refresh(): void {
    this.refreshRuleStates();
    const snapshot = this.source.snapshot();
    this.samplingDuration.reset();
    for (const [source, ms] of snapshot?.durationsMs ?? []) this.samplingDuration.set({ source }, ms / 1000);
    this.refreshSampled(snapshot);
    // The histogram records whole intervals between its wake-ups; the delay is what exceeds one.
    this.lag.set(Math.max(0, this.lagHistogram.max / 1e6 - LAG_RESOLUTION_MS) / 1000);
    this.lagHistogram.reset();
  }

  private refreshRuleStates(): void {
    this.ruleState.reset();
    const states = this.source.ruleStates();
    for (const rule of this.source.rules) {
      const current = states.get(rule.name)?.state.kind;
      if (current === undefined) continue;
      for (const state of STATE_KINDS) this.ruleState.set({ rule: rule.name, state }, state === current ? 1 : 0);
    }
  }

  private refreshSampled(snapshot: Snapshot | undefined): void {
    for (const { gauge } of this.sampled.values()) gauge.reset();
    const seen = new Set<Gauge>();
    for (const [key, value] of snapshot?.values ?? []) {
      const parsed = parseMetricKey(key);
      const found = parsed && this.gaugeFor(parsed);
      if (!parsed || !found) continue;
      if (parsed.label !== undefined) found.gauge.set({ [this.families[parsed.family]!.label!]: parsed.label }, value);
      else found.gauge.set(value);
      seen.add(found.gauge);
    }
    // prom-client resets a gauge without labels to 0; unknown must stay absent.
    for (const { gauge, labelled } of this.sampled.values()) if (!labelled && !seen.has(gauge)) gauge.remove({});
  }

  /** Keys outside the catalogue have no unit to name them by: they are left out. */
  private gaugeFor(parsed: ParsedMetricKey): { gauge: Gauge; labelled: boolean } | undefined {
    const family = this.families[parsed.family];
    const field = family?.fields[parsed.field];
    if (!family || !field || (family.label === undefined) !== (parsed.label === undefined)) return undefined;
    const name = prometheusMetricName(parsed.family, parsed.field, field.unit);
    let found = this.sampled.get(name);
    if (!found) {
      const labelNames = family.label ? [family.label] : [];
      found = { gauge: new Gauge({ name, help: `${parsed.family}.${parsed.field} (${field.unit}): ${field.help}`, labelNames, registers: [this.registry] }), labelled: labelNames.length > 0 };
      this.sampled.set(name, found);
    }
    return found;
  }
}
