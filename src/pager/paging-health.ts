// What `medic diagnose` says about paging. A dead pager is itself an incident: when a route was
// rejected by Slack (400/403/404/410) or cannot be configured (unset variable, unreadable file),
// nothing medic escalates reaches on-call, so diagnose exits CRITICAL and the monitoring system
// that runs it (Nagios exit codes) raises the alarm Slack cannot. Slack merely unreachable
// (pages waiting, retried) is a WARNING once it has lasted a while.
import { accessSync, constants, statSync } from 'node:fs';
import type { Journal } from '../journal/journal.js';
import type { RouteHealth } from '../journal/page-store.js';
import type { PageStats } from '../journal/rows.js';

export type PagingStatus = 'OK' | 'WARNING' | 'CRITICAL';

export interface PagingDiagnosis {
  status: PagingStatus;
  routes: RouteHealth[];
  pages: PageStats;
  /** Why the state folder cannot be written, when diagnose can tell. */
  stateFolder: string | null;
  lines: string[];
}

/** Slack unreachable for longer than this turns diagnose to WARNING. */
export const FAILING_WARN_AFTER_MS = 10 * 60_000;

export function diagnosePaging(journal: Journal, stateDir: string, at: number): PagingDiagnosis {
  return judgePaging(journal.pageStore.routeHealth(), journal.pageStats(), checkStateFolder(stateDir), at);
}

/** Pure: the verdict and the lines, from the journal's rows. */
export function judgePaging(routes: RouteHealth[], pages: PageStats, stateFolder: string | null, at: number): PagingDiagnosis {
  let status: PagingStatus = 'OK';
  const raise = (to: PagingStatus) => {
    if (to === 'CRITICAL' || (to === 'WARNING' && status === 'OK')) status = to;
  };
  const lines: string[] = [];
  if (stateFolder) {
    raise('CRITICAL');
    lines.push(`CRITICAL state folder not writable: ${stateFolder}; nothing is journaled and pages can only be sent directly`);
  }
  for (const r of routes) {
    const since = `since ${new Date(r.since).toISOString()}`;
    switch (r.status) {
      case 'rejected':
      case 'misconfigured':
        raise('CRITICAL');
        lines.push(`CRITICAL route ${r.route} ${r.status} ${since}: ${r.detail ?? ''}; pages on it cannot reach on-call`);
        break;
      case 'failing': {
        const long = at - r.since >= FAILING_WARN_AFTER_MS;
        if (long) raise('WARNING');
        lines.push(`${long ? 'WARNING' : 'OK'} route ${r.route} cannot reach Slack ${since}: ${r.detail ?? ''}; pages wait in the journal and are retried`);
        break;
      }
      case 'unconfigured':
        lines.push(`OK route ${r.route}: no webhook configured; pages are journaled and logged only`);
        break;
      case 'ok':
        lines.push(`OK route ${r.route}: ${r.detail ?? 'ok'}`);
        break;
    }
  }
  if (pages.pending || pages.failed) lines.push(`pages: ${pages.pending} waiting, ${pages.failed} failed${pages.lastError ? ` (last error: ${pages.lastError})` : ''}`);
  return { status, routes, pages, stateFolder, lines };
}

/**
 * Whether the daemon could write its state folder, judged only where diagnose runs as root or as
 * the folder's owner: anyone else would be refused for reasons that do not concern the daemon.
 */
function checkStateFolder(stateDir: string): string | null {
  try {
    const owner = statSync(stateDir).uid;
    const uid = process.getuid?.();
    if (uid !== 0 && uid !== owner) return null;
    accessSync(stateDir, constants.W_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? null : `${stateDir}: ${code ?? String(error)}`;
  }
}
