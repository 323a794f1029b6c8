// What one network probe (health: http or tcp) found, as data, and how a socket error reads.
//
// A refused connection, a timeout, a reset or a garbled answer is a real answer about the worker:
// it is unhealthy (ok false). Only a failure inside medic itself (out of file descriptors or
// memory) leaves the probe's verdict unknown, since it says nothing about the worker.

export type ProbeStatus =
  /** Answered as expected. */
  | 'ok'
  /** HTTP answered, with another status than expected. */
  | 'wrong-status'
  | 'refused'
  | 'timed-out'
  /** Reset, unreachable, name not found, TLS or HTTP protocol error. */
  | 'network-error'
  /** medic could not probe (EMFILE, ENOMEM ...): the worker's health stays unknown. */
  | 'local-error';

export interface ProbeResult {
  ok: boolean;
  status: ProbeStatus;
  /** HTTP status code; null for TCP and when nothing answered. */
  httpStatus: number | null;
  /** Until the response headers (HTTP) or the connection (TCP); null when neither came. */
  latencyMs: number | null;
  /** Short human reason: `connection refused by 127.0.0.1:8080`. Never holds the URL (it may carry credentials). */
  message: string;
}

const LOCAL_ERRORS = new Set(['EMFILE', 'ENFILE', 'ENOMEM', 'ENOBUFS', 'EADDRNOTAVAIL']);

/** `where` is host:port, never the full URL. */
export function describeProbeFailure(error: unknown, where: string): ProbeResult {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const failed = (status: ProbeStatus, message: string): ProbeResult => ({ ok: false, status, httpStatus: null, latencyMs: null, message });
  if (code === 'ECONNREFUSED') return failed('refused', `connection refused by ${where}`);
  if (code !== undefined && LOCAL_ERRORS.has(code)) return failed('local-error', `medic could not probe ${where}: ${code}`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return failed('network-error', `host name of ${where} not found (${code})`);
  const detail = error instanceof Error ? error.message : String(error);
  return failed('network-error', `${where}: ${code !== undefined && !detail.includes(code) ? `${code} ${detail}` : detail}`);
}

export function describeTimeout(where: string, timeoutMs: number): ProbeResult {
  return { ok: false, status: 'timed-out', httpStatus: null, latencyMs: null, message: `no answer from ${where} within ${timeoutMs} ms` };
}
