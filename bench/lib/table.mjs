// A scenario's result as a Markdown table (pasteable into the README) with its notes below.
export function renderResult({ title, columns, rows, notes = [] }) {
  const cells = [columns, ...rows.map((row) => columns.map((c) => String(row[c] ?? '')))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  const line = (values) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  const out = [`## ${title}`, '', line(columns), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)];
  if (notes.length) out.push('', ...notes.map((n) => `- ${n}`));
  return `${out.join('\n')}\n`;
}
