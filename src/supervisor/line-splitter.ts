// Splits a worker's output into lines for onOutput. Bounded: a worker that prints without
// newlines cannot grow medic's memory; the rest of an over-long line is dropped.
export interface LineSplitter {
  push(text: string): void;
  /** Emits what is left at end of stream. */
  flush(): void;
}

export const TRUNCATED_MARK = ' …[truncated]';

export function createLineSplitter(maxLineLength: number, emit: (line: string) => void): LineSplitter {
  let pending = '';
  let dropping = false;
  const emitLine = (line: string): void => emit(line.endsWith('\r') ? line.slice(0, -1) : line);
  return {
    push(text) {
      let rest = text;
      if (dropping) {
        const newline = rest.indexOf('\n');
        if (newline === -1) return;
        dropping = false;
        rest = rest.slice(newline + 1);
      }
      pending += rest;
      for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n')) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        emitLine(line.length > maxLineLength ? line.slice(0, maxLineLength) + TRUNCATED_MARK : line);
      }
      if (pending.length > maxLineLength) {
        emit(pending.slice(0, maxLineLength) + TRUNCATED_MARK);
        pending = '';
        dropping = true;
      }
    },
    flush() {
      if (pending !== '') emitLine(pending);
      pending = '';
      dropping = false;
    },
  };
}
