import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseGpuCell, parseGpuCsv, type GpuCell } from './gpu-parse.js';

const dir = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/', import.meta.url));
const read = (name: string) => readFileSync(dir + name, 'utf8');

// The field list as asked for, from the `.cmd` file stored next to each full-query capture.
function commandFields(cmdName: string): string[] {
  return /--query-gpu="?([^" ]+)"?/.exec(read(cmdName))![1]!.split(',');
}

// What a cell must parse to, derived from the capture's header unit and raw text.
function expectedCell(raw: string, unit: string | undefined): GpuCell {
  if (raw === '' || raw === 'N/A' || /^\[.*\]$/.test(raw)) return { kind: 'missing', raw, error: false };
  const bare = unit && raw.endsWith(` ${unit}`) ? raw.slice(0, -unit.length - 1) : raw;
  if (/^-?\d+(\.\d+)?$/.test(bare)) return { kind: 'number', value: Number(bare), raw };
  return { kind: 'text', value: raw };
}

const FULL_QUERIES = [
  'csv-h200-590.48.01-load-fullquery',
  'csv-h100-mig-590.48.01-idle-fullquery',
  'csv-rtx2080super-595.71.05-idle-fullquery-swpowercap',
  'csv-rtx2080super-win-610.62-load-fullquery',
  'csv-rtx2080super-win-471.11-fullquery-2021',
];

describe('parseGpuCsv on the full-query captures (--format=csv: header and units)', () => {
  for (const name of FULL_QUERIES) {
    it(name, () => {
      const text = read(`${name}.csv`);
      const fields = commandFields(`${name}.cmd`);
      const [headerLine, valueLine] = text.split('\n');
      const units = headerLine!.split(', ').map((h) => /\[(.+)\]$/.exec(h)?.[1]);
      const raws = valueLine!.split(', ');
      expect(raws).toHaveLength(fields.length);

      const csv = parseGpuCsv(text, fields);

      expect(csv.header).toBe(true);
      expect(csv.problems).toEqual([]);
      expect(csv.rows).toHaveLength(1);
      const cells = csv.rows[0]!.cells;
      expect([...cells.keys()]).toEqual(fields);
      for (const [i, field] of fields.entries()) expect(cells.get(field), field).toEqual(expectedCell(raws[i]!, units[i]));
    });
  }

  it('keeps the values this sampler reads as numbers (spot check on the H200 under load)', () => {
    const name = 'csv-h200-590.48.01-load-fullquery';
    const cells = parseGpuCsv(read(`${name}.csv`), commandFields(`${name}.cmd`)).rows[0]!.cells;
    expect(cells.get('memory.used')).toMatchObject({ kind: 'number', value: 32362 });
    expect(cells.get('power.draw')).toMatchObject({ kind: 'number', value: 627.4 });
    expect(cells.get('utilization.gpu')).toMatchObject({ kind: 'number', value: 100 });
    expect(cells.get('remapped_rows.pending')).toEqual({ kind: 'text', value: 'No' });
  });
});

