// The healing actions end to end: `medic run` as its own process with a temporary rules folder,
// real files and real workers, checked through the journal an operator would read.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, queryJournal, REPO, startMedic, type MedicProcess } from '../helpers/medic-process.js';

const BIN = join(REPO, 'test', 'fixtures', 'bin');
const WORKERS = join(REPO, 'test', 'fixtures', 'workers');
const running: MedicProcess[] = [];
const dirs: string[] = [];
const cleanups: Array<() => void> = [];

afterEach(async () => {
  // SIGTERM first: medic stops its workers and undoes nothing it should not; SIGKILL if it hangs.
  await Promise.all(running.splice(0).map(async (m) => {
    const timer = setTimeout(() => m.child.kill('SIGKILL'), 10_000);
    await m.stop('SIGTERM');
    clearTimeout(timer);
  }));
  cleanups.splice(0).forEach((cleanup) => cleanup());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function setup(rules: (dir: string) => string): { rulesDir: string; stateDir: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'medic-actions-e2e-'));
  dirs.push(dir);
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  writeFileSync(join(rulesDir, 'rules.yaml'), rules(dir));
  return { rulesDir, stateDir: join(dir, 'state'), dir };
}

function medic(rulesDir: string, stateDir: string): MedicProcess {
  const m = startMedic(['run', '--rules', rulesDir, '--state', stateDir]);
  running.push(m);
  return m;
}

interface ActionRow {
  type: string;
  status: string;
  ended_at: number;
  details_json: string;
}
interface EventRow {
  at: number;
  kind: string;
  message: string;
  data_json: string;
}

/**
 * Files of `bytes` each, last modified from `ageS` seconds ago onwards, one second apart. Each is
 * made in `staging` and renamed in, so medic never sees one without its final mtime.
 */
function writeFiles(dir: string, names: string[], bytes: number, ageS: number, staging: string): void {
  const now = Date.now() / 1000;
  mkdirSync(staging, { recursive: true });
  names.forEach((name, i) => {
    const file = join(staging, name);
    writeFileSync(file, Buffer.alloc(bytes, 'x'));
    utimesSync(file, now - ageS + i, now - ageS + i);
    renameSync(file, join(dir, name));
  });
}

function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((total, name) => total + statSync(join(dir, name)).size, 0);
}

