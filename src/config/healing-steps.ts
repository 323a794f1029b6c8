// Ladder steps for the healing actions: clear_cache, archive_files, throttle, scale_out, scale_in.
// Each step's mapping is validated here and turned into the core's ActionSpec, so the builder
// only passes it on. Defaults are stated where each option is declared.
import { z } from 'zod';
import { parseDuration } from '../core/durations.js';
import type { ArchiveFilesAction, ClearCacheFilesAction, ClearCacheWorkerAction, ScaleAction, ThrottleAction } from '../core/action-specs.js';
import { checkArchiveSpec, checkClearCacheSpec } from '../actions/files/index.js';
import { argvField, durationField, textField, workerRefField } from './fields.js';
import {
  EVEN_WITH_FIELD_ERRORS,
  absolutePathField,
  httpTargetField,
  levelField,
  percentField,
  refuseKeys,
  requireOneOf,
  sizeField,
  strictMapping,
  wholeNumberField,
} from './healing-fields.js';

export const HEALING_STEP_KEYS = ['clear_cache', 'archive_files', 'throttle', 'scale_out', 'scale_in'] as const;

export const HEALING_DEFAULTS = {
  clearCacheTimeoutMs: parseDuration('5m')!,
  archiveTimeoutMs: parseDuration('30m')!,
  throttleTimeoutMs: parseDuration('30s')!,
  scaleTimeoutMs: parseDuration('2m')!,
  scaleCooldownMs: parseDuration('5m')!,
};

function clearCacheStep(workers: ReadonlySet<string>) {
  return strictMapping(
    {
      dir: absolutePathField.optional(),
      older_than: durationField({ example: '7d' }).optional(),
      keep_under: sizeField.optional(),
      disk_under: percentField({ min: 0, max: 100, example: '80%' }).optional(),
      /** Files changed more recently are skipped: they may be in use. */
      min_age: durationField({ example: '5s', allowZero: true }).optional(),
      worker: workerRefField(workers).optional(),
      command: argvField.optional(),
      http: httpTargetField.optional(),
      timeout: durationField({ example: '5m' }).default(HEALING_DEFAULTS.clearCacheTimeoutMs),
    },
    'a mapping like { dir: /var/cache/render, older_than: 7d } or { worker: render, command: [...] }',
  )
    .superRefine((step, ctx) => {
      const form = requireOneOf(ctx, step, ['dir', 'worker'], 'clear_cache');
      if (form[0] === 'dir') {
        requireOneOf(ctx, step, ['older_than', 'keep_under', 'disk_under'], 'clear_cache with dir', { atMostOne: false });
        refuseKeys(ctx, step, ['command', 'http'], 'belongs to the worker form: { worker: NAME, command: [...] }');
      } else if (form[0] === 'worker') {
        requireOneOf(ctx, step, ['command', 'http'], 'clear_cache with worker');
        refuseKeys(ctx, step, ['older_than', 'keep_under', 'disk_under', 'min_age'], 'belongs to the folder form: { dir: /path, older_than: 7d }');
      }
    }, EVEN_WITH_FIELD_ERRORS)
    .transform((step, ctx): ClearCacheFilesAction | ClearCacheWorkerAction => {
      if (step.worker !== undefined) {
        return { type: 'clear_cache', worker: step.worker, ...(step.command ? { command: step.command } : {}), ...(step.http ? { http: step.http } : {}), timeoutMs: step.timeout };
      }
      const action: ClearCacheFilesAction = {
        type: 'clear_cache',
        dir: step.dir!,
        ...(step.older_than !== undefined ? { olderThanMs: step.older_than } : {}),
        ...(step.keep_under !== undefined ? { targetSizeBytes: step.keep_under } : {}),
        ...(step.disk_under !== undefined ? { targetDiskUsedPct: step.disk_under } : {}),
        ...(step.min_age !== undefined ? { minAgeMs: step.min_age } : {}),
        timeoutMs: step.timeout,
      };
      // The action's own check, so a rule cannot hold a spec the action would refuse at 3 a.m.
      const problem = checkClearCacheSpec(action);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `clear_cache: ${problem}` });
      return action;
    });
}

const archiveStep = strictMapping(
  {
    dir: absolutePathField,
    dest: absolutePathField,
    /** A glob on the base name; every file when absent. */
    match: textField.optional(),
    older_than: durationField({ example: '3d' }).optional(),
    keep_under: sizeField.optional(),
    min_age: durationField({ example: '5s', allowZero: true }).optional(),
    /** Archive base name; {dir}, {date}, {time}. Default `{dir}-{time}`. */
    name: textField.optional(),
    timeout: durationField({ example: '30m' }).default(HEALING_DEFAULTS.archiveTimeoutMs),
  },
  'a mapping like { dir: /var/log/render, dest: /mnt/archive, match: "*.log", older_than: 3d }',
)
  .superRefine((step, ctx) => {
    const dir = step.dir.replace(/\/+$/, '');
    const dest = step.dest.replace(/\/+$/, '');
    if (dest === dir || dest.startsWith(`${dir}/`)) ctx.addIssue({ code: 'custom', path: ['dest'], message: `dest must not be inside dir (${step.dir})` });
  })
  .transform((step, ctx): ArchiveFilesAction => {
    const action: ArchiveFilesAction = {
      type: 'archive_files',
      dir: step.dir,
      dest: step.dest,
      ...(step.match !== undefined ? { match: step.match } : {}),
      ...(step.older_than !== undefined ? { olderThanMs: step.older_than } : {}),
      ...(step.keep_under !== undefined ? { targetSizeBytes: step.keep_under } : {}),
      ...(step.min_age !== undefined ? { minAgeMs: step.min_age } : {}),
      ...(step.name !== undefined ? { nameTemplate: step.name } : {}),
      timeoutMs: step.timeout,
    };
    const problem = checkArchiveSpec(action);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: `archive_files: ${problem}` });
    return action;
  });