describe('parseGpuCsv on the small captures', () => {
  it('reads 8 GPUs from noheader,nounits output', () => {
    const text = read('csv-noheader-nounits-8x-gtx-titan-x.csv');
    const fields = ['index', 'uuid', 'name', 'temperature.gpu', 'utilization.gpu', 'memory.used', 'memory.total'];
    const csv = parseGpuCsv(text, fields);
    expect(csv.header).toBe(false);
    expect(csv.problems).toEqual([]);
    const lines = text.trimEnd().split('\n').map((l) => l.split(', '));
    expect(csv.rows).toHaveLength(8);
    for (const [i, row] of csv.rows.entries()) {
      expect(row.cells.get('index')).toMatchObject({ kind: 'number', value: i });
      expect(row.cells.get('uuid')).toEqual({ kind: 'text', value: lines[i]![1] });
      expect(row.cells.get('memory.used')).toMatchObject({ kind: 'number', value: Number(lines[i]![5]) });
    }
  });

  it('strips units from csv,noheader and keeps [N/A] temperature unknown (A10-12Q vGPU)', () => {
    const csv = parseGpuCsv(read('csv-noheader-a10-12q-vgpu-temp-na.csv'), ['index', 'name', 'memory.total', 'memory.used', 'utilization.gpu', 'temperature.gpu']);
    const cells = csv.rows[0]!.cells;
    expect(cells.get('memory.total')).toMatchObject({ kind: 'number', value: 12288 });
    expect(cells.get('memory.used')).toMatchObject({ kind: 'number', value: 227 });
    expect(cells.get('utilization.gpu')).toMatchObject({ kind: 'number', value: 0 });
    expect(cells.get('temperature.gpu')).toEqual({ kind: 'missing', raw: '[N/A]', error: false });
  });

  it('reads a single [N/A] field (laptop fan speed)', () => {
    const csv = parseGpuCsv(read('csv-noheader-nounits-fan-speed-na-laptop.csv'), ['fan.speed']);
    expect(csv.header).toBe(false);
    expect(csv.rows.map((r) => r.cells.get('fan.speed'))).toEqual([{ kind: 'missing', raw: '[N/A]', error: false }]);
  });

  it('skips a header whose names differ from the aliases asked for (RTX 2060)', () => {
    const fields = 'gpu_name,gpu_bus_id,driver_version,utilization.gpu,utilization.memory,memory.total,memory.free,memory.used,temperature.gpu,clocks.current.graphics,clocks.max.graphics'.split(',');
    const csv = parseGpuCsv(read('csv-rtx2060-460.91.03.csv'), fields);
    expect(csv.header).toBe(true);
    const cells = csv.rows[0]!.cells;
    expect(cells.get('gpu_name')).toEqual({ kind: 'text', value: 'GeForce RTX 2060' });
    expect(cells.get('memory.used')).toMatchObject({ kind: 'number', value: 682 });
    expect(cells.get('clocks.max.graphics')).toMatchObject({ kind: 'number', value: 2160 });
  });

  it('reports error lines between rows as problems', () => {
    const stdout = `0, GPU-a, NVIDIA A100\n${read('err-device-handle-unknown-error-legacy.txt')}2, GPU-c, NVIDIA A100\n`;
    const csv = parseGpuCsv(stdout, ['index', 'uuid', 'name']);
    expect(csv.rows.map((r) => r.line)).toEqual([1, 3]);
    expect(csv.problems).toEqual(['Unable to determine the device handle for GPU 0000:09:00.0: Unknown Error']);
  });

  it('reads the driver-not-loaded text as a problem, not a row', () => {
    const csv = parseGpuCsv(read('err-driver-not-loaded.txt'), ['index', 'uuid', 'name']);
    expect(csv.rows).toEqual([]);
    expect(csv.problems).toHaveLength(1);
  });
});

describe('parseGpuCell', () => {
  it.each([
    ['[N/A]', { kind: 'missing', raw: '[N/A]', error: false }],
    ['N/A', { kind: 'missing', raw: 'N/A', error: false }],
    ['[Not Supported]', { kind: 'missing', raw: '[Not Supported]', error: false }],
    ['[Requested functionality has been deprecated]', { kind: 'missing', raw: '[Requested functionality has been deprecated]', error: false }],
    ['', { kind: 'missing', raw: '', error: false }],
    // markers of a failing GPU
    ['[Unknown Error]', { kind: 'missing', raw: '[Unknown Error]', error: true }],
    ['ERR!', { kind: 'missing', raw: 'ERR!', error: true }],
    ['[GPU is lost]', { kind: 'missing', raw: '[GPU is lost]', error: true }],
    ['Unknown Error', { kind: 'missing', raw: 'Unknown Error', error: true }],
    // numbers with and without units
    ['627.40 W', { kind: 'number', value: 627.4, raw: '627.40 W' }],
    ['33 C', { kind: 'number', value: 33, raw: '33 C' }],
    ['0', { kind: 'number', value: 0, raw: '0' }],
    ['Not Active', { kind: 'text', value: 'Not Active' }],
    ['0x0000000000000004', { kind: 'text', value: '0x0000000000000004' }],
  ])('%j', (raw, cell) => {
    expect(parseGpuCell(raw)).toEqual(cell);
  });
});
