// The daemon: the one place where the adapters meet. Each tick samples the host, hands every rule
// to the pure engine, and carries out the decisions: journal first, then act, then page.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { evaluateRule } from '../core/evaluate-rule.js';
import type { ActionOutcome, ActionSpec, Config, Decision, Rule, Snapshot, WorkerSpec } from '../core/types.js';
import type { ConditionResult } from '../core/evaluate-condition.js';
import { formatConfigIssue } from '../core/errors.js';
import { formatValues } from '../core/format-metric.js';
import { loadConfig } from '../config/load-config.js';
import { Journal } from '../journal/journal.js';
import { Pager } from '../pager/pager.js';
import { listPagingSecretEnvNames } from '../pager/secret-env-names.js';
import { registerSecretEnvNames } from '../os/child-env.js';
import { describeAction, runAction } from '../actions/run-action.js';
import { endOrphanedCommands } from './end-orphaned-commands.js';
import { killAllCommands } from '../actions/run-command.js';
import { Supervisor, type ManagedWorkerSpec } from '../supervisor/supervisor.js';
import { SamplingScheduler } from '../samplers/sampling-scheduler.js';
import { diskPathsOf, MountCache } from '../samplers/disk-paths.js';
import { snapshotForRule } from './verify-snapshot.js';
import { buildPageContent } from './page-content.js';
import { carryRuleRuntimes, restoreRuleRuntimes, type RuleRuntime } from './rule-runtime.js';
import { createNotifier, type Notifier } from './sd-notify.js';
import { probeWorkers } from './worker-probes.js';
import { Healing } from './healing.js';
import { runJournaledAction, type JournaledActionDeps } from './journaled-action.js';
import { SafeJournal } from './safe-journal.js';
import type { Logger } from './logger.js';
import { createChildOutputRedactor, type ChildOutputRedactor } from './redact-child-output.js';
import { buildDaemonStatus, type DaemonStatus } from './daemon-status.js';
import { LiveView } from './live-view.js';
import { PauseWatch } from './pause-watch.js';
import { RuleScheduler } from './rule-scheduler.js';
import { ScheduledRunner } from './scheduled-run.js';
import { isDryRun, journalWouldFire, journalWouldPage, runDry } from './shadow.js';

export interface DaemonOptions {
  rulesPath: string;
  stateDir: string;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** `medic run --dry-run`: every rule in shadow mode (decisions journaled as "would have", nothing executed). */
  dryRun?: boolean;
}

export class Daemon {
  private config: Config;
  private runtimes: Map<string, RuleRuntime>;
  private readonly busyTargets = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Restarts of systemd and command workers; managed workers count their own. */
  private readonly restarts = new Map<string, number>();
  private readonly supervisor: Supervisor;
  /** Throttles, scaling and replicas: what the healing actions did and must undo. */
  private readonly healing: Healing;
  /** Host in the tick; GPU and queues in the background, each on its own interval. */
  private readonly sampler: SamplingScheduler;
  /** Routes, outbox, reminders, follow-ups, dead-man's switch, direct pages when the journal fails. */
  private readonly pager: Pager;
  /** Worker lines and action outcomes pass it before the log and the journal. */
  private readonly childOutput: ChildOutputRedactor;
  private readonly notifier: Notifier;
  private readonly host: string;
  private timer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private ticking = false;
  private tickAgain = false;
  private stopping = false;
  private lastTickEndedAt = 0;
  private lastSnapshot: Snapshot | undefined;
  private startedAt = 0;
  /** Status socket and Prometheus endpoint; from begin() to stop(). */
  private live: LiveView | undefined;
  /** `medic pause` / `medic resume`, read from the journal at each tick. */
  private readonly pauses: PauseWatch;
  /** Rules with a `schedule:` run from node-cron, not from the tick. */
  private readonly scheduler: RuleScheduler;
  /** Every local mount gets disk metrics; the list is re-read every few minutes and on reload. */
  private readonly mounts = new MountCache();
  /** The journal's writes as the tick makes them: a full or failing disk does not stop healing. */
  private readonly safe: SafeJournal;

