import { describe, expect, it } from 'vitest';
import { editDistance, formatSuggestion, nearest } from './nearest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['verfy', 'verify', 1],
    ['whne', 'when', 1], // adjacent swap counts once
    ['kitten', 'sitting', 3],
  ])('%j vs %j = %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('nearest', () => {
  const ruleKeys = ['name', 'when', 'for', 'do', 'verify', 'budget', 'backoff', 'severity', 'runbook'];

  it.each([
    ['verfy', ruleKeys, 'verify'],
    ['whne', ruleKeys, 'when'],
    ['budgte', ruleKeys, 'budget'],
    ['usd_pct', ['used_pct', 'available', 'total', 'swap_used_pct'], 'used_pct'],
    ['rendr', ['render', 'ingest'], 'render'],
    ['Mb', ['B', 'KiB', 'MiB', 'KB', 'MB'], 'MB'], // case-insensitive match wins over MiB
    ['name', ruleKeys, 'name'],
  ])('%j -> %j', (word, candidates, expected) => {
    expect(nearest(word, candidates)).toBe(expected);
  });

  it.each([
    ['zzz', ruleKeys], // nothing close
    ['x', ['y']], // one letter replaced entirely is no typo
    ['interval', []],
  ])('%j has no suggestion', (word, candidates) => {
    expect(nearest(word, candidates)).toBeUndefined();
  });

  it('prefers the closer candidate, then the earlier one', () => {
    expect(nearest('severty', ['severe', 'severity'])).toBe('severity');
    expect(nearest('ab', ['ac', 'ad'])).toBe('ac');
  });

  it('formats a suggestion suffix', () => {
    expect(formatSuggestion('verfy', ruleKeys)).toBe('; did you mean "verify"?');
    expect(formatSuggestion('zzz', ruleKeys)).toBe('');
  });
});
