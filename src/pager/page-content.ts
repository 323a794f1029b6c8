// What a page says, and the Slack message built from it. Pure: the outbox stores PageContent
// in the journal and builds the message when it sends, so a late page can say it is late.
import { SLACK_LIMITS, escapeMrkdwn, formatDurationMs, formatLink, formatSlackDate, tailLines, truncateEnd } from './slack-text.js';
import type { Threshold } from './thresholds.js';
import { formatMetricValue, unitOfMetric } from '../core/format-metric.js';

export interface PageStep {
  step: number;
  attempt: number;
  description: string;
  status: string;
  message: string;
  durationMs: number | null;
  outputTail: string;
}

export interface PageContent {
  host: string;
  rule: string;
  severity: string;
  /** Why medic pages: `ladder-exhausted`, `budget-spent`, ... */
  reason: string;
  detail: string;
  /** When the condition started holding. */
  since: number;
  /** When medic decided to page. */
  at: number;
  whenText: string;
  values: Record<string, number>;
  /** Each comparison of the rule's condition, to show beside the values. */
  thresholds?: Threshold[];
  steps: PageStep[];
  runbook?: string;
  incidentId: number | null;
  /** Set when the incident cleared before this page could go out: one message says both. */
  resolved?: { at: number; status: 'recovered' | 'cleared' };
  /** A reminder that the incident is still open. */
  reminder?: { count: number; firstPagedAt: number };
  /** Said on top, e.g. why this page reached this channel instead of its own. */
  note?: string;
}

export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

/** The parts of a page message: with a bot token the summary is the message, the details go in its thread. */
export interface PageParts {
  title: string;
  text: string;
  summary: unknown[];
  details: unknown[];
  context: unknown;
}

/** A page sent this much later than it was written says so. */
export const DELAYED_AFTER_MS = 60_000;
/** Most recent steps shown; older ones are counted, not listed (Slack allows 50 blocks). */
const MAX_STEPS = 10;
const OUTPUT_LINES = 15;

export function buildSlackMessage(page: PageContent, options: { delayedByMs?: number } = {}): SlackMessage {
  const parts = buildPageParts(page, options);
  return { text: parts.text, blocks: [...parts.summary, ...parts.details, parts.context] };
}

export function buildPageParts(page: PageContent, options: { delayedByMs?: number } = {}): PageParts {
  const delayed = formatDelayed(options.delayedByMs);
  const title = `${titleOf(page)}${delayed}`;
  const historyCommand = historyCommandOf(page);
  const note = page.note ? [section(`:warning: ${escapeMrkdwn(page.note)}`)] : [];
  const summary: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncateEnd(title, SLACK_LIMITS.headerChars), emoji: false } },
    ...note,
    {
      type: 'section',
      fields: [
        field('Host', escapeMrkdwn(page.host)),
        field('Rule', escapeMrkdwn(page.rule)),
        field('Severity', escapeMrkdwn(page.severity)),
        field('Since', `${formatSlackDate(page.since)} (${formatDurationMs(page.at - page.since)} before the page)`),
      ],
    },
    section(`*Why:* ${escapeMrkdwn(page.detail || reasonOf(page))}\n*Condition:* \`${escapeMrkdwn(page.whenText)}\`${formatValuesWithThresholds(page.values, page.thresholds ?? [])}`),
  ];
  const context = { type: 'context', elements: [{ type: 'mrkdwn', text: truncateEnd(contextLine(page, historyCommand), SLACK_LIMITS.contextChars) }] };
  const detail = page.detail && !/[.!?]$/.test(page.detail) ? `${page.detail}.` : page.detail;
  const text = truncateEnd(`${title}. ${detail ? `${detail} ` : ''}Run \`${historyCommand}\` for details.`, SLACK_LIMITS.fallbackChars);
  return { title, text, summary, details: buildStepBlocks(page.steps), context };
}

/** `[CRITICAL] render-leak on gpu-7: ladder exhausted`, with what became of it when that is known. */
export function titleOf(page: PageContent): string {
  const head = `${page.rule} on ${page.host}`;
  if (page.resolved) {
    return `[RESOLVED] ${head}: ${reasonOf(page)}, then ${page.resolved.status} after ${formatDurationMs(page.resolved.at - page.since)}`;
  }
  const severity = `[${page.severity.toUpperCase()}]`;
  if (page.reminder) return `${severity} Reminder ${page.reminder.count}: ${head} still open (open ${formatDurationMs(page.at - page.since)})`;
  return `${severity} ${head}: ${reasonOf(page)}`;
}

