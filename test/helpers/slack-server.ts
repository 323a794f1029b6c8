// A loopback server that answers like Slack's incoming-webhook endpoint, for pager tests
// (Prometheus's newBlackHoleAlertmanager). The mode can change while it runs. Under /api it also
// answers like Slack's Web API (chat.postMessage, chat.update with a bot token), keeping the
// messages so a test can see what a channel would show.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SlackServerMode =
  | 'ok'
  | 'invalid_payload'
  | 'invalid_token'
  | 'no_service'
  | 'channel_is_archived'
  | 'error'
  | 'rate_limited'
  | 'hang'
  /** 302 to another path: a webhook URL that is wrong, or a proxy's login page. */
  | 'redirect';

export interface SlackServerModeOptions {
  /** Seconds sent in Retry-After for 'rate_limited'. Defaults to 1. */
  retryAfterS?: number;
}

export interface ReceivedRequest {
  at: number;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: any;
  path: string;
  headers: IncomingMessage['headers'];
  /** The mode that answered it. */
  mode: SlackServerMode;
}

/** A message as the Web API keeps it: posted, maybe updated, maybe in a thread. */
export interface ApiMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  reply_broadcast?: boolean;
  text: string;
  blocks: unknown[];
  /** How many times chat.update replaced it. */
  updates: number;
}

export interface SlackServer {
  /** `http://127.0.0.1:PORT/services/T000/B000/XXXX...`: shaped like a real webhook, so redaction is tested. */
  url: string;
  /** `http://127.0.0.1:PORT/api`: for MEDIC_SLACK_API_URL. */
  apiUrl: string;
  /** The bot token the Web API accepts; any other gets `invalid_auth`. */
  botToken: string;
  /** Web API messages, in the order posted. */
  messages: ApiMessage[];
  setMode(mode: SlackServerMode, opts?: SlackServerModeOptions): void;
  received: ReceivedRequest[];
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

// What Slack answers for each mode (https://api.slack.com/messaging/webhooks#handling_errors).
const ANSWERS: Record<Exclude<SlackServerMode, 'hang' | 'rate_limited' | 'redirect'>, [number, string]> = {
  ok: [200, 'ok'],
  invalid_payload: [400, 'invalid_payload'],
  invalid_token: [403, 'invalid_token'],
  no_service: [404, 'no_service'],
  channel_is_archived: [410, 'channel_is_archived'],
  error: [500, 'internal_error'],
};

export async function startSlackServer(): Promise<SlackServer> {
  let mode: SlackServerMode = 'ok';
  let retryAfterS = 1;
  const received: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      received.push({ at: Date.now(), body, path: req.url ?? '', headers: req.headers, mode });
      for (const wake of waiters) wake();
      if (req.url?.startsWith('/api/')) answerApi(req, res, body as Record<string, unknown>);
      else answer(res);
    });
  });

  const messages: ApiMessage[] = [];
  const botToken = `xoxb-test-${Math.random().toString(36).slice(2, 12)}`;
  // What the Web API answers in each failing mode: HTTP 200 with ok:false, like Slack.
  const API_ERRORS: Partial<Record<SlackServerMode, string>> = {
    invalid_payload: 'invalid_blocks',
    invalid_token: 'invalid_auth',
    no_service: 'channel_not_found',
    channel_is_archived: 'is_archived',
  };

  function answerApi(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): void {
    const json = (status: number, value: object, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(value));
    };
    if (mode === 'hang') return answer(res);
    if (mode === 'redirect') return answer(res);
    if (mode === 'error') return json(500, { ok: false, error: 'internal_error' });
    if (mode === 'rate_limited') return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfterS) });
    if (req.headers.authorization !== `Bearer ${botToken}`) return json(200, { ok: false, error: 'invalid_auth' });
    const error = API_ERRORS[mode];
    if (error) return json(200, { ok: false, error });
    const channel = String(body.channel ?? '');
    if (req.url === '/api/chat.postMessage') {
      const ts = `${Math.floor(Date.now() / 1000)}.${String(messages.length + 1).padStart(6, '0')}`;
      messages.push({
        channel, ts, text: String(body.text ?? ''), blocks: (body.blocks as unknown[]) ?? [], updates: 0,
        ...(typeof body.thread_ts === 'string' ? { thread_ts: body.thread_ts } : {}),
        ...(body.reply_broadcast === true ? { reply_broadcast: true } : {}),
      });
      return json(200, { ok: true, channel, ts, message: { text: body.text } });
    }
    if (req.url === '/api/chat.update') {
      const message = messages.find((m) => m.channel === channel && m.ts === body.ts);
      if (!message) return json(200, { ok: false, error: 'message_not_found' });
      message.text = String(body.text ?? '');
      message.blocks = (body.blocks as unknown[]) ?? [];
      message.updates++;
      return json(200, { ok: true, channel, ts: message.ts, text: message.text });
    }
    return json(404, { ok: false, error: 'unknown_method' });
  }

  function answer(res: ServerResponse): void {
    if (mode === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (mode === 'rate_limited') {
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(retryAfterS) }).end('rate_limited');
      return;
    }
    if (mode === 'redirect') {
      res.writeHead(302, { location: '/login' }).end();
      return;
    }
    const [status, text] = ANSWERS[mode];
    res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const secret = `XXXX${Math.random().toString(36).slice(2, 14)}`;

  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/${secret}`,
    apiUrl: `http://127.0.0.1:${port}/api`,
    botToken,
    messages,
    received,
    setMode(next, opts = {}) {
      mode = next;
      retryAfterS = opts.retryAfterS ?? 1;
    },
    waitForRequests(n, timeoutMs = 5000) {
      if (received.length >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`slack server: expected ${n} requests within ${timeoutMs} ms, got ${received.length}`));
        }, timeoutMs);
        const check = () => {
          if (received.length < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
