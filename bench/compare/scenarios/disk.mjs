// Scenario 4: a cache folder (its own 64 MiB tmpfs, so "disk used" is the folder) grows past 50 %;
// the rule clears it. From the crossing to the first bytes freed, and how many bytes were freed.
// medic uses its clear_cache step when this build has it, else the same script as Monit.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../lib/paths.mjs';
import { cleanUpOnInterrupt, runWithTool } from '../lib/session.mjs';
import { sleep, waitFor, waitUpTo } from '../lib/wait.mjs';
import { pick, runAlternating, settle } from './common.mjs';
import { describeMedicCleanup } from './disk-cleanup.mjs';

const FS_MIB = 64;
const LIMIT_PCT = 50;
const FILE_MIB = 1;
const EVERY_MS = 50;
const CLEANUP = path.join(REPO, 'bench', 'compare', 'cleanup-cache.sh');

export default {
  id: 'disk',
  title: '4. Disk pressure: cache over 50 % → clear it',
  setup: [
    `A ${FS_MIB} MiB tmpfs mounted for the run holds the cache; the harness writes ${FILE_MIB} MiB files every ${EVERY_MS} ms`,
    `until it is over ${LIMIT_PCT} % and notes when. medic: \`when: disk[CACHE].used_pct > ${LIMIT_PCT}%\`, \`interval: 1s\`;`,
    `Monit: \`check filesystem … if space usage > ${LIMIT_PCT}% then exec\`, \`set daemon 1\`. Both delete every cache file.`,
  ],
  async run(ctx) {
    const probe = canMountTmpfs(ctx.scratch);
    if (probe !== null) return { skipped: probe };
    const medicAction = describeMedicCleanup(ctx.scratch, CLEANUP);
    const results = await runAlternating(ctx, 'disk', (tool, dir) => measureDisk(tool, dir, medicAction));
    return {
      notes: [`medic's action: ${medicAction.label}. Monit's: \`exec cleanup-cache.sh\` (bench/compare/).`],
      measures: [
        { label: 'crossed → first bytes freed', unit: 'ms', values: pick(results, 'freedMs'), goal: 'action' },
        { label: 'crossed → cache under the limit again', unit: 'ms', values: pick(results, 'clearedMs') },
        { label: 'bytes freed', unit: 'MiB', values: pick(results, 'freedMiB'), higherIsBetter: true },
      ],
    };
  },
};

async function measureDisk(tool, dir, medicAction) {
  const cache = path.join(dir, 'cache');
  const log = path.join(dir, 'cleanup.log');
  mkdirSync(cache);
  mount(['-t', 'tmpfs', '-o', `size=${FS_MIB}m,mode=1777`, 'tmpfs', cache]);
  const forget = cleanUpOnInterrupt(() => mount(['-l', cache], 'umount'));
  try {
    const config = {
      medicYaml: [
        'settings: { interval: 1s }',
        'rules:',
        '  - name: cache-full',
        `    when: disk[${cache}].used_pct > ${LIMIT_PCT}%`,
        `    do: [${medicAction.step(cache, log)}]`,
        '    verify: 2s',
        '',
      ].join('\n'),
      monitServices: [`check filesystem cache with path ${cache}`, `  if space usage > ${LIMIT_PCT}% then exec "/bin/bash ${CLEANUP} ${cache} ${log}"`].join('\n'),
    };
    return await runWithTool(tool, dir, config, [], async (handle) => {
      await sleep(1000);
      await settle();
      const { crossedAt, bytes } = await fillPastLimit(cache);
      const freedAt = await waitFor(() => (sumBytes(cache) < bytes ? Date.now() : undefined), 'the first bytes freed', { timeoutMs: 30_000, everyMs: 2 });
      const clearedAt = await waitUpTo(() => (usedPct(cache) <= LIMIT_PCT ? Date.now() : undefined), 30_000, 2);
      const left = await settledBytes(cache);
      handle.assertRunning();
      return { freedMs: freedAt - crossedAt, clearedMs: clearedAt === undefined ? null : clearedAt - crossedAt, freedMiB: (bytes - left) / 2 ** 20 };
    });
  } finally {
    forget();
    mount(['-l', cache], 'umount');
  }
}

/** Writes files until the filesystem is over the limit; the time right after the write that crossed. */
async function fillPastLimit(cache) {
  const chunk = Buffer.alloc(FILE_MIB * 2 ** 20, 7);
  for (let i = 0; ; i++) {
    writeFileSync(path.join(cache, `chunk-${String(i).padStart(4, '0')}.bin`), chunk);
    if (usedPct(cache) > LIMIT_PCT) return { crossedAt: Date.now(), bytes: sumBytes(cache) };
    if (i > (FS_MIB / FILE_MIB) * 2) throw new Error(`${cache} never passed ${LIMIT_PCT} %`);
    await sleep(EVERY_MS);
  }
}

/** Used space as df counts it: used / (used + available). */
function usedPct(dir) {
  const s = statfsSync(dir);
  const used = s.blocks - s.bfree;
  return (used / (used + s.bavail)) * 100;
}

function sumBytes(dir) {
  let total = 0;
  for (const name of readdirSync(dir)) {
    try {
      total += statSync(path.join(dir, name)).size;
    } catch {
      // deleted between readdir and stat
    }
  }
  return total;
}

/** The folder's size once it stopped changing (the action is done). */
async function settledBytes(dir) {
  let last = sumBytes(dir);
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    const now = sumBytes(dir);
    if (now === last) return now;
    last = now;
  }
  return last;
}

function mount(args, program = 'mount') {
  const result = spawnSync(program, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${program} ${args.join(' ')}: ${(result.stderr || result.stdout).trim()}`);
}

/** null when a tmpfs can be mounted here, else why not (needs root, or CAP_SYS_ADMIN). */
function canMountTmpfs(scratch) {
  const probe = path.join(scratch, 'mount-probe');
  mkdirSync(probe, { recursive: true });
  try {
    mount(['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
    mount([probe], 'umount');
    return null;
  } catch (error) {
    return `cannot mount a tmpfs for the cache (${error.message}); this scenario needs root`;
  }
}
