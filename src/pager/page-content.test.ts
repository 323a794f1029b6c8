import { describe, expect, it } from 'vitest';
import { buildSlackMessage, type PageContent } from './page-content.js';
import { formatDurationMs, tailLines } from './slack-text.js';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);

const page: PageContent = {
  host: 'gpu-worker-7',
  rule: 'render-leak',
  severity: 'critical',
  reason: 'ladder-exhausted',
  detail: 'restart-worker failed 3 times; memory still above 90%.',
  since: T0 - 12 * 60_000,
  at: T0,
  whenText: 'worker.render.rss > 8GiB',
  values: { 'worker.render.rss': 9_123_456_789, 'memory.used_pct': 93.456 },
  steps: [
    { step: 1, attempt: 1, description: 'restart worker render', status: 'timed-out', message: 'restart-worker timed out after 30000 ms; killed with SIGKILL', durationMs: 30_012, outputTail: 'starting\nloading <model>\nCUDA error & out of memory' },
    { step: 2, attempt: 1, description: 'exec /usr/local/bin/drop-caches', status: 'ok', message: '', durationMs: 120, outputTail: '' },
  ],
  runbook: 'https://wiki.example/runbooks/render-leak',
  incidentId: 42,
};

type Block = { type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ text: string }> };
const textsOf = (blocks: unknown[]): string[] =>
  (blocks as Block[]).flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => e.text)].filter((t): t is string => t !== undefined));

describe('buildSlackMessage', () => {
  it('says host, rule, severity, since, values, each step, output, runbook and the history command', () => {
    const { text, blocks } = buildSlackMessage(page);
    const all = textsOf(blocks).join('\n');
    expect(text).toBe('[CRITICAL] render-leak on gpu-worker-7: ladder exhausted. restart-worker failed 3 times; memory still above 90%. Run `medic history --incident 42` for details.');
    for (const s of ['gpu-worker-7', 'render-leak', 'critical', '12m before the page', '2025-01-02 02:52:05 UTC', '`worker.render.rss` = 8.5GiB (9123456789 B)', '`memory.used_pct` = 93.5%',
      '*Step 1, attempt 1:* restart worker render → *timed-out* in 30.0 s', 'killed with SIGKILL', '*Step 2, attempt 1:* exec /usr/local/bin/drop-caches → *ok* in 0.1 s',
      'loading &lt;model&gt;\nCUDA error &amp; out of memory', '<https://wiki.example/runbooks/render-leak|Runbook>', '`medic history --incident 42`']) {
      expect(all).toContain(s);
    }
    expect(text).not.toContain('delayed');
  });

  it('marks a late page as delayed', () => {
    expect(buildSlackMessage(page, { delayedByMs: 59_000 }).text).not.toContain('delayed');
    const late = buildSlackMessage(page, { delayedByMs: 7 * 60_000 + 3000 });
    expect(late.text).toContain('ladder exhausted (delayed 7m)');
    expect(textsOf(late.blocks)[0]).toContain('(delayed 7m)');
  });

  it('keeps every section within Slack limits with huge output, and shows the end of the output', () => {
    const output = Array.from({ length: 5000 }, (_, i) => `line ${i} <${'x'.repeat(50)}>`).join('\n');
    const steps = Array.from({ length: 25 }, (_, i) => ({ ...page.steps[0]!, step: i + 1, description: 'd'.repeat(1000), message: 'm'.repeat(1000), outputTail: output }));
    const { blocks, text } = buildSlackMessage({ ...page, steps, detail: 'z'.repeat(10_000) });
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const t of textsOf(blocks)) expect(t.length).toBeLessThanOrEqual(3000);
    expect(text.length).toBeLessThanOrEqual(3000);
    const all = textsOf(blocks).join('\n');
    expect(all).toContain('25 steps; the last 10 are below');
    expect(all).toContain('line 4999 ');
    expect(all).not.toContain('line 0 ');
  });

  it('handles no steps, no incident, no runbook and a runbook that is not a URL', () => {
    const bare = buildSlackMessage({ ...page, steps: [], incidentId: null, runbook: undefined, values: {} });
    const all = textsOf(bare.blocks).join('\n');
    expect(all).toContain('nothing (no action was taken)');
    expect(all).toContain('`medic history --rule render-leak`');
    expect(all).not.toContain('Runbook');
    const path = textsOf(buildSlackMessage({ ...page, runbook: '/srv/runbooks/a|b.md' }).blocks).join('\n');
    expect(path).toContain('Runbook: /srv/runbooks/a|b.md');
  });
});

describe('text helpers', () => {
  it.each([[0, '0s'], [45_000, '45s'], [12 * 60_000, '12m'], [125 * 60_000, '2h 5m'], [120 * 60_000, '2h'], [27 * 3_600_000, '1d 3h']])('formatDurationMs(%d) = %s', (ms, s) => {
    expect(formatDurationMs(ms)).toBe(s);
  });

  it('tailLines keeps the last lines and marks the cut', () => {
    expect(tailLines('a\nb\nc\n', 2, 100)).toBe('…\nb\nc');
    expect(tailLines('a\nb', 5, 100)).toBe('a\nb');
    expect(tailLines('abcdefghij', 5, 6).endsWith('ghij')).toBe(true);
  });
});
