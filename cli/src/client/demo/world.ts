import type { OutboundRequest } from '@flowtrace/instrumentation';
import { HTTP_ERRORS, INTEGRATIONS, TIMEOUT_ERROR, type Action, type IntegrationSpec, type TenantSpec } from './catalog.js';
import { Random, Weighted } from './random.js';
import { DAY, HOUR, MINUTE, Traffic, within, type Interval, type Window } from './traffic.js';

/** A Connected User: how active they are (Zipf's law by rank) and which integrations they connected. */
export interface User {
  id: string;
  rank: number;
  weight: number;
  integrations: string[];
}

/** A credential revoked at the provider until its user reconnects: refreshes, steps, tool calls and syncs fail with 401 meanwhile. */
export interface Revocation extends Interval {
  user: User;
  integration: string;
  credentialId: string;
}

/** A provider's bad spell: server errors, or rate limits for everyone. */
export interface Incident extends Interval {
  kind: 'errors' | 'rate_limits';
}

/** What one call to a provider gave: an HTTP status, or no answer at all. */
export type Outcome = 200 | 400 | 401 | 403 | 404 | 409 | 429 | 500 | 502 | 503 | 'timeout';

export const isRetryable = (o: Outcome) => o === 429 || o === 'timeout' || (typeof o === 'number' && o >= 500);

/** The demo's settings a generator reads. */
export interface Settings {
  /** Workflow executions a day (on average over the window). */
  scale: number;
  window: Window;
  days: number;
  /** Another week for projects that have one already: their syncs and subscriptions exist, none is created. */
  appended?: boolean;
}

/**
 * One tenant's world for the window: its users and their connections, the
 * credentials revoked for a while, the providers' incidents and the hours
 * the tenant's own webhook endpoint was down. Every family draws its
 * failures from it, so failures line up across families: a revoked
 * credential fails its refreshes, its workflow steps, its tool calls and its
 * syncs for the same hours.
 */
export class World {
  readonly tenant: TenantSpec;
  readonly settings: Settings;
  readonly traffic: Traffic;
  /** The stream of this window's traffic. */
  readonly rnd: Random;
  /** The stream of what stays from one week to the next (users, their connections and credentials, workflows, syncs, subscriptions): the seed's alone. */
  readonly identity: Random;
  readonly users: User[];
  readonly integrations: Weighted<IntegrationSpec>;
  readonly revocations: Revocation[];
  readonly incidents: Map<string, Incident[]>;
  readonly endpointOutages: Interval[];
  readonly #usersOf = new Map<string, Weighted<User>>();
  readonly #ids = new Map<string, string>();

  constructor(tenant: TenantSpec, settings: Settings, rnd: Random, identity: Random = rnd) {
    this.tenant = tenant;
    this.settings = settings;
    this.rnd = rnd;
    this.identity = identity;
    this.traffic = new Traffic(settings.window, tenant.utcOffsetHours);
    const { start, end } = settings.window;
    const weeks = settings.days / 7;
    const share = new Map(tenant.integrations.map(([name, w]) => [name, w / tenant.integrations.reduce((n, [, x]) => n + x, 0)]));

    const r = identity.fork('users');
    this.users = Array.from({ length: tenant.users }, (_, i) => {
      const integrations = tenant.integrations.filter(([name]) => r.chance(Math.min(0.95, 0.25 + 1.6 * share.get(name)!))).map(([name]) => name);
      return { id: `${tenant.userPrefix}${i + 1}`, rank: i + 1, weight: 1 / (i + 1) ** 1.1, integrations: integrations.length > 0 ? integrations : [tenant.integrations[0]![0]] };
    });
    for (const [name] of tenant.integrations) {
      const connected = this.users.filter((u) => u.integrations.includes(name));
      this.#usersOf.set(name, new Weighted(connected.length > 0 ? connected : [this.users[0]!], (u) => u.weight));
    }
    this.integrations = new Weighted(
      tenant.integrations.map(([name]) => INTEGRATIONS[name]!),
      (i) => share.get(i.name)!,
    );

    // Revoked credentials: about one user in twelve a week; the first one in the last 12 hours, so a day's view shows one.
    const rv = rnd.fork('revocations');
    const userPick = new Weighted(this.users, (u) => u.weight);
    this.revocations = Array.from({ length: Math.max(1, Math.round((tenant.users / 12) * weeks)) }, (_, i) => {
      const user = userPick.pick(rv);
      const integration = rv.weighted(user.integrations.map((name) => [name, share.get(name)!] as const));
      const from = i === 0 ? end - rv.float(2 * HOUR, 12 * HOUR) : start + rv.next() * (end - start);
      return { user, integration, credentialId: this.credentialId(user, integration), from, to: Math.min(end, from + rv.lognormal(3 * HOUR, 0.8)) };
    });

    // Provider incidents on the integrations that carry the traffic.
    const ri = rnd.fork('incidents');
    this.incidents = new Map();
    for (const [name] of tenant.integrations.slice(0, 4)) {
      const list: Incident[] = [];
      for (const kind of ['errors', 'rate_limits'] as const) {
        const n = ri.poisson((kind === 'errors' ? 1.2 : 0.8) * weeks);
        for (let i = 0; i < n; i++) {
          const from = start + ri.next() * (end - start);
          list.push({ kind, from, to: from + ri.lognormal(35 * MINUTE, 0.5) });
        }
      }
      this.incidents.set(name, list);
    }

    // The tenant's webhook endpoint going down now and then: deliveries fail and are retried.
    const ro = rnd.fork('endpoint');
    this.endpointOutages = Array.from({ length: Math.max(1, ro.poisson(2 * weeks)) }, () => {
      const from = start + ro.next() * (end - start);
      return { from, to: from + ro.lognormal(25 * MINUTE, 0.6) };
    });
  }

