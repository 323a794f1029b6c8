// One rule, one tick: the previous RuleState and this tick's snapshot (and the outcome of the
// rule's running action, if it finished) go in; the next state and the decisions come out.
// The daemon carries the decisions out. Time comes in as `tick.at`; nothing here reads a clock.
//
// ok → pending → firing → acting → verifying → ok | firing (next attempt/step) | exhausted
import { backoffDelayMs, recentActionTimes } from './backoff.js';
import { formatDuration } from './durations.js';
import { evaluateCondition, type ConditionResult } from './evaluate-condition.js';
import { formatValues } from './format-metric.js';
import { healingTarget } from './action-specs.js';
import type { ActionSpec, Decision, PageReason, Rule, RuleMemory, RuleState, SkipReason, Tick } from './types.js';

export { backoffDelayMs } from './backoff.js';

type StateOf<K extends RuleState['kind']> = Extract<RuleState, { kind: K }>;
type Firing = StateOf<'firing'>;
/** Where an incident is on its ladder. */
type Position = { since: number; step: number; attempt: number };

interface Context {
  rule: Rule;
  tick: Tick;
  at: number;
  condition: ConditionResult;
  decisions: Decision[];
}

export function initialRuleState(): RuleState {
  return { kind: 'ok', actionTimes: [], streak: 0, clearSince: null, lastSkip: null };
}

// The resource an action works on, so two rules never restart the same worker at once.
export function actionTarget(action: ActionSpec): string | null {
  if (action.type === 'restart_worker') return `worker:${action.worker}`;
  if (action.type === 'exec') return action.worker !== undefined ? `worker:${action.worker}` : null;
  return healingTarget(action);
}

export function evaluateRule(rule: Rule, prev: RuleState, tick: Tick): { next: RuleState; decisions: Decision[]; condition: ConditionResult } {
  // A rule that runs on its schedule only has nothing to observe; the daemon runs it from cron.
  if (!rule.when) return { next: prev, decisions: [], condition: { truth: false, values: {}, unknown: [] } };
  const condition = evaluateCondition(rule.when, tick.snapshot);
  const ctx: Context = { rule, tick, at: tick.at, condition, decisions: [] };
  return { next: step(ctx, prev), decisions: ctx.decisions, condition };
}

function step(ctx: Context, prev: RuleState): RuleState {
  const truth = ctx.condition.truth;
  const mem = memoryOf(prev);
  switch (prev.kind) {
    case 'ok':
      if (truth === 'unknown') return { ...skipUnknown(ctx, mem), kind: 'ok' };
      if (truth === false) return enterOk(ctx, mem);
      if (holdReached(ctx.rule, 1, 0)) return enterFiring(ctx, mem, ctx.at);
      return { ...mem, lastSkip: null, clearSince: null, kind: 'pending', since: ctx.at, hits: 1 };
    case 'pending':
      if (truth === 'unknown') return { ...skipUnknown(ctx, mem), kind: 'ok' };
      if (truth === false) return enterOk(ctx, mem);
      if (holdReached(ctx.rule, prev.hits + 1, ctx.at - prev.since)) return enterFiring(ctx, mem, prev.since);
      return { ...prev, ...mem, hits: prev.hits + 1 };
    case 'firing':
      if (truth === 'unknown') return { ...prev, ...skipUnknown(ctx, mem) };
      if (truth === false) return resolve(ctx, mem, prev.since);
      return tryAct(ctx, { ...prev, ...mem });
    case 'acting':
      if (!ctx.tick.outcome) return { ...prev, ...mem };
      if (ctx.tick.outcome.ok) {
        return { ...mem, kind: 'verifying', since: prev.since, step: prev.step, attempt: prev.attempt, until: ctx.at + ctx.rule.verifyMs };
      }
      emit(ctx, { kind: 'verified', rule: ctx.rule.name, step: prev.step, helped: false, detail: ctx.tick.outcome.message });
      return advance(ctx, mem, prev, ctx.tick.outcome.message);
    case 'verifying':
      return stepVerifying(ctx, prev, mem);
    case 'exhausted':
      if (truth === false) return resolve(ctx, mem, prev.since);
      if (prev.heldPage !== undefined) return releaseHeldPage(ctx, prev, mem);
      // One page per budget window while the problem persists: re-arm a window after the page.
      if (truth === true && ctx.at - (prev.pagedAt ?? prev.since) >= ctx.rule.budget.windowMs) {
        return tryAct(ctx, { ...mem, lastSkip: null, kind: 'firing', since: prev.since, step: 0, attempt: 1, waitUntil: ctx.at });
      }
      return { ...prev, ...mem };
  }
}

