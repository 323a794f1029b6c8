// One HTTP call with a JSON body and a timeout, for actions that talk to a worker or a fleet
// API (clear a cache, publish a degradation level, set a replica count). Resolves to an outcome,
// never rejects. Messages name the URL without its query string or credentials.
import { performance } from 'node:perf_hooks';
import type { HttpTarget } from '../core/action-specs.js';
import type { ActionOutcome } from '../core/types.js';

const MAX_BODY_CHARS = 4096;

export async function callHttp(target: HttpTarget, body: unknown, options: { timeoutMs: number; name: string }): Promise<ActionOutcome> {
  const startedAt = performance.now();
  const where = `${target.method} ${describeUrl(target.url)}`;
  const finish = (fields: { ok: boolean; status: string; timedOut?: boolean; message: string; outputTail?: string; httpStatus?: number }): ActionOutcome => ({
    ok: fields.ok,
    status: fields.status,
    timedOut: fields.timedOut ?? false,
    exitCode: null,
    signal: null,
    durationMs: Math.round(performance.now() - startedAt),
    message: `${options.name}: ${fields.message}`,
    outputTail: fields.outputTail ?? '',
    ...(fields.httpStatus !== undefined ? { details: { httpStatus: fields.httpStatus } } : {}),
  });
  try {
    const response = await fetch(target.url, {
      method: target.method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = (await response.text()).slice(-MAX_BODY_CHARS);
    const ok = response.status >= 200 && response.status < 300;
    const message = `${where} answered ${response.status}${ok ? '' : firstLine(text)}`;
    return finish({ ok, status: ok ? 'ok' : 'http-status', message, outputTail: text, httpStatus: response.status });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') return finish({ ok: false, status: 'timed-out', timedOut: true, message: `${where} timed out after ${options.timeoutMs} ms` });
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return finish({ ok: false, status: 'http-failed', message: `${where} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}` });
  }
}

/** `http://127.0.0.1:8080/cache/clear`: no user info, no query (either may hold a token). */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim();
  return line ? `: ${line.slice(0, 200)}` : '';
}
