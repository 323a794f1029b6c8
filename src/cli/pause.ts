// `medic pause [RULE...|--all] --for 2h --reason "..."` and `medic resume [RULE...|--all]`: for a
// maintenance window or an engineer already on the host. Written to the journal, where the running
// daemon reads it at its next tick; the rules keep observing and journaling but neither act nor page.
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { formatDuration, parseDuration } from '../core/durations.js';
import { formatConfigIssue } from '../core/errors.js';
import { formatSuggestion } from '../core/nearest.js';
import { loadConfig } from '../config/load-config.js';
import { Journal } from '../journal/journal.js';
import { ALL_RULES, findActivePause } from '../journal/pause-store.js';
import { formatTime } from './format.js';
import { rulesPath, statePath, type PathOptions } from './paths.js';

export interface PauseOptions extends PathOptions {
  all?: boolean;
  for?: string;
  reason?: string;
}

type Print = (line: string) => void;

/** Usage mistakes exit 2, like commander's own. */
const USAGE = 2;

export function pauseRules(names: string[], options: PauseOptions, out: Print, err: Print, env: NodeJS.ProcessEnv = process.env, now = Date.now()): number {
  const rules = selectRules(names, options, err);
  if (rules === null) return USAGE;
  const forMs = options.for === undefined ? null : parseDuration(options.for);
  if (forMs === null || forMs <= 0) {
    err(`--for: expected how long to pause, like "2h" or "30m", got ${options.for === undefined ? 'nothing' : JSON.stringify(options.for)}`);
    return USAGE;
  }
  const reason = options.reason?.trim() ?? '';
  if (reason === '') {
    err('--reason: say why (it is journaled and shown in medic diagnose), e.g. --reason "deploying v2"');
    return USAGE;
  }
  if (!checkRuleNames(rules, options, err)) return USAGE;
  const who = whoAmI(env);
  const until = now + forMs;
  return withJournal(options, err, (journal) => {
    journal.pauses.pause({ rules, at: now, until, reason, who });
    const what = rules[0] === ALL_RULES ? 'all rules' : rules.join(', ');
    out(`paused ${what} for ${formatDuration(forMs)}, until ${formatTime(until)}, by ${who}: ${reason}`);
    out('medic keeps observing and journaling these rules but takes no action and holds pages; the running daemon picks this up at its next tick');
    return 0;
  });
}

export function resumeRules(names: string[], options: PauseOptions, out: Print, err: Print, env: NodeJS.ProcessEnv = process.env, now = Date.now()): number {
  const rules = selectRules(names, options, err);
  if (rules === null) return USAGE;
  if (!checkRuleNames(rules, options, err)) return USAGE;
  const who = whoAmI(env);
  return withJournal(options, err, (journal) => {
    const rows = journal.pauses.rows();
    journal.pauses.resume({ rules, at: now, who });
    if (rules[0] === ALL_RULES) {
      const paused = [...new Set(rows.filter((r) => r.kind === 'pause').map((r) => r.rule))].filter((rule) => findActivePause(rows, rule, now));
      out(paused.length ? `resumed every rule (paused were: ${paused.map((r) => (r === ALL_RULES ? 'all rules' : r)).join(', ')})` : 'resumed every rule (none was paused)');
    }
    for (const rule of rules.filter((r) => r !== ALL_RULES)) {
      const pause = findActivePause(rows, rule, now);
      out(pause ? `resumed ${rule} (was paused by ${pause.who} until ${formatTime(pause.until)}: ${pause.reason})` : `${rule} was not paused; nothing to resume`);
    }
    return 0;
  });
}

/** $SUDO_USER first: `sudo medic pause` should name the engineer, not root. */
export function whoAmI(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.SUDO_USER || env.USER || env.LOGNAME;
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function selectRules(names: string[], options: PauseOptions, err: Print): string[] | null {
  if (options.all && names.length > 0) {
    err('name rules or give --all, not both');
    return null;
  }
  if (!options.all && names.length === 0) {
    err('name the rules (medic diagnose lists them) or give --all');
    return null;
  }
  return options.all ? [ALL_RULES] : [...new Set(names)];
}

/** A typo would pause nothing and resume nothing, silently: check names against the rules when they load. */
function checkRuleNames(rules: string[], options: PauseOptions, err: Print): boolean {
  if (rules[0] === ALL_RULES) return true;
  const location = rulesPath(options);
  const loaded = loadConfig(location);
  if (!loaded.ok) {
    err(`warning: cannot check rule names against ${location}: ${loaded.errors.map(formatConfigIssue)[0] ?? 'invalid rules'}`);
    return true;
  }
  const known = loaded.config.rules.map((rule) => rule.name);
  const unknown = rules.filter((rule) => !known.includes(rule));
  for (const rule of unknown) err(`unknown rule "${rule}"${formatSuggestion(rule, known) || ` (rules: ${known.join(', ')})`}`);
  return unknown.length === 0;
}

function withJournal(options: PathOptions, err: Print, use: (journal: Journal) => number): number {
  let journal: Journal;
  try {
    journal = Journal.open(join(statePath(options), 'journal.sqlite'));
  } catch (error) {
    err((error as Error).message);
    return 1;
  }
  try {
    return use(journal);
  } finally {
    journal.close();
  }
}