function stepVerifying(ctx: Context, prev: StateOf<'verifying'>, mem: RuleMemory): RuleState {
  const { rule, at, condition } = ctx;
  if (condition.truth === true) {
    const detail = `condition still true: ${formatValues(condition.values)}`;
    emit(ctx, { kind: 'verified', rule: rule.name, step: prev.step, helped: false, detail });
    return advance(ctx, mem, prev);
  }
  if (at < prev.until) return { ...prev, ...mem };
  if (condition.truth === 'unknown') {
    emit(ctx, { kind: 'verified', rule: rule.name, step: prev.step, helped: false, detail: 'condition unknown at verify deadline' });
    return advance(ctx, mem, prev);
  }
  const detail = `condition clear for ${formatDuration(rule.verifyMs)} after the action`;
  emit(ctx, { kind: 'verified', rule: rule.name, step: prev.step, helped: true, detail });
  return resolve(ctx, mem, prev.since);
}

// A new incident: emit `fire`, then act at once unless a backoff left by earlier incidents
// still runs. The streak only resets after resetAfterMs healthy, so a crash loop spreads out.
function enterFiring(ctx: Context, mem: RuleMemory, since: number): RuleState {
  emit(ctx, { kind: 'fire', rule: ctx.rule.name, since });
  const lastActionAt = mem.actionTimes.at(-1) ?? ctx.at;
  const waitUntil = mem.streak === 0 ? ctx.at : lastActionAt + backoffDelayMs(ctx.rule, mem.streak);
  return tryAct(ctx, { ...mem, lastSkip: null, clearSince: null, kind: 'firing', since, step: 0, attempt: 1, waitUntil });
}

// The step did not help: the next attempt after a backoff, else the next rung at once, else page.
function advance(ctx: Context, mem: RuleMemory, pos: Position, failure?: string): RuleState {
  const { rule, at } = ctx;
  const base = { ...mem, kind: 'firing' as const, since: pos.since };
  if (pos.attempt < attemptsOf(rule, pos.step)) {
    return tryAct(ctx, { ...base, step: pos.step, attempt: pos.attempt + 1, waitUntil: at + backoffDelayMs(rule, mem.streak) });
  }
  if (pos.step + 1 < rule.ladder.length) return tryAct(ctx, { ...base, step: pos.step + 1, attempt: 1, waitUntil: at });
  const steps = `${rule.ladder.length} step${rule.ladder.length === 1 ? '' : 's'}`;
  const last = failure === undefined ? '' : `; last action failed: ${failure}`;
  return exhaust(ctx, mem, pos.since, 'ladder-exhausted', `tried ${steps}; the condition still holds${last}`);
}

// Checks, in order: pause (skip), budget (page), backoff, busy target (skip); otherwise act.
function tryAct(ctx: Context, firing: Firing): RuleState {
  const { rule, at } = ctx;
  const actionTimes = recentActionTimes(firing.actionTimes, at, rule.budget.windowMs);
  const mem: RuleMemory = { ...memoryOf(firing), actionTimes };
  // Paused first: a pause holds the budget page too, and the backoff still runs when it ends.
  if (ctx.tick.paused) {
    return { ...firing, ...skip(ctx, mem, 'paused', `the rule is paused; step ${firing.step + 1}/${rule.ladder.length} held back`) };
  }
  const rung = rule.ladder[firing.step];
  if (!rung) return exhaust(ctx, mem, firing.since, 'ladder-exhausted', 'the rule has no actions; the condition still holds');
  if (actionTimes.length >= rule.budget.count) {
    const window = formatDuration(rule.budget.windowMs);
    const detail = `${actionTimes.length} actions in the last ${window} (budget ${rule.budget.count} per ${window})`;
    return exhaust(ctx, mem, firing.since, 'budget-spent', detail);
  }
  const where = `step ${firing.step + 1}/${rule.ladder.length}, attempt ${firing.attempt}/${attemptsOf(rule, firing.step)}`;
  if (at < firing.waitUntil) {
    return { ...firing, ...skip(ctx, mem, 'backoff', `next attempt in ${formatDuration(firing.waitUntil - at)} (${where})`) };
  }
  const target = actionTarget(rung.action);
  if (target !== null && ctx.tick.busyTargets.has(target)) {
    return { ...firing, ...skip(ctx, mem, 'target-busy', `${target} is busy with another rule's action (${where})`) };
  }
  emit(ctx, { kind: 'act', rule: rule.name, step: firing.step, attempt: firing.attempt, action: rung.action });
  return {
    ...mem,
    actionTimes: [...actionTimes, at],
    streak: mem.streak + 1,
    lastSkip: null,
    kind: 'acting',
    since: firing.since,
    step: firing.step,
    attempt: firing.attempt,
    startedAt: at,
  };
}

