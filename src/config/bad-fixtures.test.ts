// Every test/fixtures/rules/*.bad.yaml (and *.bad/ folder) holds one kind of mistake and says,
// in `# error: LINE:COL MESSAGE-SUBSTRING` comments, exactly which errors it must produce
// (Prometheus rulefmt TestParseFileFailure, with positions).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../core/errors.js';
import { loadConfig } from './load-config.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/rules');

interface Expected {
  file: string;
  line: number;
  col: number;
  message: string;
}

function readExpectations(file: string): Expected[] {
  return [...fs.readFileSync(file, 'utf8').matchAll(/^# error: (\d+):(\d+) (.+)$/gm)].map((match) => ({
    file,
    line: Number(match[1]),
    col: Number(match[2]),
    message: match[3]!,
  }));
}

const cases = fs
  .readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.bad.yaml') || name.endsWith('.bad'))
  .sort()
  .map((name) => {
    const location = path.join(FIXTURES, name);
    const files = fs.statSync(location).isDirectory() ? fs.readdirSync(location).sort().map((f) => path.join(location, f)) : [location];
    return { name, location, expected: files.flatMap(readExpectations) };
  });

describe('bad rules fixtures', () => {
  it('covers every mistake the loader must catch', () => {
    expect(cases.length).toBeGreaterThanOrEqual(14);
    for (const { name, expected } of cases) expect(expected.length, `${name} declares no "# error:" lines`).toBeGreaterThan(0);
  });

  it.each(cases)('$name', ({ location, expected }) => {
    const result = loadConfig(location);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const actual = result.errors.map(formatConfigIssue);
    expect(result.errors, actual.join('\n')).toHaveLength(expected.length);
    expected.forEach((want, index) => {
      const got = result.errors[index]!;
      expect({ file: path.resolve(got.file), line: got.line, col: got.col }, actual[index]).toEqual({ file: want.file, line: want.line, col: want.col });
      expect(got.message).toContain(want.message);
    });
  });

  it('three-mistakes.bad.yaml yields three errors at three distinct places', () => {
    const result = loadConfig(path.join(FIXTURES, 'three-mistakes.bad.yaml'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const places = result.errors.map((issue) => `${issue.file}:${issue.line}:${issue.col}`);
    expect(new Set(places).size).toBe(3);
    expect(result.errors.map((issue) => issue.rule)).toEqual(['render-busy', 'memory-high', 'render-leak']);
  });
});