  /** A user who connected `integration`, the more active the likelier. */
  userFor(integration: string, rnd: Random): User {
    return this.#usersOf.get(integration)!.pick(rnd);
  }

  /** The credential of a user's connection: one per (user, integration), the same every week. */
  credentialId(user: User, integration: string): string {
    return this.stableId('credential', user.id, integration);
  }

  /** The id of something that stays from one week to the next: a workflow, a webhook, a credential. */
  stableId(...labels: string[]): string {
    const key = labels.join('/');
    let id = this.#ids.get(key);
    if (!id) this.#ids.set(key, (id = this.identity.fork(...labels).uuid()));
    return id;
  }

  revokedAt(user: User, integration: string, t: number): Revocation | undefined {
    return this.revocations.find((r) => r.user === user && r.integration === integration && t >= r.from && t < r.to);
  }

  incidentAt(integration: string, t: number): Incident | undefined {
    return within(this.incidents.get(integration), t);
  }

  endpointDownAt(t: number): Interval | undefined {
    return within(this.endpointOutages, t);
  }

  /** What a call to `integration` at `t` gets, for this user: mostly 200, failures as the world has them. */
  outcome(rnd: Random, integration: string, user: User, t: number): Outcome {
    if (this.revokedAt(user, integration, t)) return 401;
    const incident = this.incidentAt(integration, t);
    if (incident?.kind === 'errors' && rnd.chance(0.35)) return rnd.weighted<Outcome>([[503, 5], [502, 3], [500, 2], ['timeout', 1]]);
    if (incident?.kind === 'rate_limits' && rnd.chance(0.3)) return 429;
    // Rate limits follow load: peak hours and the busiest users hit them.
    const rateLimit = 0.004 * this.traffic.load(t) * (user.rank <= 3 ? 3 : 1);
    return rnd.weighted<Outcome>([
      [200, 1],
      [400, 0.01],
      [404, 0.004],
      [409, 0.0015],
      [403, 0.0015],
      [429, rateLimit],
      [500, 0.0008],
      [502, 0.0006],
      [503, 0.0008],
      ['timeout', 0.0006],
    ]);
  }

  /**
   * Calls an action of a provider, retrying rate limits (after their
   * Retry-After) and server errors (with backoff), three attempts at most:
   * each attempt is an outbound request. `attempts` forces the outcomes (the
   * demo's exemplars); otherwise they are drawn.
   */
  call(rnd: Random, integration: IntegrationSpec, actionName: string, user: User, at: number, attempts?: Outcome[]): { requests: OutboundRequest[]; endedAt: number; outcome: Outcome } {
    const action = integration.actions[actionName]!;
    const requests: OutboundRequest[] = [];
    let t = at;
    let outcome: Outcome = 200;
    const max = attempts?.length ?? 3;
    for (let a = 0; a < max; a++) {
      outcome = attempts?.[a] ?? this.outcome(rnd, integration.name, user, t);
      const duration = outcome === 'timeout' ? 30_000 + rnd.int(0, 40) : outcome === 429 ? rnd.lognormal(60, 0.4) : outcome === 200 ? rnd.lognormal(action.medianMs, 0.45) : rnd.lognormal(action.medianMs * (typeof outcome === 'number' && outcome >= 500 ? 1.6 : 0.6), 0.5);
      const end = t + Math.max(5, Math.round(duration));
      requests.push(request(rnd, integration, action, outcome, t, end));
      t = end;
      if (outcome === 200 || !isRetryable(outcome)) break;
      if (a < max - 1) t += outcome === 429 ? rnd.int(1000, 4000) : 500 * 2 ** a + rnd.int(0, 250);
    }
    return { requests, endedAt: t, outcome };
  }

  /** The message a failed call reports. */
  errorMessage(integration: IntegrationSpec, outcome: Outcome): string {
    if (outcome === 'timeout') return TIMEOUT_ERROR;
    if (outcome === 400) return integration.invalid.message;
    if (outcome === 401) return integration.unauthorized.message;
    return `HTTP ${outcome}: ${HTTP_ERRORS[outcome]?.message ?? 'error'}`;
  }
}

function request(rnd: Random, integration: IntegrationSpec, action: Action, outcome: Outcome, startedAt: number, endedAt: number): OutboundRequest {
  const url = `${integration.baseUrl}${action.path.replace('{id}', String(rnd.int(100_000, 99_999_999)))}`;
  if (outcome === 'timeout') return { method: action.method, url, startedAt, endedAt, error: TIMEOUT_ERROR };
  const body = outcome === 200 ? undefined : outcome === 400 ? integration.invalid.body : outcome === 401 ? integration.unauthorized.body : HTTP_ERRORS[outcome]?.body;
  return { method: action.method, url, statusCode: outcome, startedAt, endedAt, responseBody: body };
}

export { DAY, HOUR, MINUTE };
