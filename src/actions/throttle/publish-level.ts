// Publishes a degradation level on a worker's channel: an atomically replaced file holding the
// level and a newline, a command given the level as an argument, an HTTP call with JSON.
import type { DegradationChannel, DegradationLevel } from '../../core/action-specs.js';
import { writeFileAtomic } from '../../os/atomic-write.js';
import { callHttp } from '../http-call.js';
import { runCommand } from '../run-command.js';

export interface PublishResult {
  ok: boolean;
  /** `file`, `command`, `http`: each part that took the level. */
  published: string[];
  problems: string[];
}

export async function publishLevel(worker: string, channel: DegradationChannel, level: DegradationLevel): Promise<PublishResult> {
  const result: PublishResult = { ok: true, published: [], problems: [] };
  const fail = (problem: string) => {
    result.ok = false;
    result.problems.push(problem);
  };
  if (channel.file !== undefined) {
    try {
      await writeFileAtomic(channel.file, `${level}\n`);
      result.published.push('file');
    } catch (error) {
      fail(`writing ${channel.file} failed: ${(error as Error).message}`);
    }
  }
  if (channel.command) {
    const outcome = await runCommand(levelArgv(channel.command, level), {
      timeoutMs: channel.timeoutMs,
      name: 'degradation command',
      env: { MEDIC_WORKER: worker, MEDIC_DEGRADATION_LEVEL: level },
    });
    if (outcome.ok) result.published.push('command');
    else fail(outcome.message);
  }
  if (channel.http) {
    const outcome = await callHttp(channel.http, { worker, level }, { timeoutMs: channel.timeoutMs, name: 'degradation http' });
    if (outcome.ok) result.published.push('http');
    else fail(outcome.message);
  }
  return result;
}

/** `{level}` inside an argument is replaced (each argument stays one); with none, the level is appended. */
export function levelArgv(command: readonly string[], level: DegradationLevel): string[] {
  if (!command.some((arg) => arg.includes('{level}'))) return [...command, level];
  return command.map((arg) => arg.replaceAll('{level}', level));
}