  private constructor(
    private readonly options: DaemonOptions,
    private readonly journal: Journal,
    config: Config,
  ) {
    const log = options.logger;
    const env = options.env ?? process.env;
    this.config = config;
    this.safe = new SafeJournal(journal, { logger: log, now: () => this.now(), onStorageError: (error, at) => void this.pager.noteError(error, at) });
    // Before any worker or command starts: the env names `paging:` reads secrets from stay out of children.
    registerSecretEnvNames(listPagingSecretEnvNames(config.paging));
    this.childOutput = createChildOutputRedactor(env, () => this.pager.outbox.redactor);
    this.host = config.settings.host ?? hostname();
    this.runtimes = restoreRuleRuntimes(journal, config.rules, this.now());
    this.pauses = new PauseWatch(journal, log);
    this.scheduler = this.createScheduler();
    this.supervisor = new Supervisor({
      stateDir: options.stateDir,
      now: () => this.now(),
      onOutput: (worker, stream, line) => log.info({ worker, stream }, this.childOutput.text(line)),
    });
    this.healing = new Healing({ stateDir: options.stateDir, supervisor: this.supervisor, journal: this.safe, logger: log, now: () => this.now(), redact: (text) => this.childOutput.text(text) });
    this.supervisor.on('exit', (name: string, exit: { code: number | null; signal: string | null; expected?: boolean }) => {
      if (exit.expected) return;
      log.warn({ worker: name, code: exit.code, signal: exit.signal }, `worker ${name} exited (${exit.signal ?? `code ${exit.code}`})`);
      this.requestTick();
    });
    this.sampler = new SamplingScheduler({
      config,
      now: () => this.now(),
      log: (level, message, data) => log[level](data ?? {}, message),
      host: {
        diskPaths: () => diskPathsOf(this.config.rules, this.mounts.list()),
        workerProbes: async () => [...(await probeWorkers(this.config.workers.values(), { supervisor: this.supervisor, restarts: this.restarts })), ...this.healing.probes(this.config)],
      },
    });
    this.pager = new Pager({
      journal, paging: config.paging, env, host: this.host, stateDir: options.stateDir, now: () => this.now(),
      log: (level, message, data) => log[level](data ?? {}, message),
      isPaused: (rule) => this.pauses.isPaused(rule),
    });
    this.notifier = createNotifier(env, (error) => log.warn(`sd_notify failed: ${error.message}`));
  }

  /** Opens the journal, loads the rules (throws ConfigError when they are broken), starts the workers. */
  static async start(options: DaemonOptions): Promise<Daemon> {
    const log = options.logger;
    const journal = Journal.open(join(options.stateDir, 'journal.sqlite'));
    const now = options.now ?? Date.now;
    const loaded = loadConfig(options.rulesPath);
    if (!loaded.ok) {
      journal.event({ at: now(), kind: 'start-failed', message: `rules invalid: ${loaded.errors.length} error(s)` });
      journal.close();
      throw new RulesInvalidError(loaded.errors.map(formatConfigIssue));
    }
    for (const warning of loaded.warnings) log.warn(formatConfigIssue(warning));
    const daemon = new Daemon(options, journal, loaded.config);
    // Incidents whose rule state was restored stay open; the rest were orphaned by the outage.
    const keepOpen = [...daemon.runtimes.values()].flatMap((r) => (r.incidentId === null ? [] : [r.incidentId]));
    const orphans = journal.runningActionProcesses();
    const interrupted = journal.markInterrupted(now(), { keepOpen });
    if (interrupted.actions > 0) log.warn(`${interrupted.actions} action(s) were running when medic last stopped; marked interrupted`);
    await endOrphanedCommands({ journal, log, now }, orphans);
    await daemon.begin(loaded.config.files);
    return daemon;
  }

