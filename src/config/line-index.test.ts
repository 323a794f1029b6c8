import { LineCounter, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createLineIndex } from './line-index.js';

describe('createLineIndex', () => {
  it('places offsets 1-based, like LineCounter does on a well-formed file', () => {
    const text = 'a: 1\nlist:\n  - x\n\n  - "y"\r\nend: z\n';
    const counter = new LineCounter();
    parseDocument(text, { lineCounter: counter });
    const index = createLineIndex(text);
    for (let offset = 0; offset <= text.length; offset++) expect(index.linePos(offset)).toEqual(counter.linePos(offset));
  });

  it('keeps offsets outside the text on it', () => {
    const index = createLineIndex('ab\ncd');
    expect(index.linePos(-3)).toEqual({ line: 1, col: 1 });
    expect(index.linePos(99)).toEqual({ line: 2, col: 3 });
    expect(createLineIndex('').linePos(0)).toEqual({ line: 1, col: 1 });
  });
});
