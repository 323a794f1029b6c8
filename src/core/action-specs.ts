// The healing actions beyond restart_worker and exec: clear_cache, archive_files, throttle,
// scale_out / scale_in, and the worker options they lean on (a degradation channel, replicas).
// Pure data, like types.ts.

/** How far a worker should shed load, mildest first. Workers read it from their channel. */
export type DegradationLevel = 'normal' | 'reduced' | 'essential' | 'emergency';
export const DEGRADATION_LEVELS: readonly DegradationLevel[] = ['normal', 'reduced', 'essential', 'emergency'];

export interface HttpTarget {
  url: string;
  method: 'POST' | 'PUT' | 'PATCH';
}

/** Where a worker hears its degradation level; any of the three, all are used. */
export interface DegradationChannel {
  /** Written atomically (temp, fsync, rename) with the level and a newline. */
  file?: string;
  /** Run with `{level}` replaced in its arguments (appended when no argument holds it). */
  command?: string[];
  /** Sent `{ "level": "reduced" }` as JSON. */
  http?: HttpTarget;
  /** For the command and the HTTP call. */
  timeoutMs: number;
}

/** Managed workers only: medic runs between min and max copies (NAME, NAME.2 … NAME.N). */
export interface ReplicaRange {
  min: number;
  max: number;
}

/** Delete files in a cache folder: by age, down to a folder size, or until the disk is under a usage. */
export interface ClearCacheFilesAction {
  type: 'clear_cache';
  dir: string;
  olderThanMs?: number;
  targetSizeBytes?: number;
  targetDiskUsedPct?: number;
  minAgeMs?: number;
  timeoutMs: number;
}

/** Ask the worker to clear its own cache: its command, or its HTTP endpoint. */
export interface ClearCacheWorkerAction {
  type: 'clear_cache';
  worker: string;
  command?: string[];
  http?: HttpTarget;
  timeoutMs: number;
}

export interface ArchiveFilesAction {
  type: 'archive_files';
  dir: string;
  dest: string;
  match?: string;
  olderThanMs?: number;
  targetSizeBytes?: number;
  minAgeMs?: number;
  nameTemplate?: string;
  timeoutMs: number;
}

/** Lowers a worker's load until the rule has been clear for its `restoreAfterMs`. */
export interface ThrottleAction {
  type: 'throttle';
  worker: string;
  level?: DegradationLevel;
  /** Percent of one CPU (200 = two CPUs), as systemd's CPUQuota counts it. */
  cpuQuotaPct?: number;
  /** SIGSTOP the worker (SIGCONT on restore): only when the operator asked for it. */
  pause?: boolean;
  timeoutMs: number;
}

/** A fleet scaled by a command or an HTTP call with the desired count. */
export interface FleetTarget {
  /** `{replicas}` inside an argument is replaced by the count; each argument stays one argument. */
  command?: string[];
  /** Sent `{ "replicas": N }` as JSON. */
  http?: HttpTarget;
  /** Prints the current count on stdout; without it medic remembers the count it last set, from `min`. */
  currentCommand?: string[];
  min: number;
  max: number;
}

export type ScaleAction = {
  type: 'scale_out' | 'scale_in';
  /** Replicas added (scale_out) or removed (scale_in) per action. */
  step: number;
  /** No change to the same target sooner than this after the last one, in either direction. */
  cooldownMs: number;
  timeoutMs: number;
} & ({ worker: string; fleet?: undefined } | { fleet: FleetTarget; worker?: undefined });

export type HealingActionSpec = ClearCacheFilesAction | ClearCacheWorkerAction | ArchiveFilesAction | ThrottleAction | ScaleAction;

/** `fleet:kubectl scale deploy/render --replicas={replicas}`: shared by steps that name the same fleet. */
export function fleetKey(fleet: FleetTarget): string {
  return `fleet:${fleet.command ? fleet.command.join(' ') : `${fleet.http?.method} ${fleet.http?.url}`}`;
}

/** What a healing action works on, so two rules never act on it at once: `worker:NAME`, `dir:PATH`, a fleet. */
export function healingTarget(action: HealingActionSpec): string {
  if ('dir' in action) return `dir:${action.dir}`;
  if (action.worker !== undefined) return `worker:${action.worker}`;
  return fleetKey(action.fleet);
}
