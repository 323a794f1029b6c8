// What the journal's read methods return: camelCase rows with their JSON columns parsed.
// Times are epoch ms.

export type IncidentStatus = 'open' | 'recovered' | 'cleared' | 'exhausted' | 'interrupted';
export type ActionStatus = 'running' | 'ok' | 'failed' | 'timed-out' | 'interrupted';
/**
 * `no-webhook`: journaled and logged, but no webhook was configured, so it was never sent.
 * `cancelled`: held back while its rule was paused, and the incident closed before the pause ended.
 */
export type PageStatus = 'pending' | 'sent' | 'failed' | 'no-webhook' | 'cancelled';
/** A page proper, a reminder that an incident is still open, or the follow-up when it clears. */
export type PageKind = 'page' | 'reminder' | 'resolved';

export interface IncidentRow {
  id: number;
  rule: string;
  severity: string;
  openedAt: number;
  closedAt: number | null;
  status: IncidentStatus;
  /** Metric values that opened it. */
  trigger: Record<string, number>;
  whenText: string;
  detail: string | null;
}

export interface ActionRow {
  id: number;
  incidentId: number | null;
  rule: string;
  step: number;
  attempt: number;
  type: string;
  target: string | null;
  description: string;
  startedAt: number;
  endedAt: number | null;
  status: ActionStatus;
  /** The outcome's own word (`exit-code`, `spawn-failed`, ...); null while running or interrupted. */
  result: string | null;
  exitCode: number | null;
  signal: string | null;
  durationMs: number | null;
  outputTail: string | null;
  message: string | null;
  details: Record<string, unknown> | null;
}

export interface EventRow {
  id: number;
  at: number;
  incidentId: number | null;
  rule: string | null;
  kind: string;
  message: string;
  data: unknown;
}

export interface PageRow {
  id: number;
  incidentId: number | null;
  rule: string;
  createdAt: number;
  status: PageStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  sentAt: number | null;
  updatedAt: number;
  payload: unknown;
  route: string | null;
  kind: PageKind;
  /** Pages sent as one Slack message share the id of the first of them. */
  batchId: number | null;
  /** Why a pending page is held back now: its rule is paused, or the hourly page limit is reached. */
  heldReason: string | null;
  /** With a bot token: the Slack message, so follow-ups can thread under it or update it. */
  slackChannel: string | null;
  slackTs: string | null;
}

export interface RuleStateRow {
  rule: string;
  state: unknown;
  incidentId: number | null;
  savedAt: number;
}

export interface IncidentDetail extends IncidentRow {
  actions: ActionRow[];
  events: EventRow[];
  pages: PageRow[];
}

export type HistorySource = 'incident' | 'action' | 'event' | 'page';

/** One line of `medic history`: a flat, newest-first timeline. */
export interface HistoryEntry {
  at: number;
  /** `incident-open`, `incident-recovered`, ..., `action`, `page`, or the event's own kind. */
  kind: string;
  source: HistorySource;
  /** Row id in the source's table. */
  id: number;
  rule: string | null;
  incidentId: number | null;
  summary: string;
}

export interface PageStats {
  pending: number;
  failed: number;
  sent: number;
  noWebhook: number;
  /** The last error of the most recently updated page that has one. */
  lastError: string | null;
}

type Raw = Record<string, unknown>;

export function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toIncidentRow(r: Raw): IncidentRow {
  return {
    id: Number(r.id),
    rule: String(r.rule),
    severity: String(r.severity),
    openedAt: Number(r.opened_at),
    closedAt: num(r.closed_at),
    status: r.status as IncidentStatus,
    trigger: (parseJson(r.trigger_json) ?? {}) as Record<string, number>,
    whenText: String(r.when_text),
    detail: str(r.detail),
  };
}

export function toActionRow(r: Raw): ActionRow {
  return {
    id: Number(r.id),
    incidentId: num(r.incident_id),
    rule: String(r.rule),
    step: Number(r.step),
    attempt: Number(r.attempt),
    type: String(r.type),
    target: str(r.target),
    description: String(r.description),
    startedAt: Number(r.started_at),
    endedAt: num(r.ended_at),
    status: r.status as ActionStatus,
    result: str(r.result),
    exitCode: num(r.exit_code),
    signal: str(r.signal),
    durationMs: num(r.duration_ms),
    outputTail: str(r.output_tail),
    message: str(r.message),
    details: parseJson(r.details_json) as Record<string, unknown> | null,
  };
}

export function toEventRow(r: Raw): EventRow {
  return {
    id: Number(r.id),
    at: Number(r.at),
    incidentId: num(r.incident_id),
    rule: str(r.rule),
    kind: String(r.kind),
    message: String(r.message),
    data: parseJson(r.data_json),
  };
}

export function toPageRow(r: Raw): PageRow {
  return {
    id: Number(r.id),
    incidentId: num(r.incident_id),
    rule: String(r.rule),
    createdAt: Number(r.created_at),
    status: r.status as PageStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: str(r.last_error),
    sentAt: num(r.sent_at),
    updatedAt: Number(r.updated_at),
    payload: parseJson(r.payload_json),
    route: str(r.route),
    kind: (str(r.kind) ?? 'page') as PageKind,
    batchId: num(r.batch_id),
    heldReason: str(r.held_reason),
    slackChannel: str(r.slack_channel),
    slackTs: str(r.slack_ts),
  };
}

export function toRuleStateRow(r: Raw): RuleStateRow {
  return { rule: String(r.rule), state: parseJson(r.state_json), incidentId: num(r.incident_id), savedAt: Number(r.saved_at) };
}

/** JSON for a column; values JSON cannot hold (BigInt, cycles) are kept as their string form. */
export function toJson(value: unknown): string | null {
  if (value === undefined) return null;
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return JSON.stringify(String(value));
  }
}
