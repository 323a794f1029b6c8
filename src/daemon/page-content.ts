// What a page says, gathered from the journal: the incident, each step tried and how it ended.
import type { Rule } from '../core/types.js';
import type { Journal } from '../journal/journal.js';
import type { PageContent } from '../pager/page-content.js';
import { listThresholds } from '../pager/thresholds.js';

export interface PageRequest {
  journal: Journal;
  rule: Rule;
  host: string;
  incidentId: number | null;
  reason: string;
  detail: string;
  values: Record<string, number>;
  at: number;
}

export function buildPageContent(request: PageRequest): PageContent {
  const { journal, rule, incidentId, at } = request;
  const incident = incidentId !== null ? journal.incident(incidentId) : undefined;
  return {
    host: request.host,
    rule: rule.name,
    severity: rule.severity,
    reason: request.reason,
    detail: request.detail,
    since: incident?.openedAt ?? at,
    at,
    whenText: rule.whenText,
    values: request.values,
    thresholds: listThresholds(rule.when),
    steps: (incident?.actions ?? []).map((action) => ({
      step: action.step + 1,
      attempt: action.attempt,
      description: action.description,
      status: action.status,
      message: action.message ?? '',
      durationMs: action.durationMs,
      outputTail: action.outputTail ?? '',
    })),
    ...(rule.runbook ? { runbook: rule.runbook } : {}),
    incidentId,
  };
}
