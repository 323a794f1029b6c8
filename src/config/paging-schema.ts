// `paging:` in the rules: where pages go (routes naming an environment variable, a file or a
// channel, never the webhook URL itself), reminders, grouping, the hourly limit and the
// dead-man's switch. A URL pasted anywhere in this section is refused without being repeated:
// the rules file is not a place for secrets, and neither are error messages.
import path from 'node:path';
import { z } from 'zod';
import { parseDuration } from '../core/durations.js';
import type { ConfigIssue } from '../core/errors.js';
import { formatSuggestion } from '../core/nearest.js';
import type { PageTarget, PagingConfig } from '../core/types.js';
import { budgetField, describeValue, durationField, textField } from './fields.js';
import { locatePath, type YamlSource } from './locate.js';

export const PAGING_DEFAULTS = {
  reminderMs: parseDuration('4h')!,
  groupWindowMs: parseDuration('30s')!,
  rateLimit: { count: 20, windowMs: parseDuration('1h')! },
  storageProbeMs: parseDuration('30s')!,
  deadmanEveryMs: parseDuration('1m')!,
  botTokenEnv: 'MEDIC_SLACK_BOT_TOKEN',
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ROUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const CHANNEL = /^[#@]?[A-Za-z0-9._-]{1,80}$/;
const LOOKS_LIKE_URL = /^\s*[a-z][a-z0-9+.-]*:\/\//i;

const URL_MESSAGE = 'this looks like a URL: the rules file must not hold the webhook URL (it is a secret). Put it in an environment variable or a root-only file and name that here (webhook_env: MEDIC_SLACK_WEBHOOK_URL_GPU, or webhook_file: /etc/medic/gpu-webhook)';

function envNameField(example: string) {
  return textField.regex(ENV_NAME, { error: (issue) => `expected the name of an environment variable like ${example}, got ${describeValue(issue.input)}` });
}

const targetShape = {
  webhook_env: envNameField('MEDIC_SLACK_WEBHOOK_URL_GPU').optional(),
  webhook_file: textField.optional(),
  channel: textField.regex(CHANNEL, { error: (issue) => `expected a channel id like C0123ABC or a name like #oncall, got ${describeValue(issue.input)}` }).optional(),
};

type TargetInput = { webhook_env?: string | undefined; webhook_file?: string | undefined; channel?: string | undefined };

function checkTarget(target: TargetInput, ctx: z.core.$RefinementCtx<TargetInput>): void {
  if (!target.webhook_env && !target.webhook_file && !target.channel) {
    ctx.addIssue({ code: 'custom', message: 'a route needs webhook_env, webhook_file or channel', params: { at: 'key' } });
  }
  if (target.webhook_env && target.webhook_file) {
    ctx.addIssue({ code: 'custom', path: ['webhook_file'], message: 'a route takes one of webhook_env or webhook_file, not both', params: { at: 'key' } });
  }
}

const strict = <T extends z.core.$ZodLooseShape>(shape: T, looksLike: string) =>
  z.strictObject(shape, { error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? `expected ${looksLike}, got ${describeValue(issue.input)}` : undefined) });

const routeSchema = strict(
  {
    name: textField.regex(ROUTE_NAME, { error: (issue) => `expected a route name of letters, digits and _ . -, got ${describeValue(issue.input)}` }),
    rules: z.array(textField, { error: (issue) => (issue.input === undefined ? undefined : `expected a list of rule names, got ${describeValue(issue.input)}`) }).min(1).optional(),
    severity: z.enum(['critical', 'warning']).optional(),
    ...targetShape,
  },
  'a route like { name: gpu, rules: [gpu-hot], webhook_env: MEDIC_SLACK_WEBHOOK_URL_GPU }',
).superRefine((route, ctx) => {
  checkTarget(route, ctx);
  if (route.name === 'default') ctx.addIssue({ code: 'custom', path: ['name'], message: 'the default route is set with paging.default, not in routes' });
  if ((route.rules === undefined) === (route.severity === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'a route takes exactly one of rules or severity', params: { at: 'key' } });
  }
});

