// The README is the operator's reference: its metric catalogue must be the one the code has,
// and the commands it tells a new user to run must exist in package.json.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderMetricCatalogue } from '../../src/core/metric-docs.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

describe('README', () => {
  it('lists every metric of the catalogue (regenerate with: node dist/cli/main.js metrics --catalogue)', () => {
    const section = readme.split('<!-- metric-catalogue -->\n')[1]?.split('\n<!-- /metric-catalogue -->')[0];
    expect(section).toBe(renderMetricCatalogue());
  });

  it('gives npm ci && npm test and npm ci && npm start, which package.json defines', () => {
    expect(readme).toContain('npm ci && npm test');
    expect(readme).toContain('npm ci && npm start');
    expect(pkg.scripts.test).toBeTruthy();
    expect(pkg.scripts.start).toBeTruthy();
  });
});
