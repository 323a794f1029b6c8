// A page sent straight from memory, for when the journal (where the outbox lives) cannot be
// written. No schedule can be kept on disk then, so cockatiel retries it in memory with
// exponential backoff and jitter; if medic dies meanwhile the page is lost, which is why it is
// also logged, and why the dead-man's switch exists.
import type { SlackMessage } from './page-content.js';
import type { SendResult, SlackSender } from './slack-sender.js';
import { SLACK_LIMITS, escapeMrkdwn, formatDurationMs, formatSlackDate, truncateEnd } from './slack-text.js';

export interface DirectSendOptions {
  /** Tries in all. Defaults to 5. */
  maxAttempts?: number;
  /** First delay between tries. Defaults to 1000 ms; at most 30 s. */
  initialDelayMs?: number;
  signal?: AbortSignal;
}

export async function sendDirect(sender: SlackSender, message: SlackMessage, options: DirectSendOptions = {}): Promise<SendResult> {
  // cockatiel (~9 MiB of RSS) is loaded only when a page must skip the journal, which is rare.
  const { ExponentialBackoff, handleWhenResult, retry } = await import('cockatiel');
  const policy = retry(handleWhenResult((result) => (result as SendResult).kind === 'retry'), {
    maxAttempts: (options.maxAttempts ?? 5) - 1,
    backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs ?? 1000, maxDelay: 30_000 }),
  });
  try {
    return await policy.execute(() => sender.send(message), options.signal);
  } catch (error) {
    return { kind: 'retry', reason: `not sent: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** What on-call sees when medic cannot write its state: the page that explains the silence. */
export function buildStorageMessage(change: { writable: boolean; detail: string; at: number; since: number }, host: string, stateDir: string): SlackMessage {
  const title = change.writable
    ? `[RESOLVED] medic on ${host} can write its state again (after ${formatDurationMs(change.at - change.since)})`
    : `[CRITICAL] medic on ${host} cannot write its state: ${change.detail}`;
  const body = change.writable
    ? `The journal in \`${escapeMrkdwn(stateDir)}\` works again. Pages, actions and incidents are journaled as usual; what happened meanwhile is in medic's log only.`
    : [
        `medic cannot write \`${escapeMrkdwn(stateDir)}\` since ${formatSlackDate(change.since)}: ${escapeMrkdwn(change.detail)}.`,
        'Rules keep running, but incidents, actions and pages are not journaled, and pages can only be sent directly like this one (from memory, lost if medic restarts).',
        'Check free space (`df -h`), inodes (`df -i`), mount options and permissions of the state folder.',
      ].join('\n');
  return {
    text: truncateEnd(`${title}. ${change.writable ? '' : `State folder ${stateDir}.`}`.trim(), SLACK_LIMITS.fallbackChars),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncateEnd(title, SLACK_LIMITS.headerChars), emoji: false } },
      { type: 'section', text: { type: 'mrkdwn', text: truncateEnd(body, SLACK_LIMITS.sectionChars) } },
    ],
  };
}
