// Fault: `kill -9` of medic at the worst moments: while an action runs, while archive_files is
// half done, and while a page waits in the outbox. The next medic must account for each: the
// action marked interrupted and the rule acting again, every archived file either where it was
// or in a verified archive, and the page delivered exactly once.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, queryJournal } from '../helpers/medic-process.js';
import { startSlackServer, type SlackServer } from '../helpers/slack-server.js';
import { BIN, createFaultBed, createMarker, findPids, useFaultBeds } from './support.js';

useFaultBeds();

interface ActionRow {
  id: number;
  rule: string;
  type: string;
  status: string;
  incident_id: number | null;
}

let slack: SlackServer;
beforeAll(async () => {
  slack = await startSlackServer();
});
afterAll(async () => {
  await slack.close();
});

describe('kill -9 of medic', () => {
  it('during an action: the next medic marks it interrupted (a failed attempt), keeps the journal, and the rule tries again', async () => {
    const marker = createMarker('action');
    const bed = createFaultBed(`settings: { interval: 200ms }
rules:
  - name: always
    when: memory.total > 0
    do:
      - { exec: { argv: [${path.join(BIN, 'forever.sh')}, ${marker}], timeout: 60s }, attempts: 3 }
    backoff: { initial: 100ms, max: 200ms }
`);
    const first = bed.start();
    const action = await eventually(() => queryJournal<ActionRow>(bed.stateDir, `SELECT * FROM actions WHERE rule = 'always' AND status = 'running'`)[0], 'the action to run');
    const eventsBefore = queryJournal<{ id: number }>(bed.stateDir, 'SELECT id FROM events ORDER BY id');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = bed.start();
    await eventually(() => queryJournal<ActionRow>(bed.stateDir, `SELECT * FROM actions WHERE id = ? AND status = 'interrupted'`, action.id)[0], 'the action to be marked interrupted');
    const again = await eventually(() => queryJournal<ActionRow>(bed.stateDir, `SELECT * FROM actions WHERE rule = 'always' AND id > ?`, action.id)[0], 'the rule to act again');
    expect(again.type).toBe('exec');
    // Nothing journaled before the kill went missing.
    const ids = new Set(queryJournal<{ id: number }>(bed.stateDir, 'SELECT id FROM events').map((e) => e.id));
    expect(eventsBefore.every((e) => ids.has(e.id))).toBe(true);
    expect(queryJournal(bed.stateDir, `SELECT id FROM events WHERE kind = 'action-interrupted'`)).toHaveLength(1);
    await second.stop();
  });

  // An exec action's process group outlives a medic killed with SIGKILL, and the timeout that would
  // have ended it died with medic. The next medic finds the group by the pgid journaled for the
  // action and ends it, since its environment carries MEDIC_ACTION_ID=<that action's id>.
  it('during an action, the next medic ends the command the killed one left running', async () => {
    const marker = createMarker('orphan');
    const bed = createFaultBed(`settings: { interval: 200ms }
rules:
  - name: always
    when: memory.total > 0
    do:
      - exec: { argv: [${path.join(BIN, 'forever.sh')}, ${marker}], timeout: 60s }
`);
    const first = bed.start();
    await eventually(() => queryJournal<ActionRow>(bed.stateDir, `SELECT * FROM actions WHERE status = 'running'`)[0], 'the action to run');
    await eventually(() => (findPids(marker).length > 0 ? true : undefined), 'the command to run');
    first.child.kill('SIGKILL');
    await first.exited;
    const second = bed.start();
    await eventually(() => queryJournal(bed.stateDir, `SELECT id FROM events WHERE kind = 'action-interrupted'`)[0], 'the action to be marked interrupted');
    await eventually(() => (findPids(marker).length === 0 ? true : undefined), 'the orphaned command to end', 3000);
    const ended = await eventually(() => queryJournal<{ message: string }>(bed.stateDir, `SELECT message FROM events WHERE kind = 'action-command-ended'`)[0], 'the ending to be journaled');
    expect(ended.message).toContain('a previous medic left its command running');
    await second.stop();
  });

  it('during archive_files: every file is where it was or in a verified archive, and the next medic finishes the job', async () => {
    const bed = createFaultBed((dir) => {
      const logs = path.join(dir, 'logs');
      mkdirSync(logs);
      mkdirSync(path.join(dir, 'archive'));
      return `settings: { interval: 200ms }
queues:
  logs: { spool: { dir: ${logs}, suffix: .log }, interval: 200ms }
rules:
  - name: archive-logs
    when: queue.logs.depth > 0
    do:
      - { archive_files: { dir: ${logs}, dest: ${path.join(dir, 'archive')}, match: "*.log", min_age: 0s }, attempts: 5 }
    verify: 500ms
    backoff: { initial: 100ms, max: 500ms }
`;
    });
    const logs = path.join(bed.dir, 'logs');
    const archive = path.join(bed.dir, 'archive');
    const originals = writeLogFiles(logs, 120, 150_000);
    const first = bed.start();
    await eventually(() => queryJournal<ActionRow>(bed.stateDir, `SELECT * FROM actions WHERE type = 'archive_files' AND status = 'running'`)[0], 'archive_files to run', 20_000, 10);
    first.child.kill('SIGKILL');
    await first.exited;
    const afterKill = await checkNothingLost(logs, archive, originals);
    const leftTemp = readdirSync(archive).some((name) => name.endsWith('.tmp'));
    // Killed mid-job: the originals had not all been removed yet.
    expect(afterKill.inDir).toBeGreaterThan(0);

    const second = bed.start();
    await eventually(() => (readdirSync(logs).length === 0 ? true : undefined), 'the next medic to archive every file', 30_000);
    const final = await checkNothingLost(logs, archive, originals);
    expect(final.inDir).toBe(0);
    expect(readdirSync(archive).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    if (leftTemp) expect(queryJournal(bed.stateDir, `SELECT id FROM events WHERE kind = 'archive-recovery'`).length).toBeGreaterThan(0);
    await second.stop();
  });

  it('with a page pending: the next medic delivers it exactly once', async () => {
    slack.setMode('error');
    const before = slack.received.length;
    const bed = createFaultBed(`settings: { interval: 200ms, host: kill9-host }
paging: { group_window: 0s }
rules:
  - name: doomed
    when: memory.total > 0
    do: [exec: [/bin/false]]
`);
    const first = bed.start({ MEDIC_SLACK_WEBHOOK_URL: slack.url });
    await slack.waitForRequests(before + 1, 20_000);
    const page = await eventually(() => queryJournal<{ id: number; status: string; attempts: number }>(bed.stateDir, `SELECT id, status, attempts FROM pages WHERE status = 'pending' AND attempts >= 1`)[0], 'a pending page with a failed try');
    first.child.kill('SIGKILL');
    await first.exited;

    slack.setMode('ok');
    const second = bed.start({ MEDIC_SLACK_WEBHOOK_URL: slack.url });
    await eventually(() => queryJournal<{ id: number }>(bed.stateDir, `SELECT id FROM pages WHERE id = ? AND status = 'sent'`, page.id)[0], 'the page to be sent', 30_000);
    // Keep watching for a while: a second copy would show up here.
    const sentAt = Date.now();
    await eventually(() => (Date.now() - sentAt > 1500 ? true : undefined), 'a quiet moment');
    const delivered = slack.received.slice(before).filter((r) => r.mode === 'ok' && JSON.stringify(r.body).includes('doomed'));
    expect(delivered).toHaveLength(1);
    expect(JSON.stringify(delivered[0]!.body)).toContain('kill9-host');
    await second.stop();
  });
});

/** `count` old *.log files of random content; returns name → sha256. */
function writeLogFiles(dir: string, count: number, bytes: number): Map<string, string> {
  const hashes = new Map<string, string>();
  const old = (Date.now() - 86_400_000) / 1000;
  for (let i = 0; i < count; i++) {
    const name = `app-${String(i).padStart(4, '0')}.log`;
    const data = Buffer.from(Array.from({ length: bytes }, (_, j) => (j * 7 + i * 13) % 251));
    writeFileSync(path.join(dir, name), data);
    utimesSync(path.join(dir, name), old, old);
    hashes.set(name, sha256(data));
  }
  return hashes;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every original is in `dir` unchanged or inside a final archive whose manifest checks out. */
async function checkNothingLost(dir: string, dest: string, originals: Map<string, string>): Promise<{ inDir: number; archived: number }> {
  const archived = new Map<string, string>();
  for (const name of readdirSync(dest).filter((n) => n.endsWith('.tar.gz'))) {
    const file = path.join(dest, name);
    const manifest = JSON.parse(readFileSync(file.replace(/\.tar\.gz$/, '.manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
    const inTar = new Map<string, string>();
    await tar.t({
      file,
      strict: true,
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => inTar.set(entry.path, sha256(Buffer.concat(chunks))));
      },
    });
    expect(manifest.files.map((f) => [f.path, f.sha256])).toEqual([...inTar]);
    for (const [rel, hash] of inTar) archived.set(rel, hash);
  }
  let inDir = 0;
  for (const [name, hash] of originals) {
    const here = path.join(dir, name);
    if (existsSync(here)) {
      expect(sha256(readFileSync(here)), `${name} unchanged`).toBe(hash);
      inDir += 1;
    } else {
      expect(archived.get(name), `${name} in a verified archive`).toBe(hash);
    }
  }
  return { inDir, archived: originals.size - inDir };
}