export function historyCommandOf(page: { incidentId: number | null; rule: string }): string {
  return page.incidentId !== null ? `medic history --incident ${page.incidentId}` : `medic history --rule ${page.rule}`;
}

export function formatDelayed(delayedByMs: number | undefined): string {
  return (delayedByMs ?? 0) >= DELAYED_AFTER_MS ? ` (delayed ${formatDurationMs(delayedByMs!)})` : '';
}

function reasonOf(page: PageContent): string {
  return page.reason.replace(/-/g, ' ');
}

function field(label: string, value: string) {
  return { type: 'mrkdwn', text: truncateEnd(`*${label}*\n${value}`, SLACK_LIMITS.fieldChars) };
}

export function section(text: string) {
  return { type: 'section', text: { type: 'mrkdwn', text: truncateEnd(text, SLACK_LIMITS.sectionChars) } };
}

/** `memory.used_pct` = 93.5% (threshold > 90%): each value, as logs show it, beside the limits that read it. */
export function formatValuesWithThresholds(values: Record<string, number>, thresholds: Threshold[]): string {
  const entries = Object.entries(values);
  if (entries.length === 0) return '';
  const shown = entries.map(([key, value]) => {
    const limits = thresholds.filter((t) => t.metric === key);
    // A size is rounded (8.5GiB); the exact byte count is for whoever compares it with their own tools.
    const exact = unitOfMetric(key) === 'bytes' ? ` (${value} B)` : '';
    const against = limits.length ? ` (threshold ${limits.map((t) => escapeMrkdwn(t.limit)).join(' and ')})` : '';
    return `\`${escapeMrkdwn(key)}\` = ${formatMetricValue(key, value)}${exact}${against}`;
  });
  return `\n*Values:* ${shown.join(', ')}`;
}

function buildStepBlocks(steps: PageStep[]): unknown[] {
  if (steps.length === 0) return [section('*What medic did:* nothing (no action was taken)')];
  const shown = steps.slice(-MAX_STEPS);
  const omitted = steps.length - shown.length;
  const head = omitted > 0 ? [section(`*What medic did:* ${steps.length} steps; the last ${shown.length} are below`)] : [section('*What medic did:*')];
  return [{ type: 'divider' }, ...head, ...shown.map((s) => section(formatStep(s)))];
}

function formatStep(s: PageStep): string {
  const took = s.durationMs !== null ? ` in ${(s.durationMs / 1000).toFixed(1)} s` : '';
  const mark = s.status === 'ok' ? ':white_check_mark:' : ':x:';
  const line = `${mark} *Step ${s.step}, attempt ${s.attempt}:* ${escapeMrkdwn(truncateEnd(s.description, 300))} → *${escapeMrkdwn(s.status)}*${took}`;
  const message = s.message ? `\n${escapeMrkdwn(truncateEnd(s.message, 500))}` : '';
  const used = line.length + message.length + 20;
  // Whatever room the section has left goes to the output, counted after escaping.
  const output = s.outputTail.trim() ? `\n\`\`\`${fitOutput(s.outputTail, SLACK_LIMITS.sectionChars - used)}\`\`\`` : '';
  return `${line}${message}${output}`;
}

function fitOutput(text: string, maxChars: number): string {
  let budget = maxChars;
  let out = escapeMrkdwn(tailLines(text, OUTPUT_LINES, budget));
  while (out.length > maxChars && budget > 0) {
    budget -= out.length - maxChars + 16;
    out = escapeMrkdwn(tailLines(text, OUTPUT_LINES, Math.max(0, budget)));
  }
  return out.replace(/```/g, "'''");
}

function contextLine(page: PageContent, historyCommand: string): string {
  const parts = [`\`${historyCommand}\``];
  if (page.incidentId !== null) parts.unshift(`incident #${page.incidentId}`);
  if (page.runbook) parts.push(formatLink(page.runbook, 'Runbook'));
  if (page.reminder) parts.push(`first paged ${formatSlackDate(page.reminder.firstPagedAt)}`);
  parts.push(`paged ${formatSlackDate(page.at)}`);
  return parts.join(' · ');
}
