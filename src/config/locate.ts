// From a path into the parsed YAML (`['rules', 2, 'for']`) to file:line:col.
// The yaml package keeps source ranges on every node; the line index turns offsets into lines.
import { isMap, isScalar, parseDocument } from 'yaml';
import type { Document, Node, Pair, Scalar } from 'yaml';
import type { ConfigIssue } from '../core/errors.js';
import { createLineIndex, type LineIndex } from './line-index.js';
import type { DocPath, PlainIssue } from './zod-issues.js';

export interface YamlSource {
  /** The path as given or joined (`rules/demo.yaml`), used in messages. */
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineIndex;
  /** The document as plain data (undefined when it could not be converted). */
  data: unknown;
  /** YAML syntax errors, already placed. */
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

export interface Place {
  line: number;
  col: number;
}

/** One broken file can yield hundreds of syntax errors; past this many the rest is noise. */
export const MAX_SYNTAX_ERRORS = 20;

export function readYamlSource(text: string, file: string): YamlSource {
  const lines = createLineIndex(text);
  // logLevel 'error': toJS would otherwise process.emitWarning about collection keys onto stderr.
  const doc = parseDocument(text, { prettyErrors: false, logLevel: 'error' });
  const at = (offset: number): Place => lines.linePos(offset);
  const errors = capSyntaxErrors(doc.errors.map((error) => ({ file, ...at(error.pos[0]), path: '', message: error.message })));
  const warnings: ConfigIssue[] = doc.warnings.map((warning) => ({ file, ...at(warning.pos[0]), path: '', message: warning.message }));
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // toJS throws for things the parser lets through, such as an alias to an anchor that is defined later.
    if (errors.length === 0) errors.push({ file, line: 1, col: 1, path: '', message: error instanceof Error ? error.message : String(error) });
  }
  return { file, text, doc, lines, data, errors, warnings };
}

/** The first MAX_SYNTAX_ERRORS in file order, then one issue that counts the rest. */
function capSyntaxErrors(errors: ConfigIssue[]): ConfigIssue[] {
  if (errors.length <= MAX_SYNTAX_ERRORS) return errors;
  const sorted = [...errors].sort((a, b) => a.line - b.line || a.col - b.col);
  const next = sorted[MAX_SYNTAX_ERRORS]!;
  const rest = sorted.length - MAX_SYNTAX_ERRORS;
  return [
    ...sorted.slice(0, MAX_SYNTAX_ERRORS),
    { file: next.file, line: next.line, col: next.col, path: '', message: `… and ${rest} more YAML syntax error${rest === 1 ? '' : 's'} in this file (fix the ones above first)` },
  ];
}

/** `rules[2].for`, `workers.demo.start`, `workers["odd name"]`. */
export function formatDocPath(path: DocPath): string {
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) return index === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}

/** Where a path points: the value node, or the key of the last segment when `at` is 'key'. */
export function locatePath(source: YamlSource, path: DocPath, at: 'key' | 'value' = 'value', offset?: number): Place {
  const position = (index: number): Place => source.lines.linePos(index);
  if (at === 'key') {
    const key = findKeyNode(source.doc, path);
    if (key?.range) return position(key.range[0]);
  }
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? source.doc.contents : (source.doc.getIn(path.slice(0, depth), true) as Node | undefined);
    if (!node?.range) continue;
    if (depth === path.length && isScalar(node) && node.range[0] === node.range[1]) {
      // An empty value (`worker:` with nothing after it) has no text to point at; use its key.
      const key = findKeyNode(source.doc, path);
      if (key?.range) return position(key.range[0]);
    }
    if (depth === path.length && offset !== undefined && isScalar(node)) return position(scalarOffsetToIndex(source.text, node, offset));
    return position(node.range[0]);
  }
  return { line: 1, col: 1 };
}

/**
 * Maps an offset into a scalar's value back to the source. Quoted text starts one character in,
 * block scalars (| >) on the line after their header; folded line breaks count as one character.
 * Escape sequences in double quotes are not undone, so columns after one may be off.
 */
function scalarOffsetToIndex(text: string, node: Scalar, offset: number): number {
  const [start, end] = node.range!;
  const raw = text.slice(start, end);
  const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
  const bodyStart = block ? raw.indexOf('\n') + 1 : node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
  if (block && bodyStart === 0) return start;
  const lines = raw.slice(bodyStart).split('\n');
  const indentOf = (line: string): number => line.length - line.trimStart().length;
  const blockIndent = indentOf(lines.find((line) => line.trim() !== '') ?? '');
  let remaining = Math.min(offset, String(node.value).trimEnd().length);
  let index = start + bodyStart;
  for (const [row, line] of lines.entries()) {
    const lead = block ? Math.min(blockIndent, indentOf(line)) : row === 0 ? 0 : indentOf(line);
    if (remaining <= line.length - lead) return index + lead + remaining;
    remaining -= line.length - lead + 1;
    index += line.length + 1;
  }
  return start;
}

function findKeyNode(doc: Document.Parsed, path: DocPath): Node | undefined {
  if (path.length === 0) return undefined;
  const parentPath = path.slice(0, -1);
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (!isMap(parent)) return undefined;
  const last = path[path.length - 1];
  const pair = (parent.items as Pair[]).find((item) => String(isScalar(item.key) ? item.key.value : item.key) === String(last));
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

/** The rule or worker a path is inside, by name, for ConfigIssue.rule. */
export function ownerName(data: unknown, path: DocPath): string | undefined {
  const [section, index] = path;
  if (section === 'workers' && typeof index === 'string') return index;
  if (section !== 'rules' || typeof index !== 'number' || data === null || typeof data !== 'object') return undefined;
  const rules = (data as { rules?: unknown }).rules;
  const rule = Array.isArray(rules) ? (rules[index] as { name?: unknown } | undefined) : undefined;
  return typeof rule?.name === 'string' ? rule.name : undefined;
}

/** A PlainIssue from the schema, placed in its file. */
export function placeIssue(source: YamlSource, issue: PlainIssue): ConfigIssue {
  const owner = ownerName(source.data, issue.path);
  return {
    file: source.file,
    ...locatePath(source, issue.path, issue.at, issue.offset),
    ...(owner !== undefined ? { rule: owner } : {}),
    path: formatDocPath(issue.path),
    message: issue.message,
  };
}
