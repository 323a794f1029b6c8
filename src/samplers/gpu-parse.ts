// Pure parsing of `nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]` output.
// nvidia-smi separates fields with ", ", keeps `[N/A]`-style markers even with `nounits`, prints
// some markers bare (`N/A`, `ERR!`), and writes its own errors to stdout between rows, so a line
// that does not split into the fields asked for is a problem to report, not a row.

/** One CSV value: a number (units stripped), text, or a marker that means "unknown". */
export type GpuCell =
  | { kind: 'number'; value: number; raw: string }
  | { kind: 'text'; value: string }
  /** `[N/A]`, `N/A`, `[Not Supported]`, empty, ...; `error` for markers of a failing GPU. */
  | { kind: 'missing'; raw: string; error: boolean };

export interface GpuCsvRow {
  /** 1-based line in the output, for messages. */
  line: number;
  /** Keyed by the field names asked for, in the order asked. */
  cells: Map<string, GpuCell>;
}

export interface GpuCsv {
  rows: GpuCsvRow[];
  /** Non-empty lines that are neither the header nor a row, e.g. "Unable to determine the device handle ...". */
  problems: string[];
  header: boolean;
}

// `nounits` drops these; `csv` without it (and `-q`) prints them after a space.
const NUMBER = /^(-?\d+(?:\.\d+)?)(?: (?:%|MiB|KiB|GiB|W|W\/s|C|MHz|us|ms|seconds|bank\(s\)))?$/;
const MISSING = /^(?:\[.*\]|N\/A|ERR!|Unknown Error|)$/;
// Markers of a GPU that is failing, as opposed to a value the GPU does not support.
const ERROR = /unknown error|err!|gpu is lost|requires reset/i;
// A header cell: a field name, optionally followed by its unit (`memory.used [MiB]`).
const HEADER_CELL = /^[a-z_][A-Za-z0-9_.]*(?: \[[^\]]+\])?$/;

export function parseGpuCell(raw: string): GpuCell {
  const text = raw.trim();
  if (MISSING.test(text)) return { kind: 'missing', raw: text, error: ERROR.test(text) };
  const number = NUMBER.exec(text);
  if (number) return { kind: 'number', value: Number(number[1]), raw: text };
  return { kind: 'text', value: text };
}

/** Splits CSV output into rows keyed by `fields`; a header line, when present, is skipped. */
export function parseGpuCsv(stdout: string, fields: string[]): GpuCsv {
  const result: GpuCsv = { rows: [], problems: [], header: false };
  const lines = stdout.split(/\r?\n/);
  let seenContent = false;
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const values = line.split(', ');
    const first = !seenContent;
    seenContent = true;
    if (first && values.length === fields.length && values.every((v) => HEADER_CELL.test(v))) {
      result.header = true;
      continue;
    }
    if (values.length !== fields.length) {
      result.problems.push(line.trim());
      continue;
    }
    const cells = new Map<string, GpuCell>();
    for (const [j, field] of fields.entries()) cells.set(field, parseGpuCell(values[j]!));
    result.rows.push({ line: i + 1, cells });
  }
  return result;
}
