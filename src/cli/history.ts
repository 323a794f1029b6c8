// `medic history`: what medic saw, decided and did, newest first, straight from the journal.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration, parseDuration } from '../core/durations.js';
import { formatValues } from '../core/format-metric.js';
import type { IncidentDetail } from '../journal/rows.js';
import { Journal } from '../journal/journal.js';
import { formatDryRunSummary } from '../journal/dry-run-summary.js';
import { formatTime } from './format.js';
import { statePath, type PathOptions } from './paths.js';

export interface HistoryOptions extends PathOptions {
  since?: string;
  rule?: string;
  incident?: string;
  limit?: string;
  json?: boolean;
}

export function showHistory(options: HistoryOptions, out: (line: string) => void, err: (line: string) => void): number {
  const file = join(statePath(options), 'journal.sqlite');
  if (!existsSync(file)) {
    err(`no journal at ${file} (use --state DIR, or MEDIC_STATE_DIR)`);
    return 1;
  }
  let sinceMs: number | undefined;
  if (options.since !== undefined) {
    const ms = parseDuration(options.since);
    if (ms === null) {
      err(`--since: expected a duration like "1h" or "30m", got "${options.since}"`);
      return 2;
    }
    sinceMs = Date.now() - ms;
  }
  const journal = Journal.open(file);
  try {
    if (options.incident !== undefined) {
      const detail = journal.incident(Number(options.incident));
      if (!detail) {
        err(`no incident #${options.incident}`);
        return 1;
      }
      out(options.json ? JSON.stringify(detail, null, 2) : renderIncident(detail));
      return 0;
    }
    const entries = journal.history({ ...(sinceMs !== undefined ? { since: sinceMs } : {}), ...(options.rule ? { rule: options.rule } : {}), limit: Number(options.limit ?? 200) });
    // A shadow rule's verdict first: how often it would have fired, acted and paged.
    const shadow = options.rule && !options.json ? journal.dryRunSummary(options.rule, sinceMs ?? 0) : null;
    if (shadow) out(formatDryRunSummary(shadow, formatTime));
    if (options.json) out(JSON.stringify(entries, null, 2));
    else if (entries.length === 0) out('nothing in the journal for that selection');
    else for (const e of entries) out(`${formatTime(e.at)}  ${e.kind.padEnd(18)} ${(e.rule ?? '').padEnd(20)} ${e.incidentId ? `#${e.incidentId} ` : ''}${e.summary}`);
    return 0;
  } finally {
    journal.close();
  }
}

function renderIncident(detail: IncidentDetail): string {
  const lasted = detail.closedAt ? ` (lasted ${formatDuration(detail.closedAt - detail.openedAt)})` : '';
  const lines = [
    `incident #${detail.id}  ${detail.rule}  ${detail.severity}  ${detail.status}`,
    `opened ${formatTime(detail.openedAt)}${detail.closedAt ? `, closed ${formatTime(detail.closedAt)}${lasted}` : ', still open'}`,
    `condition: ${detail.whenText}  (${formatValues(detail.trigger)})`,
  ];
  if (detail.detail) lines.push(detail.detail);
  lines.push('', 'actions:');
  if (detail.actions.length === 0) lines.push('  none');
  for (const a of detail.actions) {
    const took = a.durationMs !== null ? ` in ${a.durationMs} ms` : '';
    lines.push(`  ${formatTime(a.startedAt)}  step ${a.step + 1} attempt ${a.attempt}: ${a.description}: ${a.status}${took}`);
    if (a.message) lines.push(`    ${a.message}`);
    if (a.outputTail) lines.push(...a.outputTail.trimEnd().split('\n').slice(-10).map((line) => `    | ${line}`));
  }
  lines.push('', 'events:');
  for (const e of detail.events) lines.push(`  ${formatTime(e.at)}  ${e.kind.padEnd(12)} ${e.message}`);
  if (detail.pages.length) {
    lines.push('', 'pages:');
    for (const p of detail.pages) lines.push(`  #${p.id}  ${p.status}  written ${formatTime(p.createdAt)}${p.sentAt ? `, sent ${formatTime(p.sentAt)}` : ''}  attempts ${p.attempts}${p.lastError ? `  last error: ${p.lastError}` : ''}`);
  }
  return lines.join('\n');
}
