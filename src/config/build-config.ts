// Validated documents -> the core's WorkerSpec and Rule values: defaults filled in,
// paths made absolute, crash rules generated for managed workers.
import path from 'node:path';
import { formatMetricKey } from '../core/metrics.js';
import type { LadderStep, Rule, WorkerSpec } from '../core/types.js';
import { buildHealthSpec } from './health-field.js';
import { buildDrainSpec } from './drain-field.js';
import { pickHealingAction } from './healing-steps.js';
import { buildDegradation, buildReplicas } from './worker-healing.js';
import { locatePath } from './locate.js';
import type { YamlSource } from './locate.js';
import { DEFAULTS } from './schema.js';
import type { DocumentInput, RuleInput, StepInput, WorkerInput } from './schema.js';

export interface BuildContext {
  source: YamlSource;
  /** Folder that relative paths resolve against: the rules file's folder. */
  baseDir: string;
}

export interface BuiltWorker {
  spec: WorkerSpec;
  /** The implicit `NAME:down` rule, unless restart_policy is off or the worker is not managed. */
  crashRule?: Rule;
}

export function buildWorkers(input: DocumentInput, context: BuildContext): BuiltWorker[] {
  return Object.entries(input.workers ?? {}).map(([name, worker]) => {
    const spec = buildWorkerSpec(name, worker, context.baseDir);
    const crashRule = spec.mode === 'managed' ? buildCrashRule(name, worker, context) : undefined;
    return crashRule ? { spec, crashRule } : { spec };
  });
}

function buildWorkerSpec(name: string, worker: WorkerInput, baseDir: string): WorkerSpec {
  const restartTimeoutMs = worker.restart_timeout;
  const cwd = worker.start ? path.resolve(baseDir, worker.cwd ?? '.') : undefined;
  const heartbeat = worker.heartbeat && { file: path.resolve(cwd ?? baseDir, worker.heartbeat.file), staleAfterMs: worker.heartbeat.stale_after };
  const common = { name, restartTimeoutMs, ...(heartbeat ? { heartbeat } : {}), ...(worker.health ? { health: buildHealthSpec(worker.health) } : {}), ...(worker.degradation ? { degradation: buildDegradation(worker.degradation, cwd ?? baseDir) } : {}) };
  if (worker.drain) Object.assign(common, { drain: buildDrainSpec(worker.drain) });
  if (worker.start) {
    return { ...common, mode: 'managed', argv: worker.start, cwd, ...(worker.env ? { env: worker.env } : {}), stopTimeoutMs: worker.stop_timeout ?? DEFAULTS.stopTimeoutMs, ...(worker.replicas ? { replicas: buildReplicas(worker.replicas) } : {}) };
  }
  if (worker.systemd) return { ...common, mode: 'systemd', unit: worker.systemd };
  // The schema guarantees exactly one mode, so this is `restart`.
  return { ...common, mode: 'command', restartArgv: worker.restart!, ...(worker.pid_file ? { pidFile: path.resolve(baseDir, worker.pid_file) } : {}) };
}

/** What `restart_policy` means: a rule that restarts the worker when it is not up. */
function buildCrashRule(name: string, worker: WorkerInput, context: BuildContext): Rule | undefined {
  const policy = worker.restart_policy;
  if (policy === 'off') return undefined;
  const budget = policy?.budget ?? DEFAULTS.policy.budget;
  const backoff = policy?.backoff;
  const whenText = `${formatMetricKey('worker', 'up', name)} == 0`;
  return {
    name: `${name}:down`,
    whenText,
    when: { kind: 'compare', metric: formatMetricKey('worker', 'up', name), op: '==', value: 0, text: whenText },
    hold: { samples: 1 },
    ladder: [{ action: { type: 'restart_worker', worker: name }, attempts: policy?.attempts ?? budget.count }],
    verifyMs: policy?.verify ?? DEFAULTS.policy.verifyMs,
    budget: { ...budget },
    backoff: backoff ? { initialMs: backoff.initial, maxMs: backoff.max, resetAfterMs: backoff.reset_after } : { ...DEFAULTS.backoff },
    severity: 'critical',
    implicit: true,
    source: { file: context.source.file, ...locatePath(context.source, ['workers', name], 'key') },
  };
}

export function buildRules(input: DocumentInput, context: BuildContext): Rule[] {
  return (input.rules ?? []).map((rule, index) => buildRule(rule, index, context));
}

function buildRule(rule: RuleInput, index: number, context: BuildContext): Rule {
  return {
    name: rule.name,
    whenText: rule.when?.text ?? '',
    ...(rule.when ? { when: rule.when.condition } : {}),
    ...(rule.schedule !== undefined ? { schedule: { cron: rule.schedule, ...(rule.timezone !== undefined ? { timezone: rule.timezone } : {}) } } : {}),
    ...(rule.dry_run ? { dryRun: true } : {}),
    hold: rule.for,
    ladder: rule.do.map(buildStep),
    verifyMs: rule.verify,
    budget: { ...rule.budget },
    backoff: { initialMs: rule.backoff.initial, maxMs: rule.backoff.max, resetAfterMs: rule.backoff.reset_after },
    severity: rule.severity,
    ...(rule.runbook !== undefined ? { runbook: rule.runbook } : {}),
    ...(rule.restore_after !== undefined ? { restoreAfterMs: rule.restore_after } : {}),
    source: { file: context.source.file, ...locatePath(context.source, ['rules', index]) },
  };
}

function buildStep(step: StepInput): LadderStep {
  if (step.restart_worker !== undefined) return { action: { type: 'restart_worker', worker: step.restart_worker }, attempts: step.attempts };
  const healing = pickHealingAction(step);
  if (healing !== undefined) return { action: healing, attempts: step.attempts };
  const exec = step.exec!;
  return { action: { type: 'exec', argv: exec.argv, timeoutMs: exec.timeout, ...(exec.worker !== undefined ? { worker: exec.worker } : {}) }, attempts: step.attempts };
}
