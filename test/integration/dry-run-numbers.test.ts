// Dry run with an action that has a dry form: `medic run --dry-run` runs clear_cache with dryRun,
// so the journal says how many files and bytes it would free, and the folder keeps every file.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, queryJournal, startMedic, type MedicProcess } from '../helpers/medic-process.js';

const running: MedicProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

interface ActionRow {
  status: string;
  result: string;
  description: string;
  message: string;
  details_json: string;
}

describe('dry run with numbers', () => {
  it('clear_cache in medic run --dry-run journals the bytes it would free and deletes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medic-dry-numbers-'));
    dirs.push(dir);
    const cache = join(dir, 'cache');
    const rulesDir = join(dir, 'rules');
    mkdirSync(cache);
    mkdirSync(rulesDir);
    // Three old files (an hour old) and one fresh one the older_than keeps.
    const hourAgo = Date.now() / 1000 - 3600;
    for (const name of ['a.bin', 'b.bin', 'c.bin']) {
      writeFileSync(join(cache, name), Buffer.alloc(4096, 'x'));
      utimesSync(join(cache, name), hourAgo, hourAgo);
    }
    writeFileSync(join(cache, 'fresh.bin'), Buffer.alloc(1000, 'x'));
    writeFileSync(join(rulesDir, 'rules.yaml'), `
settings: { interval: 200ms }
rules:
  - name: cache-sweep
    when: cpu.cores > 0
    do:
      - clear_cache: { dir: ${cache}, older_than: 10m }
    verify: 200ms
`);
    const stateDir = join(dir, 'state');
    const m = startMedic(['run', '--rules', rulesDir, '--state', stateDir, '--dry-run']);
    running.push(m);

    const action = await eventually(() => queryJournal<ActionRow>(stateDir, `SELECT status, result, description, message, details_json FROM actions WHERE status != 'running'`)[0], 'the dry-run action', 30_000);
    expect(action).toMatchObject({ status: 'dry-run', result: 'dry-run', description: `clear_cache ${cache} (older than 10m)` });
    expect(action.message).toMatch(/^dry run: would have run clear_cache \S+ \(older than 10m\): clear_cache \S+ \(dry run\): would delete 3 files, 12KiB;/);
    const details = JSON.parse(action.details_json) as Record<string, unknown>;
    expect(details).toMatchObject({ dryRun: true, wouldStatus: 'ok', filesDeleted: 3, bytesFreed: 12_288, bytesBefore: 13_288, bytesAfter: 1000 });
    expect((details['wouldDelete'] as string[]).sort()).toEqual(['a.bin', 'b.bin', 'c.bin']);
    await m.waitForLog((line) => line.msg.startsWith(`rule cache-sweep: dry run: step 1 attempt 1: would have run clear_cache ${cache}`));
    expect(readdirSync(cache).sort()).toEqual(['a.bin', 'b.bin', 'c.bin', 'fresh.bin']);
  }, 60_000);
});
