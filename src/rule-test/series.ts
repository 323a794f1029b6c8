// The series notation of `medic test` files, after promtool's: one token per sample, separated by
// spaces. `160MiB` a value (units as in conditions), `_` no sample (the metric is unknown),
// `90MiBx5` five samples of 90MiB (a space before the x is allowed: `90MiB x5`).
import { lookupMetric } from '../core/metrics.js';
import { convertConditionValue } from '../config/condition-value.js';

export type SeriesResult = { ok: true; key: string; values: Array<number | undefined> } | { ok: false; message: string };

const REPEAT = /^(.*?)x(\d+)$/;
/** No test needs more samples than this; a typo like `1x100000000` should not eat the memory. */
const MAX_SAMPLES = 100_000;

export function parseSeries(metric: string, text: string): SeriesResult {
  const found = lookupMetric(metric);
  if (!found.ok) return { ok: false, message: `${found.reason}${found.suggestions.length ? ` (known: ${found.suggestions.join(', ')})` : ''}` };
  const unit = found.def.unit;
  const values: Array<number | undefined> = [];
  const tokens = joinDetachedRepeats(text.trim().split(/\s+/).filter(Boolean));
  if (tokens.length === 0) return { ok: false, message: 'expected at least one sample, like "100MiB 160MiB x3" or "_" for none' };
  for (const token of tokens) {
    const repeat = REPEAT.exec(token);
    const [valueText, count] = repeat && repeat[1] !== '' ? [repeat[1]!, Number(repeat[2])] : [token, 1];
    if (count < 1 || values.length + count > MAX_SAMPLES) return { ok: false, message: `"${token}": a repeat count from 1, at most ${MAX_SAMPLES} samples in all` };
    let value: number | undefined;
    if (valueText !== '_') {
      const converted = convertConditionValue(valueText, found.key, unit);
      if (!converted.ok) return { ok: false, message: `"${token}": ${converted.message}` };
      value = converted.value;
    }
    for (let i = 0; i < count; i++) values.push(value);
  }
  return { ok: true, key: found.key, values };
}

/** `90MiB x5` → `90MiBx5`. */
function joinDetachedRepeats(tokens: string[]): string[] {
  const joined: string[] = [];
  for (const token of tokens) {
    if (/^x\d+$/.test(token) && joined.length > 0 && !REPEAT.test(joined.at(-1)!)) joined[joined.length - 1] += token;
    else joined.push(token);
  }
  return joined;
}
