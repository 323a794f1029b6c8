// Fault: the state folder cannot be written. Read-only from the start, medic refuses to run and
// says why. Unwritable mid-run, medic pages on-call directly (the outbox lives in the journal it
// can no longer write), keeps running, and what it journaled before the fault is intact.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runMedic } from '../helpers/medic-process.js';
import { startSlackServer, type SlackServer } from '../helpers/slack-server.js';
import { bindReadOnly, checkStorageFaults, mountImage, remountImage, shutDownFilesystem, unmount } from './storage.js';
import { WORKERS, createFaultBed, createMarker, findPids, onCleanup, useFaultBeds } from './support.js';

useFaultBeds();

const unavailable = checkStorageFaults();
if (unavailable && process.env.CI) throw new Error(`${unavailable}, and CI is set: the storage faults cannot be skipped in CI`);
if (unavailable) console.warn(`SKIPPED: ${unavailable}; the state-storage fault tests are skipped`);

let slack: SlackServer;
beforeAll(async () => {
  slack = await startSlackServer();
});
afterAll(async () => {
  await slack.close();
});

const rulesFor = (marker: string) => `settings: { interval: 200ms, host: storage-host }
paging: { group_window: 0s }
workers:
  w:
    start: [node, ${path.join(WORKERS, 'steady.mjs')}, ${marker}]
    restart_policy: { verify: 500ms, backoff: { initial: 100ms, max: 200ms, reset_after: 1s } }
`;

describe.runIf(unavailable === null)('the state folder cannot be written', () => {
  it('read-only from the start: medic does not start, exits 1 and names the folder', async () => {
    const bed = createFaultBed(rulesFor(createMarker('ro-start')));
    const view = path.join(bed.dir, 'ro-state');
    mkdirSync(bed.stateDir);
    bindReadOnly(bed.stateDir, view);
    onCleanup(() => unmount(view));
    const result = await runMedic(['run', '--rules', bed.rulesDir, '--state', view]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain(`cannot open journal ${view}`);
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('unwritable mid-run: medic pages on-call directly once, keeps running, and the journal before the fault is intact', async () => {
    const marker = createMarker('ro-run');
    const bed = createFaultBed(rulesFor(marker));
    const image = mountImage(path.join(bed.dir, 'disk'));
    onCleanup(() => unmount(image.dir));
    const before = slack.received.length;
    const medic = bed.start({ MEDIC_SLACK_WEBHOOK_URL: slack.url }, image.dir);
    await medic.waitForLog((line) => line.msg.startsWith('started worker w'));
    await medic.waitForLog((line) => line.msg.startsWith('steady: up'));
    shutDownFilesystem(image.dir);

    await slack.waitForRequests(before + 1, 20_000);
    const page = JSON.stringify(slack.received[before]!.body);
    expect(page).toContain('cannot write its state');
    expect(page).toContain('storage-host');
    // Still running, still ticking, and no second page about the same outage.
    const pagedAt = Date.now();
    await eventually(() => (Date.now() - pagedAt > 1500 ? true : undefined), 'a while after the page');
    expect(medic.child.exitCode).toBeNull();
    expect(slack.received.slice(before)).toHaveLength(1);
    await medic.stop('SIGTERM');

    remountImage(image);
    const db = new Database(path.join(image.dir, 'journal.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const kinds = (db.prepare('SELECT kind FROM events ORDER BY id').all() as { kind: string }[]).map((e) => e.kind);
      expect(kinds[0]).toBe('start');
    } finally {
      db.close();
    }
  });

  // With the journal unwritable, the daemon acts without it (src/daemon/safe-journal.ts): the
  // decision to restart a crashed worker is still carried out, and the outage is logged once,
  // not at every tick.
  it('unwritable mid-run, a worker that crashes meanwhile is still restarted, and the log is not flooded', async () => {
    const marker = createMarker('ro-heal');
    const bed = createFaultBed(rulesFor(marker));
    const image = mountImage(path.join(bed.dir, 'disk'));
    onCleanup(() => unmount(image.dir));
    const medic = bed.start({}, image.dir);
    await medic.waitForLog((line) => line.msg.startsWith('steady: up'));
    const pid = await eventually(() => findPids(marker)[0], 'the worker to run');
    shutDownFilesystem(image.dir);
    const faultAt = medic.logs.length;
    process.kill(pid, 'SIGKILL');
    await eventually(() => findPids(marker).find((other) => other !== pid), 'the worker to be restarted', 3000);
    // A few more ticks without the journal, then count what the outage wrote to the log.
    await medic.waitForLog((line) => line.msg.startsWith('steady: up') && medic.logs.indexOf(line) > faultAt);
    const ticksFrom = Date.now();
    await eventually(() => (Date.now() - ticksFrom > 1000 ? true : undefined), 'a few ticks without the journal');
    expect(medic.child.exitCode).toBeNull();
    const after = medic.logs.slice(faultAt);
    const dump = after.map((l) => JSON.stringify(l)).join('\n');
    expect(after.filter((l) => l.msg.includes('tick failed')), dump).toEqual([]);
    expect(medic.output(), 'no stack traces').not.toMatch(/\n\s+at /);
    // The outage is logged when it begins (medic's and the pager's line), not at every tick; what
    // is lost is one line per decision at most (fire, step started, step finished, verified, resolved).
    const lost = after.filter((l) => l.msg.startsWith('not journaled: '));
    const errors = after.filter((l) => !lost.includes(l) && (l.level >= 50 || /SQLITE_|EIO\b/.test(JSON.stringify(l))));
    expect(errors.length, dump).toBeLessThanOrEqual(4);
    expect(lost.length, dump).toBeGreaterThan(0);
    expect(lost.length, dump).toBeLessThanOrEqual(8);
  });
});
