// What `medic run` costs the host it watches: CPU time and memory of the real process, sampling
// every 5 s with the bundled rules (rules/), read from /proc/PID/stat and /proc/PID/status over a
// window that starts after its first sample (startup is reported apart).
//
// Variants, each run as the installed bin runs (with the node flags of its shebang line): as
// bundled; with a fake GPU (test/fixtures/bin/nvidia-smi first on PATH, answering from a real
// H200 capture) plus two Redis queues; and, for comparison, as bundled under plain node. The
// demo worker is told to stay healthy (DEMO_HEALTHY_MS), so the window measures sampling, not
// medic restarting it.
//
//   BENCH_SECONDS    length of each window (default 60)
//   BENCH_CPU_PROF=1 also write a V8 CPU profile of each run (node --cpu-prof) and say where
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { copyBundledRules } from '../lib/bundled-rules.mjs';
import { REPO, binNodeFlags, startMedicRun, validateRules } from '../lib/medic.mjs';
import { CLOCK_TICKS, readCpuSeconds, readMemory } from '../lib/proc.mjs';

export const name = 'sampling-cost';
export const title = 'Sampling cost of `medic run` (interval 5s, bundled rules)';

const GPU_CAPTURE = 'csv-h200-590.48.01-load-fullquery.csv';
const REDIS = { host: '127.0.0.1', port: 6379 };
const TARGET = { pctCore: 0.5, rssMiB: 80 };

export async function run({ log = () => {} } = {}) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  if (!(seconds > 0)) throw new Error(`BENCH_SECONDS must be a positive number, got ${process.env.BENCH_SECONDS}`);
  const rows = [];
  const notes = [];
  for (const variant of [bundled, withGpuAndQueues, smallYoungGeneration]) {
    const rules = copyBundledRules();
    try {
      rules.setSettings({ interval: '5s' });
      const prepared = await variant.prepare(rules);
      notes.push(...prepared.notes.map((n) => `${variant.label}: ${n}`));
      log(`${variant.label}: measuring for ${seconds} s ...`);
      const measured = await measure(rules, prepared.env, seconds, variant.nodeArgs ?? binNodeFlags());
      notes.push(...variant.check(measured.status).map((n) => `${variant.label}: ${n}`));
      if (measured.profileDir) notes.push(`${variant.label}: CPU profile in ${measured.profileDir}`);
      rows.push(toRow(variant.label, seconds, measured));
    } finally {
      rules.remove();
    }
  }
  notes.push(`target: under ${TARGET.pctCore} % of one core and under ${TARGET.rssMiB} MiB RSS (VmRSS, which includes ~35 MiB of the node binary's pages shared with every Node process)`);
  notes.push('"children" is CPU of programs medic ran and reaped (nvidia-smi), counted apart: the fake nvidia-smi is a Node script, far costlier than NVIDIA\'s binary');
  notes.push(`CPU is utime+stime of medic from /proc/PID/stat between the first sample and the end of the window (${1000 / CLOCK_TICKS} ms ticks); RSS is VmRSS at the end, peak RSS VmHWM`);
  return { title, columns: COLUMNS, rows, notes };
}

const bundled = {
  label: 'bundled rules',
  async prepare() {
    return { env: {}, notes: [] };
  },
  check: () => [],
};

/** For comparison: plain `node`, without the bin's flags (V8 then grows its young generation to 16 MiB per semi-space while medic starts). */
const smallYoungGeneration = {
  label: 'bundled, plain node (no bin flags)',
  nodeArgs: [],
  async prepare() {
    return { env: {}, notes: [] };
  },
  check: () => [],
};

