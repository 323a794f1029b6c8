// Table tests for the rule state machine, modelled on Prometheus TestKeepFiringFor: each case is
// a series of samples for one metric (plus optional action outcomes and busy targets per tick)
// and the expected state and decisions after every tick.
//
// Series notation: one token per tick, 1 s apart starting at at=0. `95` a value, `_` no sample
// (unknown), `95x3` three ticks of 95. Outcomes: `.` none, `ok`/`fail` an ActionOutcome.
// Busy: `.` free, `B` worker:w busy with another rule's action. Paused: `.` no, `P` the rule is paused.
// Expected rows: `<state kind> <decisions...>` with decisions written `fire@<since>`,
// `act(<step>,<attempt>)`, `skip:<reason>`, `verified:helped|failed`, `page:<reason>`, `resolved@<since>`.
import { describe, expect, it } from 'vitest';
import { actionTarget, backoffDelayMs, evaluateRule, initialRuleState } from './evaluate-rule.js';
import type { ActionOutcome, Decision, Rule, RuleState, Snapshot, Tick } from './types.js';

const METRIC = 'memory.used_pct';
const STEP_MS = 1000;

function makeRule(overrides: Partial<Rule> = {}): Rule {
  return {
    name: 'mem-high',
    whenText: `${METRIC} > 90`,
    when: { kind: 'compare', metric: METRIC, op: '>', value: 90, text: `${METRIC} > 90` },
    hold: { samples: 1 },
    ladder: [{ action: { type: 'restart_worker', worker: 'w' }, attempts: 1 }],
    verifyMs: 2000,
    budget: { count: 10, windowMs: 3_600_000 },
    backoff: { initialMs: 1000, maxMs: 60_000, resetAfterMs: 10_000 },
    severity: 'critical',
    ...overrides,
  };
}

function makeSnapshot(at: number, value: number | undefined): Snapshot {
  return { at, values: new Map(value === undefined ? [] : [[METRIC, value]]), unknown: new Map() };
}

function makeOutcome(ok: boolean): ActionOutcome {
  return {
    ok,
    status: ok ? 'ok' : 'exit-code',
    timedOut: false,
    exitCode: ok ? 0 : 1,
    signal: null,
    durationMs: 10,
    message: ok ? 'restart-worker ok' : 'restart-worker failed with exit code 1',
    outputTail: '',
  };
}

function expand(series: string): string[] {
  return series
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((token) => {
      const repeat = /^(.+)x(\d+)$/.exec(token);
      return repeat ? Array<string>(Number(repeat[2])).fill(repeat[1]!) : [token];
    });
}

function rep(row: string, count: number): string[] {
  return Array<string>(count).fill(row);
}

