// The live view on a unix socket in the state folder (`<state>/medic.sock`, mode 0600): plain
// HTTP, `GET /status` answers the DaemonStatus JSON. A socket file, not a TCP port: only users who
// can reach the state folder can ask, nothing listens on the network, and the path says which
// medic (which state folder) answers.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { DaemonStatus } from './daemon-status.js';

export const STATUS_SOCKET_NAME = 'medic.sock';

export function statusSocketPath(stateDir: string): string {
  return join(stateDir, STATUS_SOCKET_NAME);
}

export interface StatusServerOptions {
  socketPath: string;
  readStatus: () => DaemonStatus;
}

export interface StatusServer {
  socketPath: string;
  close(): Promise<void>;
}

export class StatusSocketBusyError extends Error {}

/** sun_path holds 108 bytes on Linux, the last one a NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

/**
 * Listens on `socketPath`. A socket file left by a medic that was killed is replaced; one that
 * still answers belongs to a running medic, and is left alone (StatusSocketBusyError).
 */
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const { socketPath } = options;
  // Node cuts a longer path short without a word and binds somewhere else.
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`${socketPath} is longer than a unix socket path may be (${MAX_SOCKET_PATH_BYTES} bytes): use a shorter state folder`);
  }
  await removeStaleSocket(socketPath);
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/status') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /status\n');
      return;
    }
    let body: string;
    try {
      body = JSON.stringify(options.readStatus());
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`status failed: ${error instanceof Error ? error.message : String(error)}\n`);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await listenPrivately(server, socketPath);
  try {
    chmodSync(socketPath, 0o600);
  } catch (error) {
    await closeServer(server, socketPath);
    throw error;
  }
  return {
    socketPath,
    close: () => closeServer(server, socketPath),
  };
}

/**
 * Binds under umask 0177, so the socket is never open to others even for an instant (the chmod
 * after it is a second lock). The umask is process-wide: it is put back as soon as listen()
 * returns, because for a path the bind happens inside that call.
 */
function listenPrivately(server: Server, socketPath: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const previous = process.umask(0o177);
    try {
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  });
}

async function removeStaleSocket(socketPath: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(socketPath).isSocket();
  } catch {
    return;
  }
  // Never delete a regular file someone put there by mistake.
  if (!isSocket) throw new StatusSocketBusyError(`${socketPath} exists and is not a socket`);
  if (await socketAnswers(socketPath)) throw new StatusSocketBusyError(`another medic answers on ${socketPath}`);
  unlinkSync(socketPath);
}

function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const done = (answers: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answers);
    };
    // A listener accepts at once; a dead socket file is refused at once.
    const timer = setTimeout(() => done(false), 500);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function closeServer(server: Server, socketPath: string): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // Node unlinks the socket on close; this covers a server that never finished listening.
  try {
    unlinkSync(socketPath);
  } catch {}
}
