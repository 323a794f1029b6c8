import { describe, expect, it } from 'vitest';
import { compileGlob } from './glob.js';

function matches(pattern: string, name: string): boolean {
  const glob = compileGlob(pattern);
  if (!glob.ok) throw new Error(glob.reason);
  return glob.regex.test(name);
}

describe('compileGlob', () => {
  it.each([
    ['*.log', 'app.log', true],
    ['*.log', 'app.log.1', false], // anchored at both ends
    ['*.log', 'applog', false], // the dot is literal
    ['app-?.log', 'app-1.log', true],
    ['app-?.log', 'app-12.log', false],
    ['*.[0-9]', 'app.log.7', true],
    ['*.[!0-9]', 'app.log.7', false],
    ['*', 'weird\nname', true], // * spans any character, newlines included
    ['$(x).log', '$(x).log', true], // regex and shell characters are literal
    ['a+b', 'aab', false],
    ['*.é', 'x.é', true],
  ])('%s vs %j → %s', (pattern, name, expected) => {
    expect(matches(pattern, name)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['logs/*.log', 'must not contain "/"'],
    ['[abc', 'unclosed'],
    ['[z-a]', 'bad match'],
  ])('refuses %j', (pattern, reason) => {
    const glob = compileGlob(pattern);
    expect(glob.ok).toBe(false);
    if (!glob.ok) expect(glob.reason).toContain(reason);
  });
});
