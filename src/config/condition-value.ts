// The number on the right of a comparison, converted to the metric's base unit
// (bytes, seconds, percent) or rejected with a message that names both sides.
import { DURATION_UNITS, SIZE_UNITS, parseDuration, parseSize } from '../core/durations.js';
import { formatSuggestion } from '../core/nearest.js';
import type { Unit } from '../core/types.js';

export type ValueResult = { ok: true; value: number } | { ok: false; message: string };

type ValueKind = 'bare' | 'duration' | 'size' | 'percentage';

const NUMBER = /^-?\d+(?:\.\d+)?$/;
const LEADING_NUMBER = /^(-?\d+(?:\.\d+)?)(.*)$/;
const ALL_UNITS = ['%', ...Object.keys(DURATION_UNITS), ...Object.keys(SIZE_UNITS)];

const UNIT_WORDS: Record<Unit, string> = {
  bytes: 'in bytes',
  seconds: 'in seconds',
  percent: 'a percentage',
  bool: '0 or 1',
  count: 'a count (a bare number)',
  ratio: 'a ratio (a bare number)',
  per_second: 'a rate per second (a bare number)',
  celsius: 'in °C (a bare number)',
  watts: 'in watts (a bare number)',
};

/** `text` is the value as written, with a detached unit joined by one space (`150 MiB`). */
export function convertConditionValue(text: string, metric: string, unit: Unit): ValueResult {
  const compact = text.replace(/\s+/g, '');
  const parsed = classifyValue(compact);
  if ('message' in parsed) return { ok: false, message: parsed.message };
  const { kind, amount } = parsed;
  const mismatch = (): ValueResult => ({ ok: false, message: `${metric} is ${UNIT_WORDS[unit]}; "${text}" is a ${kind}` });
  switch (unit) {
    case 'bytes':
      return kind === 'bare' || kind === 'size' ? { ok: true, value: amount } : mismatch();
    case 'seconds':
      if (kind === 'duration') return { ok: true, value: amount / 1000 };
      return kind === 'bare' ? { ok: true, value: amount } : mismatch();
    case 'percent':
      return kind === 'bare' || kind === 'percentage' ? { ok: true, value: amount } : mismatch();
    case 'bool':
      if (kind !== 'bare') return mismatch();
      return amount === 0 || amount === 1 ? { ok: true, value: amount } : { ok: false, message: `${metric} is 0 or 1, got ${text}` };
    default:
      return kind === 'bare' ? { ok: true, value: amount } : mismatch();
  }
}

function classifyValue(text: string): { kind: ValueKind; amount: number } | { message: string } {
  if (NUMBER.test(text)) return { kind: 'bare', amount: Number(text) };
  const match = LEADING_NUMBER.exec(text);
  if (!match) return { message: `"${text}" is not a number` };
  const [, digits, suffix] = match as unknown as [string, string, string];
  const negative = digits.startsWith('-');
  const magnitude = negative ? text.slice(1) : text;
  const sign = negative ? -1 : 1;
  if (suffix === '%') return { kind: 'percentage', amount: Number(digits) };
  const ms = parseDuration(magnitude);
  if (ms !== null) return { kind: 'duration', amount: sign * ms };
  const bytes = parseSize(magnitude);
  if (bytes !== null) return { kind: 'size', amount: sign * bytes };
  const unit = /^[A-Za-z%]+$/.test(suffix) ? suffix : undefined;
  if (unit === undefined) return { message: `"${text}" is not a number with a unit (like 90, 90%, 150MiB or 30s)` };
  return { message: `unknown unit "${unit}" in "${text}"${formatSuggestion(unit, ALL_UNITS)} (units: %, ms s m h d, B KiB MiB GiB TiB, KB MB GB TB)` };
}
