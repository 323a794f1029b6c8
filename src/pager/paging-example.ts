// The example page the README shows, built by the code that builds real pages, so the README
// cannot drift from what on-call receives (src/pager/paging-example.test.ts compares them).
import { buildResolvedMessage } from './follow-up-message.js';
import { buildGroupMessage } from './group-message.js';
import { buildSlackMessage, type PageContent } from './page-content.js';

const AT = Date.UTC(2025, 2, 14, 3, 17, 42);
const MIN = 60_000;

export const EXAMPLE_PAGE: PageContent = {
  host: 'gpu-worker-7',
  rule: 'render-leak',
  severity: 'critical',
  reason: 'ladder-exhausted',
  detail: 'tried 2 steps; the condition still holds; last action failed: exec exited with code 1',
  since: AT - 14 * MIN,
  at: AT,
  whenText: 'worker.render.rss > 8GiB',
  values: { 'worker.render.rss': 9_904_218_112 },
  thresholds: [{ metric: 'worker.render.rss', op: '>', value: 8 * 1024 ** 3, limit: '> 8GiB', unit: 'bytes' }],
  steps: [
    { step: 1, attempt: 1, description: 'restart worker render', status: 'ok', message: 'restarted render (pid 4242 -> 4311)', durationMs: 2_140, outputTail: '' },
    { step: 2, attempt: 1, description: 'exec /usr/local/bin/render-drop-cache --all', status: 'failed', message: 'exec exited with code 1', durationMs: 830, outputTail: 'dropping model cache...\nerror: /var/cache/render is locked by pid 4311' },
  ],
  runbook: 'https://wiki.example.com/runbooks/render-leak',
  incidentId: 1287,
};

/** The README's "example message" block: fallback texts and a Block Kit excerpt. */
export function renderPagingExample(): string {
  const page = buildSlackMessage(EXAMPLE_PAGE);
  const resolved = buildResolvedMessage({
    host: EXAMPLE_PAGE.host, rule: EXAMPLE_PAGE.rule, severity: EXAMPLE_PAGE.severity, incidentId: 1287,
    since: EXAMPLE_PAGE.since, resolvedAt: AT + 23 * MIN, status: 'cleared', pagedAt: AT,
  });
  const group = buildGroupMessage(
    ['render:down', 'disk-full', 'queue-backlog'].map((rule) => ({ content: { ...EXAMPLE_PAGE, rule }, delayedByMs: 0 })),
    { at: AT },
  );
  return [
    'The page (plain-text fallback, what notifications show):',
    '',
    '```text',
    page.text,
    '```',
    '',
    `Four of its ${page.blocks.length} Block Kit blocks: the header, the fields, why, and the last step with the end of its output (left out: a divider, "What medic did:", the first step, and a context line with the incident, the \`medic history\` command, the runbook link and the time):`,
    '',
    '```json',
    JSON.stringify([...page.blocks.slice(0, 3), page.blocks.at(-2)], null, 2),
    '```',
    '',
    'The follow-up when the incident clears, and a group of pages from one window:',
    '',
    '```text',
    resolved.text,
    group.text,
    '```',
  ].join('\n');
}
