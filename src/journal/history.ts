// `medic history`: one newest-first timeline merged from the four tables. Each table is queried
// with its own index and limit, then merged, so a busy events table cannot starve incidents.
import type Database from 'better-sqlite3';
import { formatValuesNote } from '../core/format-metric.js';
import type { ActionRow, HistoryEntry, IncidentRow, PageRow } from './rows.js';
import { toActionRow, toEventRow, toIncidentRow, toPageRow } from './rows.js';

export interface HistoryQuery {
  /** Only entries at or after this time (epoch ms). */
  since?: number;
  rule?: string;
  /** Defaults to 100. */
  limit?: number;
}

const FILTER = `(@rule IS NULL OR rule = @rule)`;

export function prepareHistory(db: Database.Database): (q: HistoryQuery) => HistoryEntry[] {
  const opened = db.prepare(`SELECT * FROM incidents WHERE opened_at >= @since AND ${FILTER} ORDER BY opened_at DESC, id DESC LIMIT @limit`);
  const closed = db.prepare(`SELECT * FROM incidents WHERE closed_at >= @since AND ${FILTER} ORDER BY closed_at DESC, id DESC LIMIT @limit`);
  const actions = db.prepare(`SELECT * FROM actions WHERE started_at >= @since AND ${FILTER} ORDER BY started_at DESC, id DESC LIMIT @limit`);
  const events = db.prepare(`SELECT * FROM events WHERE at >= @since AND ${FILTER} ORDER BY at DESC, id DESC LIMIT @limit`);
  const pages = db.prepare(`SELECT * FROM pages WHERE created_at >= @since AND ${FILTER} ORDER BY created_at DESC, id DESC LIMIT @limit`);

  return (q) => {
    const params = { since: q.since ?? 0, rule: q.rule ?? null, limit: q.limit ?? 100 };
    const all = (s: Database.Statement) => s.all(params) as Record<string, unknown>[];
    const entries: HistoryEntry[] = [
      ...all(opened).map((r) => describeOpened(toIncidentRow(r))),
      ...all(closed).map((r) => describeClosed(toIncidentRow(r))),
      ...all(actions).map((r) => describeAction(toActionRow(r))),
      ...all(events).map((r) => {
        const e = toEventRow(r);
        return { at: e.at, kind: e.kind, source: 'event' as const, id: e.id, rule: e.rule, incidentId: e.incidentId, summary: e.message };
      }),
      ...all(pages).map((r) => describePage(toPageRow(r))),
    ];
    // Newest first; at equal times, later-written rows first.
    entries.sort((a, b) => b.at - a.at || ORDER[b.source] - ORDER[a.source] || b.id - a.id);
    return entries.slice(0, params.limit);
  };
}

/** At one instant an incident opens, then its action starts, then events and pages follow. */
const ORDER = { incident: 0, action: 1, event: 2, page: 3 } as const;

function describeOpened(i: IncidentRow): HistoryEntry {
  const summary = `${i.severity} incident #${i.id} opened: ${i.whenText}${formatValuesNote(i.trigger)}`;
  return { at: i.openedAt, kind: 'incident-open', source: 'incident', id: i.id, rule: i.rule, incidentId: i.id, summary };
}

function describeClosed(i: IncidentRow): HistoryEntry {
  const summary = `incident #${i.id} ${i.status}${i.detail ? `: ${i.detail}` : ''}`;
  return { at: i.closedAt ?? i.openedAt, kind: `incident-${i.status}`, source: 'incident', id: i.id, rule: i.rule, incidentId: i.id, summary };
}

function describeAction(a: ActionRow): HistoryEntry {
  const what = `step ${a.step + 1} attempt ${a.attempt}: ${a.description}`;
  const took = a.durationMs !== null ? ` in ${a.durationMs} ms` : '';
  const result = a.status === 'running' ? 'running' : `${a.status}${took}${a.message ? ` (${a.message})` : ''}`;
  return { at: a.startedAt, kind: 'action', source: 'action', id: a.id, rule: a.rule, incidentId: a.incidentId, summary: `${what}: ${result}` };
}

function describePage(p: PageRow): HistoryEntry {
  const tries = `${p.attempts} attempt${p.attempts === 1 ? '' : 's'}`;
  const summaries: Record<PageRow['status'], string> = {
    pending: `page #${p.id} pending (${tries}${p.lastError ? `; last error: ${p.lastError}` : ''})`,
    sent: `page #${p.id} sent after ${tries}`,
    failed: `page #${p.id} failed after ${tries}: ${p.lastError ?? 'unknown error'}`,
    'no-webhook': `page #${p.id} not sent: no Slack webhook configured`,
    cancelled: `page #${p.id} cancelled: ${p.lastError ?? 'no longer needed'}`,
  };
  const what = p.kind === 'page' ? '' : ` (${p.kind})`;
  const held = p.status === 'pending' && p.heldReason ? `; held back: ${p.heldReason}` : '';
  return { at: p.createdAt, kind: 'page', source: 'page', id: p.id, rule: p.rule, incidentId: p.incidentId, summary: `${summaries[p.status]}${what}${held}` };
}
