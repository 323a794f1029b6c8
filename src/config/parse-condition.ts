// The `when:` language. Grammar (keywords lower-case):
//   or      := and ('or' and)*
//   and     := unary ('and' unary)*
//   unary   := 'not' unary | '(' or ')' | compare
//   compare := METRIC OP NUMBER [UNIT]        OP: > >= < <= == !=
// A syntax error stops the parse; metric and unit errors are collected so one pass reports them all.
// Every error carries an offset into the text so the loader can point at the exact column.
import { METRIC_FAMILIES, lookupMetric, parseMetricKey } from '../core/metrics.js';
import type { MetricFamily } from '../core/metrics.js';
import { formatSuggestion } from '../core/nearest.js';
import type { Comparator, Condition, MetricKey } from '../core/types.js';
import { tokenizeCondition } from './condition-lexer.js';
import type { Token } from './condition-lexer.js';
import { convertConditionValue } from './condition-value.js';

export interface ConditionError {
  /** Offset into the condition text of the offending token. */
  offset: number;
  message: string;
}

export type ParseConditionResult = { ok: true; condition: Condition } | { ok: false; errors: ConditionError[] };

export interface ConditionContext {
  /** Defined worker names; when given, `worker.NAME.*` must name one of them. */
  workers?: ReadonlySet<string>;
  /** Defined queue names; when given, `queue.NAME.*` must name one of them. */
  queues?: ReadonlySet<string>;
  families?: Record<string, MetricFamily>;
}

const KEYWORDS = new Set(['and', 'or', 'not']);
const DETACHED_UNIT = /^(?:%|ms|s|m|h|d|B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)$/;
const EXAMPLE = 'memory.used_pct > 90';

/** Thrown to unwind the parse at the first syntax error; the error itself is already recorded. */
class SyntaxStop extends Error {}

export function parseCondition(text: string, context: ConditionContext = {}): ParseConditionResult {
  const parser = new ConditionParser(text, context);
  return parser.parse();
}

/** Canonical metric keys a condition reads, in order of first use (none for a rule without `when:`). */
export function listConditionMetrics(condition: Condition | undefined): MetricKey[] {
  const keys = new Set<MetricKey>();
  const visit = (node: Condition): void => {
    if (node.kind === 'compare') keys.add(node.metric);
    else if (node.kind === 'not') visit(node.operand);
    else {
      visit(node.left);
      visit(node.right);
    }
  };
  if (condition) visit(condition);
  return [...keys];
}

class ConditionParser {
  private readonly tokens: Token[];
  private index = 0;
  private readonly errors: ConditionError[] = [];

  constructor(
    private readonly text: string,
    private readonly context: ConditionContext,
  ) {
    this.tokens = tokenizeCondition(text);
  }

  parse(): ParseConditionResult {
    try {
      if (this.peek().kind === 'end') this.fail(this.peek(), `expected a condition like "${EXAMPLE}", got nothing`);
      const condition = this.parseOr();
      const rest = this.peek();
      if (rest.kind === 'rparen') this.fail(rest, 'unexpected ")" with no matching "("');
      if (rest.kind !== 'end') this.fail(rest, `unexpected ${describe(rest)}; expected "and", "or" or the end of the condition${keywordHint(rest)}`);
      if (this.errors.length > 0) return { ok: false, errors: this.errors };
      return { ok: true, condition };
    } catch (error) {
      if (!(error instanceof SyntaxStop)) throw error;
      return { ok: false, errors: [...this.errors].sort((a, b) => a.offset - b.offset) };
    }
  }

