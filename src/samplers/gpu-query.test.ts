import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findRejectedField, GPU_QUERY_GROUPS, INITIAL_QUERY_PLAN, listQueryFields, listSkippedFields, rejectQueryField } from './gpu-query.js';

const dir = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/', import.meta.url));
const help = readFileSync(dir + 'help-query-gpu-610.57.04.txt', 'utf8');
const fullQuery = (name: string) => readFileSync(dir + name, 'utf8').split('\n')[0]!.split(', ').map((h) => h.replace(/ \[.+\]$/, ''));

describe('the query field list', () => {
  it('names only fields (or aliases) that --help-query-gpu 610.57.04 lists', () => {
    const known = new Set([...help.matchAll(/^"([^"]+)"(?: or "([^"]+)")?/gm)].flatMap((m) => [m[1], m[2]]).filter(Boolean));
    for (const field of GPU_QUERY_GROUPS.flatMap((g) => g.variants.flat())) expect(known.has(field), field).toBe(true);
  });

  it('asks the newest names first, 23 fields', () => {
    const fields = listQueryFields(INITIAL_QUERY_PLAN);
    expect(fields).toHaveLength(23);
    expect(fields.slice(0, 3)).toEqual(['index', 'uuid', 'name']);
    expect(fields).toContain('clocks_event_reasons.sw_power_cap');
  });

  it('is fully answered by the modern captures; 471.11 lacks only the remapped rows', () => {
    const fields = listQueryFields(INITIAL_QUERY_PLAN);
    for (const name of ['csv-h200-590.48.01-load-fullquery.csv', 'csv-h100-mig-590.48.01-idle-fullquery.csv', 'csv-rtx2080super-595.71.05-idle-fullquery-swpowercap.csv']) {
      const header = new Set(fullQuery(name));
      expect(fields.filter((f) => !header.has(f)), name).toEqual([]);
    }
    const old = new Set(fullQuery('csv-rtx2080super-win-471.11-fullquery-2021.csv'));
    const oldFields = listQueryFields({ variants: new Map([['clock-reasons', 1]]), dropped: new Map() });
    expect(oldFields.filter((f) => !old.has(f))).toEqual(['remapped_rows.pending', 'remapped_rows.failure']);
  });
});

describe('rejectQueryField', () => {
  it('drops the remapped-rows group when the driver rejects one of its fields', () => {
    const plan = rejectQueryField(INITIAL_QUERY_PLAN, 'remapped_rows.pending')!;
    expect(listQueryFields(plan)).not.toContain('remapped_rows.failure');
    expect(listSkippedFields(plan).get('remapped_rows.failure')).toBe('not queried: this nvidia-smi rejects the field "remapped_rows.pending"');
  });

  it('switches clock reasons to the old names, then drops them', () => {
    const renamed = rejectQueryField(INITIAL_QUERY_PLAN, 'clocks_event_reasons.hw_slowdown')!;
    expect(listQueryFields(renamed)).toContain('clocks_throttle_reasons.hw_slowdown');
    expect(listQueryFields(renamed)).not.toContain('clocks_event_reasons.hw_slowdown');
    const dropped = rejectQueryField(renamed, 'clocks_throttle_reasons.sw_power_cap')!;
    expect(listQueryFields(dropped).some((f) => f.startsWith('clocks_'))).toBe(false);
    expect(listSkippedFields(dropped).has('clocks_event_reasons.sw_power_cap')).toBe(true);
  });

  it('cannot shrink past the identity fields, nor for a field it did not ask', () => {
    expect(rejectQueryField(INITIAL_QUERY_PLAN, 'uuid')).toBeNull();
    expect(rejectQueryField(INITIAL_QUERY_PLAN, 'fan.speed')).toBeNull();
    const dropped = rejectQueryField(INITIAL_QUERY_PLAN, 'temperature.memory')!;
    expect(rejectQueryField(dropped, 'temperature.memory')).toBeNull();
  });
});

describe('findRejectedField', () => {
  it('reads the field from the rejection message', () => {
    expect(findRejectedField('Field "remapped_rows.pending" is not a valid field to query.\n\n')).toBe('remapped_rows.pending');
    expect(findRejectedField(readFileSync(dir + 'err-driver-not-loaded.txt', 'utf8'))).toBeNull();
  });
});
