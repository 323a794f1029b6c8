// min / median / max of a sample, and the numbers' text in the report.

/** { n, min, median, max } of the finite values; null when there are none. */
export function summarize(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: sorted.length, min: sorted[0], median, max: sorted.at(-1) };
}

export function formatValue(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  switch (unit) {
    case 'ms':
      return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
    case 'MiB':
      return `${value.toFixed(1)} MiB`;
    case '%':
      return `${value.toFixed(2)} %`;
    case 's':
      return `${value.toFixed(2)} s`;
    default:
      return Number.isInteger(value) ? String(value) : value.toFixed(2);
  }
}

/** `12 ms / 15 ms / 31 ms (n=5)`, or one value when all agree. */
export function formatSummary(summary, unit) {
  if (!summary) return '–';
  if (summary.min === summary.max) return `${formatValue(summary.median, unit)} (n=${summary.n})`;
  return `${formatValue(summary.min, unit)} / **${formatValue(summary.median, unit)}** / ${formatValue(summary.max, unit)} (n=${summary.n})`;
}

/** Monit's median over medic's, as `12.3×`; the direction (lower is better or not) is the table's. */
export function formatRatio(medic, monit) {
  if (!medic || !monit || medic.median === 0) return '–';
  const ratio = monit.median / medic.median;
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×`;
}
