// Small text helpers for Slack messages. Slack mrkdwn treats &, < and > as control characters,
// and Block Kit rejects a section whose text is over 3000 characters.

/** Block Kit limits we build against. */
export const SLACK_LIMITS = { sectionChars: 3000, headerChars: 150, fieldChars: 2000, contextChars: 2000, blocks: 50, fallbackChars: 3000 } as const;

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts to `maxChars`, marking the cut with an ellipsis. */
export function truncateEnd(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 1))}…`;
}

/** Keeps the last `maxLines` lines within `maxChars`: the end of output is where the error is. */
export function tailLines(text: string, maxLines: number, maxChars: number): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  let tail = lines.slice(-maxLines).join('\n');
  const cut = lines.length > maxLines || tail.length > maxChars;
  if (tail.length > maxChars) tail = tail.slice(tail.length - maxChars + 2);
  return cut ? `…\n${tail}` : tail;
}

/** `45s`, `12m`, `2h 5m`, `3d 4h`: for "firing for" and "delayed". */
export function formatDurationMs(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** Slack renders the date in each reader's time zone; the fallback is UTC. */
export function formatSlackDate(at: number): string {
  const iso = `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(at / 1000)}^{date_short_pretty} {time_secs}|${iso}>`;
}

/** A link only when the URL is http(s) and cannot break out of Slack's <url|label> syntax. */
export function formatLink(url: string, label: string): string {
  return /^https?:\/\/[^\s<>|]+$/.test(url) ? `<${url}|${escapeMrkdwn(label)}>` : `${escapeMrkdwn(label)}: ${escapeMrkdwn(url)}`;
}
