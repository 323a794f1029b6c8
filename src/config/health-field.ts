// `health:` of a worker: an HTTP probe (`http: URL`), a TCP connect probe (`tcp: HOST:PORT`),
// or both, sharing one `timeout`. Turned into the core's WorkerHealthSpec by the builder.
import { z } from 'zod';
import { parseDuration } from '../core/durations.js';
import type { WorkerHealthSpec } from '../core/types.js';
import { describeValue, durationField, textField } from './fields.js';

/** How long a probe may take when `timeout` is not given. Keep it below `settings.interval`: a probe holds up its tick. */
export const DEFAULT_HEALTH_TIMEOUT_MS = parseDuration('2s')!;

const URL_EXAMPLE = 'http://127.0.0.1:8080/healthz';

/**
 * schema.ts's ONE_OF_ISSUE, which lets the issue mapper drop "needs http or tcp" beside a
 * misspelt key. Not imported: schema.ts imports this file (a test keeps the two equal).
 */
export const ONE_OF_KIND = 'one-of';

/** `http:` — an http:// or https:// URL, normalised by WHATWG URL. */
const httpUrlField = textField.transform((text, ctx): string => {
  const url = URL.canParse(text) ? new URL(text) : null;
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return url.href;
  ctx.addIssue({ code: 'custom', input: text, message: `expected an http:// or https:// URL like "${URL_EXAMPLE}", got ${describeValue(text)}` });
  return z.NEVER;
});

export interface TcpAddress {
  host: string;
  port: number;
}

/** `HOST:PORT`, `[IPv6]:PORT`; null when the text is not one. */
export function parseTcpAddress(text: string): TcpAddress | null {
  const match = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(text) ?? /^([A-Za-z0-9._-]+):(\d{1,5})$/.exec(text);
  if (!match) return null;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { host: match[1]!, port } : null;
}

/** `tcp:` — where to open a connection. */
const tcpAddressField = z.unknown().transform((value, ctx): TcpAddress => {
  const address = typeof value === 'string' ? parseTcpAddress(value.trim()) : null;
  if (address) return address;
  ctx.addIssue({ code: 'custom', input: value, message: `expected HOST:PORT like "127.0.0.1:5432" or "[::1]:5432", got ${describeValue(value)}` });
  return z.NEVER;
});

/** `expect_status:` — one HTTP status code. */
const statusField = z.unknown().transform((value, ctx): number => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) return value;
  ctx.addIssue({ code: 'custom', input: value, message: `expected an HTTP status code like 200, got ${describeValue(value)}` });
  return z.NEVER;
});

const LOOKS_LIKE = `a mapping like { http: ${URL_EXAMPLE}, timeout: 2s } or { tcp: 127.0.0.1:5432 }`;

export const healthField = z
  .strictObject(
    {
      http: httpUrlField.optional(),
      tcp: tcpAddressField.optional(),
      timeout: durationField({ example: '2s' }).default(DEFAULT_HEALTH_TIMEOUT_MS),
      /** Any 2xx counts as healthy when absent. */
      expect_status: statusField.optional(),
    },
    { error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? `expected ${LOOKS_LIKE}, got ${describeValue(issue.input)}` : undefined) },
  )
  .superRefine((health, ctx) => {
    if (health.http === undefined && health.tcp === undefined) {
      ctx.addIssue({ code: 'custom', message: 'health needs http (a URL to GET), tcp (HOST:PORT to connect to) or both', params: { kind: ONE_OF_KIND, at: 'key' } });
    }
    if (health.expect_status !== undefined && health.http === undefined) {
      ctx.addIssue({ code: 'custom', path: ['expect_status'], message: '"expect_status" only applies with http:', params: { at: 'key' } });
    }
  });

export type HealthInput = z.output<typeof healthField>;

export function buildHealthSpec(input: HealthInput): WorkerHealthSpec {
  const timeoutMs = input.timeout;
  return {
    ...(input.http !== undefined ? { http: { url: input.http, timeoutMs, ...(input.expect_status !== undefined ? { expectStatus: input.expect_status } : {}) } } : {}),
    ...(input.tcp !== undefined ? { tcp: { ...input.tcp, timeoutMs } } : {}),
  };
}
