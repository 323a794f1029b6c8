// Archive names: a template with {dir}, {date} and {time} rendered to a plain base name, then a
// -2, -3, ... suffix when an archive (or a leftover temp) of that name is already in dest.
import { lstat } from 'node:fs/promises';
import path from 'node:path';

export const DEFAULT_NAME_TEMPLATE = '{dir}-{time}';
export const ARCHIVE_SUFFIX = '.tar.gz';
export const MANIFEST_SUFFIX = '.manifest.json';
export const TEMP_SUFFIX = '.tmp';

const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const MAX_NAME_LENGTH = 180;

export type NameResult = { ok: true; name: string } | { ok: false; reason: string };

/** {dir}: the root's base name made filename-safe; {date}: 20240131; {time}: 20240131T030000Z (UTC). */
export function renderArchiveName(template: string, root: string, at: number): NameResult {
  const iso = new Date(at).toISOString(); // 2024-01-31T03:00:00.000Z
  const date = iso.slice(0, 10).replaceAll('-', '');
  const time = `${date}T${iso.slice(11, 19).replaceAll(':', '')}Z`;
  const values: Record<string, string> = { dir: path.basename(root).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]+/, '') || 'root', date, time };
  let unknown: string | undefined;
  const name = template.replace(/\{([^}]*)\}/g, (whole, token: string) => values[token] ?? ((unknown ??= whole), whole));
  if (unknown !== undefined) return { ok: false, reason: `nameTemplate has an unknown placeholder ${unknown} (use {dir}, {date}, {time})` };
  if (!SAFE_NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    return { ok: false, reason: `nameTemplate must give a plain file name of letters, digits, ".", "_", "-" (not starting with "." or "-"), got ${JSON.stringify(name)}` };
  }
  return { ok: true, name };
}

/** The first of base, base-2, base-3, ... with no archive, manifest or temp of that name in dest. */
export async function pickFreeName(destRoot: string, base: string): Promise<string> {
  for (let n = 1; n < 1000; n += 1) {
    const name = n === 1 ? base : `${base}-${n}`;
    const taken = await Promise.all(
      [ARCHIVE_SUFFIX, MANIFEST_SUFFIX].flatMap((suffix) => [suffix, suffix + TEMP_SUFFIX]).map((suffix) => exists(`${destRoot}/${name}${suffix}`)),
    );
    if (!taken.includes(true)) return name;
  }
  throw new Error(`no free archive name for ${base} in ${destRoot}`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}
