// One error family for medic. Adapters return outcomes as data and throw only for bugs or
// for input that cannot be used at all (a broken rules file, an unopenable journal).

const brand = Symbol.for('medic.error');

export class MedicError extends Error {
  readonly [brand] = true;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export function isMedicError(value: unknown): value is MedicError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** A problem at a place in a rules file. */
export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  /** The rule (or worker) the problem is in, when there is one. */
  rule?: string;
  /** Path into the document, like `rules[2].for`. */
  path: string;
  message: string;
}

/** `rules/gpu.yaml:14:7: rule "render-leak": rules[2].for: expected a duration like "5m", got "5 minutes"` */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  const rule = issue.rule ? ` rule "${issue.rule}":` : '';
  const path = issue.path ? ` ${issue.path}:` : '';
  return `${where}:${rule}${path} ${issue.message}`;
}

export class ConfigError extends MedicError {
  constructor(readonly issues: ConfigIssue[]) {
    super('config', issues.map(formatConfigIssue).join('\n'));
  }
}

export class JournalError extends MedicError {}
