// NVIDIA GPU sampler: one `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits` per tick.
//
// Why this query and not the alternatives:
// - systeminformation's graphics() runs nvidia-smi synchronously with no timeout (a hung
//   nvidia-smi froze the event loop for as long as it hung), only after `lspci -vvv`, starts ~7
//   processes, drops fields whose value is 0 and reports no error when nvidia-smi fails. A
//   supervisor must see a failing driver, not an empty list.
// - `nvidia-smi -q -x` prints every attribute (20-90 KB of XML per GPU, its schema changing
//   between v11, v12 and v13) that then needs an XML parser; the CSV query costs one process and
//   prints one short line per GPU with exactly the fields asked for, in the order asked.
// nvidia-smi runs in its own process group (medic's one runner, src/os/run-in-group.ts, which also
// keeps medic's secrets out of its environment) and the whole group gets SIGKILL at the deadline: a
// GPU that fell off the bus can hang nvidia-smi in the kernel, and execa alone signals only the child.
// At most one nvidia-smi runs at a time; while one is still alive, sample() returns the last
// result marked stale instead of piling up processes on a wedged driver.
import { performance } from 'node:perf_hooks';
import { startInGroup, type GroupProcess } from '../os/run-in-group.js';
import { formatMetricKey } from '../core/metrics.js';
import { buildAbsentSample, buildGpuSample, type GpuLabel, type GpuSample, type NvidiaSmiRun } from './gpu-sample.js';
import { findRejectedField, INITIAL_QUERY_PLAN, listQueryFields, listSkippedFields, rejectQueryField, type QueryPlan } from './gpu-query.js';

export { parseGpuCsv } from './gpu-parse.js';
export { classifyNvidiaSmiFailure } from './gpu-failure.js';
export type { GpuSample, GpuLabel } from './gpu-sample.js';

export interface GpuSamplerOptions {
  /** Program to run. Defaults to 'nvidia-smi', looked up on PATH (of `env` when given). */
  command?: string;
  /** Deadline for one sample, retries for rejected fields included, in ms. Defaults to 5000. */
  timeoutMs?: number;
  /** Added to medic's environment (without its secrets) for nvidia-smi (tests: PATH and NVIDIA_SMI_*). */
  env?: NodeJS.ProcessEnv;
}

// Each retry drops or renames one field group; there are fewer groups than this.
const MAX_RETRIES = 12;
// How long close() waits for a killed nvidia-smi to be reaped.
const CLOSE_WAIT_MS = 2000;

export class GpuSampler {
  private readonly command: string;
  private readonly timeoutMs: number;
  private readonly env: NodeJS.ProcessEnv | undefined;
  private plan: QueryPlan = INITIAL_QUERY_PLAN;
  private readonly known = new Map<number, GpuLabel>();
  private last: GpuSample | undefined;
  private sampling = false;
  /** The running nvidia-smi, until it has exited (even after a timeout gave up on it). */
  private child: { group: GroupProcess; startedAt: number } | undefined;

  constructor(options: GpuSamplerOptions = {}) {
    this.command = options.command ?? 'nvidia-smi';
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.env = options.env;
  }

  /** Never rejects and never takes much longer than timeoutMs. */
  async sample(): Promise<GpuSample> {
    if (this.sampling || this.child) return this.staleSample();
    this.sampling = true;
    const startedAt = performance.now();
    try {
      const sample = await this.sampleOnce(startedAt);
      this.last = sample;
      return sample;
    } finally {
      this.sampling = false;
    }
  }

  /** The fields the next query asks for: shrinks once when this driver rejects one (for `medic diagnose`). */
  get queryFields(): string[] {
    return listQueryFields(this.plan);
  }

  /** Kills a still-running nvidia-smi group and waits (bounded) for it to end. Call at shutdown. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.group.stop('shutdown');
    await Promise.race([child.group.finished, delay(CLOSE_WAIT_MS)]);
  }

  private async sampleOnce(startedAt: number): Promise<GpuSample> {
    for (let attempt = 0; ; attempt++) {
      const fields = listQueryFields(this.plan);
      const budgetMs = Math.max(0, this.timeoutMs - (performance.now() - startedAt));
      const run = await this.run(['--query-gpu=' + fields.join(','), '--format=csv,noheader,nounits'], budgetMs);
      const durationMs = Math.round(performance.now() - startedAt);
      if (run === 'absent') return buildAbsentSample(durationMs);
      const rejected = run.timedOut || run.exitCode === 0 ? null : findRejectedField(run.output);
      const next = rejected === null ? null : rejectQueryField(this.plan, rejected);
      if (next && attempt < MAX_RETRIES) {
        this.plan = next;
        continue;
      }
      const sample = buildGpuSample({ ...run, durationMs }, { fields, skipped: listSkippedFields(this.plan), known: this.known });
      for (const label of sample.gpus) if (sample.values.get(formatMetricKey('gpu', 'up', String(label.index))) === 1) this.known.set(label.index, label);
      return sample;
    }
  }

  private async run(args: string[], budgetMs: number): Promise<Omit<NvidiaSmiRun, 'durationMs'> | 'absent'> {
    const base = { timeoutMs: this.timeoutMs, exitCode: null, stdout: '', output: '', timedOut: false };
    // nvidia-smi keeps no state worth a graceful exit: SIGKILL at the deadline, and the sample
    // does not wait for the kill (the next one is stale until the process is gone).
    const group = startInGroup([this.command, ...args], { timeoutMs: budgetMs, killGraceMs: 0, waitForGroup: false, maxOutputBytes: 4 * 1024 * 1024, ...(this.env ? { env: this.env } : {}) });
    const child = { group, startedAt: performance.now() };
    this.child = child;
    // Until the process is reaped, even if a killed one's pipes close later.
    void group.exited.then(() => {
      if (this.child === child) this.child = undefined;
    });
    const run = await group.result;
    if (run.stopReason === 'timeout') return { ...base, timedOut: true };
    if (run.spawnError) {
      if (run.spawnError.code === 'ENOENT') return 'absent';
      return { ...base, spawnError: run.spawnError.code ?? run.spawnError.message };
    }
    return { ...base, exitCode: run.exitCode, stdout: run.stdout, output: run.all };
  }

  private staleSample(): GpuSample {
    const runningMs = this.child ? Math.round(performance.now() - this.child.startedAt) : 0;
    if (this.last) return { ...this.last, values: new Map(this.last.values), unknown: new Map(this.last.unknown), gpus: [...this.last.gpus], stale: true };
    const why = `first nvidia-smi still running after ${runningMs} ms`;
    return {
      values: new Map(),
      unknown: new Map([
        ['nvidia.healthy', why],
        ['nvidia.gpus', why],
        ['nvidia', why],
      ]),
      gpus: [],
      present: true,
      durationMs: 0,
      reason: why,
      stale: true,
    };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