function throttleStep(workers: ReadonlySet<string>) {
  return strictMapping(
    {
      worker: workerRefField(workers),
      level: levelField.optional(),
      /** Percent of one CPU, as systemd's CPUQuota: 50% is half a core, 200% two cores. */
      cpu_quota: percentField({ min: 1, max: 10_000, example: '50%' }).optional(),
      /** SIGSTOP until restored: stops all work, in-flight jobs included. Off unless asked for. */
      pause: z.boolean({ error: (issue) => (issue.input === undefined ? undefined : 'expected true or false') }).default(false),
      timeout: durationField({ example: '30s' }).default(HEALING_DEFAULTS.throttleTimeoutMs),
    },
    'a mapping like { worker: render, level: reduced, cpu_quota: 50% }',
  )
    .superRefine((step, ctx) => {
      if (step.level === undefined && step.cpu_quota === undefined && step.pause !== true) {
        ctx.addIssue({ code: 'custom', message: 'throttle needs one of level, cpu_quota or pause: true', params: { kind: 'one-of' } });
      }
    }, EVEN_WITH_FIELD_ERRORS)
    .transform((step): ThrottleAction => ({
      type: 'throttle',
      worker: step.worker,
      ...(step.level !== undefined ? { level: step.level } : {}),
      ...(step.cpu_quota !== undefined ? { cpuQuotaPct: step.cpu_quota } : {}),
      ...(step.pause ? { pause: true } : {}),
      timeoutMs: step.timeout,
    }));
}

function scaleStep(type: 'scale_out' | 'scale_in', workers: ReadonlySet<string>) {
  return strictMapping(
    {
      worker: workerRefField(workers).optional(),
      command: argvField.optional(),
      http: httpTargetField.optional(),
      current_command: argvField.optional(),
      min: wholeNumberField(0).optional(),
      max: wholeNumberField(1).optional(),
      step: wholeNumberField(1).default(1),
      cooldown: durationField({ example: '5m', allowZero: true }).default(HEALING_DEFAULTS.scaleCooldownMs),
      timeout: durationField({ example: '2m' }).default(HEALING_DEFAULTS.scaleTimeoutMs),
    },
    `a mapping like { worker: render, step: 1 } or { command: [kubectl, scale, deploy/render, "--replicas={replicas}"], min: 1, max: 10 }`,
  )
    .superRefine((step, ctx) => {
      const form = requireOneOf(ctx, step, ['worker', 'command', 'http'], type);
      if (form[0] === 'worker') {
        refuseKeys(ctx, step, ['min', 'max', 'current_command'], "comes from the worker's replicas: { min, max }");
      } else if (form.length > 0) {
        for (const key of ['min', 'max'] as const) {
          if (step[key] === undefined) ctx.addIssue({ code: 'custom', message: `a fleet ${type} needs ${key}: the count is never set outside min..max`, params: { kind: 'one-of' } });
        }
        if (step.min !== undefined && step.max !== undefined && step.min > step.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${step.min}) is above max (${step.max})` });
        if (step.command && !step.command.some((arg) => arg.includes('{replicas}'))) {
          ctx.addIssue({ code: 'custom', path: ['command'], message: 'the command must hold {replicas} in an argument, e.g. "--replicas={replicas}"' });
        }
      }
    }, EVEN_WITH_FIELD_ERRORS)
    .transform((step): ScaleAction => {
      const common = { type, step: step.step, cooldownMs: step.cooldown, timeoutMs: step.timeout };
      if (step.worker !== undefined) return { ...common, worker: step.worker };
      const fleet = {
        ...(step.command ? { command: step.command } : {}),
        ...(step.http ? { http: step.http } : {}),
        ...(step.current_command ? { currentCommand: step.current_command } : {}),
        min: step.min!,
        max: step.max!,
      };
      return { ...common, fleet };
    });
}

/** The step keys to add to a ladder step's mapping. */
export function healingStepShape(workers: ReadonlySet<string>) {
  return {
    clear_cache: clearCacheStep(workers).optional(),
    archive_files: archiveStep.optional(),
    throttle: throttleStep(workers).optional(),
    scale_out: scaleStep('scale_out', workers).optional(),
    scale_in: scaleStep('scale_in', workers).optional(),
  };
}

export type HealingStepInput = { [K in (typeof HEALING_STEP_KEYS)[number]]?: z.output<ReturnType<typeof healingStepShape>[K]> };

/** The ActionSpec of a step that holds one of the healing keys, else undefined. */
export function pickHealingAction(step: HealingStepInput) {
  for (const key of HEALING_STEP_KEYS) {
    const action = step[key];
    if (action !== undefined) return action;
  }
  return undefined;
}