const withGpuAndQueues = {
  label: '+ fake GPU, 2 Redis queues',
  async prepare(rules) {
    const notes = [];
    const env = { PATH: `${join(REPO, 'test', 'fixtures', 'bin')}:${process.env.PATH}`, NVIDIA_SMI_FIXTURES: GPU_CAPTURE };
    rules.addFile('bench-gpu.yaml', GPU_RULES);
    rules.addFile('bench-queues.yaml', QUEUE_RULES);
    // GPU and queues read as often as the host: the dearest setting, not the default (15 s, 10 s).
    rules.setSettings({ sampling: { gpu: { interval: '5s' }, queues: { interval: '5s' } } });
    let checked = validateRules(rules.rulesDir, env);
    if (!checked.ok && /sampling/.test(checked.output)) {
      notes.push('settings.sampling is not known to this build; GPU and queues run at their default intervals');
      rules.setSettings({ sampling: null });
      checked = validateRules(rules.rulesDir, env);
    }
    if (!checked.ok && /queues/.test(checked.output)) {
      notes.push('`queues:` is not known to this build (issue 3 queue config not landed): ran without queues');
      rules.removeFile('bench-queues.yaml');
      checked = validateRules(rules.rulesDir, env);
    }
    if (!checked.ok) throw new Error(`the bench rules do not validate:\n${checked.output}`);
    if (!(await redisAnswers())) notes.push(`Redis is not reachable on ${REDIS.host}:${REDIS.port}: queue reads fail (and still cost)`);
    return { env, notes };
  },
  /** Says so when the build does not sample what this variant offers it. */
  check(status) {
    const keys = Object.keys(status?.snapshot?.values ?? {});
    const unknown = status?.snapshot?.unknown ?? {};
    const notes = [];
    if (!keys.some((k) => k.startsWith('gpu.'))) notes.push(`no GPU metric in medic's snapshot (GPU sampling not wired into the daemon in this build?) ${describeUnknown(unknown, 'gpu')}`.trim());
    if (!keys.some((k) => k.startsWith('queue.jobs.'))) notes.push(`no queue metric in medic's snapshot ${describeUnknown(unknown, 'queue')}`.trim());
    if (notes.length === 0) notes.push(`sampled ${keys.filter((k) => k.startsWith('gpu.')).length} GPU and ${keys.filter((k) => k.startsWith('queue.')).length} queue metrics`);
    return notes;
  },
};

const GPU_RULES = `# bench: one rule about the (fake) GPU
rules:
  - name: bench-gpu-hot
    when: gpu.0.temperature > 95
    for: 3 samples
    severity: warning
    do: [{ exec: [/bin/true] }]
`;

const QUEUE_RULES = `# bench: two Redis queues (keys that need not exist: their depth is 0)
queues:
  jobs: { redis: { url: redis://${REDIS.host}:${REDIS.port}/0, list: medic-bench-jobs } }
  events: { redis: { url: redis://${REDIS.host}:${REDIS.port}/0, stream: medic-bench-events } }
rules:
  - name: bench-backlog
    when: queue.jobs.depth > 100000
    for: 3 samples
    severity: warning
    do: [{ exec: [/bin/true] }]
`;

async function measure(rules, env, seconds, flags) {
  const profileDir = process.env.BENCH_CPU_PROF === '1' ? mkdtempSync(join(tmpdir(), 'medic-cpu-prof-')) : undefined;
  const nodeArgs = [...flags, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])];
  const medic = await startMedicRun({ rulesDir: rules.rulesDir, stateDir: rules.stateDir, env: { DEMO_HEALTHY_MS: String(24 * 3_600_000), ...env }, nodeArgs });
  try {
    const startup = readCpuSeconds(medic.pid);
    const loadBefore = loadavg()[0];
    const startedAt = performance.now();
    // A measurement window, not a wait for an event: medic is left alone for exactly this long.
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const end = readCpuSeconds(medic.pid);
    const wallSeconds = (performance.now() - startedAt) / 1000;
    const memory = readMemory(medic.pid);
    const load = [loadBefore, loadavg()[0]];
    const status = await medic.status();
    return { startup, end, wallSeconds, memory, load, status, profileDir };
  } finally {
    const exit = await medic.stop();
    if (exit.code !== 0) console.error(`medic exited with ${exit.code ?? exit.signal}:\n${medic.output()}`);
  }
}

const COLUMNS = ['variant', 'window s', 'CPU s/hour', '% of one core', 'children CPU s/hour', 'startup CPU s', 'RSS MiB', 'peak RSS MiB', 'host load1'];

function toRow(label, seconds, { startup, end, wallSeconds, memory, load }) {
  const selfPerSecond = (end.self - startup.self) / wallSeconds;
  const childrenPerSecond = (end.children - startup.children) / wallSeconds;
  return {
    variant: label,
    'window s': round(wallSeconds, 1),
    'CPU s/hour': round(selfPerSecond * 3600, 1),
    '% of one core': round(selfPerSecond * 100, 3),
    'children CPU s/hour': round(childrenPerSecond * 3600, 1),
    'startup CPU s': round(startup.self, 2),
    'RSS MiB': round(memory.rssBytes / 2 ** 20, 1),
    'peak RSS MiB': round(memory.peakRssBytes / 2 ** 20, 1),
    // Other work on the host inflates CPU time (caches, frequency): shown so a reader can judge.
    'host load1': load.map((l) => l.toFixed(1)).join(' → '),
  };
}

function round(value, digits) {
  return Number(value.toFixed(digits));
}

function describeUnknown(unknown, prefix) {
  const reasons = Object.entries(unknown).filter(([key]) => key.startsWith(prefix) || key === 'nvidia');
  return reasons.length ? `(unknown: ${reasons.map(([k, v]) => `${k}: ${v}`).join('; ')})` : '';
}

function redisAnswers() {
  return new Promise((resolve) => {
    const socket = connect(REDIS);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
