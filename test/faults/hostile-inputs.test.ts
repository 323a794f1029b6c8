// Fault: 100 hostile inputs to what medic runs and reads. Arguments written in rules reach their
// program exactly as written (never a shell); templates fill one argument and never split it;
// hostile names, paths and conditions in rules are refused in place or kept as plain data; file
// actions given a folder outside their root refuse it. Nothing outside changes, nothing runs.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../../src/actions/run-action.js';
import { setFleetCount } from '../../src/actions/scale/fleet.js';
import { publishLevel } from '../../src/actions/throttle/publish-level.js';
import { parseRulesText } from '../../src/config/load-config.js';
import { formatConfigIssue } from '../../src/core/errors.js';
import type { ActionSpec } from '../../src/core/types.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { eventually, REPO } from '../helpers/medic-process.js';
import { buildHostileStrings } from './hostile-strings.js';
import { buildRuleTextCases, buildFileActionCases, type Layout } from './hostile-cases.js';

const ARGV_JSON = path.join(REPO, 'test', 'fixtures', 'bin', 'argv-json.mjs');
const ARGV_TO_FILE = path.join(REPO, 'test', 'faults', 'fixtures', 'argv-to-file.mjs');

let work: string;
let pwned: string;
let hostile: string[];

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'medic-faults-hostile-'));
  pwned = path.join(work, 'PWNED');
  hostile = buildHostileStrings(pwned);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Runs `task` over `items`, `width` at a time; resolves to the results in order. */
async function runPool<T, R>(items: T[], width: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const lanes = Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return results;
}

function execRules(argv: string[]): string {
  return `rules:\n  - name: hostile\n    when: memory.total > 0\n    do:\n      - exec: ${JSON.stringify(argv)}\n`;
}

