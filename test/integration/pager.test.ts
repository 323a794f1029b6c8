// The pager against a real loopback Slack: the sender's verdict for every answer Slack gives,
// the outbox's retry schedule (journaled, driven by an injected clock), and no trace of the
// webhook URL anywhere: verdicts, logs, journal rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { sendDirect } from '../../src/pager/direct-page.js';
import { Outbox, type OutboxLog } from '../../src/pager/outbox.js';
import type { PageContent } from '../../src/pager/page-content.js';
import { createSlackSender, type SlackSender } from '../../src/pager/slack-sender.js';
import { startSlackServer, type SlackServer, type SlackServerMode } from '../helpers/slack-server.js';

const T0 = 1_700_000_000_000;

let dir: string;
let server: SlackServer;
let journal: Journal;
let now: number;
let logs: Array<{ level: string; msg: string; data?: object }>;
const log: OutboxLog = (level, msg, data) => logs.push({ level, msg, ...(data ? { data } : {}) });

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'medic-pager-'));
  server = await startSlackServer();
  journal = Journal.open(join(dir, 'journal.db'));
  now = T0;
  logs = [];
});

afterEach(async () => {
  journal.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function content(rule: string, overrides: Partial<PageContent> = {}): PageContent {
  return {
    host: 'worker-7', rule, severity: 'critical', reason: 'ladder-exhausted', detail: `${rule}: ladder spent`, since: T0 - 60_000, at: T0,
    whenText: 'memory.used_pct > 90', values: { 'memory.used_pct': 95 }, steps: [], incidentId: null, ...overrides,
  };
}

function makeOutbox(sender: SlackSender | null = createSlackSender(server.url, { timeoutMs: 2000 }), j = journal) {
  return new Outbox(j, sender, { now: () => now, random: () => 0, secrets: [server.url], log });
}

/** Every string in a value, however deep. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Every text cell of every table of the journal. */
function journalText(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>;
    return tables.flatMap(({ name }) => (db.prepare(`SELECT * FROM ${name}`).all() as Array<Record<string, unknown>>).flatMap(stringsIn));
  } finally {
    db.close();
  }
}

function expectNoSecret(strings: string[]): void {
  const secretPath = new URL(server.url).pathname;
  const secretToken = secretPath.split('/').at(-1)!;
  for (const s of strings) {
    expect(s).not.toContain(server.url);
    expect(s).not.toContain(secretPath);
    expect(s).not.toContain(secretToken);
  }
}

describe('createSlackSender against a Slack-like server', () => {
  const cases: Array<[SlackServerMode, object]> = [
    ['ok', { kind: 'sent' }],
    ['invalid_payload', { kind: 'permanent', reason: 'HTTP 400: invalid_payload' }],
    ['invalid_token', { kind: 'permanent', reason: 'HTTP 403: invalid_token' }],
    ['no_service', { kind: 'permanent', reason: 'HTTP 404: no_service' }],
    ['channel_is_archived', { kind: 'permanent', reason: 'HTTP 410: channel_is_archived' }],
    ['error', { kind: 'retry', reason: 'HTTP 500: internal_error' }],
    ['rate_limited', { kind: 'retry', reason: 'HTTP 429: rate_limited', retryAfterMs: 7000 }],
    // not followed: a wrong URL stays wrong
    ['redirect', { kind: 'permanent', reason: 'HTTP 302' }],
  ];

  it.each(cases)('%s', async (mode, expected) => {
    server.setMode(mode, { retryAfterS: 7 });
    const verdict = await createSlackSender(server.url).send({ text: 'hello', blocks: [] });
    expect(verdict).toEqual(expected);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.body).toEqual({ text: 'hello', blocks: [] });
    expectNoSecret(stringsIn(verdict));
  });

  it('gives up on a server that never answers and says so without the URL', async () => {
    server.setMode('hang');
    const started = Date.now();
    const verdict = await createSlackSender(server.url, { timeoutMs: 200 }).send({ text: 'hello' });
    expect(verdict).toEqual({ kind: 'retry', reason: 'request timed out after 200 ms' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('classifies a refused connection as retry without the URL', async () => {
    const url = server.url;
    await server.close();
    const verdict = await createSlackSender(url).send({ text: 'hello' });
    expect(verdict.kind).toBe('retry');
    expect(verdict.kind === 'retry' && verdict.reason).toMatch(/^request failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expectNoSecret(stringsIn(verdict));
    server = await startSlackServer(); // for afterEach
  });
});

describe('sendDirect (the page sent from memory when the journal cannot be written)', () => {
  const message = { text: 'hello', blocks: [] };

  it('retries a 500 with backoff, up to maxAttempts tries in all', async () => {
    server.setMode('error');
    expect(await sendDirect(createSlackSender(server.url), message, { maxAttempts: 3, initialDelayMs: 5 })).toEqual({ kind: 'retry', reason: 'HTTP 500: internal_error' });
    expect(server.received).toHaveLength(3);
  });

  it('stops at the first success', async () => {
    server.setMode('error');
    const sending = sendDirect(createSlackSender(server.url), message, { initialDelayMs: 300 });
    await server.waitForRequests(1);
    server.setMode('ok');
    expect(await sending).toEqual({ kind: 'sent' });
    expect(server.received.map((r) => r.mode)).toEqual(['error', 'ok']);
  });

  it('does not retry what will fail the same way', async () => {
    server.setMode('invalid_token');
    expect(await sendDirect(createSlackSender(server.url), message, { initialDelayMs: 5 })).toEqual({ kind: 'permanent', reason: 'HTTP 403: invalid_token' });
    expect(server.received).toHaveLength(1);
  });

  it('gives up when medic stops', async () => {
    server.setMode('error');
    const abort = new AbortController();
    const sending = sendDirect(createSlackSender(server.url), message, { initialDelayMs: 60_000, signal: abort.signal });
    await server.waitForRequests(1);
    abort.abort();
    expect((await sending).kind).toBe('retry');
    expect(server.received).toHaveLength(1);
  });
});

describe('Outbox', () => {
  it('retries after a 500 on the journaled schedule, then sends', async () => {
    const outbox = makeOutbox();
    server.setMode('error');
    const id = outbox.enqueue(content('mem'), T0);
    expect(await outbox.drain(T0)).toEqual({ sent: 0, retried: 1, failed: 0, noWebhook: 0, held: 0, rerouted: 0 });
    // random() = 0: the first retry waits exactly baseDelayMs.
    expect(journal.page(id)).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 1000, lastError: 'HTTP 500: internal_error' });

    server.setMode('ok');
    expect(await outbox.drain(T0 + 999)).toEqual({ sent: 0, retried: 0, failed: 0, noWebhook: 0, held: 0, rerouted: 0 });
    expect(server.received).toHaveLength(1);
    now = T0 + 1000;
    expect(await outbox.drain(T0 + 1000)).toEqual({ sent: 1, retried: 0, failed: 0, noWebhook: 0, held: 0, rerouted: 0 });
    expect(journal.page(id)).toMatchObject({ status: 'sent', attempts: 2, sentAt: T0 + 1000 });
    expect(server.received[1]!.body.text).toContain('[CRITICAL] mem on worker-7: ladder exhausted');
    expect(journal.pageStats()).toEqual({ pending: 0, failed: 0, sent: 1, noWebhook: 0, lastError: null });
    expect(journal.history({}).filter((e) => e.source === 'event').map((e) => e.kind)).toEqual(['page-sent', 'page-retry', 'page-queued']);
  });

  it('backs off exponentially between failed tries', async () => {
    const outbox = makeOutbox();
    server.setMode('error');
    const id = outbox.enqueue(content('mem'), T0);
    const waits: number[] = [];
    let at = T0;
    for (let i = 0; i < 4; i++) {
      await outbox.drain(at);
      const next = journal.page(id)!.nextAttemptAt;
      waits.push(next - at);
      at = next;
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
  });

  it('sends oldest first', async () => {
    const outbox = makeOutbox();
    outbox.enqueue(content('second'), T0 + 5);
    outbox.enqueue(content('first'), T0);
    outbox.enqueue(content('third'), T0 + 9);
    expect(await outbox.drain(T0 + 10)).toMatchObject({ sent: 3 });
    expect(server.received.map((r) => r.body.text.split(' ')[1])).toEqual(['first', 'second', 'third']);
  });

  it('waits at least Retry-After after a 429 and holds the queue behind it', async () => {
    const outbox = makeOutbox();
    server.setMode('rate_limited', { retryAfterS: 30 });
    const a = outbox.enqueue(content('a'), T0);
    const b = outbox.enqueue(content('b'), T0 + 1);
    expect(await outbox.drain(T0 + 1)).toMatchObject({ retried: 1, sent: 0 });
    expect(server.received).toHaveLength(1); // no tight loop, and b was not tried behind a's back
    expect(journal.page(a)).toMatchObject({ nextAttemptAt: T0 + 1 + 30_000, lastError: 'HTTP 429: rate_limited' });
    expect(journal.page(b)!.nextAttemptAt).toBe(T0 + 1 + 30_000);

    server.setMode('ok');
    expect(await outbox.drain(T0 + 30_000)).toMatchObject({ sent: 0 });
    now = T0 + 30_001;
    expect(await outbox.drain(now)).toMatchObject({ sent: 2 });
    expect(server.received.slice(1).map((r) => r.body.text.split(' ')[1])).toEqual(['a', 'b']);
  });

  it('marks a page failed once on a permanent error and logs it once', async () => {
    const outbox = makeOutbox();
    server.setMode('no_service');
    const id = outbox.enqueue(content('mem'), T0);
    expect(await outbox.drain(T0)).toMatchObject({ failed: 1 });
    expect(await outbox.drain(T0 + 3_600_000)).toMatchObject({ failed: 0, sent: 0 });
    expect(server.received).toHaveLength(1);
    expect(journal.page(id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 404: no_service' });
    // One error line, for the route; the page's own failure is a warning.
    expect(logs.filter((l) => l.level === 'error')).toEqual([
      { level: 'error', msg: expect.stringMatching(/^paging broken on route default: HTTP 404: no_service; Slack refuses/), data: { route: 'default', status: 'rejected', detail: 'HTTP 404: no_service' } },
    ]);
    expect(logs.filter((l) => l.msg === 'page failed and will not be retried')).toEqual([
      { level: 'warn', msg: 'page failed and will not be retried', data: { pageId: id, rule: 'mem', incidentId: null, route: 'default', reason: 'HTTP 404: no_service' } },
    ]);
    expect(journal.pageStats()).toMatchObject({ failed: 1, lastError: 'HTTP 404: no_service' });
  });

  it('sends after a restart what one journal instance queued and retried', async () => {
    const file = journal.file;
    server.setMode('error');
    const first = makeOutbox();
    const id = first.enqueue(content('mem'), T0);
    await first.drain(T0);
    journal.close();

    journal = Journal.open(file);
    server.setMode('ok');
    const second = makeOutbox();
    now = T0 + 1000;
    expect(await second.drain(now)).toMatchObject({ sent: 1 });
    expect(journal.page(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('says a late page is delayed', async () => {
    const outbox = makeOutbox();
    outbox.enqueue(content('mem'), T0);
    now = T0 + 5 * 60_000;
    await outbox.drain(now);
    expect(server.received[0]!.body.text).toContain('ladder exhausted (delayed 5m)');
  });

  it('gives up on a page that could not be sent for maxAgeMs', async () => {
    const outbox = new Outbox(journal, createSlackSender(server.url), { now: () => now, maxAgeMs: 60_000, random: () => 0, log });
    server.setMode('error');
    const id = outbox.enqueue(content('mem'), T0);
    await outbox.drain(T0);
    now = T0 + 61_000;
    expect(await outbox.drain(now)).toMatchObject({ failed: 1 });
    expect(journal.page(id)!.lastError).toBe('expired: not sent within 1 min after 1 attempts (last error: HTTP 500: internal_error)');
  });

  it('runs one drain at a time', async () => {
    const outbox = makeOutbox();
    outbox.enqueue(content('mem'), T0);
    const first = outbox.drain(T0);
    expect(await outbox.drain(T0)).toEqual({ sent: 0, retried: 0, failed: 0, noWebhook: 0, held: 0, rerouted: 0 });
    expect(await first).toMatchObject({ sent: 1 });
    expect(server.received).toHaveLength(1);
  });

  it('collapses repeats of one incident into its pending page', async () => {
    const outbox = makeOutbox();
    const incidentId = journal.openIncident({ rule: 'mem', severity: 'critical', at: T0, trigger: { 'memory.used_pct': 95 }, whenText: 'memory.used_pct > 90' });
    const id = outbox.enqueue(content('mem', { incidentId, detail: 'first' }), T0);
    expect(outbox.enqueue(content('mem', { incidentId, detail: 'second' }), T0 + 1)).toBe(id);
    await outbox.drain(T0 + 1);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.body.text).toContain('second');
    expect(journal.incident(incidentId)!.events.map((e) => e.kind)).toEqual(['page-queued', 'page-collapsed', 'page-sent']);
    // Once sent, a new page for the incident queues again.
    expect(outbox.enqueue(content('mem', { incidentId, detail: 'third' }), T0 + 2)).not.toBe(id);
  });

  it('journals and logs a page when no webhook is configured', async () => {
    const outbox = makeOutbox(null);
    const id = outbox.enqueue(content('mem'), T0);
    expect(await outbox.drain(T0)).toEqual({ sent: 0, retried: 0, failed: 0, noWebhook: 1, held: 0, rerouted: 0 });
    expect(journal.page(id)!.status).toBe('no-webhook');
    expect(logs).toEqual([
      // Said once when the outbox starts, then for each page.
      { level: 'warn', msg: expect.stringMatching(/^no Slack webhook configured for route default .*: pages are journaled and logged only$/), data: { route: 'default' } },
      { level: 'warn', msg: 'no Slack webhook configured; page journaled and logged only', data: expect.objectContaining({ pageId: id, text: expect.stringContaining('[CRITICAL] mem') }) },
    ]);
    expect(await outbox.drain(T0 + 1)).toMatchObject({ noWebhook: 0 });
  });

  it('leaves the webhook URL in no verdict, log or journal row, whatever happens', async () => {
    // No `secrets` option: the sender's own redactor is enough.
    const outbox = new Outbox(journal, createSlackSender(server.url, { timeoutMs: 200 }), { now: () => now, random: () => 0, log });
    const leaky = content('leak', { detail: `curl ${server.url} failed`, steps: [{ step: 1, attempt: 1, description: 'exec notify', status: 'failed', message: `posting to ${server.url}`, durationMs: 5, outputTail: `env: MEDIC_SLACK_WEBHOOK_URL=${server.url}` }] });
    outbox.enqueue(leaky, T0);
    let at = T0;
    for (const mode of ['error', 'rate_limited', 'hang', 'invalid_token'] as const) {
      server.setMode(mode);
      now = at;
      await outbox.drain(at);
      at = journal.page(1)?.nextAttemptAt ?? at;
    }
    expect(journal.page(1)!.status).toBe('failed');
    expect(server.received.map((r) => r.mode)).toEqual(['error', 'rate_limited', 'hang', 'invalid_token']);
    // The server saw the redacted text too.
    expectNoSecret(stringsIn(server.received.map((r) => r.body)));
    expectNoSecret(stringsIn(logs));
    expectNoSecret(stringsIn(journal.history({})));
    expectNoSecret(journalText(journal.file));
  });
});