  private parseOr(): Condition {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Condition {
    let left = this.parseUnary();
    while (this.isKeyword('and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): Condition {
    if (this.isKeyword('not')) {
      this.next();
      return { kind: 'not', operand: this.parseUnary() };
    }
    if (this.peek().kind === 'lparen') {
      this.next();
      const inner = this.parseOr();
      const close = this.peek();
      if (close.kind !== 'rparen') {
        this.fail(close, `expected ")" to close "(", got ${describe(close)}${keywordHint(close)}`);
      }
      this.next();
      return inner;
    }
    return this.parseCompare();
  }

  private parseCompare(): Condition {
    const metric = this.next();
    if (metric.kind !== 'word' || KEYWORDS.has(metric.text) || metric.text === '%') {
      this.fail(metric, `expected a metric like "memory.used_pct", got ${describe(metric)}`);
    }
    const op = this.next();
    if (op.kind !== 'op') {
      const hint = op.text === '=' ? ' (use == to test equality)' : '';
      this.fail(op, `expected a comparison (> >= < <= == !=) after ${metric.text}, got ${describe(op)}${hint}`);
    }
    const value = this.next();
    if (value.kind !== 'value') this.fail(value, `expected a number after "${op.text}", got ${describe(value)}`);
    let valueText = value.text;
    let end = value.offset + value.text.length;
    const unit = this.peek();
    if (/\d$/.test(value.text) && unit.kind === 'word' && DETACHED_UNIT.test(unit.text)) {
      this.next();
      valueText = `${value.text} ${unit.text}`;
      end = unit.offset + unit.text.length;
    }
    const compared = this.resolveComparison(metric, valueText, value.offset);
    return {
      kind: 'compare',
      metric: compared.metric,
      op: op.text as Comparator,
      value: compared.value,
      text: this.text.slice(metric.offset, end),
    };
  }

  /** Metric and value checks: errors are recorded and parsing goes on with placeholders. */
  private resolveComparison(metric: Token, valueText: string, valueOffset: number): { metric: MetricKey; value: number } {
    const families = this.context.families ?? METRIC_FAMILIES;
    const found = lookupMetric(metric.text, families);
    if (!found.ok) {
      this.errors.push({ offset: metric.offset, message: `${found.reason}${suggestMetric(metric.text, found.suggestions, families)}` });
      return { metric: metric.text, value: 0 };
    }
    const labelError = this.checkLabel(found.familyDef.label, found.label);
    if (labelError) this.errors.push({ offset: metric.offset, message: labelError });
    const converted = convertConditionValue(valueText, found.key, found.def.unit);
    if (!converted.ok) {
      this.errors.push({ offset: valueOffset, message: converted.message });
      return { metric: found.key, value: 0 };
    }
    return { metric: found.key, value: converted.value };
  }

  private checkLabel(kind: MetricFamily['label'], label: string | undefined): string | undefined {
    if (label === undefined) return undefined;
    if (kind === 'mount' && !label.startsWith('/')) return `disk label "${label}" must be an absolute path, like disk[/var/lib].free`;
    const workers = this.context.workers;
    if (kind === 'worker' && workers && !workers.has(label)) {
      const list = workers.size === 0 ? ' (no workers are defined)' : formatSuggestion(label, workers) || ` (workers: ${[...workers].join(', ')})`;
      return `undefined worker "${label}"${list}`;
    }
    const queues = this.context.queues;
    if (kind === 'queue' && queues && !queues.has(label)) {
      const list = queues.size === 0 ? ' (no queues are defined)' : formatSuggestion(label, queues) || ` (queues: ${[...queues].join(', ')})`;
      return `undefined queue "${label}"${list}`;
    }
    return undefined;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.text === word;
  }

  private fail(token: Token, message: string): never {
    this.errors.push({ offset: token.offset, message });
    throw new SyntaxStop('condition syntax error');
  }
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the condition' : `"${token.text}"`;
}

function keywordHint(token: Token): string {
  return token.kind === 'word' && KEYWORDS.has(token.text.toLowerCase()) && !KEYWORDS.has(token.text) ? ' (keywords are lower-case)' : '';
}

/** `; did you mean "used_pct"?` for a typo in the field, or in the family name. */
function suggestMetric(text: string, suggestions: string[], families: Record<string, MetricFamily>): string {
  const parsed = parseMetricKey(text);
  if (!parsed || suggestions.length === 0) return '';
  const word = families[parsed.family] ? parsed.field : parsed.family;
  const what = families[parsed.family] ? `${parsed.family} metrics` : 'families';
  return formatSuggestion(word, suggestions) || ` (${what}: ${suggestions.join(', ')})`;
}
