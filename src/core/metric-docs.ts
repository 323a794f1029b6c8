// The metric catalogue as a Markdown table, for the README (a test keeps the two equal) and
// for `medic metrics --catalogue`.
import { METRIC_FAMILIES, type MetricFamily } from './metrics.js';

const PLACEHOLDER: Record<NonNullable<MetricFamily['label']>, (family: string, field: string) => string> = {
  worker: (family, field) => `${family}.NAME.${field}`,
  queue: (family, field) => `${family}.NAME.${field}`,
  gpu: (family, field) => `${family}.N.${field}`,
  mount: (family, field) => `${family}[PATH].${field}`,
};

export function renderMetricCatalogue(families: Record<string, MetricFamily> = METRIC_FAMILIES): string {
  const rows = ['| metric | unit | meaning |', '|---|---|---|'];
  for (const [family, def] of Object.entries(families)) {
    for (const [field, { unit, help }] of Object.entries(def.fields)) {
      const key = def.label ? PLACEHOLDER[def.label](family, field) : `${family}.${field}`;
      rows.push(`| \`${key}\` | ${unit} | ${help.replace(/\|/g, '\\|')} |`);
    }
  }
  return rows.join('\n');
}
