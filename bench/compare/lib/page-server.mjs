// A loopback stand-in for Slack's incoming webhook (the logic of test/helpers/slack-server.ts, in
// plain JS): answers 200 "ok" and remembers when each page arrived.
import { createServer } from 'node:http';

export async function startPageServer() {
  const pages = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      pages.push({ at: Date.now(), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXXbench`,
    pages,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
