// A rule's engine state in one line for `medic diagnose`, with its timers as "in 12s" and its
// place on the ladder as "step 2/3, attempt 1/2": what an operator asks of a running medic.
import { formatDuration } from '../core/durations.js';
import type { Rule, RuleState } from '../core/types.js';

export function describeRuleState(state: RuleState, rule: Rule | undefined, at: number): string {
  switch (state.kind) {
    case 'ok':
      return 'ok';
    case 'pending':
      return `pending: ${describeHold(state.hits, state.since, rule, at)}`;
    case 'firing': {
      const wait = state.waitUntil > at ? `, next action ${inTime(state.waitUntil - at)}` : ', acting at the next tick';
      return `firing for ${ago(state.since, at)}: ${ladderPosition(state.step, state.attempt, rule)}${wait}`;
    }
    case 'acting':
      return `acting: ${ladderPosition(state.step, state.attempt, rule)}, running for ${ago(state.startedAt, at)}`;
    case 'verifying':
      return `verifying ${ladderPosition(state.step, state.attempt, rule)}: clear ${inTime(state.until - at)} if it stays clear`;
    case 'exhausted': {
      const rearm = rule ? `; re-arms ${inTime((state.pagedAt ?? state.since) + rule.budget.windowMs - at)} or when it clears` : '';
      return `exhausted (${state.reason}) for ${ago(state.since, at)}, on-call paged${rearm}`;
    }
  }
}

function describeHold(hits: number, since: number, rule: Rule | undefined, at: number): string {
  if (!rule) return `${hits} sample(s) true since ${ago(since, at)} ago`;
  if ('samples' in rule.hold) return `${hits} of ${rule.hold.samples} samples true`;
  return `true for ${ago(since, at)} of ${formatDuration(rule.hold.ms)}, fires ${inTime(since + rule.hold.ms - at)}`;
}

function ladderPosition(step: number, attempt: number, rule: Rule | undefined): string {
  const rung = rule?.ladder[step];
  if (!rule || !rung) return `step ${step + 1}, attempt ${attempt}`;
  return `step ${step + 1}/${rule.ladder.length}, attempt ${attempt}/${rung.attempts}`;
}

function inTime(ms: number): string {
  return ms <= 0 ? 'now' : `in ${roundSeconds(ms)}`;
}

function ago(from: number, at: number): string {
  return roundSeconds(Math.max(0, at - from));
}

function roundSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : formatDuration(Math.round(ms / 1000) * 1000);
}
