// The README's example page is generated, never typed: this test fails when the code's message
// changes and the README does not. Regenerate with:
//   MEDIC_UPDATE_README=1 npx vitest run src/pager/paging-example.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderPagingExample } from './paging-example.js';

const README = new URL('../../README.md', import.meta.url);
const START = '<!-- paging-example -->\n';
const END = '\n<!-- /paging-example -->';

describe('README paging example', () => {
  it('is what the code builds', () => {
    let readme = readFileSync(README, 'utf8');
    const [before, rest] = readme.split(START);
    const after = rest?.split(END)[1];
    expect(before !== undefined && after !== undefined, 'README has <!-- paging-example --> markers').toBe(true);
    const rendered = renderPagingExample();
    if (process.env.MEDIC_UPDATE_README === '1') {
      readme = `${before}${START}${rendered}${END}${after}`;
      writeFileSync(README, readme);
    }
    expect(rest!.split(END)[0]).toBe(rendered);
  });
});
