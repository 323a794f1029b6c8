// `schedule:` and `timezone:` of a rule: a node-cron expression and an IANA time zone, checked
// here so that a typo is a config error with file:line:col, not a throw when the daemon starts.
import { z } from 'zod';
import { describeValue } from './fields.js';
import { loadNodeCron } from './load-node-cron.js';

const CRON_EXAMPLE = '"0 3 * * *" (minute hour day-of-month month day-of-week; a 6th field in front is seconds)';

/** Why `text` is not a cron expression node-cron accepts, or null when it is one. */
export function checkCronExpression(text: string): string | null {
  const result = loadNodeCron().validateDetailed(text);
  if (result.valid) return null;
  const reasons = result.errors.map((error) => (error.field === 'expression' ? error.message : `${error.field} "${error.value ?? ''}" is out of range or malformed`));
  return `expected a cron expression like ${CRON_EXAMPLE}, got ${JSON.stringify(text)}: ${reasons.join('; ')}`;
}

/** Why `zone` is not a time zone this host knows, or null when it is one. */
export function checkTimeZone(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return null;
  } catch {
    return `unknown time zone ${JSON.stringify(zone)}: expected an IANA name like "Europe/Berlin", "America/New_York" or "UTC"`;
  }
}

export const cronField = z.unknown().transform((value, ctx): string => {
  const problem = typeof value === 'string' ? checkCronExpression(value.trim()) : `expected a cron expression like ${CRON_EXAMPLE}, got ${describeValue(value)}`;
  if (problem === null) return (value as string).trim();
  ctx.addIssue({ code: 'custom', input: value, message: problem });
  return z.NEVER;
});

export const timezoneField = z.unknown().transform((value, ctx): string => {
  const problem = typeof value === 'string' && value !== '' ? checkTimeZone(value) : `expected a time zone like "Europe/Berlin", got ${describeValue(value)}`;
  if (problem === null) return value as string;
  ctx.addIssue({ code: 'custom', input: value, message: problem });
  return z.NEVER;
});
