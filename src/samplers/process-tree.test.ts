import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOpenFds } from './process-fds.js';
import { listDescendants, parseParentPid, readChildrenByPid, sampleProcessTrees, summarizeProcessTree } from './process-tree.js';

const KiB = 1024;

describe('parseParentPid', () => {
  it('counts from the last ")" so command names with spaces and parentheses parse', () => {
    expect(parseParentPid('4242 (my (odd) worker) S 17 4242 4242 0 -1 4194560\n')).toBe(17);
    expect(parseParentPid('1 (init) S 0 1 1 0 -1\n')).toBe(0);
  });

  it('is null for text that is not a stat line', () => {
    expect(parseParentPid('garbage')).toBeNull();
    expect(parseParentPid('5 (x) S')).toBeNull();
  });
});

describe('listDescendants', () => {
  const children = new Map([
    [1, [10, 20]],
    [10, [11, 12]],
    [12, [13]],
    [20, [21]],
  ]);

  it.each([
    [10, [11, 12, 13]], // a grandchild comes after its parent
    [12, [13]],
    [13, []], // a leaf
    [99, []], // a pid that is not in the table
  ])('descendants of %i', (root, expected) => {
    expect(listDescendants(children, root)).toEqual(expected);
  });

  it('stops on a loop (a pid reused while /proc was read) instead of spinning', () => {
    expect(listDescendants(new Map([[5, [6]], [6, [5, 7]]]), 5)).toEqual([6, 7]);
  });
});

describe('summarizeProcessTree', () => {
  it('adds the descendants still there to the main process', () => {
    const children = new Map([[10, [11, 12]]]);
    const rss = new Map([[11, 2000]]); // 12 exited between the two reads
    expect(summarizeProcessTree(children, { pid: 10, rssBytes: 1000 }, (pid) => rss.get(pid) ?? null)).toEqual({ processes: 2, rssBytes: 3000 });
  });
});

describe('sampleProcessTrees over a /proc-shaped folder', () => {
  let proc: string;
  const addProcess = (pid: number, ppid: number, rssKiB?: number): void => {
    mkdirSync(join(proc, String(pid)));
    writeFileSync(join(proc, String(pid), 'stat'), `${pid} (proc ${pid}) S ${ppid} ${pid} ${pid} 0 -1 0\n`);
    if (rssKiB !== undefined) writeFileSync(join(proc, String(pid), 'status'), `Name:\tp\nVmRSS:\t ${rssKiB} kB\n`);
  };

  beforeAll(() => {
    proc = mkdtempSync(join(tmpdir(), 'medic-proc-'));
    addProcess(1, 0, 100);
    addProcess(10, 1, 1000);
    addProcess(11, 10, 2000);
    addProcess(12, 10); // a zombie: no VmRSS line, still a process
    writeFileSync(join(proc, '12', 'status'), 'Name:\tp\nState:\tZ (zombie)\n');
    addProcess(13, 12, 3000);
    addProcess(14, 13); // vanished: stat read, status gone
    addProcess(20, 1, 500);
    mkdirSync(join(proc, 'self'));
    mkdirSync(join(proc, '30')); // no stat file: skipped, not fatal
  });
  afterAll(() => rmSync(proc, { recursive: true, force: true }));

  it('links the whole table in one pass', () => {
    // A plain folder lists in no set order (/proc lists by pid), so compare sorted.
    const table = [...readChildrenByPid(proc)].map(([pid, kids]) => [pid, [...kids].sort((a, b) => a - b)]).sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(table).toEqual([[0, [1]], [1, [10, 20]], [10, [11, 12]], [12, [13]], [13, [14]]]);
  });

  it('gives rss_total and processes per worker, from the rss the caller already read for the main process', () => {
    const result = sampleProcessTrees([{ name: 'a', pid: 10, rssBytes: 1000 * KiB }, { name: 'b', pid: 20, rssBytes: 500 * KiB }], proc);
    expect(Object.fromEntries(result.values)).toEqual({
      'worker.a.rss_total': (1000 + 2000 + 0 + 3000) * KiB,
      'worker.a.processes': 4,
      'worker.b.rss_total': 500 * KiB,
      'worker.b.processes': 1,
    });
    expect(result.unknown.size).toBe(0);
  });

  it('does not read /proc at all when no worker is up', () => {
    const result = sampleProcessTrees([], join(proc, 'does-not-exist'));
    expect(result.values.size + result.unknown.size).toBe(0);
  });

  it('leaves both metrics unknown with the reason when /proc cannot be listed', () => {
    const missing = join(proc, 'does-not-exist');
    const result = sampleProcessTrees([{ name: 'a', pid: 10, rssBytes: 1 }], missing);
    expect(result.values.size).toBe(0);
    expect(result.unknown.get('worker.a.rss_total')).toBe(`process tree: scandir ${missing}: ENOENT`);
    expect(result.unknown.get('worker.a.processes')).toBe(`process tree: scandir ${missing}: ENOENT`);
  });
});

describe('countOpenFds', () => {
  it('counts this process\'s descriptors (at least stdin, stdout, stderr)', () => {
    const found = countOpenFds(process.pid);
    expect('count' in found && found.count).toBeGreaterThanOrEqual(3);
  });

  it('says a vanished process is gone', () => {
    expect(countOpenFds(4_194_304)).toEqual({ error: 'pid 4194304 is gone' });
  });
});
