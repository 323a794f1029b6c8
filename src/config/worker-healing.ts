// Worker options the healing actions use: `degradation:` (where throttle publishes the level) and
// `replicas:` (how many copies of a managed worker scale_out may run). Plus the cross-checks
// between steps and workers within one document: a throttle with a level needs the worker's
// degradation channel, a scale step on a worker needs its replicas.
import path from 'node:path';
import { z } from 'zod';
import { parseDuration } from '../core/durations.js';
import type { DegradationChannel, ReplicaRange } from '../core/action-specs.js';
import { argvField, durationField, textField } from './fields.js';
import { EVEN_WITH_FIELD_ERRORS, httpTargetField, requireOneOf, strictMapping, wholeNumberField } from './healing-fields.js';

export const DEFAULT_DEGRADATION_TIMEOUT_MS = parseDuration('10s')!;

export const degradationField = strictMapping(
  {
    file: textField.optional(),
    command: argvField.optional(),
    http: httpTargetField.optional(),
    timeout: durationField({ example: '10s' }).default(DEFAULT_DEGRADATION_TIMEOUT_MS),
  },
  'a mapping like { file: /run/render/degradation }',
).superRefine((channel, ctx) => {
  requireOneOf(ctx, channel, ['file', 'command', 'http'], 'degradation', { atMostOne: false });
}, EVEN_WITH_FIELD_ERRORS);

export const replicasField = strictMapping({ min: wholeNumberField(1).default(1), max: wholeNumberField(1) }, 'a mapping like { min: 1, max: 4 }').superRefine((range, ctx) => {
  if (range.min > range.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${range.min}) is above max (${range.max})` });
});

export type DegradationInput = z.output<typeof degradationField>;

/** A relative `file:` resolves like `heartbeat:`: against the worker's cwd, else the rules folder. */
export function buildDegradation(input: DegradationInput, baseDir: string): DegradationChannel {
  return {
    ...(input.file !== undefined ? { file: path.resolve(baseDir, input.file) } : {}),
    ...(input.command ? { command: input.command } : {}),
    ...(input.http ? { http: input.http } : {}),
    timeoutMs: input.timeout,
  };
}

export function buildReplicas(input: z.output<typeof replicasField>): ReplicaRange {
  return { min: input.min, max: input.max };
}

interface DocumentShape {
  workers?: Record<string, { degradation?: unknown; replicas?: unknown; start?: unknown }> | null;
  rules?: Array<{ do: Array<Record<string, unknown>> }> | null;
}

/** Steps that name a worker of this document the step cannot work with. */
export function checkHealingReferences(doc: DocumentShape, ctx: z.core.$RefinementCtx): void {
  const workers = doc.workers ?? {};
  (doc.rules ?? []).forEach((rule, ruleIndex) => {
    rule.do.forEach((step, stepIndex) => {
      const at = (...rest: Array<string | number>) => ['rules', ruleIndex, 'do', stepIndex, ...rest];
      const throttle = step['throttle'] as { worker: string; level?: string } | undefined;
      const throttled = throttle && workers[throttle.worker];
      if (throttle?.level !== undefined && throttled && throttled.degradation === undefined) {
        ctx.addIssue({ code: 'custom', path: at('throttle', 'level'), message: `worker "${throttle.worker}" has no degradation: channel to publish the level on (add degradation: { file: ... })` });
      }
      for (const key of ['scale_out', 'scale_in']) {
        const scale = step[key] as { worker?: string } | undefined;
        const scaled = scale?.worker !== undefined ? workers[scale.worker] : undefined;
        if (scaled && scaled.replicas === undefined) {
          ctx.addIssue({ code: 'custom', path: at(key, 'worker'), message: `worker "${scale!.worker}" has no replicas: { min, max } to scale within${scaled.start === undefined ? ' (only workers with start: have replicas)' : ''}` });
        }
      }
    });
  });
}
