// The file actions against real files: hostile names and inputs never reach outside the root,
// and a crash at any step of archive_files loses nothing.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, realpath, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { type ExpectStatic, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArchiveStep, archiveFiles } from '../../src/actions/files/archive-files.js';
import { clearCache } from '../../src/actions/files/clear-cache.js';
import { recoverArchives } from '../../src/actions/files/recover-archives.js';

const DAY = 86_400_000;
const OLD_S = (Date.now() - 10 * DAY) / 1000;
const PWNED = `/tmp/pwned-medic-${randomBytes(6).toString('hex')}`;

let work: string;

beforeAll(async () => {
  work = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-file-actions-')));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function exists(file: string | Buffer): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

/** Writes an old file (10 days), creating its folders. */
async function putOld(file: string | Buffer, content: string | Buffer): Promise<void> {
  if (typeof file === 'string') await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  await utimes(file, OLD_S, OLD_S);
}

async function symlinkAt(target: string, link: string): Promise<void> {
  await mkdir(path.dirname(link), { recursive: true });
  await symlink(target, link);
}

/** Everything under a folder, never following a symlink: path, type, content hash or link target, mtime. */
async function snapshotTree(dir: string): Promise<string[]> {
  const lines: string[] = [];
  // Buffer names, so a name that is not valid UTF-8 is read back exactly.
  const walk = async (at: Buffer, prefix: string): Promise<void> => {
    for (const name of (await readdir(at, { encoding: 'buffer' })).sort(Buffer.compare)) {
      const full = Buffer.concat([at, Buffer.from('/'), name]);
      const rel = prefix + name.toString('hex');
      const stats = await lstat(full);
      if (stats.isSymbolicLink()) lines.push(`${rel} -> ${await readlink(full)}`);
      else if (stats.isFile()) lines.push(`${rel} ${createHash('sha256').update(await readFile(full)).digest('hex')} ${stats.mtimeMs}`);
      else {
        lines.push(`${rel}/ ${stats.mtimeMs}`);
        if (stats.isDirectory()) await walk(full, `${rel}/`);
      }
    }
  };
  await walk(Buffer.from(dir), '');
  return lines;
}

// ---- Hostile names and inputs ----------------------------------------------------------------

interface Layout {
  base: string;
  root: string;
  sentinel: string;
  dest: string;
}

interface HostileCase {
  label: string;
  /** Populates the root; returns hostile-named regular files the action should take (relative). */
  setup(layout: Layout): Promise<string[]>;
  /** A hostile `dir` input instead of the root: must be refused. */
  dir?(layout: Layout): string;
}

const NAMES = [
  'with space', ' leading space', 'trailing space ', 'quote"d', "single'quote", '$(touch pwned)', '`touch pwned`',
  '$(touch PWNED)', `$(touch ${PWNED})`, '; touch pwned', '&& touch pwned', '| touch pwned', '> pwned', '< in',
  '-rf', '--help', '-', '--', '..foo', '...', '.hidden', 'new\nline', 'tab\there', 'carriage\rreturn', 'back\\slash',
  '*', '?', '[a-z]', '~', '~root', '$HOME', '${IFS}', '%s%n', 'é', '😀 emoji', 'rtl \u202e gpj.exe', 'zero\u200bwidth',
  'a'.repeat(255), 'é'.repeat(127), `${'l'.repeat(150)}\nnewline after a long name`, 'x.tar.gz.tmp', 'x.manifest.json',
];

function buildHostileCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const name of NAMES) {
    cases.push({
      label: `file ${JSON.stringify(name.slice(0, 40))}`,
      setup: async ({ root }) => (await putOld(path.join(root, name), `content of ${name}`), [name]),
    });
  }
  for (const name of NAMES.slice(0, 20)) {
    cases.push({
      label: `folder ${JSON.stringify(name)} holding a file`,
      setup: async ({ root }) => (await putOld(path.join(root, name, name), 'inner'), [`${name}/${name}`]),
    });
  }
  for (const name of NAMES.slice(0, 12)) {
    cases.push({
      label: `symlink ${JSON.stringify(name)} to a file outside`,
      setup: async ({ root, sentinel }) => (await symlinkAt(path.join(sentinel, 'secret'), path.join(root, name)), []),
    });
    cases.push({
      label: `symlink ${JSON.stringify(name)} to a folder outside`,
      setup: async ({ root, sentinel }) => (await symlinkAt(sentinel, path.join(root, name)), []),
    });
  }
  const links: [string, (layout: Layout) => string][] = [
    ['/', () => '/'],
    ['..', () => '..'],
    ['the root itself', ({ root }) => root],
    ['a relative climb', () => '../sentinel'],
    ['a dangling target', () => '/nonexistent/medic'],
    ['the sentinel file via ..', ({ root }) => `${root}/../sentinel/secret`],
  ];
  for (const [what, target] of links) {
    cases.push({
      label: `symlink to ${what}`,
      setup: async (layout) => (await symlink(target(layout), path.join(layout.root, 'link')), await putOld(path.join(layout.root, 'real'), 'r'), ['real']),
    });
  }
  cases.push({
    label: 'a folder symlinked to the sentinel, deep inside',
    setup: async ({ root, sentinel }) => (await mkdir(path.join(root, 'a', 'b'), { recursive: true }), await symlink(sentinel, path.join(root, 'a', 'b', 'c')), []),
  });
  cases.push({
    label: 'a name that is not valid UTF-8',
    setup: async ({ root }) => (await putOld(Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff, 0xfe])]), 'bytes'), []),
  });
  const dirs: [string, (layout: Layout) => string][] = [
    ['root/..', ({ root }) => `${root}/..`],
    ['root/../sentinel', ({ root }) => `${root}/../sentinel`],
    ['root/x/../../sentinel', ({ root }) => `${root}/x/../../sentinel`],
    ['../../etc', () => '../../etc'],
    ['a relative name', () => 'sentinel'],
    ['root//..//sentinel', ({ root }) => `${root}//..//sentinel`],
    ['sentinel/.. (the parent)', ({ sentinel }) => `${sentinel}/..`],
    ['an empty string', () => ''],
    ['a NUL byte', ({ root }) => `${root}\0/../sentinel`],
    ['/', () => '/'],
    ['a missing folder', ({ base }) => `${base}/missing`],
    ['a file', ({ sentinel }) => `${sentinel}/secret`],
  ];
  for (const [what, dir] of dirs) {
    cases.push({ label: `dir given as ${what}`, setup: async ({ root }) => (await putOld(path.join(root, 'f'), 'f'), []), dir });
  }
  return cases;
}

