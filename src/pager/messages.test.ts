// The messages beyond the first page: thresholds beside values, reminders, a page that says it
// already cleared, the resolved follow-up, groups, and the direct page about medic's own state.
import { describe, expect, it } from 'vitest';
import { buildStorageMessage } from './direct-page.js';
import { buildResolvedMessage, buildResolvedUpdate } from './follow-up-message.js';
import { MAX_LISTED, buildGroupMessage } from './group-message.js';
import { buildPageParts, buildSlackMessage, type PageContent } from './page-content.js';
import { SLACK_LIMITS } from './slack-text.js';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);
const MIN = 60_000;

const page: PageContent = {
  host: 'gpu-worker-7', rule: 'render-leak', severity: 'critical', reason: 'ladder-exhausted', detail: 'tried 2 steps; the condition still holds',
  since: T0 - 12 * MIN, at: T0, whenText: 'worker.render.rss > 8GiB and memory.used_pct > 90',
  values: { 'worker.render.rss': 9_123_456_789, 'memory.used_pct': 93.456 },
  thresholds: [
    { metric: 'worker.render.rss', op: '>', value: 8 * 1024 ** 3, limit: '> 8GiB', unit: 'bytes' },
    { metric: 'memory.used_pct', op: '>', value: 90, limit: '> 90', unit: 'percent' },
  ],
  steps: [{ step: 1, attempt: 1, description: 'restart worker render', status: 'timed-out', message: 'timed out', durationMs: 30_000, outputTail: 'bye' }],
  runbook: 'https://wiki.example/runbooks/render-leak',
  incidentId: 42,
};

type Block = { type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ text: string }> };
const textsOf = (blocks: unknown[]): string => (blocks as Block[]).flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => e.text)]).filter(Boolean).join('\n');

describe('a page', () => {
  it('shows each value in its unit beside the threshold it crossed', () => {
    const all = textsOf(buildSlackMessage(page).blocks);
    expect(all).toContain('*Values:* `worker.render.rss` = 8.5GiB (9123456789 B) (threshold &gt; 8GiB), `memory.used_pct` = 93.5% (threshold &gt; 90)');
  });

  it('ends the fallback text with the history command, after a full stop', () => {
    expect(buildSlackMessage(page).text).toBe('[CRITICAL] render-leak on gpu-worker-7: ladder exhausted. tried 2 steps; the condition still holds. Run `medic history --incident 42` for details.');
  });

  it('as a reminder says how long the incident has been open and when it was first paged', () => {
    const reminder = buildSlackMessage({ ...page, at: T0 + 4 * 60 * MIN, reminder: { count: 2, firstPagedAt: T0 } });
    expect(reminder.text).toMatch(/^\[CRITICAL\] Reminder 2: render-leak on gpu-worker-7 still open \(open 4h 12m\)\./);
    expect(textsOf(reminder.blocks)).toContain('first paged <!date^1735787045^');
  });

  it('that went out after the incident cleared says both', () => {
    const late = buildSlackMessage({ ...page, resolved: { at: T0 + 3 * MIN, status: 'recovered' } }, { delayedByMs: 5 * MIN });
    expect(late.text).toMatch(/^\[RESOLVED\] render-leak on gpu-worker-7: ladder exhausted, then recovered after 15m \(delayed 5m\)\./);
  });

  it('carries a note on top, such as why it reached this channel', () => {
    const parts = buildPageParts({ ...page, note: 'route gpu could not deliver this page (HTTP 410: channel_is_archived); sent to the default route instead' });
    expect(textsOf(parts.summary.slice(1, 2))).toBe(':warning: route gpu could not deliver this page (HTTP 410: channel_is_archived); sent to the default route instead');
    // With a bot token the summary is the message and the steps go in its thread.
    expect(textsOf(parts.summary)).not.toContain('restart worker render');
    expect(textsOf(parts.details)).toContain('restart worker render');
  });
});

describe('the resolved follow-up', () => {
  const resolved = { host: 'gpu-worker-7', rule: 'render-leak', severity: 'critical', incidentId: 42, since: T0 - 12 * MIN, resolvedAt: T0 + 30 * MIN, status: 'recovered' as const, pagedAt: T0 };

  it('says how long it lasted and which page it follows up', () => {
    const message = buildResolvedMessage(resolved);
    expect(message.text).toBe('[RESOLVED] render-leak on gpu-worker-7: recovered after 42m. Follows up the page of <!date^1735787045^{date_short_pretty} {time_secs}|2025-01-02 03:04:05 UTC>. Run `medic history --incident 42` for details.');
    expect(textsOf(message.blocks)).toContain('This follows up the critical page of incident #42 sent <!date^1735787045^');
    expect(buildResolvedMessage({ ...resolved, status: 'cleared' }).text).toContain('cleared after 42m');
  });

  it('rewrites the first message, with a bot token, to show the incident resolved', () => {
    const update = buildResolvedUpdate(page, resolved);
    expect(update.text).toMatch(/^\[RESOLVED\] render-leak on gpu-worker-7: ladder exhausted, then recovered after 42m\./);
    expect(textsOf(update.blocks)).not.toContain('restart worker render');
  });
});

describe('a group', () => {
  const item = (rule: string, severity = 'critical') => ({ content: { ...page, rule, severity }, delayedByMs: 0 });

  it('lists each page, worst severity first in the title', () => {
    const message = buildGroupMessage([item('disk', 'warning'), item('mem')], { at: T0 });
    expect(message.text).toBe('[CRITICAL] 2 pages on gpu-worker-7: 2 rules: disk, mem. Run `medic history --since 1h` for details.');
    expect(textsOf(message.blocks)).toContain(':large_orange_circle: *[WARNING] disk on gpu-worker-7: ladder exhausted*');
  });

  it('stays within Slack limits and counts what it does not list', () => {
    const many = Array.from({ length: 60 }, (_, i) => item(`rule-${i}`));
    const message = buildGroupMessage(many, { at: T0, rateLimit: { count: 20, windowMs: 60 * MIN, heldBack: 60 } });
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(message.blocks.length).toBe(MAX_LISTED + 4);
    const all = textsOf(message.blocks);
    expect(all).toContain('The page limit (20 per 1h) was reached: 60 pages were held back and are summed up here.');
    expect(all).toContain(`+${60 - MAX_LISTED} pages held back, see \`medic history\``);
    expect(message.text).toContain(`(+${60 - MAX_LISTED} pages held back, see medic history)`);
  });
});

describe('the direct page about medic itself', () => {
  it('says what cannot be written and what still works', () => {
    const down = buildStorageMessage({ writable: false, detail: 'SQLITE_FULL: database or disk is full', at: T0, since: T0 }, 'gpu-worker-7', '/var/lib/medic');
    expect(down.text).toBe('[CRITICAL] medic on gpu-worker-7 cannot write its state: SQLITE_FULL: database or disk is full. State folder /var/lib/medic.');
    expect(textsOf(down.blocks)).toContain('Rules keep running, but incidents, actions and pages are not journaled');
    const up = buildStorageMessage({ writable: true, detail: 'x', at: T0 + 5 * MIN, since: T0 }, 'gpu-worker-7', '/var/lib/medic');
    expect(up.text).toBe('[RESOLVED] medic on gpu-worker-7 can write its state again (after 5m).');
  });
});
