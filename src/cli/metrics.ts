// `medic metrics`: every metric this host has now, with value, unit and the source it came from;
// every metric that could not be read, with the reason. One read of every source the rules name
// (host, workers, GPU, queues). `--catalogue` prints the catalogue of every metric medic knows
// instead (the README's table is this text).
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { formatConfigIssue } from '../core/errors.js';
import { renderMetricCatalogue } from '../core/metric-docs.js';
import { parseMetricKey } from '../core/metrics.js';
import type { Config } from '../core/types.js';
import { loadConfig, parseRulesText } from '../config/load-config.js';
import { formatMetricValue, formatTime, table, unitOfMetric } from './format.js';
import { rulesPath, statePath, type PathOptions } from './paths.js';
import { sampleNow } from './sample-now.js';

export interface MetricsOptions extends PathOptions {
  json?: boolean;
  catalogue?: boolean;
}

export interface MetricsReport {
  host: string;
  at: number;
  /** The rules location whose workers, disks and queues were sampled; null when there was none. */
  rules: string | null;
  metrics: Array<{ metric: string; value: number; unit: string; source: string }>;
  unknown: Array<{ metric: string; reason: string; source: string }>;
  /** How long each source took, in ms. */
  durationsMs: Record<string, number>;
}

export async function showMetrics(options: MetricsOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  if (options.catalogue) {
    out(renderMetricCatalogue());
    return 0;
  }
  const loaded = loadRules(options);
  if (!loaded.ok) {
    for (const message of loaded.errors) err(message);
    return 1;
  }
  const report = await collectMetrics(loaded.config, loaded.rules, statePath(options));
  if (options.json) out(JSON.stringify(report, null, 2));
  else renderMetrics(report).forEach(out);
  return 0;
}

/** The rules location, or an empty config when none was named and the default one does not exist. */
function loadRules(options: PathOptions): { ok: true; config: Config; rules: string | null } | { ok: false; errors: string[] } {
  const rules = rulesPath(options);
  if (options.rules === undefined && process.env.MEDIC_RULES === undefined && !existsSync(rules)) {
    const empty = parseRulesText('', '(no rules)', '.');
    if (empty.ok) return { ok: true, config: empty.config, rules: null };
  }
  const loaded = loadConfig(rules);
  return loaded.ok ? { ok: true, config: loaded.config, rules } : { ok: false, errors: loaded.errors.map(formatConfigIssue) };
}

export async function collectMetrics(config: Config, rules: string | null, stateDir: string): Promise<MetricsReport> {
  const snapshot = await sampleNow(config, stateDir);
  return {
    host: config.settings.host ?? hostname(),
    at: snapshot.at,
    rules,
    metrics: [...snapshot.values].map(([metric, value]) => ({ metric, value, unit: unitOfMetric(metric), source: sourceOfMetric(metric) })),
    unknown: [...snapshot.unknown].map(([metric, reason]) => ({ metric, reason, source: sourceOfMetric(metric) })),
    durationsMs: Object.fromEntries([...(snapshot.durationsMs ?? [])].map(([source, ms]) => [source, Math.round(ms * 10) / 10])),
  };
}

export function renderMetrics(report: MetricsReport): string[] {
  const lines = [`metrics on ${report.host} at ${formatTime(report.at)}${report.rules ? ` (workers, disks and queues from ${report.rules})` : ' (no rules: host and GPU only)'}`, ''];
  lines.push(...table(report.metrics.map((m) => [m.metric, formatMetricValue(m.metric, m.value), m.unit, m.source])));
  if (report.unknown.length) {
    lines.push('', 'unknown:');
    lines.push(...table(report.unknown.map((u) => [u.metric, u.source, u.reason])));
  }
  const took = Object.entries(report.durationsMs).map(([source, ms]) => `${source} ${ms} ms`);
  if (took.length) lines.push('', `sampling took: ${took.join(', ')}`);
  return lines;
}

/** Which sampling source a metric (or a source-wide unknown key such as `nvidia`) comes from. */
export function sourceOfMetric(key: string): string {
  const parsed = parseMetricKey(key);
  const family = parsed?.family ?? key;
  if (family === 'worker' || family === 'workers') return 'workers';
  if (family === 'gpu' || family === 'nvidia') return 'gpu';
  if (family === 'queue') return parsed?.label === undefined ? key : `queue.${parsed.label}`;
  return family;
}
