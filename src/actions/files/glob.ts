// A simple glob on a base name: `*` (any run of characters), `?` (one character) and `[...]`
// classes (`[!...]` negates). Everything else is literal. Patterns with `/` are refused: they
// match base names, not paths.

export type GlobResult = { ok: true; regex: RegExp } | { ok: false; reason: string };

export function compileGlob(pattern: string): GlobResult {
  if (pattern === '') return { ok: false, reason: 'match must not be empty' };
  if (pattern.includes('/')) return { ok: false, reason: `match is a pattern on the base name and must not contain "/", got ${JSON.stringify(pattern)}` };
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) return { ok: false, reason: `unclosed "[" in match ${JSON.stringify(pattern)}` };
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      source += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return { ok: true, regex: new RegExp(`^${source}$`, 'su') };
  } catch (error) {
    return { ok: false, reason: `bad match ${JSON.stringify(pattern)}: ${(error as Error).message}` };
  }
}