function summarize(decision: Decision): string {
  switch (decision.kind) {
    case 'fire':
      return `fire@${decision.since}`;
    case 'act':
      return `act(${decision.step},${decision.attempt})`;
    case 'skip':
      return `skip:${decision.reason}`;
    case 'verified':
      return `verified:${decision.helped ? 'helped' : 'failed'}`;
    case 'page':
      return `page:${decision.reason}`;
    case 'resolved':
      return `resolved@${decision.since}`;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

interface Run {
  rows: string[];
  states: RuleState[];
  decisions: Decision[][];
}

interface Case {
  name: string;
  rule?: Partial<Rule>;
  series: string;
  outcomes?: string;
  busy?: string;
  paused?: string;
  expect: string[];
  check?: (run: Run) => void;
}

function runSeries(rule: Rule, series: string, outcomes = '', busy = '', paused = ''): Run {
  const values = expand(series);
  const outcomeTokens = expand(outcomes);
  const busyTokens = expand(busy);
  const pausedTokens = expand(paused);
  let state = initialRuleState();
  const run: Run = { rows: [], states: [], decisions: [] };
  values.forEach((token, i) => {
    const at = i * STEP_MS;
    const outcome = outcomeTokens[i];
    const tick: Tick = {
      at,
      snapshot: makeSnapshot(at, token === '_' ? undefined : Number(token)),
      busyTargets: new Set(busyTokens[i] === 'B' ? ['worker:w'] : []),
      ...(pausedTokens[i] === 'P' ? { paused: true } : {}),
      ...(outcome === 'ok' || outcome === 'fail' ? { outcome: makeOutcome(outcome === 'ok') } : {}),
    };
    // Frozen so that any mutation of `prev` throws (ESM is strict mode).
    const { next, decisions } = evaluateRule(rule, deepFreeze(state), tick);
    run.rows.push([next.kind, ...decisions.map(summarize)].join(' '));
    run.states.push(next);
    run.decisions.push(decisions);
    state = next;
  });
  return run;
}

// Invariants every series must keep, whatever the case.
function checkInvariants(run: Run): void {
  // The same skip is never journaled on two ticks in a row.
  run.decisions.forEach((tick, i) => {
    const before = new Set((run.decisions[i - 1] ?? []).flatMap((d) => (d.kind === 'skip' ? [d.reason] : [])));
    for (const decision of tick) if (decision.kind === 'skip') expect(before.has(decision.reason), `skip ${decision.reason} repeated at tick ${i}`).toBe(false);
  });
  const all = run.decisions.flat();
  // `fire` once per incident, `resolved` once when it ends.
  let open = false;
  for (const decision of all) {
    if (decision.kind === 'fire') {
      expect(open, 'fire while an incident is open').toBe(false);
      open = true;
    }
    if (decision.kind === 'resolved') {
      expect(open, 'resolved without an incident').toBe(true);
      open = false;
    }
  }
}

const cases: Case[] = [
  {
    name: 'stays ok while the condition is false',
    series: '50 50 50',
    expect: rep('ok', 3),
  },
  {
    name: 'hold by samples: pending until the 3rd true sample, then fire and act in the same tick',
    rule: { hold: { samples: 3 } },
    series: '95 95 95 95',
    expect: ['pending', 'pending', 'acting fire@0 act(0,1)', 'acting'],
  },
  {
    name: 'hold by samples: a false sample in pending goes back to ok silently and restarts the count',
    rule: { hold: { samples: 3 } },
    series: '95 95 50 95 95 95',
    expect: ['pending', 'pending', 'ok', 'pending', 'pending', 'acting fire@3000 act(0,1)'],
  },
  {
    name: 'hold by duration: fires once at - since >= ms; fire keeps the first true sample as since',
    rule: { hold: { ms: 2500 } },
    series: '95 95 95 95',
    expect: ['pending', 'pending', 'pending', 'acting fire@0 act(0,1)'],
  },
  {
    name: 'hold { ms: 0 } fires on the first true sample',
    rule: { hold: { ms: 0 } },
    series: '50 95',
    expect: ['ok', 'acting fire@1000 act(0,1)'],
  },
  {
    name: 'unknown metric in ok never fires and is reported once until the condition is known again',
    series: '_ _ _ 50 _ _',
    expect: ['ok skip:unknown-metric', 'ok', 'ok', 'ok', 'ok skip:unknown-metric', 'ok'],
  },
  {
    name: 'unknown metric in pending returns to ok with one unknown-metric skip',
    rule: { hold: { samples: 2 } },
    series: '95 _ _ 95 95',
    expect: ['pending', 'ok skip:unknown-metric', 'ok', 'pending', 'acting fire@3000 act(0,1)'],
  },
  {
    name: 'action succeeds and the condition stays clear for verifyMs → verified, resolved',
    series: '95 95 50 50 50 50',
    outcomes: '. ok',
    expect: ['acting fire@0 act(0,1)', 'verifying', 'verifying', 'ok verified:helped resolved@0', 'ok', 'ok'],
    check: ({ states }) => {
      expect(states[1]).toMatchObject({ kind: 'verifying', since: 0, step: 0, attempt: 1, until: 3000 });
      expect(states[3]).toMatchObject({ kind: 'ok', clearSince: 3000, streak: 1, lastSkip: null });
    },
  },
  {
    name: 'acting waits for the outcome whatever the condition says',
    series: '95 50 _ 95',
    expect: ['acting fire@0 act(0,1)', 'acting', 'acting', 'acting'],
    check: ({ states }) => expect(states[3]).toMatchObject({ kind: 'acting', startedAt: 0, actionTimes: [0], streak: 1 }),
  },
  {
    name: 'action outcome failure advances to the next attempt after a backoff, then pages',
    rule: { ladder: [{ action: { type: 'restart_worker', worker: 'w' }, attempts: 2 }] },
    series: '95x6',
    outcomes: '. fail . fail',
    expect: [
      'acting fire@0 act(0,1)',
      'firing verified:failed skip:backoff',
      'acting act(0,2)',
      'exhausted verified:failed page:ladder-exhausted',
      'exhausted',
      'exhausted',
    ],
    check: ({ decisions }) => {
      expect(decisions[1]![0]).toMatchObject({ kind: 'verified', helped: false, detail: 'restart-worker failed with exit code 1' });
      expect(decisions[3]![1]).toMatchObject({
        kind: 'page',
        detail: 'tried 1 step; the condition still holds; last action failed: restart-worker failed with exit code 1',
      });
    },
  },
  {
    name: 'condition still true during verify → not helped; single step ladder pages',
    series: '95 95 95 95',
    outcomes: '. ok',
    expect: ['acting fire@0 act(0,1)', 'verifying', 'exhausted verified:failed page:ladder-exhausted', 'exhausted'],
    check: ({ decisions, states }) => {
      expect(decisions[2]![0]).toMatchObject({ detail: `condition still true: ${METRIC}=95%` });
      expect(decisions[2]![1]).toMatchObject({ detail: 'tried 1 step; the condition still holds' });
      expect(states[2]).toMatchObject({ kind: 'exhausted', since: 0, reason: 'ladder-exhausted', pagedAt: 2000 });
    },
  },
  {
    name: 'condition returns during verify before the deadline → not helped',
    series: '95 95 50 95',
    outcomes: '. ok',
    expect: ['acting fire@0 act(0,1)', 'verifying', 'verifying', 'exhausted verified:failed page:ladder-exhausted'],
  },
  {
    name: 'ladder of 2 steps: step 1 does not help, step 2 runs at once and helps',
    rule: {
      ladder: [
        { action: { type: 'restart_worker', worker: 'w' }, attempts: 1 },
        { action: { type: 'exec', argv: ['drop-caches'], timeoutMs: 5000 }, attempts: 1 },
      ],
    },
    series: '95 95 95 95 50 50 50',
    outcomes: '. ok . . ok',
    expect: [
      'acting fire@0 act(0,1)',
      'verifying',
      'acting verified:failed act(1,1)',
      'acting',
      'verifying',
      'verifying',
      'ok verified:helped resolved@0',
    ],
    check: ({ decisions }) => {
      expect(decisions[2]![1]).toMatchObject({ kind: 'act', action: { type: 'exec', argv: ['drop-caches'] } });
      expect(decisions[6]![0]).toMatchObject({ kind: 'verified', step: 1, helped: true });
    },
  },
  {
    name: 'attempts: 3 with growing backoff 1s, 2s, then 4s before the next incident acts',
    rule: { ladder: [{ action: { type: 'restart_worker', worker: 'w' }, attempts: 3 }], verifyMs: 1000 },
    series: '95 95 95 95 95 95 50 50 95 95',
    outcomes: '. fail . fail . . ok',
    expect: [
      'acting fire@0 act(0,1)',
      'firing verified:failed skip:backoff',
      'acting act(0,2)',
      'firing verified:failed skip:backoff',
      'firing',
      'acting act(0,3)',
      'verifying',
      'ok verified:helped resolved@0',
      'firing fire@8000 skip:backoff',
      'acting act(0,1)',
    ],
    check: ({ states, decisions }) => {
      // After the 1st action (at 0) failed at 1000: wait 1s. After the 2nd (at 2000) failed at 3000: 2s.
      expect(states[1]).toMatchObject({ kind: 'firing', attempt: 2, waitUntil: 1000 + 1000 });
      expect(states[3]).toMatchObject({ kind: 'firing', attempt: 3, waitUntil: 3000 + 2000 });
      // A new incident before resetAfterMs: 4s after the last action (at 5000), streak 3.
      expect(states[8]).toMatchObject({ kind: 'firing', since: 8000, step: 0, attempt: 1, waitUntil: 5000 + 4000, streak: 3 });
      expect(decisions[8]![1]).toMatchObject({ kind: 'skip', reason: 'backoff', detail: 'next attempt in 1s (step 1/1, attempt 1/3)' });
      expect(states[9]).toMatchObject({ streak: 4, actionTimes: [0, 2000, 5000, 9000] });
    },
  },
  {
    name: 'busy target: skip once while another rule works on worker:w, act when it is free',
    series: '95 95 95 95',
    busy: 'B B . .',
    expect: ['firing fire@0 skip:target-busy', 'firing', 'acting act(0,1)', 'acting'],
    check: ({ decisions }) => expect(decisions[0]![1]).toMatchObject({ detail: "worker:w is busy with another rule's action (step 1/1, attempt 1/1)" }),
  },
  {
    name: 'an exec without a worker has no target and is never busy',
    rule: { ladder: [{ action: { type: 'exec', argv: ['cleanup'], timeoutMs: 1000 }, attempts: 1 }] },
    series: '95',
    busy: 'B',
    expect: ['acting fire@0 act(0,1)'],
  },
  {
    name: 'firing: unknown metric stays firing with one skip; then acts when known again',
    series: '95 _ _ 95',
    busy: 'B B B .',
    expect: ['firing fire@0 skip:target-busy', 'firing skip:unknown-metric', 'firing', 'acting act(0,1)'],
  },
  {
    name: 'firing: the problem goes away before medic acted → resolved',
    series: '95 50 50',
    busy: 'B',
    expect: ['firing fire@0 skip:target-busy', 'ok resolved@0', 'ok'],
    check: ({ states }) => expect(states[1]).toMatchObject({ kind: 'ok', clearSince: 1000, lastSkip: null, streak: 0 }),
  },
  {
    name: 'condition clears while waiting in backoff → resolved',
    rule: { ladder: [{ action: { type: 'restart_worker', worker: 'w' }, attempts: 2 }], backoff: { initialMs: 5000, maxMs: 60_000, resetAfterMs: 10_000 } },
    series: '95 95 95 50',
    outcomes: '. fail',
    expect: ['acting fire@0 act(0,1)', 'firing verified:failed skip:backoff', 'firing', 'ok resolved@0'],
    check: ({ states }) => expect(states[1]).toMatchObject({ waitUntil: 6000 }),
  },
  {
    name: 'condition unknown during verify until the deadline → not helped, next attempt',
    rule: { ladder: [{ action: { type: 'restart_worker', worker: 'w' }, attempts: 2 }], verifyMs: 3000 },
    series: '95 95 _ _ _ 95',
    outcomes: '. ok',
    expect: ['acting fire@0 act(0,1)', 'verifying', 'verifying', 'verifying', 'firing verified:failed skip:backoff', 'acting act(0,2)'],
    check: ({ decisions }) => expect(decisions[4]![0]).toMatchObject({ detail: 'condition unknown at verify deadline' }),
  },
  {
    name: 'condition unknown during verify but clear at the deadline → helped',
    rule: { verifyMs: 3000 },
    series: '95 95 _ _ 50',
    outcomes: '. ok',
    expect: ['acting fire@0 act(0,1)', 'verifying', 'verifying', 'verifying', 'ok verified:helped resolved@0'],
  },
  {
    name: 'exhausted: silent while the problem persists or is unknown; resolved when it clears',
    series: '95 95 95 95 _ 95 50 50',
    outcomes: '. ok',
    expect: ['acting fire@0 act(0,1)', 'verifying', 'exhausted verified:failed page:ladder-exhausted', 'exhausted', 'exhausted', 'exhausted', 'ok resolved@0', 'ok'],
  },
  {
    name: 'budget spent → exactly one page, nothing until the window passes, then one re-armed attempt',
    rule: {
      ladder: [{ action: { type: 'restart_worker', worker: 'w' }, attempts: 5 }],
      budget: { count: 2, windowMs: 10_000 },
      backoff: { initialMs: 1000, maxMs: 1000, resetAfterMs: 10_000 },
    },
    series: '95x16',
    outcomes: '. fail . fail',
    expect: [
      'acting fire@0 act(0,1)',
      'firing verified:failed skip:backoff',
      'acting act(0,2)',
      'exhausted verified:failed page:budget-spent',
      ...rep('exhausted', 9),
      'acting act(0,1)', // at 13000, one window after the page at 3000
      'acting',
      'acting',
    ],
    check: ({ decisions, states }) => {
      expect(decisions[3]![1]).toMatchObject({ detail: '2 actions in the last 10s (budget 2 per 10s)' });
      expect(states[3]).toMatchObject({ kind: 'exhausted', since: 0, reason: 'budget-spent', pagedAt: 3000 });
      // The re-armed round keeps the incident's start and prunes old action times.
      expect(states[13]).toMatchObject({ kind: 'acting', since: 0, step: 0, attempt: 1, actionTimes: [13_000] });
    },
  },
  {
    name: 'ladder exhausted while the problem persists: one page per budget window, same incident',
    rule: { budget: { count: 10, windowMs: 10_000 } },
    series: '95x14 50',
    outcomes: '. fail .x10 fail',
    expect: [
      'acting fire@0 act(0,1)',
      'exhausted verified:failed page:ladder-exhausted',
      ...rep('exhausted', 9),
      'acting act(0,1)', // at 11000, one window after the page at 1000; no second `fire`
      'exhausted verified:failed page:ladder-exhausted',
      'exhausted',
      'ok resolved@0',
    ],
  },
  {
    name: 'streak resets only after resetAfterMs of continuous ok',
    rule: { verifyMs: 1000, backoff: { initialMs: 1000, maxMs: 60_000, resetAfterMs: 5000 } },
    series: '95 95 50x7',
    outcomes: '. ok',
    expect: ['acting fire@0 act(0,1)', 'verifying', 'ok verified:helped resolved@0', ...rep('ok', 6)],
    check: ({ states }) => {
      expect(states.map((s) => s.streak)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0]);
      expect(states.map((s) => s.clearSince)).toEqual([null, null, 2000, 2000, 2000, 2000, 2000, 2000, 2000]);
    },
  },
  {
    name: 'a problem that returns before resetAfterMs waits out the backoff from the last action',
    rule: { verifyMs: 1000, backoff: { initialMs: 10_000, maxMs: 60_000, resetAfterMs: 5000 } },
    series: '95 95 50 50 50 95 95',
    outcomes: '. ok',
    expect: ['acting fire@0 act(0,1)', 'verifying', 'ok verified:helped resolved@0', 'ok', 'ok', 'firing fire@5000 skip:backoff', 'firing'],
    check: ({ states, decisions }) => {
      expect(states[5]).toMatchObject({ kind: 'firing', waitUntil: 10_000, clearSince: null, streak: 1 });
      expect(decisions[5]![1]).toMatchObject({ detail: 'next attempt in 5s (step 1/1, attempt 1/1)' });
    },
  },
  {
    name: 'a problem that returns after resetAfterMs healthy acts at once',
    rule: { verifyMs: 1000, backoff: { initialMs: 10_000, maxMs: 60_000, resetAfterMs: 5000 } },
    series: '95 95 50x5 50 95',
    outcomes: '. ok',
    expect: ['acting fire@0 act(0,1)', 'verifying', 'ok verified:helped resolved@0', ...rep('ok', 5), 'acting fire@8000 act(0,1)'],
  },
  {
    name: 'a true blip (pending) restarts the healthy stretch',
    rule: { hold: { samples: 2 }, verifyMs: 1000, backoff: { initialMs: 1000, maxMs: 60_000, resetAfterMs: 5000 } },
    series: '95 95 95 50 50 95 50x6',
    outcomes: '. . ok',
    expect: ['pending', 'acting fire@0 act(0,1)', 'verifying', 'ok verified:helped resolved@0', 'ok', 'pending', ...rep('ok', 6)],
    check: ({ states }) => {
      expect(states.map((s) => s.streak)).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
      expect(states[5]).toMatchObject({ kind: 'pending', clearSince: null });
      expect(states[6]).toMatchObject({ kind: 'ok', clearSince: 6000 });
    },
  },
  {
    name: 'a rule with an empty ladder pages at once',
    rule: { ladder: [] },
    series: '95 95',
    expect: ['exhausted fire@0 page:ladder-exhausted', 'exhausted'],
  },
  // ---- medic pause: observe and journal, never act or page ----
  {
    name: 'paused: fires (the incident is journaled), skips once with reason paused, stays firing; acts when the pause ends',
    series: '95x5',
    paused: 'P P P . .',
    expect: ['firing fire@0 skip:paused', 'firing', 'firing', 'acting act(0,1)', 'acting'],
    check: ({ decisions, states }) => {
      expect(decisions[0]![1]).toMatchObject({ kind: 'skip', reason: 'paused', detail: 'the rule is paused; step 1/1 held back' });
      expect(states[2]).toMatchObject({ kind: 'firing', step: 0, attempt: 1, actionTimes: [], streak: 0, lastSkip: 'paused' });
    },
  },
  {
    name: 'paused while pending: the hold is still counted; fire, then skip instead of act',
    rule: { hold: { samples: 2 } },
    series: '95 95 95',
    paused: 'P P .',
    expect: ['pending', 'firing fire@0 skip:paused', 'acting act(0,1)'],
  },
  {
    name: 'paused: the problem clears during the pause → resolved, nothing was done',
    series: '95 95 50 50',
    paused: 'P P P P',
    expect: ['firing fire@0 skip:paused', 'firing', 'ok resolved@0', 'ok'],
  },
  {
    name: 'paused during an action: the running action finishes and is verified; the next attempt is held',
    rule: { ladder: [{ action: { type: 'restart_worker', worker: 'w' }, attempts: 2 }] },
    series: '95x5',
    outcomes: '. fail',
    paused: '. P P . .',
    expect: ['acting fire@0 act(0,1)', 'firing verified:failed skip:paused', 'firing', 'acting act(0,2)', 'acting'],
  },
  {
    name: 'paused: a page the ladder would send is held (skip paused) and sent when the pause ends',
    series: '95x6',
    outcomes: '. fail',
    paused: '. P P P . .',
    expect: ['acting fire@0 act(0,1)', 'exhausted verified:failed skip:paused', 'exhausted', 'exhausted', 'exhausted page:ladder-exhausted', 'exhausted'],
    check: ({ decisions, states }) => {
      expect(decisions[1]![1]).toMatchObject({ kind: 'skip', reason: 'paused', detail: 'page held while paused: tried 1 step; the condition still holds; last action failed: restart-worker failed with exit code 1' });
      expect(states[2]).toMatchObject({ kind: 'exhausted', reason: 'ladder-exhausted', heldPage: 'tried 1 step; the condition still holds; last action failed: restart-worker failed with exit code 1' });
      expect(states[2]).not.toHaveProperty('pagedAt');
      expect(decisions[4]![0]).toMatchObject({ kind: 'page', reason: 'ladder-exhausted', detail: 'tried 1 step; the condition still holds; last action failed: restart-worker failed with exit code 1' });
      expect(states[4]).toMatchObject({ kind: 'exhausted', pagedAt: 4000 });
      expect(states[4]).not.toHaveProperty('heldPage');
    },
  },
  {
    name: 'paused: a held page is dropped when the problem clears before the pause ends',
    series: '95 95 50 50',
    outcomes: '. fail',
    paused: '. P P .',
    expect: ['acting fire@0 act(0,1)', 'exhausted verified:failed skip:paused', 'ok resolved@0', 'ok'],
  },
  {
    name: 'paused: a held page goes out after the pause even while the metric is unknown (the incident is still open)',
    series: '95 95 _ _',
    outcomes: '. fail',
    paused: '. P P .',
    expect: ['acting fire@0 act(0,1)', 'exhausted verified:failed skip:paused', 'exhausted', 'exhausted page:ladder-exhausted'],
  },
  {
    name: 'paused: the budget page waits for the end of the pause too',
    rule: { ladder: [{ action: { type: 'restart_worker', worker: 'w' }, attempts: 5 }], budget: { count: 1, windowMs: 60_000 } },
    series: '95x4',
    outcomes: '. fail',
    paused: '. P P .',
    expect: ['acting fire@0 act(0,1)', 'firing verified:failed skip:paused', 'firing', 'exhausted page:budget-spent'],
  },
  {
    name: 'paused: a backoff that ran out during the pause lets the rule act as soon as it ends',
    rule: { ladder: [{ action: { type: 'restart_worker', worker: 'w' }, attempts: 2 }], backoff: { initialMs: 2000, maxMs: 60_000, resetAfterMs: 60_000 } },
    series: '95x6',
    outcomes: '. fail',
    paused: '. P P P . .',
    expect: ['acting fire@0 act(0,1)', 'firing verified:failed skip:paused', 'firing', 'firing', 'acting act(0,2)', 'acting'],
  },
];

describe('evaluateRule: transitions', () => {
  it.each(cases)('$name', (testCase) => {
    const run = runSeries(makeRule(testCase.rule), testCase.series, testCase.outcomes, testCase.busy, testCase.paused);
    expect(run.rows).toEqual(testCase.expect);
    checkInvariants(run);
    testCase.check?.(run);
  });
});

describe('evaluateRule: a crash-looping worker', () => {
  it('over 60 simulated seconds acts a bounded number of times, spreading out, and pages exactly once', () => {
    const rule = makeRule({
      name: 'worker-down',
      when: { kind: 'compare', metric: 'worker.w.up', op: '==', value: 0, text: 'worker.w.up == 0' },
      ladder: [{ action: { type: 'restart_worker', worker: 'w' }, attempts: 3 }],
      verifyMs: 2000,
      budget: { count: 5, windowMs: 600_000 },
      backoff: { initialMs: 1000, maxMs: 30_000, resetAfterMs: 30_000 },
    });
    let state = initialRuleState();
    let upFrom = Infinity;
    let upUntil = -Infinity;
    let outcomeDue = false;
    const decisions: Array<Decision & { at: number }> = [];
    for (let at = 0; at <= 60_000; at += STEP_MS) {
      const up = at >= upFrom && at < upUntil ? 1 : 0;
      const tick: Tick = {
        at,
        snapshot: { at, values: new Map([['worker.w.up', up]]), unknown: new Map() },
        busyTargets: new Set(),
        ...(outcomeDue ? { outcome: makeOutcome(true) } : {}),
      };
      outcomeDue = false;
      const result = evaluateRule(rule, deepFreeze(state), tick);
      for (const decision of result.decisions) {
        decisions.push({ ...decision, at });
        // The restart works: the worker is up from the next tick and crashes 3 s later.
        if (decision.kind === 'act') {
          outcomeDue = true;
          upFrom = at + STEP_MS;
          upUntil = at + STEP_MS + 3000;
        }
      }
      state = result.next;
    }
    const acts = decisions.filter((d) => d.kind === 'act').map((d) => d.at);
    const pages = decisions.filter((d) => d.kind === 'page');
    // Each restart "helps" for a moment, so every crash is a new incident; the streak never
    // resets (30 s healthy never happens), so the gaps grow, and the budget caps the total.
    expect(acts).toEqual([0, 4000, 8000, 12_000, 20_000]);
    expect(pages).toEqual([{ kind: 'page', rule: 'worker-down', reason: 'budget-spent', detail: '5 actions in the last 10m (budget 5 per 10m)', at: 24_000 }]);
    expect(decisions.filter((d) => d.at > 24_000)).toEqual([]);
    expect(state).toMatchObject({ kind: 'exhausted', reason: 'budget-spent', since: 24_000, streak: 5 });
    expect(decisions.filter((d) => d.kind === 'fire')).toHaveLength(6);
    expect(decisions.filter((d) => d.kind === 'resolved')).toHaveLength(5);
  });
});

describe('evaluateRule: details and purity', () => {
  it('names the unknown metrics and why, from the snapshot, in the skip detail', () => {
    const rule = makeRule();
    const byKey: Snapshot = { at: 0, values: new Map(), unknown: new Map([[METRIC, 'meminfo has no MemAvailable']]) };
    const bySource: Snapshot = { at: 0, values: new Map(), unknown: new Map([['memory', 'reading /proc/meminfo failed: EACCES']]) };
    const none: Snapshot = { at: 0, values: new Map(), unknown: new Map() };
    const detailFor = (snapshot: Snapshot): unknown => evaluateRule(rule, initialRuleState(), { at: 0, snapshot, busyTargets: new Set() }).decisions[0];
    expect(detailFor(byKey)).toEqual({ kind: 'skip', rule: 'mem-high', reason: 'unknown-metric', detail: `condition unknown: no value for ${METRIC} (meminfo has no MemAvailable)` });
    expect(detailFor(bySource)).toMatchObject({ detail: `condition unknown: no value for ${METRIC} (reading /proc/meminfo failed: EACCES)` });
    expect(detailFor(none)).toMatchObject({ detail: `condition unknown: no value for ${METRIC}` });
  });

  it('returns the condition result and full decisions', () => {
    const result = evaluateRule(makeRule(), initialRuleState(), { at: 5000, snapshot: makeSnapshot(5000, 97), busyTargets: new Set() });
    expect(result.condition).toEqual({ truth: true, values: { [METRIC]: 97 }, unknown: [] });
    expect(result.decisions).toEqual([
      { kind: 'fire', rule: 'mem-high', since: 5000 },
      { kind: 'act', rule: 'mem-high', step: 0, attempt: 1, action: { type: 'restart_worker', worker: 'w' } },
    ]);
    expect(result.next).toEqual({ kind: 'acting', since: 5000, step: 0, attempt: 1, startedAt: 5000, actionTimes: [5000], streak: 1, clearSince: null, lastSkip: null });
  });

  it('never mutates prev and never shares its arrays', () => {
    const prev: RuleState = { kind: 'firing', since: 0, step: 0, attempt: 1, waitUntil: 0, actionTimes: [1, 2], streak: 2, clearSince: null, lastSkip: 'backoff' };
    const copy = structuredClone(prev);
    const { next } = evaluateRule(makeRule(), prev, { at: 10_000, snapshot: makeSnapshot(10_000, 95), busyTargets: new Set() });
    expect(prev).toEqual(copy);
    expect(next.kind).toBe('acting');
    expect(next.actionTimes).not.toBe(prev.actionTimes);
    const stay = evaluateRule(makeRule(), next, { at: 11_000, snapshot: makeSnapshot(11_000, 95), busyTargets: new Set() }).next;
    expect(stay).not.toBe(next);
    expect(stay.actionTimes).not.toBe(next.actionTimes);
  });

  it('a rule that runs on its schedule only (no when:) is left alone: the daemon runs it from cron', () => {
    const { when: _when, ...scheduled } = makeRule({ schedule: { cron: '0 3 * * *' }, whenText: '' });
    const prev = initialRuleState();
    const result = evaluateRule(scheduled, prev, { at: 0, snapshot: makeSnapshot(0, 99), busyTargets: new Set() });
    expect(result).toEqual({ next: prev, decisions: [], condition: { truth: false, values: {}, unknown: [] } });
  });

  it('exhausted states saved without pagedAt re-arm a window after the incident start', () => {
    const prev: RuleState = { kind: 'exhausted', since: 0, reason: 'ladder-exhausted', actionTimes: [0], streak: 1, clearSince: null, lastSkip: null };
    const rule = makeRule({ budget: { count: 10, windowMs: 10_000 } });
    const tickAt = (at: number): Tick => ({ at, snapshot: makeSnapshot(at, 95), busyTargets: new Set() });
    expect(evaluateRule(rule, prev, tickAt(9999)).decisions).toEqual([]);
    expect(evaluateRule(rule, prev, tickAt(10_000)).decisions.map(summarize)).toEqual(['act(0,1)']);
  });
});

describe('actionTarget', () => {
  it.each([
    [{ type: 'restart_worker', worker: 'render' }, 'worker:render'],
    [{ type: 'exec', argv: ['/usr/local/bin/flush', 'render'], timeoutMs: 1000, worker: 'render' }, 'worker:render'],
    [{ type: 'exec', argv: ['/usr/bin/journalctl', '--vacuum-size=1G'], timeoutMs: 1000 }, null],
  ] as const)('%o → %s', (action, target) => {
    expect(actionTarget(action as Parameters<typeof actionTarget>[0])).toBe(target);
  });
});

describe('initialRuleState and backoffDelayMs', () => {
  it('starts ok with an empty memory', () => {
    expect(initialRuleState()).toEqual({ kind: 'ok', actionTimes: [], streak: 0, clearSince: null, lastSkip: null });
    expect(initialRuleState().actionTimes).not.toBe(initialRuleState().actionTimes);
  });

  it('is re-exported from evaluate-rule', () => {
    expect([0, 1, 2, 3].map((streak) => backoffDelayMs(makeRule(), streak))).toEqual([0, 1000, 2000, 4000]);
  });
});
