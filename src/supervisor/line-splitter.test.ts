import { describe, expect, it } from 'vitest';
import { createLineSplitter, TRUNCATED_MARK } from './line-splitter.js';

function split(chunks: string[], maxLineLength = 10): string[] {
  const lines: string[] = [];
  const splitter = createLineSplitter(maxLineLength, (line) => lines.push(line));
  for (const chunk of chunks) splitter.push(chunk);
  splitter.flush();
  return lines;
}

describe('createLineSplitter', () => {
  it.each([
    // lines split across chunks are joined
    [['ab', 'c\nde', 'f\n'], ['abc', 'def']],
    // CRLF loses its CR; empty lines are kept
    [['a\r\n\nb\n'], ['a', '', 'b']],
    // a last line without a newline comes out at flush
    [['tail'], ['tail']],
    // an over-long line is cut once and the rest of it dropped, up to its newline
    [['0123456789ABC', 'DEF\nnext\n'], [`0123456789${TRUNCATED_MARK}`, 'next']],
    // an over-long line that arrives whole is cut too
    [['0123456789ABCDEF\nok\n'], [`0123456789${TRUNCATED_MARK}`, 'ok']],
  ])('%# %j', (chunks, expected) => {
    expect(split(chunks)).toEqual(expected);
  });
});
