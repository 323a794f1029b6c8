// How often a rule may act: the exponential backoff between repeated actions and the sliding
// action budget. Pure arithmetic on times that come in as arguments.
import type { Rule } from './types.js';

// Delay before the next action after `streak` consecutive actions without a healthy stretch:
// 0 for a fresh rule, then initialMs, 2×, 4×, ... capped at maxMs.
export function backoffDelayMs(rule: Rule, streak: number): number {
  const { initialMs, maxMs } = rule.backoff;
  if (streak <= 0 || initialMs <= 0) return 0;
  // 2 ** 1100 is Infinity; cap the exponent so the product stays a number.
  const factor = 2 ** Math.min(streak - 1, 1000);
  return Math.min(initialMs * factor, maxMs);
}

// The action start times still inside the budget window ending at `at` (a time exactly
// windowMs old has left the window).
export function recentActionTimes(actionTimes: readonly number[], at: number, windowMs: number): number[] {
  return actionTimes.filter((t) => at - t < windowMs);
}
