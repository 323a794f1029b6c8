// The hostile rules texts and file-action folders of hostile-inputs.test.ts.
import path from 'node:path';
import type { ActionSpec } from '../../src/core/types.js';

export interface Layout {
  base: string;
  /** The cache folder the actions may work in. */
  root: string;
  /** Beside the root: must never change. */
  sentinel: string;
  dest: string;
}

export interface RuleTextCase {
  label: string;
  text: string;
  /** The rules must be refused (a hostile value that must never become a valid rule). */
  mustRefuse: boolean;
}

const q = (text: string) => JSON.stringify(text);
const WORKER = 'workers:\n  w:\n    start: [node, w.js]\n';

function rule(fields: string, doStep = '[exec: [/bin/true]]'): string {
  return `${WORKER}rules:\n  - name: r\n    when: memory.total > 0\n${fields}    do: ${doStep}\n`;
}

export function buildRuleTextCases(pwned: string): RuleTextCase[] {
  const touch = `$(touch ${pwned})`;
  const refuse = (label: string, text: string): RuleTextCase => ({ label, text, mustRefuse: true });
  const either = (label: string, text: string): RuleTextCase => ({ label, text, mustRefuse: false });
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)];
  return [
    refuse('rule name with $(…)', `rules:\n  - name: ${q(touch)}\n    when: memory.total > 0\n    do: [exec: [/bin/true]]\n`),
    refuse('rule name with a space', `rules:\n  - name: "a b"\n    when: memory.total > 0\n    do: [exec: [/bin/true]]\n`),
    refuse('rule name with a newline', `rules:\n  - name: "a\\nb"\n    when: memory.total > 0\n    do: [exec: [/bin/true]]\n`),
    refuse('rule name climbing out', `rules:\n  - name: ../../etc/passwd\n    when: memory.total > 0\n    do: [exec: [/bin/true]]\n`),
    refuse('worker name with $(…)', `workers:\n  ${q(touch)}:\n    start: [node, w.js]\n`),
    refuse('worker name climbing out', `workers:\n  ../evil:\n    start: [node, w.js]\n`),
    refuse('condition that is a command substitution', `rules:\n  - name: r\n    when: ${q(`${touch} > 1`)}\n    do: [exec: [/bin/true]]\n`),
    refuse('metric name with backticks', `${WORKER}rules:\n  - name: r\n    when: ${q('worker.`id`.rss > 1')}\n    do: [exec: [/bin/true]]\n`),
    refuse('condition followed by ; and a command', `rules:\n  - name: r\n    when: ${q(`memory.used_pct > 90%; touch ${pwned}`)}\n    do: [exec: [/bin/true]]\n`),
    refuse('condition followed by && rm -rf /', `rules:\n  - name: r\n    when: "memory.used_pct > 90% && rm -rf /"\n    do: [exec: [/bin/true]]\n`),
    refuse('clear_cache dir with ..', rule('', '[clear_cache: { dir: /var/cache/../../etc, older_than: 1d }]')),
    refuse('clear_cache dir relative', rule('', '[clear_cache: { dir: cache, older_than: 1d }]')),
    refuse('clear_cache dir /', rule('', '[clear_cache: { dir: /, older_than: 1d }]')),
    refuse('archive_files dest inside dir', rule('', '[archive_files: { dir: /var/log/app, dest: /var/log/app/old }]')),
    refuse('archive_files dir with ..', rule('', '[archive_files: { dir: /var/log/../../root, dest: /mnt/archive }]')),
    refuse('exec timeout with $(…)', rule('', `[exec: { argv: [/bin/true], timeout: ${q(touch)} }]`)),
    refuse('budget with $(…)', rule(`    budget: ${q(`5 per ${touch}`)}\n`)),
    refuse('a !!js/function tag as the condition', `rules:\n  - name: r\n    when: !!js/function "function () { require('fs').writeFileSync('${pwned}', '') }"\n    do: [exec: [/bin/true]]\n`),
    either('a !!python/object/apply tag in an argv', `rules:\n  - name: r\n    when: memory.total > 0\n    do: [exec: !!python/object/apply:os.system ["touch ${pwned}"]]\n`),
    refuse('a billion-laughs alias bomb', `${laughs.join('\n')}\nrules: *i\n`),
    either('a 1 MB runbook', rule(`    runbook: ${'x'.repeat(1 << 20)}\n`)),
    refuse('a __proto__ key', `__proto__: { polluted: true }\nrules: []\n`),
    refuse('a worker named constructor with a prototype', `workers:\n  constructor:\n    prototype: { polluted: true }\n`),
    either('a worker env value with $(…)', `workers:\n  w:\n    start: [node, w.js]\n    env: { X: ${q(touch)} }\n`),
    either('a heartbeat file climbing out', `workers:\n  w:\n    start: [node, w.js]\n    heartbeat: { file: ../../../../etc/passwd, stale_after: 10s }\n`),
  ];
}

export interface FileActionCase {
  label: string;
  action: (layout: Layout) => ActionSpec;
}

export function buildFileActionCases(): FileActionCase[] {
  const clear = (label: string, dir: (l: Layout) => string): FileActionCase => ({
    label: `clear_cache ${label}`,
    action: (l) => ({ type: 'clear_cache', dir: dir(l), olderThanMs: 1, minAgeMs: 0, timeoutMs: 10_000 }) as unknown as ActionSpec,
  });
  const archive = (label: string, dir: (l: Layout) => string, dest: (l: Layout) => string): FileActionCase => ({
    label: `archive_files ${label}`,
    action: (l) => ({ type: 'archive_files', dir: dir(l), dest: dest(l), minAgeMs: 0, timeoutMs: 10_000 }) as unknown as ActionSpec,
  });
  return [
    clear('dir = root/..', (l) => `${l.root}/..`),
    clear('dir = root/../sentinel', (l) => `${l.root}/../sentinel`),
    clear('dir = root/x/../../sentinel', (l) => `${l.root}/x/../../sentinel`),
    clear('dir relative', () => 'sentinel'),
    clear('dir = /', () => '/'),
    clear('dir empty', () => ''),
    clear('dir with a NUL byte', (l) => `${l.root}\0/../sentinel`),
    clear('dir = ~/cache', () => '~/cache'),
    clear('dir climbing to /etc', (l) => `${l.root}${'/..'.repeat(12)}/etc`),
    archive('dir = root/../sentinel', (l) => `${l.root}/../sentinel`, (l) => l.dest),
    archive('dir relative', () => 'root', (l) => l.dest),
    archive('dest inside dir', (l) => l.root, (l) => path.join(l.root, 'archive')),
    archive('dir = /', () => '/', (l) => l.dest),
    archive('dest relative', (l) => l.root, () => 'dest'),
    archive('dest climbing into the sentinel', (l) => l.root, (l) => `${l.dest}/../sentinel`),
  ];
}