async function makeLayout(name: string): Promise<Layout> {
  const base = await mkdtemp(path.join(work, `${name}-`));
  const layout = { base, root: path.join(base, 'root'), sentinel: path.join(base, 'sentinel'), dest: path.join(base, 'dest') };
  await mkdir(layout.root);
  await mkdir(layout.dest);
  await putOld(path.join(layout.sentinel, 'secret'), 'do not touch');
  await putOld(path.join(layout.sentinel, 'deep', 'secret.log'), 'do not touch either');
  await putOld(path.join(layout.sentinel, 'pwned-not'), 'marker');
  return layout;
}

async function expectNothingEscaped(layout: Layout, sentinelBefore: string[]): Promise<void> {
  expect(await snapshotTree(layout.sentinel)).toEqual(sentinelBefore);
  expect((await lstat(layout.root)).isDirectory()).toBe(true);
  expect((await readdir(layout.base)).sort()).toEqual(['dest', 'root', 'sentinel']);
  for (const pwned of [PWNED, path.join(process.cwd(), 'pwned'), path.join(layout.base, 'pwned'), path.join(layout.sentinel, 'pwned')]) {
    expect(await exists(pwned), pwned).toBe(false);
  }
}

describe('hostile names and inputs', () => {
  const cases = buildHostileCases().slice(0, 100);

  it('has 100 cases', () => {
    expect(cases).toHaveLength(100);
  });

  it.each(cases.map((c, i) => [i, c.label, c] as const))('case %i, %s: clear_cache stays inside its root', async (i, _label, hostile) => {
    const layout = await makeLayout(`clear-${i}`);
    const taken = await hostile.setup(layout);
    const sentinelBefore = await snapshotTree(layout.sentinel);
    const rootBefore = await snapshotTree(layout.root);
    const outcome = await clearCache({ dir: hostile.dir ? hostile.dir(layout) : layout.root, olderThanMs: 0, targetSizeBytes: 0 });
    await expectNothingEscaped(layout, sentinelBefore);
    if (hostile.dir) {
      expect(outcome).toMatchObject({ ok: false, status: 'bad-spec' });
      expect(await snapshotTree(layout.root)).toEqual(rootBefore);
      return;
    }
    for (const rel of taken) expect(await exists(path.join(layout.root, rel)), rel).toBe(false);
    expect(outcome.details).toMatchObject({ filesDeleted: taken.length, errors: 0 });
  });

  it.each(cases.map((c, i) => [i, c.label, c] as const))('case %i, %s: archive_files stays inside its root', async (i, _label, hostile) => {
    const layout = await makeLayout(`archive-${i}`);
    const taken = await hostile.setup(layout);
    const sentinelBefore = await snapshotTree(layout.sentinel);
    const outcome = await archiveFiles({ dir: hostile.dir ? hostile.dir(layout) : layout.root, dest: layout.dest });
    await expectNothingEscaped(layout, sentinelBefore);
    if (hostile.dir) {
      expect(outcome).toMatchObject({ ok: false, status: 'bad-spec' });
      expect(await readdir(layout.dest)).toEqual([]);
      return;
    }
    const skippedName = outcome.details!['filesSkippedName'] as string[];
    const archived = taken.filter((rel) => !skippedName.includes(rel));
    expect(outcome.details).toMatchObject({ files: archived.length, filesRemoved: archived.length, errors: 0 });
    for (const rel of taken) expect(await exists(path.join(layout.root, rel)), rel).toBe(!archived.includes(rel));
    if (archived.length > 0) {
      const entries: string[] = [];
      await tar.t({ file: String(outcome.details!['archive']), onReadEntry: (entry) => entries.push(entry.path) });
      expect(entries.sort()).toEqual([...archived].sort());
    }
  });
});

