// One parsed GPU row -> `gpu` family fields. Pure. A value nvidia-smi marks as unknown
// (`[N/A]`, `[Not Supported]`, `[Unknown Error]`, ...) stays unknown with the marker in the
// reason; it never becomes 0. The tests' `-q` reader (test/helpers/nvidia-smi-q.ts) uses the same field names.
import type { GpuCell, GpuCsvRow } from './gpu-parse.js';

export interface GpuReading {
  index: number;
  uuid: string;
  name: string;
  /** By `gpu` family field (util_pct, memory_used, ...). */
  values: Map<string, number>;
  unknown: Map<string, string>;
  /** Cells holding error markers, as `field: marker` (e.g. `temperature.gpu: [Unknown Error]`). */
  errors: string[];
}

const MIB = 1024 * 1024;

const NUMBERS: ReadonlyArray<readonly [field: string, source: string, scale: number]> = [
  ['util_pct', 'utilization.gpu', 1],
  ['mem_util_pct', 'utilization.memory', 1],
  ['memory_used', 'memory.used', MIB],
  ['memory_total', 'memory.total', MIB],
  ['temperature', 'temperature.gpu', 1],
  ['memory_temperature', 'temperature.memory', 1],
  ['power_draw', 'power.draw', 1],
  ['power_limit', 'enforced.power.limit', 1],
  ['ecc_corrected_volatile', 'ecc.errors.corrected.volatile.total', 1],
  ['ecc_uncorrected_volatile', 'ecc.errors.uncorrected.volatile.total', 1],
  ['ecc_corrected_aggregate', 'ecc.errors.corrected.aggregate.total', 1],
  ['ecc_uncorrected_aggregate', 'ecc.errors.uncorrected.aggregate.total', 1],
];

const FLAGS: ReadonlyArray<readonly [field: string, source: string]> = [
  ['retired_pages_pending', 'retired_pages.pending'],
  ['remapped_rows_pending', 'remapped_rows.pending'],
  ['remapped_rows_failure', 'remapped_rows.failure'],
];

// A throttle metric is 1 when any of its clock event reasons is active.
const THROTTLES: ReadonlyArray<readonly [field: string, reasons: readonly string[]]> = [
  ['throttle_thermal', ['hw_thermal_slowdown', 'sw_thermal_slowdown', 'hw_slowdown']],
  ['throttle_power', ['sw_power_cap', 'hw_power_brake_slowdown']],
];

const TRUE_WORDS = new Set(['Active', 'Yes', 'Enabled']);
const FALSE_WORDS = new Set(['Not Active', 'No', 'Disabled']);

type Read = { ok: true; value: number } | { ok: false; reason: string };

/** Reads one row. `position` labels a row without an index; `skipped` explains fields not queried. */
export function readGpuRow(row: GpuCsvRow, position: number, skipped: ReadonlyMap<string, string> = new Map()): GpuReading {
  const missingReason = (source: string): string => skipped.get(source) ?? `nvidia-smi did not report ${source}`;
  const readNumber = (source: string, scale: number): Read => {
    const cell = row.cells.get(source);
    if (!cell) return { ok: false, reason: missingReason(source) };
    if (cell.kind === 'number') return { ok: true, value: cell.value * scale };
    return { ok: false, reason: describeCell(cell, source) };
  };
  const readFlag = (source: string): Read => {
    const cell = row.cells.get(source);
    if (!cell) return { ok: false, reason: missingReason(source) };
    if (cell.kind === 'text' && TRUE_WORDS.has(cell.value)) return { ok: true, value: 1 };
    if (cell.kind === 'text' && FALSE_WORDS.has(cell.value)) return { ok: true, value: 0 };
    return { ok: false, reason: describeCell(cell, source) };
  };

  const index = row.cells.get('index');
  const reading: GpuReading = {
    index: index?.kind === 'number' ? index.value : position,
    uuid: textOf(row.cells.get('uuid')),
    name: textOf(row.cells.get('name')),
    values: new Map([['up', 1]]),
    unknown: new Map(),
    errors: [],
  };
  const put = (field: string, read: Read): void => {
    if (read.ok) reading.values.set(field, read.value);
    else reading.unknown.set(field, read.reason);
  };

  for (const [field, source, scale] of NUMBERS) put(field, readNumber(source, scale));
  for (const [field, source] of FLAGS) put(field, readFlag(source));
  for (const [field, reasons] of THROTTLES) {
    const reads = reasons.map((r) => {
      const current = `clocks_event_reasons.${r}`;
      return row.cells.has(current) ? readFlag(current) : readFlag(`clocks_throttle_reasons.${r}`);
    });
    put(field, combineAny(reads));
  }
  put('memory_used_pct', readUsedPct(reading));

  for (const [source, cell] of row.cells) {
    if (cell.kind === 'missing' && cell.error) reading.errors.push(`${source}: ${cell.raw}`);
  }
  return reading;
}

/** Three-valued OR: any active reason wins; otherwise unknown if any reason is unknown. */
function combineAny(reads: Read[]): Read {
  if (reads.some((r) => r.ok && r.value === 1)) return { ok: true, value: 1 };
  const unknown = reads.find((r): r is Extract<Read, { ok: false }> => !r.ok);
  return unknown ?? { ok: true, value: 0 };
}

function readUsedPct(reading: GpuReading): Read {
  const used = reading.values.get('memory_used');
  const total = reading.values.get('memory_total');
  if (used === undefined) return { ok: false, reason: reading.unknown.get('memory_used') ?? 'memory.used unknown' };
  if (total === undefined) return { ok: false, reason: reading.unknown.get('memory_total') ?? 'memory.total unknown' };
  if (total <= 0) return { ok: false, reason: 'nvidia-smi reported memory.total 0' };
  return { ok: true, value: (used / total) * 100 };
}

function describeCell(cell: GpuCell, source: string): string {
  if (cell.kind === 'missing') return cell.raw === '' ? `nvidia-smi reported an empty value for ${source}` : `nvidia-smi reported ${cell.raw} for ${source}`;
  const shown = cell.kind === 'number' ? cell.raw : cell.value;
  return `unexpected value "${shown}" for ${source}`;
}

function textOf(cell: GpuCell | undefined): string {
  if (!cell) return '';
  if (cell.kind === 'text') return cell.value;
  return cell.raw;
}
