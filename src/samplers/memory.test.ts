import { expect, it } from 'vitest';
import { parseMeminfo } from './memory.js';

it('parseMeminfo converts kB to bytes and keeps unitless counts', () => {
  const info = parseMeminfo('MemTotal:       2048 kB\nMemAvailable:   1024 kB\nHugePages_Total:       3\nbroken line\n');
  expect(info.get('MemTotal')).toBe(2048 * 1024);
  expect(info.get('MemAvailable')).toBe(1024 * 1024);
  expect(info.get('HugePages_Total')).toBe(3);
  expect(info.size).toBe(3);
});