describe('healing actions in medic run', () => {
  it('clear_cache: a spool folder grows past its size and the ladder step brings it back under', async () => {
    const { rulesDir, stateDir, dir } = setup((dir) => `
settings: { interval: 200ms }
queues:
  spool_bytes: { command: [node, ${join(BIN, 'dir-bytes.mjs')}, ${join(dir, 'spool')}], interval: 200ms, timeout: 5s }
rules:
  - name: spool-full
    when: queue.spool_bytes.depth > 200000
    do:
      - clear_cache: { dir: ${join(dir, 'spool')}, keep_under: 100KiB }
    verify: 600ms
`);
    const spool = join(dir, 'spool');
    mkdirSync(spool);
    const staging = join(dir, 'staging');
    writeFiles(spool, ['a00', 'a01', 'a02', 'a03', 'a04'], 10_240, 3600, staging);
    const m = medic(rulesDir, stateDir);
    await m.waitForLog((line) => /medic started/.test(line.msg));
    // The spool grows while medic watches; only the last file takes it past 200000 bytes.
    writeFiles(spool, Array.from({ length: 25 }, (_, i) => `b${String(i).padStart(2, '0')}`), 6000, 1800, staging);
    expect(folderBytes(spool)).toBe(201_200);

    const incident = await eventually(
      () => queryJournal<{ id: number }>(stateDir, `SELECT id FROM incidents WHERE rule = 'spool-full' AND status = 'recovered'`)[0],
      'the spool incident to be recovered',
      30_000,
    );
    const [action] = queryJournal<ActionRow>(stateDir, 'SELECT * FROM actions WHERE incident_id = ?', incident.id);
    expect(action).toMatchObject({ type: 'clear_cache', status: 'ok' });
    expect(JSON.parse(action!.details_json)).toMatchObject({ filesDeleted: 13, bytesFreed: 99_200, bytesBefore: 201_200, bytesAfter: 102_000, dryRun: false });
    // Oldest first: the five old files and the eight oldest new ones went.
    expect(readdirSync(spool).sort()).toEqual(Array.from({ length: 17 }, (_, i) => `b${String(i + 8).padStart(2, '0')}`));
    expect(folderBytes(spool)).toBe(102_000);
  }, 60_000);

  it('throttle: applied while the worker is overloaded, restored only after restore_after of health', async () => {
    const worker = `render_${process.pid}`;
    const { rulesDir, stateDir, dir } = setup((dir) => `
settings: { interval: 200ms }
workers:
  ${worker}:
    start: [node, ${join(WORKERS, 'throttle-aware.mjs')}]
    env: { LEVEL_FILE: ${join(dir, 'level')}, DEMAND_FILE: ${join(dir, 'demand')}, LOAD_FILE: ${join(dir, 'load')} }
    degradation: { file: ${join(dir, 'level')} }
queues:
  load: { command: [cat, ${join(dir, 'load')}], interval: 200ms, timeout: 5s }
rules:
  - name: overload
    when: queue.load.depth > 10
    do:
      - throttle: { worker: ${worker}, level: reduced, cpu_quota: 50% }
    verify: 400ms
    restore_after: 1500ms
`);
    cleanups.push(() => {
      // Only if the test failed before the restore: medic's cgroup folder for this worker.
      for (const folder of [`/sys/fs/cgroup/cpu/medic/${worker}`, `/sys/fs/cgroup/unified/medic/${worker}`, `/sys/fs/cgroup/medic/${worker}`]) {
        try {
          if (existsSync(folder)) rmdirSync(folder);
        } catch {}
      }
    });
    const level = join(dir, 'level');
    writeFileSync(join(dir, 'demand'), '50\n');
    medic(rulesDir, stateDir);

    // Applied: the action row carries the numbers; the worker reads its new level.
    const applied = await eventually(
      () => queryJournal<ActionRow>(stateDir, `SELECT * FROM actions WHERE rule = 'overload' AND status != 'running'`)[0],
      'the throttle action to finish',
      30_000,
    );
    expect(applied).toMatchObject({ type: 'throttle', status: 'ok' });
    const appliedDetails = JSON.parse(applied.details_json) as Record<string, unknown>;
    expect(appliedDetails).toMatchObject({ worker, levelBefore: 'normal', levelAfter: 'reduced', cpuQuotaPctBefore: null, cpuQuotaPctAfter: 50, pausedAfter: false });
    expect(['cgroup-v1', 'cgroup-v2', 'renice']).toContain(appliedDetails['cpuMethod']);
    expect(readFileSync(level, 'utf8')).toBe('reduced\n');

    // The throttled worker sheds load, the condition clears, the incident recovers.
    const incident = await eventually(
      () => queryJournal<{ id: number; closed_at: number }>(stateDir, `SELECT id, closed_at FROM incidents WHERE rule = 'overload' AND status = 'recovered'`)[0],
      'the overload incident to recover',
      30_000,
    );
    // The backlog is gone: at normal level the worker will now carry 8, under the threshold.
    writeFileSync(join(dir, 'demand'), '8\n');
    // Still throttled right after recovery: one good sample restores nothing.
    expect(readFileSync(level, 'utf8')).toBe('reduced\n');

    const restored = await eventually(
      () => queryJournal<EventRow>(stateDir, `SELECT * FROM events WHERE rule = 'overload' AND kind = 'throttle-restored'`)[0],
      'the throttle to be restored',
      30_000,
    );
    const data = JSON.parse(restored.data_json) as Record<string, unknown>;
    expect(data).toMatchObject({ worker, levelBefore: 'reduced', levelAfter: 'normal', cpuQuotaPctBefore: 50, cpuQuotaPctAfter: null, restoreAfterMs: 1500 });
    // Hysteresis: the restore came restore_after after the rule was clear again, not at once.
    expect(restored.at - incident.closed_at).toBeGreaterThanOrEqual(1500);
    expect(restored.at - incident.closed_at).toBeLessThan(10_000);
    expect(restored.at).toBeGreaterThan(applied.ended_at);
    expect(readFileSync(level, 'utf8')).toBe('normal\n');

    // Back at normal level the worker carries the whole (smaller) demand; no new incident.
    await eventually(() => (readFileSync(join(dir, 'load'), 'utf8') === '8\n' ? true : undefined), 'the worker to carry its demand again', 10_000);
    expect(queryJournal<{ n: number }>(stateDir, `SELECT count(*) AS n FROM incidents WHERE rule = 'overload'`)[0]!.n).toBe(1);
  }, 60_000);

  it('scale_out: runs a second copy of a managed worker while the backlog lasts, then gives it back', async () => {
    const worker = `scaled_${process.pid}`;
    const { rulesDir, stateDir, dir } = setup((dir) => `
settings: { interval: 200ms }
workers:
  ${worker}:
    start: [node, -e, "setInterval(() => {}, 1000)"]
    replicas: { min: 1, max: 2 }
queues:
  backlog: { command: [cat, ${join(dir, 'backlog')}], interval: 200ms, timeout: 5s }
rules:
  - name: backlog
    when: queue.backlog.depth > 100
    do:
      - scale_out: { worker: ${worker}, cooldown: 0s }
    verify: 300ms
    restore_after: 1s
`);
    writeFileSync(join(dir, 'backlog'), '500\n');
    medic(rulesDir, stateDir);
    const scaled = await eventually(
      () => queryJournal<ActionRow>(stateDir, `SELECT * FROM actions WHERE rule = 'backlog' AND status != 'running'`)[0],
      'the scale_out action to finish',
      30_000,
    );
    expect(scaled).toMatchObject({ type: 'scale_out', status: 'ok' });
    expect(JSON.parse(scaled.details_json)).toMatchObject({ target: worker, replicasBefore: 1, replicasAfter: 2, min: 1, max: 2, replicaEvents: [`${worker}.2 started`] });
    const copyPid = Number(readFileSync(join(stateDir, 'workers', `${worker}.2.pid`), 'utf8'));
    expect(() => process.kill(copyPid, 0)).not.toThrow();

    // The backlog is gone: after restore_after of health the copy is given back.
    writeFileSync(join(dir, 'backlog'), '0\n');
    const back = await eventually(
      () => queryJournal<EventRow>(stateDir, `SELECT * FROM events WHERE rule = 'backlog' AND kind = 'scaled-back'`)[0],
      'the copy to be given back',
      30_000,
    );
    expect(JSON.parse(back.data_json)).toMatchObject({ target: worker, replicasBefore: 2, replicasAfter: 1, added: 1, restoreAfterMs: 1000 });
    await eventually(() => (existsSync(`/proc/${copyPid}`) && !readFileSync(`/proc/${copyPid}/stat`, 'utf8').includes(') Z ') ? undefined : true), 'the copy to stop', 10_000);
  }, 60_000);

  it('archive_files: at start, medic cleans up an archive a crash left unfinished and journals it', async () => {
    const { rulesDir, stateDir, dir } = setup((dir) => `
settings: { interval: 200ms }
rules:
  - name: logs-full
    when: disk[/].used_pct > 101
    do:
      - archive_files: { dir: ${join(dir, 'logs')}, dest: ${join(dir, 'archive')}, match: "*.log", older_than: 3d }
`);
    mkdirSync(join(dir, 'logs'));
    mkdirSync(join(dir, 'archive'));
    writeFileSync(join(dir, 'archive', 'logs-20240131T030000Z.tar.gz.tmp'), 'half an archive');
    const m = medic(rulesDir, stateDir);
    await m.waitForLog((line) => /medic started/.test(line.msg));
    const event = await eventually(() => queryJournal<EventRow>(stateDir, `SELECT * FROM events WHERE kind = 'archive-recovery'`)[0], 'the recovery event', 20_000);
    expect(event.message).toContain('removed 1 unfinished archive(s), completed 0 manifest(s)');
    expect(JSON.parse(event.data_json)).toMatchObject({ dest: join(dir, 'archive'), removedTemps: [join(dir, 'archive', 'logs-20240131T030000Z.tar.gz.tmp')] });
    expect(readdirSync(join(dir, 'archive'))).toEqual([]);
  }, 60_000);
});
