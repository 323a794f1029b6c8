// Catalogue metric -> Prometheus metric name: `medic_<family>_<field>` with the unit as a
// Prometheus base-unit suffix (worker.NAME.rss -> medic_worker_rss_bytes{worker="NAME"}). Values
// keep medic's units (percent stays 0..100, hence `_percent`, not `_ratio`).
import type { Unit } from '../core/types.js';

const SUFFIX: Partial<Record<Unit, string>> = {
  bytes: 'bytes',
  seconds: 'seconds',
  percent: 'percent',
  celsius: 'celsius',
  watts: 'watts',
  per_second: 'per_second',
};

export function prometheusMetricName(family: string, field: string, unit: Unit): string {
  const suffix = SUFFIX[unit];
  let name = field;
  if (unit === 'percent') name = name.replace(/_pct$/, '');
  if (unit === 'per_second') name = name.replace(/_per_s$/, '');
  if (suffix && !name.endsWith(`_${suffix}`)) name = `${name}_${suffix}`;
  return sanitize(`medic_${family}_${name}`);
}

/** Metric names allow [a-zA-Z0-9_:]; anything else in a family or field becomes `_`. */
function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_');
}
