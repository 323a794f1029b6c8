// One message for several pages: rules that failed within the grouping window (a host going
// down), or pages held back by the hourly limit. Lists the first few and counts the rest.
import { formatDelayed, formatValuesWithThresholds, historyCommandOf, section, titleOf, type PageContent, type SlackMessage } from './page-content.js';
import { SLACK_LIMITS, escapeMrkdwn, formatDurationMs, formatSlackDate, truncateEnd } from './slack-text.js';

export interface GroupItem {
  content: PageContent;
  delayedByMs: number;
}

export interface GroupOptions {
  at: number;
  /** Set when the hourly page limit held some of these back. */
  rateLimit?: { count: number; windowMs: number; heldBack: number };
}

/** Pages listed one by one; the rest are counted ("+N pages held back"). */
export const MAX_LISTED = 10;

export function buildGroupMessage(items: GroupItem[], options: GroupOptions): SlackMessage {
  const listed = items.slice(0, MAX_LISTED);
  const more = items.length - listed.length;
  const severity = items.some((i) => i.content.severity === 'critical') ? 'critical' : (items[0]?.content.severity ?? 'critical');
  const hosts = [...new Set(items.map((i) => i.content.host))];
  const where = hosts.length === 1 ? `on ${hosts[0]}` : `on ${hosts.length} hosts`;
  const rules = [...new Set(items.map((i) => i.content.rule))];
  const title = `[${severity.toUpperCase()}] ${items.length} pages ${where}: ${rules.length === 1 ? rules[0] : `${rules.length} rules`}`;

  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: truncateEnd(title, SLACK_LIMITS.headerChars), emoji: false } }];
  if (options.rateLimit) {
    const { count, windowMs, heldBack } = options.rateLimit;
    blocks.push(section(`:warning: The page limit (${count} per ${formatDurationMs(windowMs)}) was reached: ${heldBack} page${heldBack === 1 ? ' was' : 's were'} held back and ${heldBack === 1 ? 'is' : 'are'} summed up here.`));
  }
  for (const item of listed) blocks.push(section(formatItem(item)));
  const moreText = more > 0 ? `+${more} page${more === 1 ? '' : 's'} held back, see \`medic history\`` : '';
  if (moreText) blocks.push(section(moreText));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `\`medic history --since 1h\` · paged ${formatSlackDate(options.at)}` }] });

  const names = listed.map((i) => i.content.rule).join(', ');
  const text = truncateEnd(`${title}: ${names}${more > 0 ? ` (+${more} pages held back, see medic history)` : ''}. Run \`medic history --since 1h\` for details.`, SLACK_LIMITS.fallbackChars);
  return { text, blocks };
}

function formatItem({ content, delayedByMs }: GroupItem): string {
  const mark = content.resolved ? ':white_check_mark:' : content.severity === 'critical' ? ':red_circle:' : ':large_orange_circle:';
  const head = `${mark} *${escapeMrkdwn(titleOf(content))}*${formatDelayed(delayedByMs)}`;
  const why = content.detail ? `\n${escapeMrkdwn(truncateEnd(content.detail, 600))}` : '';
  const since = `\nsince ${formatSlackDate(content.since)} · \`${historyCommandOf(content)}\``;
  return `${head}${why}${formatValuesWithThresholds(content.values, content.thresholds ?? [])}${since}`;
}
