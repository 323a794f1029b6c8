import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseGpuCsv } from './gpu-parse.js';
import { readGpuRow } from './gpu-readings.js';

const dir = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/', import.meta.url));
const read = (name: string) => readFileSync(dir + name, 'utf8');
const MIB = 1048576;

/** A full-query capture as `field -> raw text`, plus its one parsed row. */
function loadCapture(name: string) {
  const text = read(`${name}.csv`);
  const fields = /--query-gpu="?([^" ]+)"?/.exec(read(`${name}.cmd`))![1]!.split(',');
  const [headerLine, valueLine] = text.split('\n');
  const names = headerLine!.split(', ').map((h) => h.replace(/ \[.+\]$/, ''));
  const raw = new Map(valueLine!.split(', ').map((v, i) => [names[i]!, v]));
  const row = parseGpuCsv(text, fields).rows[0]!;
  return { raw, reading: readGpuRow(row, 0) };
}

// metric field -> capture field and scale, as documented in metrics-gpu.ts
const NUMBERS: Array<[string, string, number]> = [
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
const FLAGS: Array<[string, string]> = [
  ['retired_pages_pending', 'retired_pages.pending'],
  ['remapped_rows_pending', 'remapped_rows.pending'],
  ['remapped_rows_failure', 'remapped_rows.failure'],
];

const CAPTURES = [
  'csv-h200-590.48.01-load-fullquery',
  'csv-h100-mig-590.48.01-idle-fullquery',
  'csv-rtx2080super-595.71.05-idle-fullquery-swpowercap',
  'csv-rtx2080super-win-610.62-load-fullquery',
  'csv-rtx2080super-win-471.11-fullquery-2021',
];

describe('readGpuRow: every capture reads to the values it contains', () => {
  for (const name of CAPTURES) {
    it(name, () => {
      const { raw, reading } = loadCapture(name);
      expect(reading.uuid).toBe(raw.get('uuid'));
      expect(reading.name).toBe(raw.get('name'));
      expect(reading.index).toBe(Number(raw.get('index')));
      expect(reading.values.get('up')).toBe(1);
      expect(reading.errors).toEqual([]);
      for (const [metric, source, scale] of NUMBERS) {
        const text = raw.get(source)!;
        const number = /^(\d+(?:\.\d+)?)(?: \S+)?$/.exec(text);
        if (number) expect(reading.values.get(metric), metric).toBeCloseTo(Number(number[1]) * scale, 6);
        else expect(reading.unknown.get(metric), metric).toBe(`nvidia-smi reported ${text} for ${source}`);
      }
      for (const [metric, source] of FLAGS) {
        const text = raw.get(source);
        if (text === 'Yes' || text === 'No') expect(reading.values.get(metric), metric).toBe(text === 'Yes' ? 1 : 0);
        else if (text === undefined) expect(reading.unknown.get(metric), metric).toBe(`nvidia-smi did not report ${source}`);
        else expect(reading.unknown.get(metric), metric).toBe(`nvidia-smi reported ${text} for ${source}`);
      }
      const reason = (r: string) => raw.get(`clocks_event_reasons.${r}`) ?? raw.get(`clocks_throttle_reasons.${r}`);
      const anyActive = (rs: string[]) => (rs.some((r) => reason(r) === 'Active') ? 1 : 0);
      expect(reading.values.get('throttle_thermal')).toBe(anyActive(['hw_thermal_slowdown', 'sw_thermal_slowdown', 'hw_slowdown']));
      expect(reading.values.get('throttle_power')).toBe(anyActive(['sw_power_cap', 'hw_power_brake_slowdown']));
      const used = Number(raw.get('memory.used')!.split(' ')[0]);
      const total = Number(raw.get('memory.total')!.split(' ')[0]);
      expect(reading.values.get('memory_used_pct')).toBeCloseTo((used / total) * 100, 9);
    });
  }
});

describe('readGpuRow: the cases rules depend on', () => {
  it('MIG: utilization is unknown ([N/A]), the rest is known', () => {
    const { reading } = loadCapture('csv-h100-mig-590.48.01-idle-fullquery');
    expect(reading.unknown.get('util_pct')).toBe('nvidia-smi reported [N/A] for utilization.gpu');
    expect(reading.unknown.get('mem_util_pct')).toBe('nvidia-smi reported [N/A] for utilization.memory');
    expect(reading.values.has('util_pct')).toBe(false);
    for (const field of ['memory_used', 'temperature', 'memory_temperature', 'power_draw', 'throttle_thermal', 'ecc_uncorrected_volatile']) {
      expect(reading.values.has(field), field).toBe(true);
    }
  });

  it('SW power cap active (RTX 2080 SUPER idle at P8): throttle_power 1, throttle_thermal 0', () => {
    const { raw, reading } = loadCapture('csv-rtx2080super-595.71.05-idle-fullquery-swpowercap');
    expect(raw.get('clocks_event_reasons.sw_power_cap')).toBe('Active');
    expect(reading.values.get('throttle_power')).toBe(1);
    expect(reading.values.get('throttle_thermal')).toBe(0);
    // GDDR: bare N/A, never 0
    expect(reading.unknown.get('memory_temperature')).toBe('nvidia-smi reported N/A for temperature.memory');
  });

  it('a field left out of the query carries the reason it was left out', () => {
    const { reading } = loadCapture('csv-rtx2080super-win-471.11-fullquery-2021');
    const row = parseGpuCsv('0, GPU-x, Old GPU\n', ['index', 'uuid', 'name']).rows[0]!;
    const skipped = new Map([['remapped_rows.pending', 'not queried: this nvidia-smi rejects the field "remapped_rows.pending"']]);
    expect(readGpuRow(row, 0, skipped).unknown.get('remapped_rows_pending')).toBe(skipped.get('remapped_rows.pending'));
    expect(reading.values.get('throttle_power')).toBe(0); // read through clocks_throttle_reasons.*
  });

  it('collects error markers and keeps those values unknown', () => {
    const fields = ['index', 'uuid', 'name', 'temperature.gpu', 'utilization.gpu', 'clocks_event_reasons.sw_power_cap', 'clocks_event_reasons.hw_power_brake_slowdown'];
    const row = parseGpuCsv('3, GPU-3, NVIDIA H100, [Unknown Error], ERR!, Not Active, [N/A]\n', fields).rows[0]!;
    const reading = readGpuRow(row, 0);
    expect(reading.index).toBe(3);
    expect(reading.errors).toEqual(['temperature.gpu: [Unknown Error]', 'utilization.gpu: ERR!']);
    expect(reading.unknown.get('temperature')).toBe('nvidia-smi reported [Unknown Error] for temperature.gpu');
    // one reason Not Active, the other unknown: the OR is unknown, not 0
    expect(reading.unknown.get('throttle_power')).toBe('nvidia-smi reported [N/A] for clocks_event_reasons.hw_power_brake_slowdown');
  });

  it('any active reason makes the throttle 1 even when another is unknown', () => {
    const fields = ['index', 'clocks_event_reasons.sw_power_cap', 'clocks_event_reasons.hw_power_brake_slowdown'];
    const row = parseGpuCsv('0, [N/A], Active\n', fields).rows[0]!;
    expect(readGpuRow(row, 0).values.get('throttle_power')).toBe(1);
  });
});
