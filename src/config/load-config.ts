// Entry points: a rules file or folder -> Config, or every problem with its file:line:col.
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigIssue } from '../core/errors.js';
import type { Config, Rule, WorkerSpec } from '../core/types.js';
import { buildRules, buildWorkers } from './build-config.js';
import type { BuiltWorker } from './build-config.js';
import { checkNames } from './check-names.js';
import { explainGpuUnavailable, findGpuWarnings, type GpuCheckOptions } from './gpu-warnings.js';
import { formatDocPath, locatePath, placeIssue, readYamlSource } from './locate.js';
import type { YamlSource } from './locate.js';
import { findRuleWarnings } from './rule-warnings.js';
import { DEFAULTS, buildDocumentSchema } from './schema.js';
import type { DocumentInput } from './schema.js';
import { validateWithSchema } from './zod-issues.js';
import { buildQueues, checkQueueNames, collectQueueNames } from './queues-config.js';
import { buildSamplingSettings } from './sampling-schema.js';
import { buildPagingConfig, checkPagingNames } from './paging-schema.js';

/** How the loader looks at this host (for warnings only; a config never depends on it). */
export type LoadOptions = GpuCheckOptions;

export type LoadResult =
  | { ok: true; config: Config; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

export interface RulesText {
  text: string;
  /** As it should appear in messages (`rules/demo.yaml`). */
  file: string;
  /** Folder relative paths resolve against. */
  baseDir: string;
}

const RULES_FILE = /\.ya?ml$/;

/** Loads one rules file, or every *.yaml / *.yml directly inside a folder (sorted by name). */
export function loadConfig(location: string, options: LoadOptions = {}): LoadResult {
  const failure = (message: string): LoadResult => ({ ok: false, errors: [{ file: location, line: 1, col: 1, path: '', message }], warnings: [] });
  let files: string[];
  try {
    files = fs.statSync(location).isDirectory()
      ? fs.readdirSync(location, { withFileTypes: true })
          .filter((entry) => entry.isFile() && RULES_FILE.test(entry.name))
          .map((entry) => entry.name)
          .sort()
          .map((name) => path.join(location, name))
      : [location];
  } catch (error) {
    return failure(`cannot read rules location: ${describeFsError(error)}`);
  }
  if (files.length === 0) return failure('no rules files (*.yaml or *.yml) in this folder');
  const texts: RulesText[] = [];
  const readErrors: ConfigIssue[] = [];
  for (const file of files) {
    try {
      texts.push({ text: fs.readFileSync(file, 'utf8'), file, baseDir: path.dirname(path.resolve(file)) });
    } catch (error) {
      readErrors.push({ file, line: 1, col: 1, path: '', message: `cannot read rules file: ${describeFsError(error)}` });
    }
  }
  if (readErrors.length > 0) return { ok: false, errors: readErrors, warnings: [] };
  const result = loadRulesTexts(texts, options);
  // A file truncated by a failed deploy must not reload as "nothing to do" and stop every worker.
  if (result.ok && result.config.workers.size === 0 && result.config.rules.length === 0) {
    return { ...failure('no workers and no rules: refusing an empty rules set (is a file truncated?)'), warnings: result.warnings };
  }
  return result;
}

/** One document from memory; relative paths resolve against `baseDir` (default: the file's folder). */
export function parseRulesText(text: string, file: string, baseDir?: string, options: LoadOptions = {}): LoadResult {
  return loadRulesTexts([{ text, file, baseDir: baseDir ?? path.dirname(path.resolve(file)) }], options);
}

/** Validates every document, then checks names across them; builds a Config only when nothing is wrong. */
export function loadRulesTexts(texts: RulesText[], options: LoadOptions = {}): LoadResult {
  const sources = texts.map((entry) => readYamlSource(entry.text, entry.file));
  const warnings = sources.flatMap((source) => source.warnings);
  const schema = buildDocumentSchema({ workers: collectWorkerNames(sources), queues: collectQueueNames(sources) });
  const errors: ConfigIssue[] = [];
  const inputs: DocumentInput[] = [];
  for (const source of sources) {
    errors.push(...source.errors);
    // After a syntax error the data is a guess; schema messages about it would mislead.
    if (source.errors.length > 0) continue;
    const result = validateWithSchema(schema, source.data ?? {});
    if (result.ok) inputs.push(result.value);
    else errors.push(...result.issues.map((issue) => placeIssue(source, issue)));
  }
  errors.push(...checkNames(sources), ...checkQueueNames(sources), ...checkPagingNames(sources));
  if (errors.length > 0) return { ok: false, errors: sortIssues(errors, texts), warnings };
  return { ok: true, ...combine(sources, inputs, texts, warnings, options) };
}

function combine(sources: YamlSource[], inputs: DocumentInput[], texts: RulesText[], warnings: ConfigIssue[], options: LoadOptions): { config: Config; warnings: ConfigIssue[] } {
  const tick = inputs.find((input) => input.settings)?.settings;
  const sampling = buildSamplingSettings(tick?.sampling, tick?.interval ?? DEFAULTS.intervalMs);
  let gpuUnavailable: string | null | undefined;
  const explainGpu = () => (gpuUnavailable === undefined ? (gpuUnavailable = explainGpuUnavailable(sampling.gpu, options)) : gpuUnavailable);
  const built: BuiltWorker[] = inputs.flatMap((input, i) => buildWorkers(input, { source: sources[i]!, baseDir: texts[i]!.baseDir }));
  const workers = new Map<string, WorkerSpec>(built.map((worker) => [worker.spec.name, worker.spec]));
  const rules: Rule[] = built.flatMap((worker) => (worker.crashRule ? [worker.crashRule] : []));
  const ruleWarnings: ConfigIssue[] = [];
  inputs.forEach((input, i) => {
    const source = sources[i]!;
    buildRules(input, { source, baseDir: texts[i]!.baseDir }).forEach((rule, index) => {
      rules.push(rule);
      for (const warning of [...findRuleWarnings(rule, workers), ...findGpuWarnings(rule, explainGpu)]) {
        const docPath = ['rules', index, ...warning.path];
        ruleWarnings.push({ file: source.file, ...locatePath(source, docPath), rule: rule.name, path: formatDocPath(docPath), message: warning.message });
      }
    });
  });
  const settings = inputs.find((input) => input.settings)?.settings;
  const config: Config = {
    workers,
    rules,
    settings: {
      intervalMs: settings?.interval ?? DEFAULTS.intervalMs,
      ...(settings?.host !== undefined ? { host: settings.host } : {}),
      ...(settings?.prometheus ? { prometheus: settings.prometheus.listen } : {}),
      sampling,
    },
    queues: new Map(inputs.flatMap((input, i) => buildQueues(input.queues, sources[i]!, texts[i]!.baseDir, sampling))),
    ...pagingOf(inputs, texts),
    files: texts.map((entry) => entry.file),
  };
  return { config, warnings: [...warnings, ...ruleWarnings] };
}

/** `paging:` from the one file that has it (checkPagingNames refuses a second). */
function pagingOf(inputs: DocumentInput[], texts: RulesText[]): Pick<Config, 'paging'> {
  const index = inputs.findIndex((input) => input.paging);
  return index < 0 ? {} : { paging: buildPagingConfig(inputs[index]!.paging!, texts[index]!.baseDir) };
}

function collectWorkerNames(sources: YamlSource[]): Set<string> {
  const names = new Set<string>();
  for (const { data } of sources) {
    const workers = data !== null && typeof data === 'object' ? (data as { workers?: unknown }).workers : undefined;
    if (workers !== null && typeof workers === 'object' && !Array.isArray(workers)) for (const name of Object.keys(workers)) names.add(name);
  }
  return names;
}

/** File order, then line, then column: the order an editor would walk them. */
function sortIssues(issues: ConfigIssue[], texts: RulesText[]): ConfigIssue[] {
  const fileOrder = new Map(texts.map((entry, index) => [entry.file, index]));
  return [...issues].sort((a, b) => (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) || a.line - b.line || a.col - b.col);
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
