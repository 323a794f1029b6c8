import { describe, expect, it } from 'vitest';
import { parseDurationMs } from './parse-duration.js';

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    [' 5s ', 5000],
    [250, 250], // a number is already milliseconds
    [0, 0],
  ])('%j → %d ms', (input, ms) => {
    expect(parseDurationMs(input)).toBe(ms);
  });

  it.each([['5'], ['5 minutes'], ['s'], [''], ['-5s'], [-1], [Number.NaN], [null], [{}]])('rejects %j', (input) => {
    expect(parseDurationMs(input)).toBeNull();
  });
});
