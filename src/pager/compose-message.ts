// From the outbox rows to send now to one Slack message: a page, a reminder, a resolved
// follow-up, or a group. With a bot token the page's details go in its thread, reminders and
// follow-ups thread under the incident's first message, and that message is updated once resolved.
import type { PageRow } from '../journal/rows.js';
import { buildResolvedMessage, buildResolvedUpdate, isResolvedContent, type ResolvedContent } from './follow-up-message.js';
import { buildGroupMessage } from './group-message.js';
import { buildPageParts, buildSlackMessage, type PageContent, type SlackMessage } from './page-content.js';
import type { SlackRef } from './slack-sender.js';

export interface Composed {
  message: SlackMessage;
  /** Bot only: post in this thread. */
  thread?: SlackRef;
  broadcast?: boolean;
  /** Bot only: after the message is posted, these details go in its thread. */
  threadDetails?: SlackMessage;
  /** Bot only: the incident's first message, rewritten (resolved). */
  update?: { ref: SlackRef; message: SlackMessage };
}

export interface ComposeContext {
  at: number;
  /** The route posts with a bot token (threads and updates work). */
  bot: boolean;
  /** The hourly limit, when some pages of this batch were held back by it. */
  rateLimit?: { count: number; windowMs: number };
  /** The incident's first message with a bot token. */
  refOf(incidentId: number): SlackRef | undefined;
  /** The incident's first settled page, and whether it went out alone (not in a group). */
  firstPageOf(incidentId: number): { content: PageContent; alone: boolean } | undefined;
}

export function composeMessage(batch: readonly PageRow[], ctx: ComposeContext): Composed {
  const head = batch[0]!;
  const delayedByMs = (row: PageRow) => ctx.at - row.createdAt;
  if (head.kind === 'resolved' && isResolvedContent(head.payload)) return composeResolved(head.payload, delayedByMs(head), ctx);
  if (batch.length > 1) {
    const heldBack = batch.filter((row) => row.heldReason === 'rate-limit').length;
    const items = batch.map((row) => ({ content: row.payload as PageContent, delayedByMs: delayedByMs(row) }));
    return { message: buildGroupMessage(items, { at: ctx.at, ...(ctx.rateLimit && heldBack > 0 ? { rateLimit: { ...ctx.rateLimit, heldBack } } : {}) }) };
  }
  const content = head.payload as PageContent;
  const thread = content.incidentId !== null && ctx.bot ? ctx.refOf(content.incidentId) : undefined;
  if (!ctx.bot) return { message: buildSlackMessage(content, { delayedByMs: delayedByMs(head) }) };
  const parts = buildPageParts(content, { delayedByMs: delayedByMs(head) });
  const message = { text: parts.text, blocks: [...parts.summary, parts.context] };
  // A reminder (or a re-page) of an incident that has a message goes in its thread, shown in the channel too.
  if (thread && head.kind === 'reminder') return { message, thread, broadcast: true };
  return { message, threadDetails: { text: `Details: ${parts.title}`, blocks: parts.details } };
}

function composeResolved(resolved: ResolvedContent, delayedByMs: number, ctx: ComposeContext): Composed {
  const message = buildResolvedMessage(resolved, { delayedByMs });
  const ref = ctx.bot ? ctx.refOf(resolved.incidentId) : undefined;
  if (!ref) return { message };
  const first = ctx.firstPageOf(resolved.incidentId);
  // A group message lists other incidents too: it stays as it is, the thread says which one cleared.
  const update = first?.alone ? { ref, message: buildResolvedUpdate(first.content, resolved) } : undefined;
  return { message, thread: ref, ...(update ? { update } : {}) };
}
