// GET a URL and parse its JSON body, with a timeout and a size cap. node:http rather than
// fetch: fetch refuses the "bad ports" of the Fetch standard (6000, 6665-6669, 10080, ...),
// which a stats endpoint may well listen on, and reads bodies without a bound.
import { request as requestHttp, type IncomingMessage } from 'node:http';
import { request as requestHttps } from 'node:https';
import { describeFailure } from './describe-failure.js';

export type JsonResponse =
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'not-json'; status: number }
  | { kind: 'failed'; reason: string };

const MAX_BODY_BYTES = 1024 * 1024;

export function getJson(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (response: JsonResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(response);
    };
    const request = (url.startsWith('https:') ? requestHttps : requestHttp)(url, { headers: { accept: 'application/json', ...headers } }, (response) => {
      readBody(response).then(
        (text) => {
          if (text === null) return finish({ kind: 'failed', reason: `response larger than ${MAX_BODY_BYTES} bytes` });
          try {
            finish({ kind: 'json', status: response.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            finish({ kind: 'not-json', status: response.statusCode ?? 0 });
          }
        },
        (error: unknown) => finish({ kind: 'failed', reason: describeFailure(error) }),
      );
    });
    const timer = setTimeout(() => finish({ kind: 'failed', reason: `timed out after ${timeoutMs} ms` }), timeoutMs);
    request.on('error', (error) => finish({ kind: 'failed', reason: describeFailure(error) }));
    request.end();
  });
}

async function readBody(response: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