  private async begin(files: string[]): Promise<void> {
    const log = this.options.logger;
    const { rules, workers } = this.config;
    this.journal.event({ at: this.now(), kind: 'start', message: `medic started with ${rules.length} rule(s) from ${files.join(', ')}` });
    log.info(`medic started: ${rules.length} rule(s), ${workers.size} worker(s), sampling every ${this.config.settings.intervalMs} ms`);
    for (const spec of managedWorkers(workers.values())) {
      const outcome = await this.supervisor.start(spec);
      const reclaimed = outcome.details?.reclaimedPid;
      if (reclaimed !== undefined) {
        const message = `stopped worker ${spec.name} (pid ${String(reclaimed)}) left running by a previous medic`;
        this.journal.event({ at: this.now(), kind: 'worker-reclaimed', message, data: { worker: spec.name, pid: reclaimed } });
        log.warn(message);
      }
      if (outcome.ok) log.info(`started worker ${spec.name} (pid ${String(outcome.details?.pid)})`);
      else log.error(`could not start worker ${spec.name}: ${outcome.message}`);
    }
    await this.healing.begin(this.config);
    this.startedAt = this.now();
    this.live = await LiveView.start({ stateDir: this.options.stateDir, prometheus: this.config.settings.prometheus, source: this, log });
    await this.sampler.start();
    if (this.options.dryRun) this.journal.event({ at: this.now(), kind: 'dry-run', message: 'dry run: every decision is journaled as "would have"; nothing is executed' });
    if (this.options.dryRun) log.warn('dry run: every decision is journaled as "would have"; nothing is executed');
    this.requestTick();
    this.scheduler.sync(this.config.rules);
    this.startWatchdog();
    this.notifier.notify('READY=1');
  }

  get rules(): Rule[] {
    return this.config.rules;
  }

  ruleStates(): Map<string, RuleRuntime> {
    return this.runtimes;
  }

  snapshot(): Snapshot | undefined {
    return this.lastSnapshot;
  }

  /** The live view the status socket answers and `medic diagnose` shows. */
  status(): DaemonStatus {
    return buildDaemonStatus({
      host: this.host, startedAt: this.startedAt, at: this.now(), intervalMs: this.config.settings.intervalMs,
      rules: this.config.rules, runtimes: this.runtimes, snapshot: this.lastSnapshot, busyTargets: this.busyTargets,
      outbox: this.journal.pageStats(), prometheusUrl: this.live?.prometheusUrl ?? null,
    });
  }

