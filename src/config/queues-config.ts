// `queues:` in the rules: NAME -> one queue (src/samplers/queue/spec.ts), which rules read as
// `queue.NAME.depth`. Names are unique across the files of a rules location, like worker names.
import path from 'node:path';
import { z } from 'zod';
import type { ConfigIssue } from '../core/errors.js';
import type { SamplingSettings } from '../core/types.js';
import { QueueSpecSchema, type QueueSpec } from '../samplers/queue/spec.js';
import { describeValue } from './fields.js';
import { locatePath } from './locate.js';
import type { YamlSource } from './locate.js';

/** Queue names are metric labels: `queue.NAME.depth`. */
export const QUEUE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export const queuesSchema = z
  .record(z.string().regex(QUEUE_NAME, { error: (issue) => `invalid queue name ${describeValue(issue.input)}: use letters, digits, _ and -, starting with a letter or _` }), QueueSpecSchema, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? `expected a mapping of queue names to queues, got ${describeValue(issue.input)}` : undefined),
  })
  .nullable()
  .optional();

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function queuesOf(source: YamlSource): Record<string, unknown> {
  return isRecord(source.data) && isRecord(source.data.queues) ? source.data.queues : {};
}

/** Every queue name in the rules location, so a rule may read a queue defined in another file. */
export function collectQueueNames(sources: YamlSource[]): Set<string> {
  return new Set(sources.flatMap((source) => Object.keys(queuesOf(source))));
}

/** `duplicate queue "jobs"; first defined at rules/a.yaml:3:3`, checked on the raw data. */
export function checkQueueNames(sources: YamlSource[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, string>();
  for (const source of sources) {
    for (const name of Object.keys(queuesOf(source))) {
      const place = locatePath(source, ['queues', name], 'key');
      const first = seen.get(name);
      if (first) issues.push({ file: source.file, ...place, path: `queues.${name}`, message: `duplicate queue "${name}"; first defined at ${first}` });
      else seen.set(name, `${source.file}:${place.line}:${place.col}`);
    }
  }
  return issues;
}

/**
 * The queues of one document with the `settings.sampling.queues` defaults filled in: a queue
 * without its own `interval`/`timeout` takes those. A relative spool dir resolves against the
 * rules file's folder, as worker paths do.
 */
export function buildQueues(parsed: Record<string, QueueSpec> | null | undefined, source: YamlSource, baseDir: string, sampling: SamplingSettings): Array<[string, QueueSpec]> {
  const raw = queuesOf(source);
  return Object.entries(parsed ?? {}).map(([name, spec]) => {
    const written = isRecord(raw[name]) ? raw[name] : {};
    const built: QueueSpec = {
      ...spec,
      intervalMs: spec.intervalMs ?? sampling.queues.intervalMs,
      // The queue schema fills in its own 5 s default; only a timeout written on the queue beats the setting.
      timeoutMs: written.timeout !== undefined ? spec.timeoutMs : sampling.queues.timeoutMs,
    };
    if ('spool' in built) built.spool = { ...built.spool, dir: path.resolve(baseDir, built.spool.dir) };
    return [name, built];
  });
}
