// A queue whose depth a program prints (`queue-depth --name legacy` → `42`). A program that
// fails to start, exits non-zero, is killed or times out did not answer; one that prints
// something other than a single number answered without a depth.
import { answered, down, type QueueReading } from './reading.js';
import { runInGroup } from './run-in-group.js';

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

export async function readCommandQueue(argv: string[], timeoutMs: number, liveGroups: Set<number>): Promise<QueueReading> {
  const run = await runInGroup(argv, timeoutMs, liveGroups);
  if (run.timedOut) return down(`${argv[0]} timed out after ${timeoutMs} ms; its process group was killed`);
  if (run.spawnError) return down(run.spawnError);
  if (run.signal) return down(`${argv[0]} was killed by ${run.signal}`);
  if (run.exitCode !== 0) return down(`${argv[0]} exited with code ${run.exitCode}${tail(run.stderr)}`);
  const text = run.stdout.trim();
  if (!NUMBER.test(text)) return answered({}, { depth: `${argv[0]} printed ${JSON.stringify(text.slice(0, 40))}, not a number` });
  return answered({ depth: Number(text) });
}

function tail(stderr: string): string {
  const text = stderr.trim();
  return text ? `: ${text.slice(-200)}` : '';
}