  /** SIGHUP: new rules replace the old only when they are valid; rule states carry over. */
  async reload(): Promise<boolean> {
    const log = this.options.logger;
    const loaded = loadConfig(this.options.rulesPath);
    if (!loaded.ok) {
      const messages = loaded.errors.map(formatConfigIssue);
      this.safe.event({ at: this.now(), kind: 'reload-failed', message: `reload refused: ${messages.length} error(s)`, data: { errors: messages } });
      for (const message of messages) log.error(message);
      log.error(`reload refused: ${messages.length} error(s); keeping the ${this.config.rules.length} rule(s) in force`);
      return false;
    }
    this.config = loaded.config;
    registerSecretEnvNames(listPagingSecretEnvNames(loaded.config.paging));
    this.runtimes = carryRuleRuntimes(this.runtimes, loaded.config.rules);
    this.scheduler.sync(loaded.config.rules);
    this.mounts.invalidate();
    this.sampler.reconfigure(loaded.config);
    this.pager.reconfigure(loaded.config.paging);
    await this.supervisor.reconcile([...managedWorkers(loaded.config.workers.values()), ...this.healing.replicaSpecs(loaded.config)]);
    this.safe.event({ at: this.now(), kind: 'reload', message: `rules reloaded: ${loaded.config.rules.length} rule(s)` });
    log.info(`rules reloaded: ${loaded.config.rules.length} rule(s), ${loaded.config.workers.size} worker(s)`);
    this.requestTick();
    return true;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.notifier.notify('STOPPING=1');
    clearTimeout(this.timer);
    clearInterval(this.watchdogTimer);
    const log = this.options.logger;
    log.info('medic stopping');
    this.scheduler.stop();
    await this.live?.close();
    await killAllCommands();
    await this.scheduler.idle();
    await this.sampler.close();
    await this.healing.stop(this.config);
    await this.supervisor.stopAll();
    await Promise.allSettled([...this.inFlight]);
    // A send in flight is marked in the journal before it closes: a restart must not send it twice.
    await this.pager.stop();
    this.saveStates();
    this.safe.event({ at: this.now(), kind: 'stop', message: 'medic stopped' });
    this.safe.attempt(() => this.journal.close(), () => undefined, null);
    this.notifier.close();
    log.info('medic stopped');
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Ticks never overlap: a request during a tick runs one more tick right after it. */
  requestTick(): void {
    if (this.stopping) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    void this.runTicks();
  }

  private async runTicks(): Promise<void> {
    this.ticking = true;
    clearTimeout(this.timer);
    try {
      do {
        this.tickAgain = false;
        await this.tick();
      } while (this.tickAgain && !this.stopping);
    } catch (error) {
      this.options.logger.error({ err: error }, 'tick failed');
      this.pager.noteError(error, this.now());
    } finally {
      this.ticking = false;
      this.scheduleNextTick();
    }
  }

  private async tick(): Promise<void> {
    const at = this.now();
    const snapshot = this.healing.decorate(await this.sampler.snapshot(at), this.config);
    if (this.stopping) return;
    this.lastSnapshot = snapshot;
    // Its rows are read from the journal: unreadable, the pauses known so far stay in force.
    this.safe.attempt(() => this.pauses.refresh(this.config.rules, at), () => undefined, null);
    for (const rule of this.config.rules) {
      if (rule.schedule) continue; // run by the scheduler, at its cron times
      const runtime = this.runtimes.get(rule.name)!;
      const outcome = runtime.outcome;
      runtime.outcome = undefined;
      const result = evaluateRule(rule, runtime.state, { at, snapshot: snapshotForRule(snapshot, rule, runtime.state), busyTargets: this.busyTargets, paused: this.pauses.isPaused(rule.name), ...(outcome ? { outcome } : {}) });
      runtime.state = result.next;
      for (const decision of result.decisions) this.carryOut(rule, runtime, decision, result.condition, at, result.decisions);
    }
    this.saveStates();
    this.healing.afterTick(at, this.config, this.runtimes);
    this.lastTickEndedAt = this.now();
    void this.pager.afterTick(this.now()).then((result) => this.live?.countPages(result));
  }

  private carryOut(rule: Rule, runtime: RuleRuntime, decision: Decision, condition: ConditionResult, at: number, all: Decision[]): void {
    const log = this.options.logger.child({ rule: rule.name });
    const incidentId = runtime.incidentId;
    switch (decision.kind) {
      case 'fire': {
        runtime.incidentId = this.safe.openIncident({ rule: rule.name, severity: rule.severity, at, trigger: condition.values, whenText: rule.whenText });
        if (isDryRun(rule, this.options.dryRun)) journalWouldFire(this.safe, rule, runtime.incidentId, at);
        log.warn(`rule ${rule.name} fired: ${rule.whenText} (${formatValues(condition.values)})`);
        return;
      }
      case 'act':
        this.startAction(rule, runtime, decision, at);
        return;
      case 'skip': {
        const detail = decision.reason === 'paused' ? `${decision.detail} (${this.pauses.describe(rule.name)})` : decision.detail;
        this.safe.event({ at, kind: 'skip', rule: rule.name, incidentId, message: `not acting: ${decision.reason}: ${detail}`, data: { reason: decision.reason } });
        log.info(`rule ${rule.name}: not acting (${decision.reason}): ${detail}`);
        return;
      }
      case 'verified': {
        const dry = isDryRun(rule, this.options.dryRun) ? 'dry run: ' : '';
        const message = dry + (decision.helped ? `step ${decision.step + 1} helped` : `step ${decision.step + 1} did not help: ${decision.detail}`);
        this.safe.event({ at, kind: 'verify', rule: rule.name, incidentId, message, data: { helped: decision.helped, step: decision.step } });
        (decision.helped ? log.info : log.warn).call(log, `rule ${rule.name}: ${message}`);
        return;
      }
      case 'page': {
        if (isDryRun(rule, this.options.dryRun)) {
          journalWouldPage(this.safe, rule, incidentId, at, decision.reason, decision.detail);
          log.warn(`rule ${rule.name}: dry run: would have paged on-call (${decision.reason}): ${decision.detail}`);
          return;
        }
        const request = { journal: this.journal, rule, host: this.host, incidentId, reason: decision.reason, detail: decision.detail, values: condition.values, at };
        // The steps tried are read from the journal; unreadable, the page goes without them.
        const content = this.safe.attempt(() => buildPageContent(request), () => ({ ...buildPageContent({ ...request, incidentId: null }), incidentId }), null);
        const paged = this.pager.page(content, at);
        if (paged === 'deduplicated') log.warn(`rule ${rule.name}: auto-recovery failed again (${decision.reason}); on-call was paged recently, no new page`);
        else log.error(`rule ${rule.name}: auto-recovery failed (${decision.reason}): ${decision.detail}; paging on-call`);
        return;
      }
      case 'resolved': {
        const recovered = all.some((d) => d.kind === 'verified' && d.helped);
        if (incidentId !== null) this.safe.closeIncident(incidentId, at, recovered ? 'recovered' : 'cleared');
        this.safe.attempt(() => this.pager.resolved({ incidentId, at, recovered }), () => undefined, `follow-up page for incident #${String(incidentId)}`);
        log.info(`rule ${rule.name}: ${recovered ? 'recovered' : 'condition cleared'} after ${Math.round((at - decision.since) / 1000)} s`);
        runtime.incidentId = null;
        return;
      }
    }
  }

  private startAction(rule: Rule, runtime: RuleRuntime, decision: Extract<Decision, { kind: 'act' }>, at: number): void {
    const log = this.options.logger.child({ rule: rule.name });
    const description = describeAction(decision.action);
    // Dry run: the same journaled path, with the action's dry form (or only its description) run instead.
    const dry = isDryRun(rule, this.options.dryRun);
    const context = { workers: this.config.workers, supervisor: this.supervisor, rule: rule.name, healing: this.healing.deps() };
    const running = runJournaledAction(this.actionDeps(), {
      incidentId: runtime.incidentId, rule: rule.name, step: decision.step, attempt: decision.attempt, action: decision.action, description, at, log,
      startLevel: 'warn',
      startMessage: `rule ${rule.name}: ${dry ? 'dry run: ' : ''}step ${decision.step + 1} attempt ${decision.attempt}: ${dry ? 'would have run ' : ''}${description}`,
      outcomePrefix: `rule ${rule.name}: `,
    }, () => (dry ? runDry(decision.action, description, () => runAction(decision.action, { ...context, dryRun: true })) : runAction(decision.action, context)).then(this.childOutput.outcome))
      .then((outcome) => {
        if (!outcome) return; // medic is stopping: the next start marks the row interrupted
        if (!dry) this.countAction(rule.name, decision.action, outcome);
        const current = this.runtimes.get(rule.name);
        if (current) current.outcome = outcome;
      })
      .catch((error: unknown) => log.error({ err: error }, `action ${description} failed unexpectedly`))
      .finally(() => {
        this.inFlight.delete(running);
        this.sampler.requestRefresh();
        this.requestTick();
      });
    this.inFlight.add(running);
  }

  private createScheduler(): RuleScheduler {
    const runner = new ScheduledRunner({
      journal: this.safe,
      logger: this.options.logger,
      now: () => this.now(),
      snapshot: () => this.lastSnapshot,
      maxSnapshotAgeMs: 3 * this.config.settings.intervalMs + 5000,
      pause: (rule, at) => this.pauses.pausedNow(rule, at),
      dryRun: (rule) => isDryRun(rule, this.options.dryRun),
      busyTargets: this.busyTargets,
      stopping: () => this.stopping,
      runAction: (action, rule, options) => runAction(action, { workers: this.config.workers, supervisor: this.supervisor, rule: rule.name, healing: this.healing.deps(), ...options }).then(this.childOutput.outcome),
      finished: (rule, action, outcome) => {
        this.countAction(rule.name, action, outcome);
        this.requestTick();
      },
    });
    return new RuleScheduler({ run: (rule, at) => runner.run(rule, at), skipped: (rule, at, why) => runner.skipped(rule, at, why), logger: this.options.logger, now: () => this.now() });
  }

  private actionDeps(): JournaledActionDeps {
    return { journal: this.safe, busyTargets: this.busyTargets, now: () => this.now(), stopping: () => this.stopping };
  }

  /** After an action finished, ladder step or scheduled run: Prometheus counts and restart counts. */
  private countAction(rule: string, action: ActionSpec, outcome: ActionOutcome): void {
    this.live?.countAction(rule, action.type, outcome.status);
    if (action.type === 'restart_worker' && outcome.ok) this.countRestart(action.worker);
  }

  private countRestart(worker: string): void {
    const spec = this.config.workers.get(worker);
    if (spec && spec.mode !== 'managed') this.restarts.set(worker, (this.restarts.get(worker) ?? 0) + 1);
  }

  private saveStates(): void {
    this.safe.saveRuleStates(
      [...this.runtimes].map(([rule, runtime]) => ({ rule, state: runtime.state, incidentId: runtime.incidentId })),
      this.now(),
    );
  }

  /** Next tick at the interval, or sooner when a rule waits for a moment (backoff, verify deadline). */
  private scheduleNextTick(): void {
    if (this.stopping) return;
    const now = this.now();
    let next = now + this.config.settings.intervalMs;
    for (const [name, runtime] of this.runtimes) {
      const wake = wakeAt(runtime, this.config.rules.find((r) => r.name === name));
      if (wake !== null && wake > now && wake < next) next = wake;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.requestTick(), Math.max(0, next - now));
  }

  /** Feeds systemd's watchdog only while ticks keep completing: a hung loop stops the pings. */
  private startWatchdog(): void {
    const watchdogMs = this.notifier.watchdogMs;
    if (watchdogMs === null) return;
    const staleAfterMs = Math.max(2 * this.config.settings.intervalMs + 5000, watchdogMs / 2);
    this.watchdogTimer = setInterval(() => {
      if (this.now() - this.lastTickEndedAt < staleAfterMs) this.notifier.notify('WATCHDOG=1');
    }, Math.max(500, watchdogMs / 3));
  }
}

export class RulesInvalidError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('\n'));
  }
}

function wakeAt(runtime: RuleRuntime, rule: Rule | undefined): number | null {
  const state = runtime.state;
  switch (state.kind) {
    case 'firing':
      return state.waitUntil;
    case 'verifying':
      return state.until;
    case 'pending':
      return rule && 'ms' in rule.hold ? state.since + rule.hold.ms : null;
    case 'exhausted':
      // The engine re-arms one budget window after the page (evaluate-rule.ts), not after `since`.
      return rule ? (state.pagedAt ?? state.since) + rule.budget.windowMs : null;
    default:
      return null;
  }
}

function managedWorkers(workers: Iterable<WorkerSpec>): ManagedWorkerSpec[] {
  return [...workers].filter((w): w is ManagedWorkerSpec => w.mode === 'managed');
}

