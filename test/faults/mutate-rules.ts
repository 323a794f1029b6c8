// Deterministic mutations of a rules file, the kind of damage an editor, a merge or a careless
// hand does: characters deleted, tokens swapped, indentation broken, values of the wrong type,
// junk punctuation, duplicated or missing lines, a cut-off file, odd Unicode.
export type Random = () => number;

/** mulberry32: a small seeded generator, so every run mutates the same way. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WRONG_VALUES = ['[1, 2]', '{ a: 1 }', '42', '-1', 'true', 'null', '~', '""', "''", '1e999', '"5 minutes"', '0', '!!binary aGVsbG8=', '*nowhere', '&anchor', '|', '>-', '[]', '{}', '"\\u0000"', 'x'.repeat(5000)];
const JUNK = [':', '-', '[', ']', '{', '}', '"', "'", '#', '&', '*', '!', '%', '@', '\t', '`', '|', '>', ',', '?', '\\', '\u0000', '\uFEFF', '\r', 'é', '😀', '\u202e', '\n', ': :', '- -', '{{', '${HOME}'];

type Mutation = (text: string, random: Random) => string;

const pick = <T>(items: readonly T[], random: Random): T => items[Math.floor(random() * items.length)]!;
const at = (text: string, random: Random): number => Math.floor(random() * (text.length + 1));

function mapLines(text: string, random: Random, change: (line: string) => string | string[]): string {
  const lines = text.split('\n');
  const i = Math.floor(random() * lines.length);
  const changed = change(lines[i]!);
  lines.splice(i, 1, ...(Array.isArray(changed) ? changed : [changed]));
  return lines.join('\n');
}

export const MUTATIONS: Record<string, Mutation> = {
  'delete characters': (text, random) => {
    const i = at(text, random);
    return text.slice(0, i) + text.slice(i + 1 + Math.floor(random() * 3));
  },
  'delete a line': (text, random) => mapLines(text, random, () => []),
  'duplicate a line': (text, random) => mapLines(text, random, (line) => [line, line]),
  'swap two tokens': (text, random) => {
    const tokens = text.split(/(\s+|[:,[\]{}])/);
    const words = tokens.map((t, i) => [t, i] as const).filter(([t]) => /\S/.test(t));
    const [a, b] = [pick(words, random), pick(words, random)];
    [tokens[a[1]], tokens[b[1]]] = [b[0], a[0]];
    return tokens.join('');
  },
  'break the indentation': (text, random) =>
    mapLines(text, random, (line) => {
      const body = line.trimStart();
      const indent = line.length - body.length;
      const options = [' '.repeat(Math.max(0, indent - 1)), ' '.repeat(indent + 1), ' '.repeat(indent + 3), '\t'.repeat(1 + (indent >> 1)), ''];
      return pick(options, random) + body;
    }),
  'a value of the wrong type': (text, random) =>
    mapLines(text, random, (line) => {
      const match = /^(\s*(?:- )?[\w-]+:)\s*(.*)$/.exec(line);
      return match ? `${match[1]} ${pick(WRONG_VALUES, random)}` : line;
    }),
  'insert junk': (text, random) => {
    const i = at(text, random);
    return text.slice(0, i) + pick(JUNK, random) + text.slice(i);
  },
  'cut the file off': (text, random) => text.slice(0, at(text, random)),
  'swap two lines': (text, random) => {
    const lines = text.split('\n');
    const [i, j] = [Math.floor(random() * lines.length), Math.floor(random() * lines.length)];
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return lines.join('\n');
  },
};

/** 1 to 3 mutations applied to `seed`; returns the text and what was done. */
export function mutate(seed: string, random: Random): { text: string; applied: string[] } {
  const names = Object.keys(MUTATIONS);
  const applied: string[] = [];
  let text = seed;
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i++) {
    const name = pick(names, random);
    text = MUTATIONS[name]!(text, random);
    applied.push(name);
  }
  return { text, applied };
}
