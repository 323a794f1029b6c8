// What a page says, and the Slack message built from it. Pure: the outbox stores PageContent
// in the journal and builds the message when it sends, so a late page can say it is late.
import { SLACK_LIMITS, escapeMrkdwn, formatDurationMs, formatLink, formatSlackDate, tailLines, truncateEnd } from './slack-text.js';

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
  steps: PageStep[];
  runbook?: string;
  incidentId: number | null;
}

/** A page sent this much later than it was written says so. */
export const DELAYED_AFTER_MS = 60_000;
/** Most recent steps shown; older ones are counted, not listed (Slack allows 50 blocks). */
const MAX_STEPS = 10;
const OUTPUT_LINES = 15;

export function buildSlackMessage(page: PageContent, options: { delayedByMs?: number } = {}): { text: string; blocks: unknown[] } {
  const delayed = (options.delayedByMs ?? 0) >= DELAYED_AFTER_MS ? ` (delayed ${formatDurationMs(options.delayedByMs!)})` : '';
  const reason = page.reason.replace(/-/g, ' ');
  const title = `[${page.severity.toUpperCase()}] ${page.rule} on ${page.host}: ${reason}${delayed}`;
  const historyCommand = page.incidentId !== null ? `medic history --incident ${page.incidentId}` : `medic history --rule ${page.rule}`;

  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncateEnd(title, SLACK_LIMITS.headerChars), emoji: false } },
    {
      type: 'section',
      fields: [
        field('Host', escapeMrkdwn(page.host)),
        field('Rule', escapeMrkdwn(page.rule)),
        field('Severity', escapeMrkdwn(page.severity)),
        field('Since', `${formatSlackDate(page.since)} (${formatDurationMs(page.at - page.since)} before the page)`),
      ],
    },
    section(`*Why:* ${escapeMrkdwn(page.detail || reason)}\n*Condition:* \`${escapeMrkdwn(page.whenText)}\`${formatValues(page.values)}`),
    ...buildStepBlocks(page.steps),
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: truncateEnd(contextLine(page, historyCommand), SLACK_LIMITS.contextChars) }],
    },
  ];
  const text = truncateEnd(`${title}. ${page.detail} Run \`${historyCommand}\` for details.`, SLACK_LIMITS.fallbackChars);
  return { text, blocks };
}

function field(label: string, value: string) {
  return { type: 'mrkdwn', text: truncateEnd(`*${label}*\n${value}`, SLACK_LIMITS.fieldChars) };
}

function section(text: string) {
  return { type: 'section', text: { type: 'mrkdwn', text: truncateEnd(text, SLACK_LIMITS.sectionChars) } };
}

function formatValues(values: Record<string, number>): string {
  const entries = Object.entries(values);
  if (entries.length === 0) return '';
  return `\n*Values:* ${entries.map(([k, v]) => `\`${escapeMrkdwn(k)}\` = ${formatNumber(v)}`).join(', ')}`;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/\.?0+$/, '');
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
  parts.push(`paged ${formatSlackDate(page.at)}`);
  return parts.join(' · ');
}
