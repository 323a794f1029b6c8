// The metric catalogue: every metric medic can sample, its unit and what it means. Rules,
// `validate`, `diagnose`, `medic metrics` and the README's catalogue all read this one table.
//
// A metric key is `family.field` (cpu.usage_pct) or `family.LABEL.field` / `family[LABEL].field`
// for families that have one member per thing (worker.render.rss, disk[/var].free). The label
// is written with a dot when it is a plain name and in brackets when it holds other characters
// (a mount path). `formatMetricKey` gives the canonical form that samplers emit.
import type { MetricKey, Unit } from './types.js';
import { GPU_FAMILY, NVIDIA_FAMILY } from './metrics-gpu.js';
import { QUEUE_FAMILY } from './metrics-queue.js';

export interface MetricField {
  unit: Unit;
  help: string;
}

export interface MetricFamily {
  /** What the label names (a worker, a mount, a GPU index), or undefined for host-wide families. */
  label?: 'worker' | 'mount' | 'gpu' | 'queue';
  fields: Record<string, MetricField>;
}

export const METRIC_FAMILIES: Record<string, MetricFamily> = {
  cpu: {
    fields: {
      usage_pct: { unit: 'percent', help: 'CPU busy time across all cores since the last sample (iowait counted as idle)' },
      iowait_pct: { unit: 'percent', help: 'CPU time waiting for I/O since the last sample' },
      load1: { unit: 'ratio', help: '1-minute load average' },
      load5: { unit: 'ratio', help: '5-minute load average' },
      load15: { unit: 'ratio', help: '15-minute load average' },
      load1_per_core: { unit: 'ratio', help: '1-minute load average divided by the number of cores' },
      cores: { unit: 'count', help: 'online CPU cores' },
    },
  },
  memory: {
    fields: {
      used_pct: { unit: 'percent', help: 'memory in use: (total - available) / total' },
      available: { unit: 'bytes', help: 'MemAvailable: memory that can be given to programs without swapping' },
      total: { unit: 'bytes', help: 'MemTotal' },
      swap_used_pct: { unit: 'percent', help: 'swap in use (0 when there is no swap)' },
    },
  },
  disk: {
    label: 'mount',
    fields: {
      used_pct: { unit: 'percent', help: 'space used on the filesystem holding the path, as df counts it' },
      free: { unit: 'bytes', help: 'space available to unprivileged users' },
      total: { unit: 'bytes', help: 'filesystem size' },
      inodes_used_pct: { unit: 'percent', help: 'inodes used (unknown on filesystems without inode counts)' },
    },
  },
  worker: {
    label: 'worker',
    fields: {
      up: { unit: 'bool', help: '1 when the worker process is running (a zombie counts as down)' },
      pid: { unit: 'count', help: 'main process id' },
      rss: { unit: 'bytes', help: 'resident memory of the main process' },
      cpu_pct: { unit: 'percent', help: 'CPU used by the main process since the last sample, in % of one core' },
      restarts: { unit: 'count', help: 'restarts by medic since medic started' },
      uptime: { unit: 'seconds', help: 'seconds since the current process started' },
      heartbeat_age: { unit: 'seconds', help: 'seconds since the heartbeat file was last modified' },
      replicas: { unit: 'count', help: 'copies medic keeps running (workers with replicas:); copy k ≥ 2 has its own metrics as worker[NAME.k].up, .rss, …' },
      replicas_up: { unit: 'count', help: 'copies running now, the worker itself included' },
      threads: { unit: 'count', help: 'threads of the main process' },
      fds: { unit: 'count', help: 'open file descriptors of the main process (unknown when medic may not read /proc/PID/fd)' },
      rss_total: { unit: 'bytes', help: 'resident memory of the main process plus all its descendants (a page shared by several counts in each, as in ps)' },
      processes: { unit: 'count', help: 'processes in the worker\'s tree: the main process and its descendants, zombies included' },
      health_ok: { unit: 'bool', help: 'HTTP health probe: 1 when the URL answered the expected status in time; 0 on another status, a refused connection or a timeout' },
      health_status: { unit: 'count', help: 'HTTP status code the health probe got (unknown, with the reason, when nothing answered)' },
      health_latency: { unit: 'seconds', help: 'time from the health probe\'s request to the response headers' },
      tcp_ok: { unit: 'bool', help: 'TCP health probe: 1 when a connection opened in time; 0 when refused, unreachable or timed out' },
      tcp_latency: { unit: 'seconds', help: 'time to open the TCP probe\'s connection (unknown when it did not open)' },
    },
  },
  gpu: GPU_FAMILY,
  nvidia: NVIDIA_FAMILY,
  queue: QUEUE_FAMILY,
};

