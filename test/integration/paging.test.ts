// The pager as the daemon uses it (src/pager/pager.ts), against real Slack-like servers on
// 127.0.0.1 and a real journal, with an injected clock: every answer Slack gives, an outage
// and recovery, grouping, the hourly limit, dedup and reminders, resolved follow-ups (webhook
// and bot token), routes, paused rules, and the direct page when the state folder goes away.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PagingConfig } from '../../src/core/types.js';
import { Journal } from '../../src/journal/journal.js';
import type { PageContent } from '../../src/pager/page-content.js';
import { Pager, withDefaults } from '../../src/pager/pager.js';
import { diagnosePaging } from '../../src/pager/paging-health.js';
import { startSlackServer, type SlackServer, type SlackServerMode } from '../helpers/slack-server.js';

const T0 = Date.UTC(2025, 4, 6, 7, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

let dir: string;
let stateDir: string;
let slack: SlackServer;
let journal: Journal;
let now: number;
let logs: Array<{ level: string; msg: string; data?: object }>;
const pagers: Pager[] = [];
const extraServers: SlackServer[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'medic-paging-'));
  stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  slack = await startSlackServer();
  journal = Journal.open(join(stateDir, 'journal.sqlite'));
  now = T0;
  logs = [];
});

afterEach(async () => {
  await Promise.all(pagers.splice(0).map((p) => p.stop()));
  journal.close();
  await Promise.all([slack, ...extraServers.splice(0)].map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

function paging(overrides: Partial<PagingConfig> = {}): PagingConfig {
  return { ...withDefaults(undefined), groupWindowMs: 0, rateLimit: { count: 1000, windowMs: HOUR }, ...overrides };
}

function makePager(options: { paging?: PagingConfig; env?: NodeJS.ProcessEnv; isPaused?: (rule: string) => boolean } = {}): Pager {
  const pager = new Pager({
    journal,
    paging: options.paging ?? paging(),
    env: options.env ?? { MEDIC_SLACK_WEBHOOK_URL: slack.url },
    host: 'worker-7',
    stateDir,
    now: () => now,
    log: (level, msg, data) => logs.push({ level, msg, ...(data ? { data } : {}) }),
    timeoutMs: 300,
    random: () => 0,
    directDelayMs: 10,
    ...(options.isPaused ? { isPaused: options.isPaused } : {}),
  });
  pagers.push(pager);
  return pager;
}

/** An incident and the page the engine would ask for, at `at`. */
function incidentPage(rule: string, at: number, overrides: Partial<PageContent> = {}): PageContent {
  const incidentId = journal.openIncident({ rule, severity: overrides.severity ?? 'critical', at: at - MIN, trigger: { 'memory.used_pct': 95 }, whenText: 'memory.used_pct > 90' });
  return {
    host: 'worker-7', rule, severity: 'critical', reason: 'ladder-exhausted', detail: `${rule}: tried 1 step; the condition still holds`, since: at - MIN, at,
    whenText: 'memory.used_pct > 90', values: { 'memory.used_pct': 95 }, thresholds: [{ metric: 'memory.used_pct', op: '>', value: 90, limit: '> 90', unit: 'percent' }],
    steps: [{ step: 1, attempt: 1, description: 'exec /usr/local/bin/fix', status: 'failed', message: 'exec exited with code 1', durationMs: 1200, outputTail: 'fixing...\nERROR: still broken' }],
    incidentId, ...overrides,
  };
}

/** Drains like the daemon does after each tick, at `at`. */
async function tickAt(pager: Pager, at: number) {
  now = at;
  return pager.afterTick(at);
}

const texts = (server: SlackServer = slack, mode: SlackServerMode = 'ok') => server.received.filter((r) => r.mode === mode).map((r) => String(r.body.text));
const pageRows = () => journal.history({ limit: 1000 }).filter((e) => e.source === 'page');

describe('every answer Slack gives', () => {
  const cases: Array<[SlackServerMode, { status: string; attempts: number; nextInMs?: number; lastError: string | null; health: string }]> = [
    ['ok', { status: 'sent', attempts: 1, lastError: null, health: 'ok' }],
    ['invalid_payload', { status: 'failed', attempts: 1, lastError: 'HTTP 400: invalid_payload', health: 'rejected' }],
    ['invalid_token', { status: 'failed', attempts: 1, lastError: 'HTTP 403: invalid_token', health: 'rejected' }],
    ['no_service', { status: 'failed', attempts: 1, lastError: 'HTTP 404: no_service', health: 'rejected' }],
    ['channel_is_archived', { status: 'failed', attempts: 1, lastError: 'HTTP 410: channel_is_archived', health: 'rejected' }],
    ['rate_limited', { status: 'pending', attempts: 1, nextInMs: 7000, lastError: 'HTTP 429: rate_limited', health: 'failing' }],
    ['error', { status: 'pending', attempts: 1, nextInMs: 1000, lastError: 'HTTP 500: internal_error', health: 'failing' }],
    ['hang', { status: 'pending', attempts: 1, nextInMs: 1000, lastError: 'request timed out after 300 ms', health: 'failing' }],
  ];

  it.each(cases)('%s', async (mode, want) => {
    slack.setMode(mode, { retryAfterS: 7 });
    const pager = makePager();
    const page = incidentPage('mem', T0);
    expect(pager.page(page, T0)).toBe('queued');
    await tickAt(pager, T0);
    expect(slack.received).toHaveLength(1);
    const row = journal.pageStore.latestFor(page.incidentId!)!;
    expect(row).toMatchObject({ status: want.status, attempts: want.attempts, lastError: want.lastError });
    if (want.nextInMs !== undefined) expect(row.nextAttemptAt - T0).toBeGreaterThanOrEqual(want.nextInMs);
    expect(journal.pageStore.routeHealth('default')[0]).toMatchObject({ status: want.health });
    // A permanent answer is logged once as an error, and diagnose calls paging broken.
    const errors = logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(want.health === 'rejected' ? 1 : 0);
    expect(diagnosePaging(journal, stateDir, T0).status).toBe(want.health === 'rejected' ? 'CRITICAL' : 'OK');
    // Nothing is tried again before its time, and a permanent failure never again.
    await tickAt(pager, T0 + 500);
    expect(slack.received).toHaveLength(1);
  });

  it('a second page on a rejected route is a warning, not another error', async () => {
    slack.setMode('invalid_token');
    const pager = makePager();
    pager.page(incidentPage('a', T0), T0);
    await tickAt(pager, T0);
    pager.page(incidentPage('b', T0 + MIN), T0 + MIN);
    await tickAt(pager, T0 + MIN);
    expect(slack.received).toHaveLength(2);
    expect(logs.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(logs.filter((l) => l.msg === 'page failed and will not be retried').map((l) => l.level)).toEqual(['warn', 'warn']);
  });

  it('Slack working again clears the route, and diagnose warns only when an outage lasts', async () => {
    slack.setMode('error');
    const pager = makePager();
    pager.page(incidentPage('a', T0), T0);
    await tickAt(pager, T0);
    expect(diagnosePaging(journal, stateDir, T0 + MIN).status).toBe('OK');
    expect(diagnosePaging(journal, stateDir, T0 + 11 * MIN).status).toBe('WARNING');
    slack.setMode('ok');
    await tickAt(pager, T0 + 2000);
    expect(journal.pageStore.routeHealth('default')[0]).toMatchObject({ status: 'ok' });
    expect(logs.map((l) => l.msg)).toContain('paging works again on route default');
  });
});

describe('an outage, then recovery', () => {
  it('delivers every page once, oldest first, marked delayed, without hammering Slack meanwhile', async () => {
    slack.setMode('error');
    const pager = makePager();
    const rules = ['disk', 'mem', 'gpu', 'queue', 'render'];
    // Ticks every 30 s for an hour; a page every 10 minutes.
    for (let at = T0; at <= T0 + HOUR; at += 30_000) {
      const index = (at - T0) / (10 * MIN);
      if (Number.isInteger(index) && rules[index]) pager.page(incidentPage(rules[index]!, at), at);
      await tickAt(pager, at);
    }
    const failedTries = slack.received.length;
    // The backoff doubles to 2.5-5 min (2.5 with this jitter) and new pages do not reset it:
    // about 30 tries in the hour instead of one per tick (120).
    expect(failedTries).toBeGreaterThanOrEqual(20);
    expect(failedTries).toBeLessThanOrEqual(32);
    // Only the oldest page was ever tried: nothing overtook it.
    expect(new Set(slack.received.map((r) => String(r.body.text).split(' ')[1]))).toEqual(new Set(['disk']));

    slack.setMode('ok');
    for (let at = T0 + HOUR + 30_000; at <= T0 + HOUR + 10 * MIN; at += 30_000) await tickAt(pager, at);
    const arrived = texts();
    expect(arrived.map((t) => t.split(' ')[1])).toEqual(rules);
    for (const text of arrived) expect(text).toMatch(/\(delayed \d+(m|h)/);
    expect(journal.pageStats()).toMatchObject({ pending: 0, sent: 5, failed: 0 });
    // Ticks go on: nothing is sent twice.
    await tickAt(pager, T0 + 2 * HOUR);
    expect(texts()).toHaveLength(5);
  });
});

describe('grouping and the hourly limit', () => {
  it('sends the pages of one window as one message', async () => {
    const pager = makePager({ paging: paging({ groupWindowMs: 30_000 }) });
    pager.page(incidentPage('disk', T0), T0);
    pager.page(incidentPage('mem', T0 + 10_000), T0 + 10_000);
    pager.page(incidentPage('gpu', T0 + 20_000, { severity: 'warning' }), T0 + 20_000);
    pager.page(incidentPage('late', T0 + 45_000), T0 + 45_000);
    await tickAt(pager, T0 + 29_000);
    expect(slack.received).toHaveLength(0);
    await tickAt(pager, T0 + 30_000);
    expect(texts()).toEqual(['[CRITICAL] 3 pages on worker-7: 3 rules: disk, mem, gpu. Run `medic history --since 1h` for details.']);
    const blocks = JSON.stringify(slack.received[0]!.body.blocks);
    for (const s of ['disk on worker-7: ladder exhausted', 'medic history --incident', '`memory.used_pct` = 95% (threshold &gt; 90)']) expect(blocks).toContain(s);
    await tickAt(pager, T0 + 74_000);
    expect(texts()).toHaveLength(1);
    await tickAt(pager, T0 + 75_000);
    expect(texts()[1]).toMatch(/^\[CRITICAL\] late on worker-7: ladder exhausted/);
    // The three share one message id; the rate limit counts them once.
    expect(journal.pageStore.sentMessagesSince(T0 - 1).count).toBe(2);
  });

  it('holds pages past the limit and sends them as one message saying how many were held back', async () => {
    const pager = makePager({ paging: paging({ rateLimit: { count: 2, windowMs: HOUR } }) });
    const rules = Array.from({ length: 14 }, (_, i) => `rule-${String(i).padStart(2, '0')}`);
    for (const [i, rule] of rules.entries()) {
      const at = T0 + i * MIN;
      pager.page(incidentPage(rule, at), at);
      const result = await tickAt(pager, at);
      expect(result.held).toBe(Math.max(0, i - 1));
    }
    expect(texts().map((t) => t.split(' ')[1])).toEqual(['rule-00', 'rule-01']);
    expect(journal.history({ limit: 1000 }).filter((e) => e.kind === 'page-held')).toHaveLength(12);
    // The first page leaves the window an hour after it was sent.
    await tickAt(pager, T0 + HOUR);
    expect(texts()).toHaveLength(3);
    const summary = slack.received.at(-1)!;
    expect(summary.body.text).toBe('[CRITICAL] 12 pages on worker-7: 12 rules: rule-02, rule-03, rule-04, rule-05, rule-06, rule-07, rule-08, rule-09, rule-10, rule-11 (+2 pages held back, see medic history). Run `medic history --since 1h` for details.');
    const blocks = JSON.stringify(summary.body.blocks);
    expect(blocks).toContain('The page limit (2 per 1h) was reached: 12 pages were held back and are summed up here.');
    expect(blocks).toContain('+2 pages held back, see `medic history`');
    expect(journal.pageStats()).toMatchObject({ pending: 0, sent: 14 });
  });
});

describe('one incident, one page', () => {
  it('collapses a repeat into the pending page, drops one within the reminder interval, reminds while open', async () => {
    const pager = makePager({ paging: paging({ reminderMs: 4 * HOUR }) });
    const page = incidentPage('mem', T0);
    expect(pager.page(page, T0)).toBe('queued');
    expect(pager.page({ ...page, detail: 'second try' }, T0 + 1000)).toBe('collapsed');
    await tickAt(pager, T0 + 1000);
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toContain('second try');
    // The budget window re-armed the rule and it failed again: no second page yet.
    expect(pager.page({ ...page, at: T0 + HOUR }, T0 + HOUR)).toBe('deduplicated');
    await tickAt(pager, T0 + 3 * HOUR);
    expect(texts()).toHaveLength(1);
    await tickAt(pager, T0 + 4 * HOUR + 1000);
    expect(texts()).toHaveLength(2);
    expect(texts()[1]).toMatch(/^\[CRITICAL\] Reminder 1: mem on worker-7 still open \(open 4h 1m\)/);
    expect(pager.page({ ...page, at: T0 + 5 * HOUR }, T0 + 5 * HOUR)).toBe('deduplicated');
    await tickAt(pager, T0 + 8 * HOUR + 2000);
    expect(texts()[2]).toMatch(/^\[CRITICAL\] Reminder 2: mem on worker-7 still open \(open 8h 1m\)/);
    // Resolved: no more reminders, one follow-up.
    pager.resolved({ incidentId: page.incidentId, at: T0 + 9 * HOUR, recovered: true });
    journal.closeIncident(page.incidentId!, T0 + 9 * HOUR, 'recovered');
    await tickAt(pager, T0 + 9 * HOUR);
    await tickAt(pager, T0 + 20 * HOUR);
    expect(texts()).toHaveLength(4);
    expect(texts()[3]).toMatch(/^\[RESOLVED\] mem on worker-7: recovered after 9h 1m\. Follows up the page of .*2025-05-06 07:00:00 UTC/);
  });

  it('a page that could not go out yet says that the incident cleared instead of being followed by a second message', async () => {
    slack.setMode('error');
    const pager = makePager();
    const page = incidentPage('mem', T0);
    pager.page(page, T0);
    await tickAt(pager, T0);
    pager.resolved({ incidentId: page.incidentId, at: T0 + 3 * MIN, recovered: false });
    slack.setMode('ok');
    await tickAt(pager, T0 + 5 * MIN);
    await tickAt(pager, T0 + 10 * MIN);
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toMatch(/^\[RESOLVED\] mem on worker-7: ladder exhausted, then cleared after 4m \(delayed 5m\)/);
  });
});

describe('with a Slack bot token', () => {
  function botEnv(token = slack.botToken): NodeJS.ProcessEnv {
    return { MEDIC_SLACK_BOT_TOKEN: token, MEDIC_SLACK_CHANNEL: 'C0ONCALL', MEDIC_SLACK_API_URL: slack.apiUrl };
  }

  it('keeps one message per incident: details, reminders and the follow-up in its thread, the message updated when resolved', async () => {
    const pager = makePager({ env: botEnv(), paging: paging({ reminderMs: HOUR }) });
    const page = incidentPage('mem', T0);
    pager.page(page, T0);
    await tickAt(pager, T0);
    const [main, details] = slack.messages;
    expect(main).toMatchObject({ channel: 'C0ONCALL', text: expect.stringMatching(/^\[CRITICAL\] mem on worker-7: ladder exhausted/) });
    expect(main!.thread_ts).toBeUndefined();
    expect(details).toMatchObject({ thread_ts: main!.ts, text: 'Details: [CRITICAL] mem on worker-7: ladder exhausted' });
    expect(JSON.stringify(details!.blocks)).toContain('ERROR: still broken');
    expect(journal.pageStore.firstRefFor(page.incidentId!)).toEqual({ channel: 'C0ONCALL', ts: main!.ts });

    await tickAt(pager, T0 + HOUR + 1000);
    expect(slack.messages[2]).toMatchObject({ thread_ts: main!.ts, reply_broadcast: true, text: expect.stringContaining('Reminder 1') });

    pager.resolved({ incidentId: page.incidentId, at: T0 + 90 * MIN, recovered: true });
    await tickAt(pager, T0 + 90 * MIN);
    expect(slack.messages).toHaveLength(4);
    expect(slack.messages[3]).toMatchObject({ thread_ts: main!.ts, text: expect.stringMatching(/^\[RESOLVED\] mem on worker-7: recovered after 1h 31m/) });
    expect(main).toMatchObject({ updates: 1, text: expect.stringMatching(/^\[RESOLVED\] mem on worker-7: ladder exhausted, then recovered after 1h 31m/) });
    // The token went to Slack in a header, and nowhere else.
    const written = JSON.stringify([logs, journal.history({ limit: 1000 })]);
    expect(written).not.toContain(slack.botToken);
  });

  it('a revoked token is a broken route, reported once', async () => {
    const pager = makePager({ env: botEnv('xoxb-revoked') });
    pager.page(incidentPage('mem', T0), T0);
    await tickAt(pager, T0);
    expect(journal.pageStore.routeHealth('default')[0]).toMatchObject({ status: 'rejected', detail: 'chat.postMessage: Slack API error: invalid_auth' });
    expect(logs.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(JSON.stringify(logs)).not.toContain('xoxb-revoked');
  });
});

describe('routes', () => {
  it('sends each page to its rule route, else its severity route, else the default', async () => {
    const gpu = await startSlackServer();
    const warn = await startSlackServer();
    extraServers.push(gpu, warn);
    const env = { MEDIC_SLACK_WEBHOOK_URL: slack.url, HOOK_GPU: gpu.url, HOOK_WARN: warn.url };
    const pager = makePager({
      env,
      paging: paging({ routes: [{ name: 'gpu', rules: ['gpu-hot'], webhookEnv: 'HOOK_GPU' }, { name: 'warnings', severity: 'warning', webhookEnv: 'HOOK_WARN' }] }),
    });
    pager.page(incidentPage('gpu-hot', T0, { severity: 'warning' }), T0);
    pager.page(incidentPage('disk', T0, { severity: 'warning' }), T0);
    pager.page(incidentPage('mem', T0), T0);
    await tickAt(pager, T0);
    expect(texts(gpu).map((t) => t.split(' ')[1])).toEqual(['gpu-hot']);
    expect(texts(warn).map((t) => t.split(' ')[1])).toEqual(['disk']);
    expect(texts(slack).map((t) => t.split(' ')[1])).toEqual(['mem']);
  });

  it('moves the pages of a broken route to the default route, saying why', async () => {
    const gpu = await startSlackServer();
    extraServers.push(gpu);
    gpu.setMode('channel_is_archived');
    const pager = makePager({
      env: { MEDIC_SLACK_WEBHOOK_URL: slack.url, HOOK_GPU: gpu.url },
      paging: paging({ routes: [{ name: 'gpu', rules: ['gpu-hot'], webhookEnv: 'HOOK_GPU' }, { name: 'ecc', rules: ['gpu-ecc'], webhookFile: join(dir, 'missing-hook') }] }),
    });
    // Unreadable at start: said once, at once.
    expect(logs.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([expect.stringContaining(`paging broken on route ecc: route ecc: cannot read webhook file ${join(dir, 'missing-hook')}: ENOENT`)]);
    pager.page(incidentPage('gpu-hot', T0), T0);
    pager.page(incidentPage('gpu-ecc', T0), T0);
    await tickAt(pager, T0);
    expect(gpu.received).toHaveLength(1);
    const arrived = texts();
    expect(arrived).toHaveLength(2);
    const blocks = slack.received.map((r) => JSON.stringify(r.body.blocks));
    expect(blocks[0]).toContain('route gpu could not deliver this page (HTTP 410: channel_is_archived); sent to the default route instead');
    expect(blocks[1]).toContain('route ecc could not deliver this page (route ecc: cannot read webhook file');
    const health = Object.fromEntries(journal.pageStore.routeHealth().map((r) => [r.route, r.status]));
    expect(health).toEqual({ default: 'ok', ecc: 'misconfigured', gpu: 'rejected' });
    expect(diagnosePaging(journal, stateDir, T0).status).toBe('CRITICAL');
  });
});

describe('a reload', () => {
  it('reads webhook files again: a route fixed on disk works after it', async () => {
    const gpu = await startSlackServer();
    extraServers.push(gpu);
    const hookFile = join(dir, 'gpu-hook');
    const config = paging({ routes: [{ name: 'gpu', rules: ['gpu-hot'], webhookFile: hookFile }] });
    const pager = makePager({ paging: config });
    expect(journal.pageStore.routeHealth('gpu')[0]).toMatchObject({ status: 'misconfigured' });
    writeFileSync(hookFile, `${gpu.url}\n`);
    pager.reconfigure({ ...config, groupWindowMs: 0 });
    expect(journal.pageStore.routeHealth('gpu')[0]).toMatchObject({ status: 'ok', detail: `configured from webhook file ${hookFile}` });
    pager.page(incidentPage('gpu-hot', T0), T0);
    await tickAt(pager, T0);
    expect(texts(gpu)).toHaveLength(1);
    expect(texts(slack)).toHaveLength(0);
    // A route taken out of the rules leaves no health behind.
    pager.reconfigure(paging());
    expect(journal.pageStore.routeHealth().map((r) => r.route)).toEqual(['default']);
  });
});

describe('paused rules', () => {
  it('holds a page while its rule is paused and sends it when the pause ends', async () => {
    let paused = true;
    const pager = makePager({ isPaused: () => paused });
    pager.page(incidentPage('mem', T0), T0);
    expect((await tickAt(pager, T0)).held).toBe(1);
    await tickAt(pager, T0 + MIN);
    expect(slack.received).toHaveLength(0);
    expect(pageRows()[0]!.summary).toContain('held back: paused');
    paused = false;
    await tickAt(pager, T0 + 2 * MIN);
    expect(texts()).toHaveLength(1);
    expect(journal.history({ limit: 100 }).filter((e) => e.kind === 'page-held' || e.kind === 'page-released').map((e) => e.kind)).toEqual(['page-released', 'page-held']);
  });

  it('drops a held page when the incident closes during the pause', async () => {
    let paused = true;
    const pager = makePager({ isPaused: () => paused });
    const page = incidentPage('mem', T0);
    pager.page(page, T0);
    await tickAt(pager, T0);
    pager.resolved({ incidentId: page.incidentId, at: T0 + MIN, recovered: false });
    journal.closeIncident(page.incidentId!, T0 + MIN, 'cleared');
    paused = false;
    await tickAt(pager, T0 + 2 * MIN);
    expect(slack.received).toHaveLength(0);
    expect(journal.pageStore.latestFor(page.incidentId!)).toMatchObject({ status: 'cancelled' });
  });
});

describe('when medic cannot write its state', () => {
  it('pages directly when the state folder goes away, and again when it is back', async () => {
    const pager = makePager({ paging: paging({ storageProbeMs: 1000 }) });
    await tickAt(pager, T0);
    rmSync(stateDir, { recursive: true, force: true });
    await tickAt(pager, T0 + 2000);
    await slack.waitForRequests(1);
    expect(texts()[0]).toBe(`[CRITICAL] medic on worker-7 cannot write its state: ENOENT: no such file or directory, open '${stateDir}/.medic-write-probe'. State folder ${stateDir}.`);
    expect(logs.some((l) => l.level === 'error' && l.msg.startsWith('medic cannot write its state folder: ENOENT'))).toBe(true);
    // Said once, not at every tick.
    await tickAt(pager, T0 + 4000);
    mkdirSync(stateDir);
    await tickAt(pager, T0 + 65_000);
    await slack.waitForRequests(2);
    expect(texts()).toHaveLength(2);
    expect(texts()[1]).toBe('[RESOLVED] medic on worker-7 can write its state again (after 1m).');
  });

  it('sends a page directly when the journal refuses writes (SQLITE_READONLY), and logs it', async () => {
    const pager = makePager();
    const page = incidentPage('mem', T0);
    // SQLite itself refuses every write on this connection from now on.
    (journal as unknown as { db: Database.Database }).db.pragma('query_only = ON');
    expect(pager.page(page, T0)).toBe('direct');
    await slack.waitForRequests(2);
    const arrived = texts();
    expect(arrived.some((t) => t.startsWith('[CRITICAL] medic on worker-7 cannot write its state: SQLITE_READONLY'))).toBe(true);
    expect(arrived.some((t) => t.startsWith('[CRITICAL] mem on worker-7: ladder exhausted'))).toBe(true);
    await expect.poll(() => logs.filter((l) => l.msg.startsWith('direct page sent')).length).toBe(2);
    (journal as unknown as { db: Database.Database }).db.pragma('query_only = OFF');
  });
});
