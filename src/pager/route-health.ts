// Whether each route can reach on-call, kept in the journal for `medic diagnose`, and logged
// once per change: a dead pager is itself an incident, and one clear line beats one per page.
import type { PageStore, RouteHealth, RouteStatus } from '../journal/page-store.js';
import type { ResolvedRoute } from './routes.js';

export type HealthLog = (level: 'info' | 'warn' | 'error', msg: string, data?: object) => void;

const HINTS: Partial<Record<RouteStatus, string>> = {
  rejected: 'Slack refuses this webhook or channel; pages on this route cannot be delivered until it is fixed (then `systemctl reload medic`)',
  misconfigured: 'pages on this route cannot be delivered until the rules or the environment are fixed (then `systemctl reload medic`)',
  failing: 'Slack cannot be reached; pages wait in the journal and are retried',
};

export class RouteHealthTracker {
  private readonly known = new Map<string, RouteStatus>();

  constructor(private readonly store: PageStore, private readonly log: HealthLog) {
    for (const row of store.routeHealth()) this.known.set(row.route, row.status);
  }

  /** Records a route's status; logs only when it changes. Returns true when it changed. */
  note(route: string, status: RouteStatus, detail: string | null, at: number): boolean {
    const before = this.known.get(route);
    this.store.setRouteHealth(route, status, detail, at);
    this.known.set(route, status);
    if (before === status) return false;
    const data = { route, status, ...(detail ? { detail } : {}) };
    if (status === 'rejected' || status === 'misconfigured') this.log('error', `paging broken on route ${route}: ${detail ?? status}; ${HINTS[status]}`, data);
    else if (status === 'failing') this.log('warn', `paging delayed on route ${route}: ${detail ?? status}; ${HINTS.failing}`, data);
    else if (status === 'ok' && before !== undefined && before !== 'unconfigured') this.log('info', `paging works again on route ${route}`, data);
    return true;
  }

  status(route: string): RouteStatus | undefined {
    return this.known.get(route);
  }

  /**
   * After start or reload: a route that cannot be resolved is misconfigured now; one that can is
   * `ok` again unless Slack rejected it (only a successful send clears that). Routes no longer
   * in the rules are forgotten.
   */
  noteConfigured(routes: ReadonlyMap<string, ResolvedRoute>, at: number): void {
    for (const row of this.store.routeHealth()) {
      if (!routes.has(row.route)) {
        this.store.forgetRoute(row.route);
        this.known.delete(row.route);
      }
    }
    for (const route of routes.values()) {
      // Said at every start and reload, whatever was journaled before: the log of this run must show it.
      if (route.problem) {
        this.known.delete(route.name);
        this.note(route.name, 'misconfigured', route.problem, at);
      } else if (!route.sender) {
        this.note(route.name, 'unconfigured', 'no webhook or bot token configured', at);
        this.log('warn', `no Slack webhook configured for route ${route.name} (MEDIC_SLACK_WEBHOOK_URL, MEDIC_SLACK_WEBHOOK_FILE or paging.default): pages are journaled and logged only`, { route: route.name });
      } else if (this.known.get(route.name) === 'rejected') {
        this.log('error', `route ${route.name} was rejected by Slack before (${this.store.routeHealth(route.name)[0]?.detail ?? 'unknown'}); it stays marked broken until a page goes through`, { route: route.name });
      } else {
        this.note(route.name, 'ok', `configured from ${route.source ?? 'the environment'}`, at);
      }
    }
  }
}

export type { RouteHealth };