export interface ParsedMetricKey {
  family: string;
  label?: string;
  field: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Labels may also start with a digit (gpu.0.util_pct). */
const LABEL = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** Splits `worker.render.rss`, `worker[render].rss` or `disk[/var/lib].free`; null when malformed. */
export function parseMetricKey(text: string): ParsedMetricKey | null {
  const bracket = /^([a-z_]+)\[([^\]]+)\]\.([a-z0-9_]+)$/.exec(text);
  if (bracket) return { family: bracket[1]!, label: bracket[2]!, field: bracket[3]! };
  const parts = text.split('.');
  if (parts.length === 2 && parts.every((p) => NAME.test(p))) return { family: parts[0]!, field: parts[1]! };
  if (parts.length === 3 && NAME.test(parts[0]!) && LABEL.test(parts[1]!) && NAME.test(parts[2]!)) return { family: parts[0]!, label: parts[1]!, field: parts[2]! };
  return null;
}

export function formatMetricKey(family: string, field: string, label?: string): MetricKey {
  if (label === undefined) return `${family}.${field}`;
  return LABEL.test(label) ? `${family}.${label}.${field}` : `${family}[${label}].${field}`;
}

/** Canonical form of a key as written in a rule, or null when malformed. */
export function canonicalMetricKey(text: string): MetricKey | null {
  const parsed = parseMetricKey(text);
  return parsed && formatMetricKey(parsed.family, parsed.field, parsed.label);
}

export type MetricLookup =
  | { ok: true; key: MetricKey; family: string; label?: string; field: string; def: MetricField; familyDef: MetricFamily }
  | { ok: false; reason: string; suggestions: string[] };

/** Finds a metric in the catalogue, explaining what is wrong when it is not there. */
export function lookupMetric(text: string, families: Record<string, MetricFamily> = METRIC_FAMILIES): MetricLookup {
  const parsed = parseMetricKey(text);
  if (!parsed) {
    return { ok: false, reason: `"${text}" is not a metric name (expected e.g. memory.used_pct or worker.NAME.rss)`, suggestions: [] };
  }
  const familyDef = families[parsed.family];
  if (!familyDef) {
    return { ok: false, reason: `unknown metric family "${parsed.family}"`, suggestions: Object.keys(families) };
  }
  if (familyDef.label && parsed.label === undefined) {
    return { ok: false, reason: `metric family "${parsed.family}" needs a ${familyDef.label}: ${parsed.family}.NAME.${parsed.field} or ${parsed.family}[NAME].${parsed.field}`, suggestions: [] };
  }
  if (!familyDef.label && parsed.label !== undefined) {
    return { ok: false, reason: `metric family "${parsed.family}" takes no label`, suggestions: [] };
  }
  const def = familyDef.fields[parsed.field];
  if (!def) {
    return { ok: false, reason: `unknown ${parsed.family} metric "${parsed.field}"`, suggestions: Object.keys(familyDef.fields) };
  }
  return {
    ok: true,
    key: formatMetricKey(parsed.family, parsed.field, parsed.label),
    family: parsed.family,
    field: parsed.field,
    def,
    familyDef,
    ...(parsed.label !== undefined ? { label: parsed.label } : {}),
  };
}
