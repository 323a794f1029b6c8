// Defense in depth behind childEnv(): what children print (worker lines, action outcomes) passes
// the pager's redactor, and the values of medic's secret variables are removed, before it reaches
// the log or the journal. A child may have read the webhook URL from somewhere other than its
// environment (a file, a config dump), and an `exec` that prints it must not store it.
import type { ActionOutcome } from '../core/types.js';
import { listSecretEnvValues } from '../os/child-env.js';
import { redactSecrets } from '../pager/webhook-url.js';

export interface ChildOutputRedactor {
  text(text: string): string;
  /** The outcome with `message`, `outputTail` and every string in `details` redacted. */
  outcome(outcome: ActionOutcome): ActionOutcome;
}

/** `pagerRedactor` is asked each time: routes, and so their secrets, change on reload. */
export function createChildOutputRedactor(env: NodeJS.ProcessEnv, pagerRedactor: () => (text: string) => string): ChildOutputRedactor {
  const text = (value: string): string => pagerRedactor()(redactSecrets(value, listSecretEnvValues(env)));
  return {
    text,
    outcome: (outcome) => ({
      ...outcome,
      message: text(outcome.message),
      outputTail: text(outcome.outputTail),
      ...(outcome.details !== undefined ? { details: redactStrings(outcome.details, text) as Record<string, unknown> } : {}),
    }),
  };
}

/** Every string inside `value` (nested in arrays and plain objects), redacted; the rest as it was. */
export function redactStrings(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactStrings(item, redact));
  const plain = value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value));
  if (plain) return Object.fromEntries(Object.entries(value as object).map(([key, item]) => [key, redactStrings(item, redact)]));
  return value;
}
