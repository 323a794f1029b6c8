// Worker process trees: one pass over /proc per tick links every process to its parent (the
// ppid in /proc/N/stat), and serves every worker of the tick. Each tree is then walked from the
// worker's main pid; only its members' /proc/N/status are read, for VmRSS.
//
// A child that outlives its parent is re-parented (to init or a subreaper) and leaves the tree.
// RSS counts shared pages once per process, as `ps` does: an upper bound of the tree's memory.
import { readdirSync, readFileSync } from 'node:fs';
import { formatMetricKey } from '../core/metrics.js';
import { describeError } from './describe-error.js';
import { parseRssBytes } from '../os/process-info.js';
import { createSampleResult, markUnknown, type SampleResult } from './sample-result.js';

/** Child pids of each pid. */
export type ChildrenByPid = ReadonlyMap<number, readonly number[]>;

const DIGITS = /^\d+$/;

/** The ppid field alone of /proc/N/stat (one pass over every process: no need for the rest). */
export function parseParentPid(statText: string): number | null {
  const close = statText.lastIndexOf(')');
  if (close < 0) return null;
  const ppid = statText.slice(close + 2).split(' ', 2)[1];
  return ppid !== undefined && DIGITS.test(ppid) ? Number(ppid) : null;
}

/** Throws only when `procDir` itself cannot be listed; processes that vanish mid-pass are skipped. */
export function readChildrenByPid(procDir = '/proc'): ChildrenByPid {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync(procDir)) {
    if (!DIGITS.test(entry)) continue;
    let ppid: number | null;
    try {
      ppid = parseParentPid(readFileSync(`${procDir}/${entry}/stat`, 'utf8'));
    } catch {
      continue;
    }
    if (ppid === null) continue;
    const siblings = children.get(ppid);
    if (siblings) siblings.push(Number(entry));
    else children.set(ppid, [Number(entry)]);
  }
  return children;
}

/** Every descendant of `rootPid` (not the root itself), parents before children. */
export function listDescendants(children: ChildrenByPid, rootPid: number): number[] {
  const seen = new Set([rootPid]);
  const found: number[] = [];
  for (let index = -1; index < found.length; index++) {
    const pid = index < 0 ? rootPid : found[index]!;
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child)) continue; // guards against a loop from a pid reused mid-pass
      seen.add(child);
      found.push(child);
    }
  }
  return found;
}

export interface TreeRoot {
  /** Worker name: the metric label. */
  name: string;
  pid: number;
  /** The main process's RSS, already read by the caller. */
  rssBytes: number;
}

export interface ProcessTreeSummary {
  processes: number;
  rssBytes: number;
}

/** VmRSS in bytes; null when the process is gone. */
export type ReadRss = (pid: number) => number | null;

export function summarizeProcessTree(children: ChildrenByPid, root: Pick<TreeRoot, 'pid' | 'rssBytes'>, readRss: ReadRss = readRssBytes): ProcessTreeSummary {
  let processes = 1;
  let rssBytes = root.rssBytes;
  for (const pid of listDescendants(children, root.pid)) {
    const rss = readRss(pid);
    if (rss === null) continue;
    processes += 1;
    rssBytes += rss;
  }
  return { processes, rssBytes };
}

/** `worker.NAME.rss_total` and `worker.NAME.processes` for every root, from a single /proc pass. */
export function sampleProcessTrees(roots: readonly TreeRoot[], procDir = '/proc'): SampleResult {
  const result = createSampleResult();
  if (roots.length === 0) return result;
  let children: ChildrenByPid;
  try {
    children = readChildrenByPid(procDir);
  } catch (error) {
    for (const root of roots) markUnknown(result, 'worker', ['rss_total', 'processes'], `process tree: ${describeError(error)}`, root.name);
    return result;
  }
  for (const root of roots) {
    const tree = summarizeProcessTree(children, root, (pid) => readRssBytes(pid, procDir));
    result.values.set(formatMetricKey('worker', 'rss_total', root.name), tree.rssBytes);
    result.values.set(formatMetricKey('worker', 'processes', root.name), tree.processes);
  }
  return result;
}

function readRssBytes(pid: number, procDir = '/proc'): number | null {
  try {
    return parseRssBytes(readFileSync(`${procDir}/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}