function exhaust(ctx: Context, mem: RuleMemory, since: number, reason: PageReason, detail: string): RuleState {
  if (ctx.tick.paused) {
    // Journaled every time (not deduplicated): it is the record of a page that did not go out.
    emit(ctx, { kind: 'skip', rule: ctx.rule.name, reason: 'paused', detail: `page held while paused: ${detail}` });
    return { ...mem, lastSkip: 'paused', kind: 'exhausted', since, reason, heldPage: detail };
  }
  emit(ctx, { kind: 'page', rule: ctx.rule.name, reason, detail });
  return { ...mem, lastSkip: null, kind: 'exhausted', since, reason, pagedAt: ctx.at };
}

// The pause that held the page has ended and the problem is still there (or unknown): page now.
function releaseHeldPage(ctx: Context, prev: StateOf<'exhausted'>, mem: RuleMemory): RuleState {
  if (ctx.tick.paused) return { ...prev, ...mem };
  emit(ctx, { kind: 'page', rule: ctx.rule.name, reason: prev.reason, detail: prev.heldPage ?? '' });
  return { ...mem, lastSkip: null, kind: 'exhausted', since: prev.since, reason: prev.reason, pagedAt: ctx.at };
}

function resolve(ctx: Context, mem: RuleMemory, since: number): RuleState {
  emit(ctx, { kind: 'resolved', rule: ctx.rule.name, since });
  return enterOk(ctx, { ...mem, clearSince: null });
}

// The condition is known false: count the healthy stretch that resets the backoff streak.
function enterOk(ctx: Context, mem: RuleMemory): RuleState {
  const clearSince = mem.clearSince ?? ctx.at;
  const streak = ctx.at - clearSince >= ctx.rule.backoff.resetAfterMs ? 0 : mem.streak;
  return { ...mem, clearSince, streak, lastSkip: null, kind: 'ok' };
}

function skipUnknown(ctx: Context, mem: RuleMemory): RuleMemory {
  const reasons = ctx.tick.snapshot.unknown;
  const metrics = ctx.condition.unknown.map((key) => {
    const why = reasons.get(key) ?? reasons.get(key.split(/[.[]/)[0] ?? key);
    return why === undefined ? key : `${key} (${why})`;
  });
  return skip(ctx, mem, 'unknown-metric', `condition unknown: no value for ${metrics.join(', ')}`);
}

// The same skip is journaled once, not on every tick it repeats.
function skip(ctx: Context, mem: RuleMemory, reason: SkipReason, detail: string): RuleMemory {
  if (mem.lastSkip !== reason) emit(ctx, { kind: 'skip', rule: ctx.rule.name, reason, detail });
  return { ...mem, lastSkip: reason };
}

function emit(ctx: Context, decision: Decision): void {
  ctx.decisions.push(decision);
}

function holdReached(rule: Rule, hits: number, heldMs: number): boolean {
  return 'samples' in rule.hold ? hits >= rule.hold.samples : heldMs >= rule.hold.ms;
}

function attemptsOf(rule: Rule, step: number): number {
  return Math.max(1, rule.ladder[step]?.attempts ?? 1);
}

function memoryOf(state: RuleMemory): RuleMemory {
  return { actionTimes: [...state.actionTimes], streak: state.streak, clearSince: state.clearSince, lastSkip: state.lastSkip };
}
