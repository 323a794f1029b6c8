// The `-q` text captures through the production GPU mapping (readGpuRow), via the tests' `-q` reader.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readGpuRow } from '../../src/samplers/gpu-readings.js';
import { parseNvidiaSmiQ } from '../helpers/nvidia-smi-q.js';

const dir = fileURLToPath(new URL('../fixtures/nvidia-smi/', import.meta.url));
const read = (name: string) => readFileSync(dir + name, 'utf8');

/** The value after `Key :` in the n-th GPU block (inside `section` when given), straight from the text. */
function valueIn(text: string, gpu: number, section: string, key: string): string {
  const block = text.split(/^GPU [0-9A-F]+:/m)[gpu + 1]!;
  const body = section === '' ? block : block.slice(block.indexOf(`\n    ${section}\n`));
  return new RegExp(`\\n\\s+${key}\\s+: (.*)`).exec(body)![1]!.trim();
}

describe('parseNvidiaSmiQ', () => {
  it('reads remapped rows pending from the A10 memory-fault capture', () => {
    const text = read('q-a10-535.129.03-remapped-rows-pending.txt');
    expect(valueIn(text, 0, 'Remapped Rows', 'Pending')).toBe('Yes');
    const rows = parseNvidiaSmiQ(text);
    expect(rows).toHaveLength(1);
    const reading = readGpuRow(rows[0]!, 0);
    expect(reading.name).toBe('NVIDIA A10');
    expect(reading.uuid).toBe(valueIn(text, 0, '', 'GPU UUID'));
    expect(rows[0]!.cells.get('pci.bus_id')).toEqual({ kind: 'text', value: '00000000:07:00.0' });
    expect(reading.values.get('remapped_rows_pending')).toBe(1);
    expect(reading.values.get('remapped_rows_failure')).toBe(0);
    expect(reading.values.get('memory_total')).toBe(Number(valueIn(text, 0, 'FB Memory Usage', 'Total').split(' ')[0]) * 1048576);
    expect(reading.values.get('power_draw')).toBe(Number(valueIn(text, 0, 'GPU Power Readings', 'Power Draw').split(' ')[0]));
    expect(reading.values.get('power_limit')).toBe(Number(valueIn(text, 0, 'GPU Power Readings', 'Current Power Limit').split(' ')[0]));
    expect(reading.values.get('temperature')).toBe(Number(valueIn(text, 0, 'Temperature', 'GPU Current Temp').split(' ')[0]));
    expect(reading.unknown.get('memory_temperature')).toBe('nvidia-smi reported N/A for temperature.memory');
    expect(reading.unknown.get('retired_pages_pending')).toBe('nvidia-smi reported N/A for retired_pages.pending');
    expect(reading.values.get('throttle_thermal')).toBe(0);
  });

  it('finds the one throttling GPU among 8 H100s (SW thermal slowdown, SW power cap, HW power brake)', () => {
    const text = read('q-8x-h100-535.183.01-mixed-throttle.txt');
    const rows = parseNvidiaSmiQ(text);
    expect(rows).toHaveLength(8);
    const readings = rows.map((row, i) => readGpuRow(row, i));
    const buses = rows.map((r) => r.cells.get('pci.bus_id'));
    const throttled = buses.findIndex((b) => b?.kind === 'text' && b.value === '00000000:75:00.0');
    expect(valueIn(text, throttled, 'Clocks Event Reasons', 'SW Thermal Slowdown')).toBe('Active');
    for (const [i, reading] of readings.entries()) {
      expect(reading.values.get('throttle_thermal'), `GPU ${i}`).toBe(i === throttled ? 1 : 0);
      expect(reading.values.get('throttle_power'), `GPU ${i}`).toBe(i === throttled ? 1 : 0);
      expect(reading.values.get('remapped_rows_pending')).toBe(0);
      expect(reading.uuid).toBe(valueIn(text, i, '', 'GPU UUID'));
    }
  });

  it('treats a one-line unsupported section (Remapped Rows : N/A, H100 MIG) as unknown', () => {
    const rows = parseNvidiaSmiQ(read('q-h100-mig-590.48.01-idle.txt'));
    const reading = readGpuRow(rows[0]!, 0);
    expect(reading.unknown.get('remapped_rows_pending')).toBe('nvidia-smi reported N/A for remapped_rows.pending');
    expect(reading.values.get('memory_temperature')).toBe(48);
    expect(reading.values.get('power_draw')).toBe(71.27); // "Average Power Draw" on 590
  });

  it('keeps healthy RTX 4090s healthy although an unread field says Unknown Error', () => {
    const readings = parseNvidiaSmiQ(read('q-8x-rtx4090-535.154.05-unknown-error-field.txt')).map((row, i) => readGpuRow(row, i));
    expect(readings).toHaveLength(8);
    expect(readings.flatMap((r) => r.errors)).toEqual([]);
  });
});
