import { describe, expect, it } from 'vitest';
import { MAX_SYNTAX_ERRORS, readYamlSource } from './locate.js';

describe('readYamlSource', () => {
  it('reports the first syntax errors of a badly broken file, then counts the rest', () => {
    const text = Array.from({ length: 40 }, (_, i) => `key${i}: "open\n`).join('') + 'a: [\n';
    const source = readYamlSource(text, 'broken.yaml');
    expect(source.errors.length).toBe(MAX_SYNTAX_ERRORS + 1);
    const last = source.errors[MAX_SYNTAX_ERRORS]!;
    expect(last.message).toMatch(/^… and \d+ more YAML syntax errors? in this file/);
    const kept = source.errors.slice(0, MAX_SYNTAX_ERRORS);
    expect(kept.every((issue) => issue.line < last.line || (issue.line === last.line && issue.col <= last.col))).toBe(true);
  });

  it('keeps every syntax error of a lightly broken file', () => {
    const source = readYamlSource('a: [1, 2\nb: 3\n', 'small.yaml');
    expect(source.errors.length).toBeGreaterThan(0);
    expect(source.errors.length).toBeLessThanOrEqual(MAX_SYNTAX_ERRORS);
    expect(source.errors.some((issue) => issue.message.includes('more YAML syntax error'))).toBe(false);
  });

  it('turns a collection key into a string without a process warning', () => {
    const warnings: string[] = [];
    const emitWarning = process.emitWarning;
    process.emitWarning = ((warning: string | Error) => void warnings.push(String(warning))) as typeof process.emitWarning;
    try {
      const source = readYamlSource('? [a, b]\n: 1\n', 'keys.yaml');
      expect(source.data).toEqual({ '[ a, b ]': 1 });
    } finally {
      process.emitWarning = emitWarning;
    }
    expect(warnings).toEqual([]);
  });
});
