// `medic validate [PATH]`: every mistake with file:line:column; exit 1 when there is one.
import { formatConfigIssue, type ConfigIssue } from '../core/errors.js';
import { loadConfig } from '../config/load-config.js';

export function validateRules(path: string, out: (line: string) => void, err: (line: string) => void): number {
  const result = loadConfig(path);
  for (const warning of result.warnings) err(`warning: ${formatConfigIssue(warning)}`);
  if (!result.ok) {
    for (const issue of result.errors) err(formatConfigIssue(issue));
    err(`${countErrors(result.errors)} error(s) in ${path}`);
    return 1;
  }
  const { rules, workers, files } = result.config;
  const own = rules.filter((r) => !r.implicit).length;
  out(`ok: ${own} rule(s), ${workers.size} worker(s) in ${files.join(', ')}`);
  return 0;
}

/** The "… and N more YAML syntax errors" line stands for N errors, not one. */
function countErrors(issues: ConfigIssue[]): number {
  return issues.reduce((total, issue) => total + (Number(/^… and (\d+) more /.exec(issue.message)?.[1]) || 1), 0);
}