describe('100 hostile inputs', () => {
  const counts = { exec: 40, start: 10, templates: 10, ruleText: 25, fileActions: 15 };

  it('are 100', () => {
    expect(buildHostileStrings('/x').slice(0, counts.exec)).toHaveLength(counts.exec);
    expect(buildRuleTextCases('/x')).toHaveLength(counts.ruleText);
    expect(buildFileActionCases()).toHaveLength(counts.fileActions);
    expect(Object.values(counts).reduce((a, b) => a + b)).toBe(100);
  });

  it('exec: 40 hostile arguments written in a rules file reach the program byte for byte, through no shell', async () => {
    const supervisor = new Supervisor({ stateDir: path.join(work, 'exec-state') });
    const problems = await runPool(hostile.slice(0, counts.exec), 4, async (argument, i) => {
      const out = path.join(work, `exec-${i}.json`);
      const argv = [ARGV_TO_FILE, out, argument, `${argument}2`];
      const parsed = parseRulesText(execRules(argv), 'hostile.yaml', work);
      if (!parsed.ok) return `${JSON.stringify(argument.slice(0, 40))}: refused: ${parsed.errors.map(formatConfigIssue).join('; ')}`;
      const action = parsed.config.rules.find((rule) => rule.name === 'hostile')!.ladder[0]!.action as Extract<ActionSpec, { type: 'exec' }>;
      if (JSON.stringify(action.argv) !== JSON.stringify(argv)) return `${JSON.stringify(argument)}: parsed as ${JSON.stringify(action.argv)}`;
      const outcome = await runAction({ ...action, timeoutMs: 20_000 }, { workers: new Map(), supervisor });
      const received = existsSync(out) ? readFileSync(out, 'utf8') : '(nothing)';
      return outcome.ok && received === JSON.stringify(argv.slice(2)) ? null : `${JSON.stringify(argument.slice(0, 40))}: ${outcome.message}: received ${received.slice(0, 80)}`;
    });
    expect(problems.filter(Boolean)).toEqual([]);
    expect(existsSync(pwned)).toBe(false);
  });

  it('start: a managed worker started with 10 hostile arguments receives exactly those', async () => {
    const lines = new Map<string, string>();
    const supervisor = new Supervisor({ stateDir: path.join(work, 'start-state'), onOutput: (name, _stream, line) => lines.set(name, line) });
    const picked = hostile.filter((text) => /[$`;&|<>'"\n\\ ]/.test(text)).slice(0, counts.start);
    expect(picked).toHaveLength(counts.start);
    const problems = await runPool(picked, 4, async (argument, i) => {
      const name = `hostile${i}`;
      const outcome = await supervisor.start({ name, mode: 'managed', argv: [process.execPath, ARGV_JSON, argument, 'next'], stopTimeoutMs: 1000, restartTimeoutMs: 5000 });
      if (!outcome.ok) return `${JSON.stringify(argument)}: ${outcome.message}`;
      // The line may arrive after the exit event: wait for the line itself.
      const printed = await eventually(() => lines.get(name), `${name}'s output`, 10_000, 10).catch(() => undefined);
      return printed === JSON.stringify([argument, 'next']) ? null : `${JSON.stringify(argument)}: printed ${printed}`;
    });
    await supervisor.stopAll();
    expect(problems.filter(Boolean)).toEqual([]);
    expect(existsSync(pwned)).toBe(false);
  });

  it('templates: {replicas} and {level} are filled inside one argument, which never splits or reaches a shell', async () => {
    const picked = hostile.filter((text) => /[$`;&|'"\n ]/.test(text)).slice(0, counts.templates);
    const problems = await runPool(picked, 4, async (around, i) => {
      const out = path.join(work, `template-${i}.json`);
      if (i % 2 === 0) {
        const outcome = await setFleetCount({ command: [process.execPath, ARGV_TO_FILE, out, `--replicas={replicas}${around}`], min: 1, max: 5 }, 3, 20_000);
        if (!outcome.ok) return `scale ${JSON.stringify(around)}: ${outcome.message}`;
        const expected = [`--replicas=3${around.replaceAll('{replicas}', '3')}`];
        return readFileSync(out, 'utf8') === JSON.stringify(expected) ? null : `scale ${JSON.stringify(around)}: got ${readFileSync(out, 'utf8')}`;
      }
      const result = await publishLevel('w', { command: [process.execPath, ARGV_TO_FILE, out, `${around}{level}`], timeoutMs: 20_000 }, 'reduced');
      if (!result.ok) return `level ${JSON.stringify(around)}: ${result.problems.join('; ')}`;
      const expected = [`${around}{level}`.replaceAll('{level}', 'reduced')];
      return readFileSync(out, 'utf8') === JSON.stringify(expected) ? null : `level ${JSON.stringify(around)}: got ${readFileSync(out, 'utf8')}`;
    });
    expect(problems.filter(Boolean)).toEqual([]);
    expect(existsSync(pwned)).toBe(false);
  });

  it('rule text: 25 hostile names, paths, conditions and YAML tricks are refused in place or kept as data; nothing runs', () => {
    const problems: string[] = [];
    for (const hostileCase of buildRuleTextCases(pwned)) {
      const text = hostileCase.text;
      const lines = text.split('\n');
      let result: ReturnType<typeof parseRulesText>;
      try {
        result = parseRulesText(text, 'hostile.yaml', work);
      } catch (error) {
        problems.push(`${hostileCase.label}: threw ${(error as Error).message}`);
        continue;
      }
      if (hostileCase.mustRefuse && result.ok) problems.push(`${hostileCase.label}: accepted`);
      for (const issue of result.ok ? [] : result.errors) {
        if (issue.file !== 'hostile.yaml' || issue.line < 1 || issue.line > lines.length || issue.col < 1) problems.push(`${hostileCase.label}: misplaced ${formatConfigIssue(issue)}`);
      }
      if (({} as Record<string, unknown>)['polluted'] !== undefined) problems.push(`${hostileCase.label}: Object.prototype polluted`);
    }
    expect(problems).toEqual([]);
    expect(existsSync(pwned)).toBe(false);
  });

  it('file actions: 15 hostile folders given to clear_cache and archive_files are refused; nothing outside the root changes', async () => {
    const supervisor = new Supervisor({ stateDir: path.join(work, 'files-state') });
    const layout = makeLayout(path.join(work, 'files'));
    const before = listTree(layout.base);
    const problems: string[] = [];
    for (const fileCase of buildFileActionCases()) {
      const outcome = await runAction(fileCase.action(layout), { workers: new Map(), supervisor });
      if (outcome.ok) problems.push(`${fileCase.label}: accepted (${outcome.message})`);
    }
    expect(problems).toEqual([]);
    expect(listTree(layout.base)).toEqual(before);
    // The same specs with the real root work, so the refusals above were about the folders.
    const control = makeLayout(path.join(work, 'files-control'));
    const spec = { type: 'clear_cache', dir: control.root, olderThanMs: 1, minAgeMs: 0, timeoutMs: 10_000 } as unknown as ActionSpec;
    const cleared = await runAction(spec, { workers: new Map(), supervisor });
    expect(cleared).toMatchObject({ ok: true });
    expect(existsSync(path.join(control.root, 'cache.bin'))).toBe(false);
    expect(readFileSync(path.join(control.sentinel, 'secret'), 'utf8')).toBe('do not touch');
  });

  it('left no trace of a shell: the marker file was never created', () => {
    expect(existsSync(pwned)).toBe(false);
    expect(readdirSync(work).filter((name) => /pwned/i.test(name))).toEqual([]);
  });
});

function makeLayout(base: string): Layout {
  const layout = { base, root: path.join(base, 'root'), sentinel: path.join(base, 'sentinel'), dest: path.join(base, 'dest') };
  for (const dir of [layout.root, layout.sentinel, layout.dest]) mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(layout.root, 'cache.bin'), 'cached');
  writeFileSync(path.join(layout.sentinel, 'secret'), 'do not touch');
  symlinkSync(layout.sentinel, path.join(layout.root, 'link-out'));
  return layout;
}

/** Every path under `dir` with its content (or link target), never following a symlink. */
function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((entry) => {
      const full = path.join(entry.parentPath, entry.name);
      if (entry.isSymbolicLink()) return `${full} -> link`;
      return entry.isFile() ? `${full} = ${readFileSync(full, 'utf8')}` : `${full}/`;
    })
    .sort();
}
