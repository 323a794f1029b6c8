// Names must be unique across every file of a rules location. Checked on the raw data, so
// duplicates are reported even in files that have other errors.
import type { ConfigIssue } from '../core/errors.js';
import { formatDocPath, locatePath } from './locate.js';
import type { Place, YamlSource } from './locate.js';
import type { DocPath } from './zod-issues.js';

interface Seen {
  file: string;
  place: Place;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function formatSeen(seen: Seen): string {
  return `${seen.file}:${seen.place.line}:${seen.place.col}`;
}

export function checkNames(sources: YamlSource[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const issue = (source: YamlSource, path: DocPath, at: 'key' | 'value', rule: string | undefined, message: string): void => {
    issues.push({ file: source.file, ...locatePath(source, path, at), ...(rule !== undefined ? { rule } : {}), path: formatDocPath(path), message });
  };

  const workers = new Map<string, Seen>();
  /** `NAME:down` -> the managed worker whose crash rule takes that name. */
  const crashRules = new Map<string, Seen & { worker: string }>();
  let settings: Seen | undefined;
  for (const source of sources) {
    if (!isRecord(source.data)) continue;
    if (source.data.settings !== undefined) {
      const here = { file: source.file, place: locatePath(source, ['settings'], 'key') };
      if (settings) issue(source, ['settings'], 'key', undefined, `settings may appear in only one file; already set at ${formatSeen(settings)}`);
      else settings = here;
    }
    const defined = isRecord(source.data.workers) ? source.data.workers : {};
    for (const [name, worker] of Object.entries(defined)) {
      const here = { file: source.file, place: locatePath(source, ['workers', name], 'key') };
      const first = workers.get(name);
      if (first) issue(source, ['workers', name], 'key', name, `duplicate worker "${name}"; first defined at ${formatSeen(first)}`);
      else workers.set(name, here);
      if (isRecord(worker) && worker.start !== undefined && worker.restart_policy !== 'off') crashRules.set(`${name}:down`, { ...here, worker: name });
    }
  }

  const rules = new Map<string, Seen>();
  for (const source of sources) {
    const list = isRecord(source.data) && Array.isArray(source.data.rules) ? source.data.rules : [];
    list.forEach((rule: unknown, index) => {
      const name = isRecord(rule) && typeof rule.name === 'string' ? rule.name : undefined;
      if (name === undefined) return;
      const path = ['rules', index, 'name'];
      const crash = crashRules.get(name);
      if (crash) {
        issue(source, path, 'value', name, `rule name "${name}" is taken by the crash rule of worker "${crash.worker}" (${formatSeen(crash)}); rename the rule or set restart_policy: off on the worker`);
      }
      const first = rules.get(name);
      if (first) issue(source, path, 'value', name, `duplicate rule name "${name}"; first defined at ${formatSeen(first)}`);
      else rules.set(name, { file: source.file, place: locatePath(source, path) });
    });
  }
  return issues;
}
