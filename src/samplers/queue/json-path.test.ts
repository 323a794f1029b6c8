import { describe, expect, it } from 'vitest';
import { readJsonNumber, splitJsonPath } from './json-path.js';

describe('splitJsonPath', () => {
  it.each([
    ['data.queue.depth', ['data', 'queue', 'depth']],
    ['queues[0].size', ['queues', '0', 'size']],
    ['queues.0.size', ['queues', '0', 'size']],
    ['m[1][2]', ['m', '1', '2']],
    ['[3]', ['3']],
  ])('%s', (path, segments) => {
    expect(splitJsonPath(path)).toEqual(segments);
  });

  it.each([['a..b'], [''], ['a[x]'], ['a]']])('rejects %j', (path) => {
    expect(splitJsonPath(path)).toBeNull();
  });
});

describe('readJsonNumber', () => {
  const body = { data: { queue: { depth: 7, text: '12', label: 'x' } }, queues: [{ size: 3 }, { size: 4 }] };

  it('reads nested objects and array indexes', () => {
    expect(readJsonNumber(body, 'data.queue.depth')).toEqual({ ok: true, value: 7 });
    expect(readJsonNumber(body, 'queues[1].size')).toEqual({ ok: true, value: 4 });
    expect(readJsonNumber(body, 'queues.0.size')).toEqual({ ok: true, value: 3 });
  });

  it('accepts a quoted number', () => {
    expect(readJsonNumber(body, 'data.queue.text')).toEqual({ ok: true, value: 12 });
  });

  it('says where the path stops matching', () => {
    expect(readJsonNumber(body, 'data.jobs.depth')).toEqual({ ok: false, reason: 'data.jobs not found in the response' });
    expect(readJsonNumber(body, 'queues[5].size')).toEqual({ ok: false, reason: 'queues.5 not found in the response' });
  });

  it('rejects values that are not numbers', () => {
    expect(readJsonNumber(body, 'data.queue.label')).toMatchObject({ ok: false, reason: expect.stringContaining('not a number') });
    expect(readJsonNumber(body, 'data.queue')).toMatchObject({ ok: false });
  });

  it('does not walk into inherited properties', () => {
    expect(readJsonNumber({}, 'constructor.length')).toMatchObject({ ok: false });
  });
});
