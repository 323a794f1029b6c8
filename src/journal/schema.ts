// The journal's schema as a list of migrations. `PRAGMA user_version` holds how many have run,
// so opening an older file brings it forward and opening it twice does nothing. Append new
// migrations; never edit one that has shipped.
import type Database from 'better-sqlite3';
import { JournalError } from '../core/errors.js';

export const MIGRATIONS: readonly string[] = [
  // v1: incidents, what was done about them, everything else, the page outbox, rule states.
  `
  CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER,
    status TEXT NOT NULL DEFAULT 'open',      -- open | recovered | cleared | exhausted | interrupted
    trigger_json TEXT NOT NULL DEFAULT '{}',  -- metric values that opened it
    when_text TEXT NOT NULL DEFAULT '',
    detail TEXT
  );
  CREATE INDEX incidents_opened ON incidents (opened_at);
  CREATE INDEX incidents_rule ON incidents (rule, opened_at);
  CREATE INDEX incidents_open ON incidents (status) WHERE status = 'open';

  CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER REFERENCES incidents (id),
    rule TEXT NOT NULL,
    step INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    type TEXT NOT NULL,
    target TEXT,
    description TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    status TEXT NOT NULL DEFAULT 'running',   -- running | ok | failed | timed-out | interrupted
    result TEXT,                              -- ActionOutcome.status: ok, exit-code, spawn-failed, ...
    exit_code INTEGER,
    signal TEXT,
    duration_ms INTEGER,
    output_tail TEXT,
    message TEXT,
    details_json TEXT
  );
  CREATE INDEX actions_incident ON actions (incident_id);
  CREATE INDEX actions_started ON actions (started_at);
  CREATE INDEX actions_running ON actions (status) WHERE status = 'running';

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    incident_id INTEGER REFERENCES incidents (id),
    rule TEXT,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    data_json TEXT
  );
  CREATE INDEX events_at ON events (at);
  CREATE INDEX events_incident ON events (incident_id);

  CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER REFERENCES incidents (id),
    rule TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | failed | no-webhook
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    sent_at INTEGER,
    updated_at INTEGER NOT NULL,
    payload_json TEXT NOT NULL,
    route TEXT
  );
  CREATE INDEX pages_due ON pages (next_attempt_at, id) WHERE status = 'pending';
  CREATE INDEX pages_incident ON pages (incident_id);

  CREATE TABLE rule_states (
    rule TEXT PRIMARY KEY,
    state_json TEXT NOT NULL,
    incident_id INTEGER,
    saved_at INTEGER NOT NULL
  );
  `,
  // v2: paging beyond one webhook: message kinds, grouping, holds, Slack message ids, route health.
  `
  ALTER TABLE pages ADD COLUMN kind TEXT NOT NULL DEFAULT 'page';  -- page | reminder | resolved
  ALTER TABLE pages ADD COLUMN batch_id INTEGER;                   -- pages sent as one Slack message share one id
  ALTER TABLE pages ADD COLUMN held_reason TEXT;                   -- paused | rate-limit while held back
  ALTER TABLE pages ADD COLUMN slack_channel TEXT;                 -- with a bot token: where the message went
  ALTER TABLE pages ADD COLUMN slack_ts TEXT;
  CREATE INDEX pages_sent ON pages (sent_at) WHERE status = 'sent';

  CREATE TABLE pager_routes (
    route TEXT PRIMARY KEY,
    status TEXT NOT NULL,                    -- ok | failing | rejected | misconfigured | unconfigured
    detail TEXT,
    since INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // v3: \`medic pause\` / \`medic resume\`, append-only: the daemon re-reads only when max(id) moves.
  `
  CREATE TABLE pauses (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                      -- pause | resume
    rule TEXT NOT NULL,                      -- a rule name, or '*' for every rule
    at INTEGER NOT NULL,
    until INTEGER,                           -- pause: when it ends by itself
    reason TEXT NOT NULL DEFAULT '',
    who TEXT NOT NULL                        -- $SUDO_USER or $USER of the medic pause/resume command
  );
  `,
  // v4: the process group of the command an action runs, so that after a kill -9 of medic the next
  // start can end a command left running (daemon/end-orphaned-commands.ts).
  `
  ALTER TABLE actions ADD COLUMN pgid INTEGER;
  `,
];

/** Brings the file to the newest schema in one transaction; refuses files from a newer medic. */
export function migrate(db: Database.Database, file: string): void {
  const readVersion = (): number => db.pragma('user_version', { simple: true }) as number;
  if (readVersion() === MIGRATIONS.length) return;
  // IMMEDIATE takes the write lock first, so two processes opening a new file at once do not
  // both create the tables; the version is read again under the lock.
  db.transaction(() => {
    const current = readVersion();
    if (current > MIGRATIONS.length) {
      throw new JournalError(
        'journal-too-new',
        `journal ${file} has schema version ${current}, newer than this medic knows (${MIGRATIONS.length}); use a newer medic or move the file away`,
      );
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      db.exec(MIGRATIONS[version]!);
    }
    // PRAGMA takes no bound parameters; the value is our own integer.
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
