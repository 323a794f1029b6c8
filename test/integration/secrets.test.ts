// End to end: medic's secrets (the Slack webhook URL, the bot token, a route's webhook variable)
// never reach a child's environment, medic's own output, or any cell of the journal. A managed
// worker prints its environment and a secret it read from a file; the ladder runs
// `exec: [/usr/bin/env]` and a `cat` of that file. The first two would leak through the
// environment without childEnv(); the file-borne ones are caught by the redaction of child output.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackServer, type SlackServer } from '../helpers/slack-server.js';
import { eventually, queryJournal, startMedic, type MedicProcess } from '../helpers/medic-process.js';

const BOT_TOKEN = 'xoxb-111-222-secret-bot-token-for-medic-test';
const TEAM_HOOK = 'http://127.0.0.1:9/services/T999/B999/team-route-secret-path';

let slack: SlackServer;
let dir: string;
let medic: MedicProcess | undefined;

beforeAll(async () => {
  slack = await startSlackServer();
  dir = mkdtempSync(join(tmpdir(), 'medic-secrets-'));
});
afterAll(async () => {
  if (medic) {
    const timer = setTimeout(() => medic?.child.kill('SIGKILL'), 10_000);
    await medic.stop('SIGTERM');
    clearTimeout(timer);
  }
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every string that must not appear: each secret, and the webhook URLs' paths on their own. */
function forbidden(): string[] {
  return [slack.url, new URL(slack.url).pathname, BOT_TOKEN, TEAM_HOOK, new URL(TEAM_HOOK).pathname];
}

function expectClean(text: string, where: string): void {
  for (const secret of forbidden()) {
    if (text.includes(secret)) throw new Error(`${where} contains the secret ${JSON.stringify(secret.slice(0, 12))}…`);
  }
}

function dumpJournal(stateDir: string): Array<{ table: string; text: string }> {
  const db = new Database(join(stateDir, 'journal.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>;
    return tables.map(({ name }) => {
      const rows = db.prepare(`SELECT * FROM "${name}"`).raw().all() as unknown[][];
      return { table: name, text: rows.map((row) => row.map((cell) => (Buffer.isBuffer(cell) ? cell.toString('utf8') : String(cell))).join('\t')).join('\n') };
    });
  } finally {
    db.close();
  }
}

describe('medic keeps its secrets', () => {
  it('from workers, exec actions, its log and its journal', async () => {
    const rulesDir = join(dir, 'rules');
    const stateDir = join(dir, 'state');
    mkdirSync(rulesDir);
    // A secret a child reads from somewhere other than its environment.
    const leakFile = join(dir, 'leak.txt');
    writeFileSync(leakFile, `url=${slack.url}\ntoken=${BOT_TOKEN}\n`);
    const worker = `console.log(JSON.stringify(process.env)); console.log(require('fs').readFileSync(${JSON.stringify(leakFile)}, 'utf8')); setInterval(() => {}, 1000)`;
    writeFileSync(
      join(rulesDir, 'rules.yaml'),
      `
settings: { interval: 200ms }
paging:
  group_window: 0s
  routes:
    - { name: team, rules: [nothing-here], webhook_env: TEAM_HOOK }
workers:
  printer:
    start: [${process.execPath}, -e, ${JSON.stringify(worker)}]
rules:
  - name: nothing-here
    when: worker.printer.restarts > 1000
    do: [exec: [/bin/true]]
  - name: dump-env
    when: worker.printer.up == 1
    verify: 200ms
    do:
      - exec: [/usr/bin/env]
      - exec: [cat, ${leakFile}]
`,
    );
    medic = startMedic(['run', '--rules', rulesDir, '--state', stateDir], { MEDIC_SLACK_WEBHOOK_URL: slack.url, MEDIC_SLACK_BOT_TOKEN: BOT_TOKEN, TEAM_HOOK });

    // The worker's environment, straight from the kernel.
    const started = await medic.waitForLog((line) => /^started worker printer \(pid \d+\)$/.test(line.msg), 30_000);
    const pid = Number(/pid (\d+)/.exec(started.msg)![1]);
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    expect(environ).toContain('MEDIC_WORKER=printer');
    expect(environ).not.toMatch(/(^|\0)(MEDIC_SLACK_WEBHOOK_URL|MEDIC_SLACK_BOT_TOKEN|TEAM_HOOK)=/);
    expectClean(environ, "the worker's environment");

    // What the worker printed reached the log: its environment, and the file's secrets redacted.
    await medic.waitForLog((line) => line.worker === 'printer' && line.msg.includes('"MEDIC_WORKER":"printer"'));
    await medic.waitForLog((line) => line.worker === 'printer' && line.msg.startsWith('url=') && line.msg.includes('<redacted>'));

    // Both ladder steps ran and finished; the second printed the file, which was redacted.
    const actions = await eventually(() => {
      const rows = queryJournal<{ status: string; output_tail: string | null }>(stateDir, `SELECT status, output_tail FROM actions WHERE rule = 'dump-env' AND status != 'running' ORDER BY id`);
      return rows.length >= 2 ? rows : undefined;
    }, 'both exec steps to finish', 30_000);
    expect(actions[0]!.status).toBe('ok');
    // env printed medic's environment (its last 4 KiB are kept), minus the secrets.
    expect(actions[0]!.output_tail).toMatch(/^[A-Za-z_][A-Za-z0-9_]*=/m);
    expect(actions[1]!.output_tail).toContain('url=<redacted>');

    const stopped = medic;
    medic = undefined;
    expect((await stopped.stop('SIGTERM')).code).toBe(0);

    expectClean(stopped.output(), "medic's stdout/stderr");
    const tables = dumpJournal(stateDir);
    expect(tables.map((t) => t.table)).toEqual(expect.arrayContaining(['actions', 'events', 'incidents', 'pages']));
    for (const { table, text } of tables) expectClean(text, `journal table ${table}`);
    // Pages went to the webhook; their bodies carry no secret either.
    for (const request of slack.received) expectClean(JSON.stringify(request.body), 'a page sent to Slack');
  });
});
