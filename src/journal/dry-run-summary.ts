// What a shadow rule (dry_run: true, or `medic run --dry-run`) would have done: the numbers an
// operator reads before switching it on. The daemon journals a `would-fire` event per incident,
// each action with status 'dry-run', and a `would-page` event per page it held back.
import type Database from 'better-sqlite3';

export interface DryRunSummary {
  rule: string;
  since: number;
  /** Incidents the rule opened in dry-run mode. */
  fired: number;
  /** Actions it would have run, and how many of each (by description). */
  acted: number;
  actions: Array<{ description: string; count: number }>;
  paged: number;
  firstAt: number;
  lastAt: number;
}

export function summarizeDryRun(db: Database.Database, rule: string, since: number): DryRunSummary | null {
  const params = { rule, since };
  const events = db
    .prepare(`SELECT kind, COUNT(*) AS n, MIN(at) AS first, MAX(at) AS last FROM events WHERE rule = @rule AND at >= @since AND kind IN ('would-fire', 'would-page') GROUP BY kind`)
    .all(params) as Array<{ kind: string; n: number; first: number; last: number }>;
  const actions = db
    .prepare(`SELECT description, COUNT(*) AS n, MIN(started_at) AS first, MAX(started_at) AS last FROM actions WHERE rule = @rule AND started_at >= @since AND status = 'dry-run' GROUP BY description ORDER BY n DESC, description`)
    .all(params) as Array<{ description: string; n: number; first: number; last: number }>;
  if (events.length === 0 && actions.length === 0) return null;
  const count = (kind: string) => events.find((e) => e.kind === kind)?.n ?? 0;
  const times = [...events, ...actions];
  return {
    rule,
    since,
    fired: count('would-fire'),
    acted: actions.reduce((sum, a) => sum + a.n, 0),
    actions: actions.map((a) => ({ description: a.description, count: a.n })),
    paged: count('would-page'),
    firstAt: Math.min(...times.map((t) => t.first)),
    lastAt: Math.max(...times.map((t) => t.last)),
  };
}

/** `dry run: demo-leak would have fired 3 times, acted 2 times (restart_worker demo ×2) and paged once, 10:02:11Z–11:40:03Z`. */
export function formatDryRunSummary(summary: DryRunSummary, formatTime: (at: number) => string): string {
  const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
  const what = summary.actions.map((a) => `${a.description} ×${a.count}`).join(', ');
  const acted = `acted ${times(summary.acted)}${what ? ` (${what})` : ''}`;
  return `dry run: ${summary.rule} would have fired ${times(summary.fired)}, ${acted} and paged ${times(summary.paged)} (${formatTime(summary.firstAt)} to ${formatTime(summary.lastAt)})`;
}
