// `settings.prometheus: { listen: 127.0.0.1:9464 }`: where the opt-in /metrics endpoint listens.
// A bare port (`9464`, `:9464`) means loopback: exporting host internals to the network must be
// a choice someone wrote down (`listen: 0.0.0.0:9464`), never a default.
import { isIP } from 'node:net';
import { z } from 'zod';
import { describeValue } from './fields.js';

export const DEFAULT_PROMETHEUS_HOST = '127.0.0.1';

export interface ListenAddress {
  host: string;
  port: number;
}

/** `9464`, `:9464`, `127.0.0.1:9464`, `[::1]:9464`, `localhost:9464` -> host and port; null when malformed. */
export function parseListenAddress(value: unknown): ListenAddress | null {
  if (typeof value === 'number') return isPort(value) ? { host: DEFAULT_PROMETHEUS_HOST, port: value } : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(?:(\[[^\]]+\]|[^:\s]*):)?(\d{1,5})\s*$/.exec(value);
  if (!match) return null;
  const port = Number(match[2]);
  if (!isPort(port)) return null;
  const rawHost = match[1] ?? '';
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  if (host === '') return { host: DEFAULT_PROMETHEUS_HOST, port };
  if (isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) return null;
  return { host, port };
}

function isPort(port: number): boolean {
  // 0 asks the kernel for a free port (tests); medic logs the one it got.
  return Number.isInteger(port) && port >= 0 && port <= 65535;
}

const listenField = z.unknown().transform((value, ctx): ListenAddress => {
  const address = parseListenAddress(value);
  if (address) return address;
  ctx.addIssue({ code: 'custom', input: value, message: `expected an address like "127.0.0.1:9464" or a port like 9464, got ${describeValue(value)}` });
  return z.NEVER;
});

export const prometheusSettingsSchema = z.strictObject(
  { listen: listenField },
  { error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? `expected a mapping like { listen: 127.0.0.1:9464 }, got ${describeValue(issue.input)}` : undefined) },
);
