// A loopback server that answers like Slack's incoming-webhook endpoint, for pager tests
// (Prometheus's newBlackHoleAlertmanager). The mode can change while it runs.
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

export interface SlackServer {
  /** `http://127.0.0.1:PORT/services/T000/B000/XXXX...`: shaped like a real webhook, so redaction is tested. */
  url: string;
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
      answer(res);
    });
  });

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