// ---- Crash at every step ---------------------------------------------------------------------

const STEPS: ArchiveStep[] = ['after-write', 'after-fsync', 'after-verify', 'after-rename', 'mid-remove'];

/**
 * Transpiles the archive code and the crash runner to plain JS once, so each crash child is a
 * bare `node` process: vite-node would start an esbuild service that the SIGKILL orphans.
 */
async function buildCrashRunner(outDir: string): Promise<string> {
  const ts = (await import('typescript')).default;
  const sources = [
    ...(await readdir('src/actions/files')).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts')).map((name) => `src/actions/files/${name}`),
    'src/actions/plain-outcome.ts',
    'src/core/durations.ts',
    'src/core/errors.ts',
    'test/fixtures/archive-crash/run.ts',
  ];
  for (const source of sources) {
    const { outputText } = ts.transpileModule(await readFile(source, 'utf8'), {
      fileName: source,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    const out = path.join(outDir, source.replace(/\.ts$/, '.js'));
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, outputText);
  }
  await writeFile(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
  await symlink(path.resolve('node_modules'), path.join(outDir, 'node_modules'));
  return path.join(outDir, 'test/fixtures/archive-crash/run.js');
}

/** Runs the crash runner to completion; resolves with how it ended. */
function runCrashChild(runner: string, dir: string, dest: string, step: ArchiveStep): Promise<{ code: number | null; signal: string | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runner, dir, dest, step], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** Reads a final archive back and checks it against its manifest; returns rel → content. */
async function readVerifiedArchive(expect: ExpectStatic, archive: string): Promise<Map<string, Buffer>> {
  const manifest = JSON.parse(await readFile(archive.replace(/\.tar\.gz$/, '.manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
  const contents = new Map<string, Buffer>();
  await tar.t({
    file: archive,
    strict: true,
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => contents.set(entry.path, Buffer.concat(chunks)));
    },
  });
  expect(manifest.files.map((file) => [file.path, file.sha256])).toEqual([...contents].map(([rel, data]) => [rel, createHash('sha256').update(data).digest('hex')]));
  return contents;
}

/** Every original is in dir unchanged, or in a verified archive (a .tmp never counts). */
async function expectNothingLost(expect: ExpectStatic, dir: string, dest: string, originals: Map<string, Buffer>): Promise<{ inDir: number; archives: number }> {
  const archived = new Map<string, Buffer>();
  const archives = (await readdir(dest)).filter((name) => name.endsWith('.tar.gz'));
  for (const name of archives) for (const [rel, data] of await readVerifiedArchive(expect, path.join(dest, name))) archived.set(rel, data);
  let inDir = 0;
  for (const [rel, data] of originals) {
    if (await exists(path.join(dir, rel))) {
      expect((await readFile(path.join(dir, rel))).equals(data), `${rel} unchanged`).toBe(true);
      inDir += 1;
    } else {
      expect(archived.get(rel)?.equals(data), `${rel} in a verified archive`).toBe(true);
    }
  }
  return { inDir, archives: archives.length };
}

describe('archive_files crash safety', () => {
  let runner: string;

  beforeAll(async () => {
    runner = await buildCrashRunner(path.join(work, 'crash-runner'));
  });

  it.for(STEPS)('a SIGKILL %s loses nothing, and recovery plus a rerun finish the job', async (step, { expect }) => {
    const layout = await makeLayout(`crash-${step}`);
    const originals = new Map<string, Buffer>([
      ['a.log', Buffer.from('first\n')],
      ['sub/b.log', randomBytes(100_000)],
      ['sub/deeper/c.log', Buffer.from('third\n')],
      ['d name.log', Buffer.alloc(0)],
    ]);
    for (const [rel, data] of originals) await putOld(path.join(layout.root, rel), data);

    const child = await runCrashChild(runner, layout.root, layout.dest, step);
    expect(child.signal, child.output).toBe('SIGKILL');

    const afterCrash = await expectNothingLost(expect, layout.root, layout.dest, originals);
    const renamed = step === 'after-rename' || step === 'mid-remove';
    expect(afterCrash).toEqual({ inDir: step === 'mid-remove' ? 3 : 4, archives: renamed ? 1 : 0 });
    const temps = (await readdir(layout.dest)).filter((name) => name.endsWith('.tmp'));
    expect(temps).toHaveLength(renamed ? 0 : 1);

    const recovered = await recoverArchives(layout.dest);
    expect(recovered.removedTemps.map((file) => path.basename(file))).toEqual(temps);
    expect((await readdir(layout.dest)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await expectNothingLost(expect, layout.root, layout.dest, originals)).toEqual(afterCrash);

    const rerun = await archiveFiles({ dir: layout.root, dest: layout.dest });
    expect(rerun).toMatchObject({ ok: true, status: 'ok' });
    const final = await expectNothingLost(expect, layout.root, layout.dest, originals);
    expect(final.inDir).toBe(0);
  });
});