const pagingObject = strict(
  {
    default: strict(targetShape, 'a mapping like { webhook_env: MEDIC_SLACK_WEBHOOK_URL }').superRefine(checkTarget).optional(),
    routes: z.array(routeSchema, { error: (issue) => (issue.input === undefined ? undefined : `expected a list of routes, got ${describeValue(issue.input)}`) }).optional(),
    slack_bot: strict({ token_env: envNameField('MEDIC_SLACK_BOT_TOKEN') }, 'a mapping like { token_env: MEDIC_SLACK_BOT_TOKEN }').optional(),
    reminder: durationField({ example: '4h' }).default(PAGING_DEFAULTS.reminderMs),
    group_window: durationField({ example: '30s', allowZero: true }).default(PAGING_DEFAULTS.groupWindowMs),
    rate_limit: budgetField.default(PAGING_DEFAULTS.rateLimit),
    storage_probe: durationField({ example: '30s' }).default(PAGING_DEFAULTS.storageProbeMs),
    deadman: strict(
      { url_env: envNameField('MEDIC_DEADMAN_URL'), every: durationField({ example: '1m' }).default(PAGING_DEFAULTS.deadmanEveryMs), method: z.enum(['GET', 'POST']).default('POST') },
      'a mapping like { url_env: MEDIC_DEADMAN_URL, every: 1m }',
    ).optional(),
  },
  'a mapping like { default: { webhook_env: MEDIC_SLACK_WEBHOOK_URL }, reminder: 4h }',
).superRefine((paging, ctx) => {
  const seen = { name: new Map<string, number>(), rule: new Map<string, number>(), severity: new Map<string, number>() };
  (paging.routes ?? []).forEach((route, index) => {
    const clash = (kind: keyof typeof seen, key: string, at: Array<string | number>) => {
      const first = seen[kind].get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['routes', index, ...at], message: `${kind} ${JSON.stringify(key)} is already routed by routes[${first}]` });
      else seen[kind].set(key, index);
    };
    clash('name', route.name, ['name']);
    route.rules?.forEach((rule, r) => clash('rule', rule, ['rules', r]));
    if (route.severity) clash('severity', route.severity, ['severity']);
  });
});

/** Refuses any URL in the section before anything else looks at it, so no other message repeats it. */
export const pagingSchema = z
  .unknown()
  .transform((value, ctx) => {
    const urls = findUrlPaths(value, []);
    for (const at of urls) ctx.addIssue({ code: 'custom', path: at, message: URL_MESSAGE });
    return urls.length > 0 ? z.NEVER : value;
  })
  .pipe(pagingObject);

export type PagingInput = z.output<typeof pagingObject>;

function findUrlPaths(value: unknown, at: Array<string | number>): Array<Array<string | number>> {
  if (typeof value === 'string') return LOOKS_LIKE_URL.test(value) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => findUrlPaths(item, [...at, index]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => findUrlPaths(item, [...at, key]));
  return [];
}

/** Validated input -> PagingConfig; webhook files resolve against the rules file's folder. */
export function buildPagingConfig(input: PagingInput, baseDir: string): PagingConfig {
  const target = (t: TargetInput): PageTarget => ({
    ...(t.webhook_env ? { webhookEnv: t.webhook_env } : {}),
    ...(t.webhook_file ? { webhookFile: path.resolve(baseDir, t.webhook_file) } : {}),
    ...(t.channel ? { channel: t.channel } : {}),
  });
  return {
    ...(input.default ? { default: target(input.default) } : {}),
    routes: (input.routes ?? []).map((r) => ({ name: r.name, ...(r.rules ? { rules: r.rules } : {}), ...(r.severity ? { severity: r.severity } : {}), ...target(r) })),
    botTokenEnv: input.slack_bot?.token_env ?? PAGING_DEFAULTS.botTokenEnv,
    reminderMs: input.reminder,
    groupWindowMs: input.group_window,
    rateLimit: { ...input.rate_limit },
    storageProbeMs: input.storage_probe,
    ...(input.deadman ? { deadman: { urlEnv: input.deadman.url_env, everyMs: input.deadman.every, method: input.deadman.method } } : {}),
  };
}

/** `paging:` in one file only; routes name rules that exist somewhere in the rules location. */
export function checkPagingNames(sources: YamlSource[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const rules = new Set<string>();
  for (const { data } of sources) {
    const doc = asRecord(data);
    for (const rule of Array.isArray(doc?.rules) ? doc.rules : []) {
      const name = asRecord(rule)?.name;
      if (typeof name === 'string') rules.add(name);
    }
    for (const [worker, spec] of Object.entries(asRecord(doc?.workers) ?? {})) {
      if (asRecord(spec)?.start !== undefined && asRecord(spec)?.restart_policy !== 'off') rules.add(`${worker}:down`);
    }
  }
  let first: YamlSource | undefined;
  for (const source of sources) {
    const paging = asRecord(source.data)?.paging;
    if (paging === undefined) continue;
    if (first) {
      const place = locatePath(first, ['paging'], 'key');
      issues.push({ file: source.file, ...locatePath(source, ['paging'], 'key'), path: 'paging', message: `paging may appear in only one file; already set at ${first.file}:${place.line}:${place.col}` });
      continue;
    }
    first = source;
    const routes = asRecord(paging)?.routes;
    (Array.isArray(routes) ? routes : []).forEach((route: unknown, index) => {
      const names = asRecord(route)?.rules;
      (Array.isArray(names) ? names : []).forEach((name: unknown, r) => {
        if (typeof name !== 'string' || rules.has(name) || LOOKS_LIKE_URL.test(name)) return;
        const docPath = ['paging', 'routes', index, 'rules', r];
        issues.push({ file: source.file, ...locatePath(source, docPath), path: `paging.routes[${index}].rules[${r}]`, message: `undefined rule "${name}"${formatSuggestion(name, rules) || ` (rules: ${[...rules].join(', ') || 'none'})`}` });
      });
    });
  }
  return issues;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
