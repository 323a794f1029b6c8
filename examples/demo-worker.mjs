#!/usr/bin/env node
// A small worker that misbehaves now and then, so that medic has something to heal on a first
// `npm start`. It writes a heartbeat file while healthy and, after DEMO_HEALTHY_MS, does one
// thing wrong, in turn across restarts: leak memory, hang (heartbeat stops), crash.
//   DEMO_HEARTBEAT_FILE  file touched every 500 ms while healthy (required)
//   DEMO_COUNTER_FILE    where the turn is remembered across restarts (default: next to the heartbeat)
//   DEMO_HEALTHY_MS      healthy time before misbehaving (default 8000)
//   DEMO_LEAK_MB_PER_S   leak rate (default 20)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const heartbeatFile = process.env.DEMO_HEARTBEAT_FILE;
if (!heartbeatFile) {
  console.error('demo-worker: set DEMO_HEARTBEAT_FILE');
  process.exit(2);
}
const counterFile = process.env.DEMO_COUNTER_FILE ?? `${heartbeatFile}.turn`;
const healthyMs = Number(process.env.DEMO_HEALTHY_MS ?? 8000);
const leakMbPerS = Number(process.env.DEMO_LEAK_MB_PER_S ?? 20);
mkdirSync(dirname(heartbeatFile), { recursive: true });

const turns = ['leak', 'hang', 'crash'];
let turn = 0;
try {
  turn = Number(readFileSync(counterFile, 'utf8')) || 0;
} catch {}
writeFileSync(counterFile, String(turn + 1));
const misbehaviour = turns[turn % turns.length];

const beat = () => writeFileSync(heartbeatFile, `${Date.now()}\n`);
beat();
const heartbeat = setInterval(beat, 500);
console.log(`demo worker ${process.pid} up; will ${misbehaviour} in ${healthyMs / 1000}s`);

setTimeout(() => {
  console.log(`demo worker ${process.pid}: now I ${misbehaviour}`);
  if (misbehaviour === 'crash') process.exit(1);
  if (misbehaviour === 'hang') {
    clearInterval(heartbeat);
    setInterval(() => {}, 60_000); // alive but stuck, like a worker waiting on a lock forever
  }
  if (misbehaviour === 'leak') {
    const hoard = [];
    setInterval(() => hoard.push(Buffer.alloc(leakMbPerS * 1024 * 1024 / 4, 1)), 250);
  }
}, healthyMs);
process.on('SIGTERM', () => {
  console.log(`demo worker ${process.pid}: stopping on SIGTERM`);
  process.exit(0);
});
