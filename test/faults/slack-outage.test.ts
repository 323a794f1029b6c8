// Fault: Slack answers 500 for a while, then 200 again. Pages wait in the journal's outbox and
// are retried with backoff; when Slack is back each is delivered exactly once, none lost, none
// doubled, and the journal tells the story (failed tries, then sent).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, queryJournal } from '../helpers/medic-process.js';
import { startSlackServer, type SlackServer } from '../helpers/slack-server.js';
import { createFaultBed, useFaultBeds } from './support.js';

useFaultBeds();

let slack: SlackServer;
beforeAll(async () => {
  slack = await startSlackServer();
});
afterAll(async () => {
  await slack.close();
});

interface PageRow {
  id: number;
  rule: string;
  status: string;
  attempts: number;
}

describe('Slack outage', () => {
  it('500 for a while, then 200: every page is delivered exactly once after the outage', async () => {
    slack.setMode('error');
    const before = slack.received.length;
    const bed = createFaultBed(`settings: { interval: 200ms, host: outage-host }
paging: { group_window: 0s }
rules:
  - name: first-broken
    when: memory.total > 0
    do: [exec: [/bin/false]]
  - name: second-broken
    when: memory.available > 0
    do: [exec: [/bin/false]]
`);
    const medic = bed.start({ MEDIC_SLACK_WEBHOOK_URL: slack.url });
    // Two refused tries at least: the outage outlasts the first retry.
    await slack.waitForRequests(before + 2, 30_000);
    const failing = queryJournal<PageRow>(bed.stateDir, 'SELECT id, rule, status, attempts FROM pages ORDER BY id');
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.every((page) => page.status === 'pending')).toBe(true);

    slack.setMode('ok');
    const sent = await eventually(() => {
      const pages = queryJournal<PageRow>(bed.stateDir, 'SELECT id, rule, status, attempts FROM pages ORDER BY id');
      return pages.length >= 2 && pages.every((page) => page.status === 'sent') ? pages : undefined;
    }, 'every page to be sent', 30_000);
    const sentAt = Date.now();
    await eventually(() => (Date.now() - sentAt > 2000 ? true : undefined), 'a quiet moment after delivery');

    const delivered = slack.received.slice(before).filter((r) => r.mode === 'ok');
    const refused = slack.received.slice(before).filter((r) => r.mode === 'error');
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const rule of ['first-broken', 'second-broken']) {
      expect(delivered.filter((r) => JSON.stringify(r.body).includes(rule)), `${rule} delivered once`).toHaveLength(1);
    }
    expect(sent.some((page) => page.attempts > 1)).toBe(true);
    expect(queryJournal(bed.stateDir, `SELECT id FROM events WHERE kind = 'page-retry'`).length).toBeGreaterThan(0);
    // medic's own output never carried the webhook URL.
    expect(medic.output()).not.toContain(slack.url.split('/').at(-1)!);
    await medic.stop();
  });
});
