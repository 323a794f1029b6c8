// Tokens of a `when:` condition, each with its offset into the text so errors can point at it.

export type TokenKind = 'lparen' | 'rparen' | 'op' | 'value' | 'word' | 'bad' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  offset: number;
}

const PATTERNS: Array<[TokenKind, RegExp]> = [
  ['op', /(?:>=|<=|==|!=|>|<)/y],
  // A number with its unit glued on (`150MiB`, `10%`, `1m30s`); the parser splits it.
  ['value', /-?\d[A-Za-z0-9_.%]*/y],
  // Metric keys (`disk[/var/lib].free`, `worker.render-1.rss`), keywords, detached units.
  ['word', /[A-Za-z_](?:[A-Za-z0-9_.-]|\[[^\]]*\])*|%/y],
];

/** Splits a condition into tokens; characters that start no token become single `bad` tokens. */
export function tokenizeCondition(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    if (/\s/.test(char)) {
      at += 1;
      continue;
    }
    if (char === '(' || char === ')') {
      tokens.push({ kind: char === '(' ? 'lparen' : 'rparen', text: char, offset: at });
      at += 1;
      continue;
    }
    const token = matchToken(text, at);
    tokens.push(token);
    at += token.text.length;
  }
  tokens.push({ kind: 'end', text: '', offset: text.length });
  return tokens;
}

function matchToken(text: string, at: number): Token {
  for (const [kind, pattern] of PATTERNS) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match) return { kind, text: match[0], offset: at };
  }
  return { kind: 'bad', text: text[at]!, offset: at };
}
