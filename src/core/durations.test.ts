import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, parseDuration, parseSize } from './durations.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['1.5s', 1500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1m30s', 90_000], // compound, as formatDuration writes it
    ['1h0m5s', 3_605_000],
    [' 5s ', 5000], // surrounding space is trimmed
    ['0s', 0],
  ])('%s -> %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', '5 minutes', '5 s', 's', '1.s', '-5s', '5sec', '5S', '1m30', 'ms'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('parseSize', () => {
  it.each([
    ['100B', 100],
    ['1KiB', 1024],
    ['150MiB', 150 * 1024 ** 2],
    ['1.5GiB', 1_610_612_736],
    ['1TiB', 1024 ** 4],
    ['10KB', 10_000],
    ['2MB', 2_000_000],
    ['3GB', 3e9],
    ['1TB', 1e12],
    ['0.5KiB', 512],
  ])('%s -> %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', '1024', '10 MiB', '10Mb', '10mib', 'MiB', '10XB', '10s'])('rejects %j', (text) => {
    expect(parseSize(text)).toBeNull();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [500, '500ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [86_400_000 + 60_000, '1d1m'],
    [-2000, '-2s'],
  ])('%d -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 1000, 1234, 61_001, 3_725_000, 90_061_500]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0B'],
    [1000, '1000B'],
    [1536, '1.5KiB'],
    [150 * 1024 ** 2, '150MiB'],
    [1_610_612_736, '1.5GiB'],
    [5 * 1024 ** 4, '5TiB'],
    [3 * 1024 ** 5, '3072TiB'],
  ])('%d -> %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
