// Rules about GPUs always validate (the host running medic may not be the host the rules are for),
// but when this host cannot read GPUs, `validate` warns that those rules will stay unknown:
// Monit's `resourcecpuid` check, as a warning rather than an error.
import { parseMetricKey } from '../core/metrics.js';
import type { Rule, SamplingSettings } from '../core/types.js';
import { findProgram, type FindProgram } from '../samplers/find-program.js';
import { listConditionMetrics } from './parse-condition.js';
import type { RuleWarning } from './rule-warnings.js';

export interface GpuCheckOptions {
  /** PATH lookup; injectable so tests need not depend on this machine's PATH. */
  findProgram?: FindProgram;
  env?: NodeJS.ProcessEnv;
}

/** Why GPU metrics will be unknown on this host, or null when nvidia-smi can be run. */
export function explainGpuUnavailable(gpu: SamplingSettings['gpu'], options: GpuCheckOptions = {}): string | null {
  if (gpu.enabled === false) return 'GPU sampling is off (settings.sampling.gpu.enabled: false)';
  const find = options.findProgram ?? findProgram;
  if (find(gpu.command, options.env ?? process.env) !== null) return null;
  return gpu.command.includes('/') ? `${gpu.command} is not an executable file on this host` : `${gpu.command} is not on PATH on this host`;
}

/** One warning on the rule's `when:` when it reads GPU metrics; `explain` runs only then (it searches PATH). */
export function findGpuWarnings(rule: Rule, explain: () => string | null): RuleWarning[] {
  const gpuMetrics = listConditionMetrics(rule.when).filter((key) => {
    const family = parseMetricKey(key)?.family;
    return family === 'gpu' || family === 'nvidia';
  });
  const unavailable = gpuMetrics.length === 0 ? null : explain();
  if (unavailable === null) return [];
  return [{ path: ['when'], message: `${gpuMetrics.join(', ')} will stay unknown: ${unavailable}` }];
}
