// Asks a running medic for its live view over the status socket. No answer within the timeout
// (no socket, a stale one, a daemon too busy to answer) is `null`: the caller then looks for
// itself, so `medic diagnose` answers quickly either way.
import { request } from 'node:http';
import { STATUS_VERSION, type DaemonStatus } from './daemon-status.js';

/** Defaults to 300 ms: a daemon that cannot answer in that time is not one to wait for. */
export function fetchDaemonStatus(socketPath: string, options: { timeoutMs?: number } = {}): Promise<DaemonStatus | null> {
  const timeoutMs = options.timeoutMs ?? 300;
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/status', method: 'GET', signal: AbortSignal.timeout(timeoutMs) }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 200 ? parseStatus(body) : null));
      response.on('error', () => resolve(null));
    });
    req.on('error', () => resolve(null));
    req.end();
  });
}

function parseStatus(body: string): DaemonStatus | null {
  try {
    const status = JSON.parse(body) as DaemonStatus;
    return status.version === STATUS_VERSION && Array.isArray(status.rules) ? status : null;
  } catch {
    return null;
  }
}
