// Offsets into a document -> 1-based line:column, computed from the text itself.
// yaml's LineCounter is fed by the lexer and misses a newline while the parser recovers from
// some syntax errors, which put every later issue one line too early; the text cannot be wrong.

export interface LinePlace {
  line: number;
  col: number;
}

export interface LineIndex {
  linePos(offset: number): LinePlace;
}

/** Finds every line start once, so each lookup is a binary search. */
export function createLineIndex(text: string): LineIndex {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return {
    linePos(offset: number): LinePlace {
      const at = Math.max(0, Math.min(Number.isFinite(offset) ? Math.trunc(offset) : 0, text.length));
      // The last line start at or before `at`.
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (starts[mid]! <= at) low = mid;
        else high = mid - 1;
      }
      return { line: low + 1, col: at - starts[low]! + 1 };
    },
  };
}
