// Tests that need a local server (Redis, RabbitMQ, PostgreSQL) check for it first. Without
// it they skip with a printed reason on a developer machine, but in CI (CI is set) a missing
// server is a broken environment, and the test file fails loudly instead of going green.
//
//   const redisUp = await requireService('Redis', '127.0.0.1', 6379);
//   describe.runIf(redisUp)('redis queues', () => { ... });
import { connect } from 'node:net';

// True when a TCP connection to host:port opens within timeoutMs.
export async function serviceAvailable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

// serviceAvailable, plus the policy: in CI a missing service throws; elsewhere it prints why
// the tests that need it are skipped and returns false.
export async function requireService(name: string, host: string, port: number): Promise<boolean> {
  if (await serviceAvailable(host, port)) return true;
  const reason = `${name} is not reachable on ${host}:${port}`;
  if (process.env.CI) throw new Error(`${reason}, and CI is set: start it in .ci/run (tests that need it cannot be skipped in CI)`);
  console.warn(`SKIPPED: ${reason}; the tests that need it are skipped`);
  return false;
}
