// The message sent when a paged incident clears: how long it lasted and which page it answers.
// With only a webhook it is a new message that names the first one; with a bot token it goes
// in the first message's thread, and the first message itself is updated (see outbox).
import { buildPageParts, formatDelayed, historyCommandOf, section, type PageContent, type SlackMessage } from './page-content.js';
import { SLACK_LIMITS, escapeMrkdwn, formatDurationMs, formatSlackDate, truncateEnd } from './slack-text.js';

export interface ResolvedContent {
  host: string;
  rule: string;
  severity: string;
  incidentId: number;
  /** When the condition started holding. */
  since: number;
  resolvedAt: number;
  /** `recovered`: an action helped; `cleared`: the condition went away on its own. */
  status: 'recovered' | 'cleared';
  /** When the first page of the incident was written. */
  pagedAt: number;
}

export function buildResolvedMessage(r: ResolvedContent, options: { delayedByMs?: number } = {}): SlackMessage {
  const lasted = formatDurationMs(r.resolvedAt - r.since);
  const title = `[RESOLVED] ${r.rule} on ${r.host}: ${r.status} after ${lasted}${formatDelayed(options.delayedByMs)}`;
  const how = r.status === 'recovered' ? 'an action by medic helped and the condition stayed clear' : 'the condition cleared';
  const body = [
    `*${escapeMrkdwn(r.rule)}* on *${escapeMrkdwn(r.host)}* is fine again: ${how}.`,
    `Lasted ${lasted}, from ${formatSlackDate(r.since)} to ${formatSlackDate(r.resolvedAt)}.`,
    `This follows up the ${escapeMrkdwn(r.severity)} page of incident #${r.incidentId} sent ${formatSlackDate(r.pagedAt)}.`,
  ].join('\n');
  const history = historyCommandOf(r);
  return {
    text: truncateEnd(`${title}. Follows up the page of ${formatSlackDate(r.pagedAt)}. Run \`${history}\` for details.`, SLACK_LIMITS.fallbackChars),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncateEnd(title, SLACK_LIMITS.headerChars), emoji: false } },
      section(body),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `incident #${r.incidentId} · \`${history}\`` }] },
    ],
  };
}

/** With a bot token: what the first message becomes once the incident is resolved (details stay in the thread). */
export function buildResolvedUpdate(page: PageContent, r: ResolvedContent): SlackMessage {
  const parts = buildPageParts({ ...page, resolved: { at: r.resolvedAt, status: r.status } });
  return { text: parts.text, blocks: [...parts.summary, parts.context] };
}

/** A reminder: the page as it was, with the count and how long the incident has been open. */
export function buildReminderContent(page: PageContent, at: number, count: number, firstPagedAt: number): PageContent {
  return { ...page, at, reminder: { count, firstPagedAt } };
}

export function isResolvedContent(payload: unknown): payload is ResolvedContent {
  return typeof payload === 'object' && payload !== null && 'resolvedAt' in payload && 'pagedAt' in payload;
}
