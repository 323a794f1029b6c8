import { expect, it } from 'vitest';
import { parseProcessStat, parseRssBytes } from './process-info.js';

it('parseProcessStat counts fields from the last ")" so odd command names parse', () => {
  // Fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime prio nice threads itreal starttime ...
  const text = '4242 (my (odd) worker) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 123456 3133440 387 18446744073709551615\n';
  expect(parseProcessStat(text)).toEqual({ state: 'S', ppid: 1, pgid: 4242, cpuTicks: 300, startTicks: 123456, threads: 7 });
});

it('parseProcessStat throws on text that is not a stat line', () => {
  expect(() => parseProcessStat('garbage')).toThrow(/malformed/);
});

it('parseRssBytes reads VmRSS and is 0 when there is none (zombies)', () => {
  expect(parseRssBytes('Name:\tnode\nVmRSS:\t   51200 kB\nThreads:\t7\n')).toBe(51200 * 1024);
  expect(parseRssBytes('Name:\tsleep\nState:\tZ (zombie)\n')).toBe(0);
});
