// `medic pause` and `medic resume` write rows here; the daemon reads them. The table is append-only
// (a resume is a row too), so a reader knows it is up to date by comparing max(id) alone.
import type Database from 'better-sqlite3';

export type PauseKind = 'pause' | 'resume';

/** A rule name, or '*' for every rule. */
export const ALL_RULES = '*';

export interface PauseRow {
  id: number;
  kind: PauseKind;
  rule: string;
  at: number;
  /** When a pause ends by itself; null for a resume. */
  until: number | null;
  reason: string;
  who: string;
}

export type ActivePause = PauseRow & { kind: 'pause'; until: number };

export class PauseStore {
  private readonly sql;

  constructor(db: Database.Database) {
    const p = (text: string) => db.prepare(text);
    this.sql = {
      insert: p(`INSERT INTO pauses (kind, rule, at, until, reason, who) VALUES (@kind, @rule, @at, @until, @reason, @who)`),
      maxId: p(`SELECT COALESCE(MAX(id), 0) AS id FROM pauses`),
      all: p(`SELECT * FROM pauses ORDER BY id`),
    };
  }

  /** One row per rule (or one '*' row); returns the new rows' ids. */
  pause(p: { rules: readonly string[]; at: number; until: number; reason: string; who: string }): number[] {
    return p.rules.map((rule) => Number(this.sql.insert.run({ kind: 'pause', rule, at: p.at, until: p.until, reason: p.reason, who: p.who }).lastInsertRowid));
  }

  resume(p: { rules: readonly string[]; at: number; who: string }): number[] {
    return p.rules.map((rule) => Number(this.sql.insert.run({ kind: 'resume', rule, at: p.at, until: null, reason: '', who: p.who }).lastInsertRowid));
  }

  /** Cheap: the primary key's maximum. 0 for an empty table. */
  maxId(): number {
    return (this.sql.maxId.get() as { id: number }).id;
  }

  rows(): PauseRow[] {
    return (this.sql.all.all() as Array<Record<string, unknown>>).map((r) => ({
      id: Number(r.id),
      kind: r.kind === 'resume' ? 'resume' : 'pause',
      rule: String(r.rule),
      at: Number(r.at),
      until: r.until === null ? null : Number(r.until),
      reason: String(r.reason ?? ''),
      who: String(r.who),
    }));
  }
}

/**
 * The pause in force for `rule` at `at`: a pause row naming the rule (or '*') newer than the last
 * resume naming it (or '*') and not yet ended. Of several, the one that lasts longest.
 */
export function findActivePause(rows: readonly PauseRow[], rule: string, at: number): ActivePause | null {
  let best: ActivePause | null = null;
  for (const row of rows) {
    if (row.rule !== rule && row.rule !== ALL_RULES) continue;
    if (row.kind === 'resume') best = null;
    else if (row.until !== null && row.until > at && (best === null || row.until >= best.until)) best = row as ActivePause;
  }
  return best;
}

/** The resume that ended `pause` for `rule` early, if one did. */
export function findResume(rows: readonly PauseRow[], rule: string, pause: PauseRow): PauseRow | undefined {
  return rows.find((row) => row.kind === 'resume' && row.id > pause.id && (row.rule === rule || row.rule === ALL_RULES));
}
