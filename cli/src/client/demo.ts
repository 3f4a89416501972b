import { createHash } from 'node:crypto';
import { ATTR_FLOWTRACE_KIND } from '@flowtrace/instrumentation/semconv';
import { demoNumber } from './demoLimits.js';
import { QUERY_API_TARGET, send } from './http.js';
import { Progress } from './progress.js';
import { TENANTS, type TenantSpec } from './demo/catalog.js';
import { FAMILIES, type Emission } from './demo/emission.js';
import { Random } from './demo/random.js';
import { DemoSender, type Sent } from './demo/sender.js';
import { DAY, HOUR, MINUTE, type Window } from './demo/traffic.js';
import { World, type Settings } from './demo/world.js';
import { agentRuns } from './demo/families/agents.js';
import { toolCalls, triggerEvents, triggerSubscriptions } from './demo/families/actionkit.js';
import { credentialRefreshes } from './demo/families/credentials.js';
import { recipeJobs, userActivity } from './demo/families/jobs.js';
import { syncRuns } from './demo/families/syncs.js';
import { workflowTraffic } from './demo/families/workflows.js';

export { FAMILIES, type Family } from './demo/emission.js';

export { DEMO_DEFAULTS, DEMO_LIMITS } from './demoLimits.js';

export interface DemoOptions {
  endpoint: string;
  apiUrl: string;
  adminToken: string;
  /** About this many workflow executions a day per project; every other family in proportion. Default 300. */
  scale?: number;
  /** Days of traffic, ending now. Default 7. */
  days?: number;
  /** The same seed sends the same executions with the same ids. Default 42. */
  seed?: number;
  /** Send another week to demo projects that exist already (otherwise they are listed and nothing is sent). */
  append?: boolean;
  /** Progress bars on stderr. Default on. */
  progress?: boolean;
}

export interface DemoProject {
  id: string;
  name: string;
  /** A new API key, created by this run. */
  key: string;
  /** Created by this run; false: an earlier demo's, found by name. */
  created: boolean;
  /** Whether this run sent it traffic. */
  sent: boolean;
  /** A trace id per family to open first: a recent failure where the family has one (for a project sent nothing, its newest trace). */
  traces: Record<string, string>;
  /** Executions sent, per family. */
  counts: Record<string, number>;
  /** Executions sent per family and status (FAILED, Delivery Failures, ERRORED, …). */
  statuses: Record<string, Record<string, number>>;
  spans: number;
  logs: number;
  /** Executions per family the query API counts in the window after the send (less what it counted before). */
  stored: Record<string, number>;
  /** SHA-256 of every trace id sent, in order: the same seed gives the same digest. */
  digest: string;
}

export interface DemoResult {
  seed: number;
  scale: number;
  days: number;
  /** The window the traffic fills (ISO-8601). */
  from: string;
  to: string;
  elapsedMs: number;
  projects: DemoProject[];
  /** What went wrong: exports refused, counts the query API does not confirm. Empty when all is well. */
  problems: string[];
}

/**
 * `flowtrace demo` for callers that only need the projects (tests, scripts):
 * see `sendDemo`.
 */
export async function runDemo(options: DemoOptions): Promise<DemoProject[]> {
  return (await sendDemo(options)).projects;
}

/**
 * Fills two demo projects with a week of coherent traffic through the
 * OpenTelemetry SDK and checks it arrived: the projects are found by name
 * (an earlier demo's) or created, each gets a new API key, and — when new,
 * or with `append` — the traffic the demo/ generators make for its tenant,
 * sent in large batches, each one answered before the next. Then the query
 * API's counts per family are compared with what was sent.
 */
export async function sendDemo(options: DemoOptions): Promise<DemoResult> {
  const scale = demoNumber('scale', options.scale);
  const days = demoNumber('days', options.days);
  const seed = demoNumber('seed', options.seed);
  const started = Date.now();
  const window: Window = { start: started - MINUTE - days * DAY, end: started - MINUTE };
  const admin = new AdminClient(options.apiUrl, options.adminToken);
  const existing = await admin.projects();
  const projects: DemoProject[] = [];
  const problems: string[] = [];

  for (const tenant of TENANTS) {
    const found = existing.find((p) => p.name.trim().toLowerCase() === tenant.name.toLowerCase());
    const id = found?.id ?? (await admin.createProject(tenant.name)).id;
    const key = (await admin.createKey(id)).key;
    const project: DemoProject = { id, name: tenant.name, key, created: !found, sent: false, traces: {}, counts: {}, statuses: {}, spans: 0, logs: 0, stored: {}, digest: '' };
    projects.push(project);
    const reader = new ProjectReader(options.apiUrl, project);
    if (found && !options.append) {
      project.traces = await reader.newestTraces();
      continue;
    }
    // An appended week draws other executions than the first (the same twice would be one), for the same users, workflows, syncs and subscriptions.
    const identity = Random.seeded(seed);
    const rnd = found ? new Random(`flowtrace-demo:${seed}:${window.end}`) : identity;
    const before = found ? await reader.counts(window) : undefined;
    const sent = await sendTenant(options, project, tenantTraffic(tenant, { scale, days, window, appended: Boolean(found) }, rnd, identity), tenant);
    project.sent = true;
    project.spans = sent.spans;
    project.logs = sent.logs;
    if (sent.failed.spans + sent.failed.logs > 0) {
      problems.push(`${tenant.name}: ${sent.failed.spans} spans and ${sent.failed.logs} logs were not taken by the collector at ${options.endpoint} (${sent.failed.errors.join('; ')})`);
    }
    project.stored = await reader.confirm(window, project.counts, before);
    const missing = FAMILIES.filter((f) => (project.stored[f] ?? 0) !== (project.counts[f] ?? 0));
    if (missing.length > 0) {
      problems.push(`${tenant.name}: the query API counts ${missing.map((f) => `${project.stored[f] ?? 0} ${f} (sent ${project.counts[f] ?? 0})`).join(', ')}`);
    }
  }
  return { seed, scale, days, from: new Date(window.start).toISOString(), to: new Date(window.end).toISOString(), elapsedMs: Date.now() - started, projects, problems };
}

/** Every family of one tenant, in the order they are sent. */
function* everyFamily(world: World): Generator<Emission> {
  yield* triggerSubscriptions(world);
  yield* workflowTraffic(world);
  yield* toolCalls(world);
  yield* triggerEvents(world);
  yield* syncRuns(world);
  yield* credentialRefreshes(world);
  yield* agentRuns(world);
  yield* recipeJobs(world);
  yield* userActivity(world);
}

/** One tenant's traffic for the window, made in memory, and what it holds. */
export interface TenantTraffic {
  name: string;
  emissions: Emission[];
  counts: Record<string, number>;
  statuses: Record<string, Record<string, number>>;
  traces: Record<string, string>;
  digest: string;
}

/**
 * Makes one tenant's traffic (a few seconds of CPU, a few tens of MB for the
 * default week) and sums it up: executions per family and status, the trace
 * to open first per family (a recent failure, as the generators mark it), and a
 * digest of every trace id.
 */
export function tenantTraffic(tenant: TenantSpec, settings: Settings, rnd: Random, identity: Random = rnd): TenantTraffic {
  const world = new World(tenant, settings, rnd.fork(tenant.name), identity.fork(tenant.name));
  const emissions = [...everyFamily(world)];
  const digest = createHash('sha256');
  const out: TenantTraffic = { name: tenant.name, emissions, counts: Object.fromEntries(FAMILIES.map((f) => [f, 0])), statuses: {}, traces: {}, digest: '' };
  const featured = new Map<string, string>();
  const first = new Map<string, string>();
  for (const e of emissions) {
    if (e.family === 'user_activity') continue;
    digest.update(e.spec.traceId);
    out.counts[e.family] = (out.counts[e.family] ?? 0) + 1;
    const statuses = (out.statuses[e.family] ??= {});
    statuses[e.status] = (statuses[e.status] ?? 0) + 1;
    if (e.featured && !featured.has(e.family)) featured.set(e.family, e.spec.traceId);
    if (!first.has(e.family)) first.set(e.family, e.spec.traceId);
  }
  for (const family of FAMILIES) {
    const traceId = featured.get(family) ?? first.get(family);
    if (traceId) out.traces[family] = traceId;
  }
  out.digest = digest.digest('hex');
  return out;
}

/** What `flowtrace demo --seed seed` would send at `now`, made without sending it: for tests of its determinism. */
export function planDemo(options: { scale?: number; days?: number; seed?: number; now?: number } = {}): TenantTraffic[] {
  const scale = demoNumber('scale', options.scale);
  const days = demoNumber('days', options.days);
  const end = (options.now ?? Date.now()) - MINUTE;
  return TENANTS.map((tenant) => tenantTraffic(tenant, { scale, days, window: { start: end - days * DAY, end } }, Random.seeded(demoNumber('seed', options.seed))));
}

async function sendTenant(options: DemoOptions, project: DemoProject, traffic: TenantTraffic, tenant: TenantSpec): Promise<Sent> {
  Object.assign(project, { counts: traffic.counts, statuses: traffic.statuses, traces: traffic.traces, digest: traffic.digest });
  const { emissions } = traffic;
  const sender = new DemoSender(options.endpoint, project.key, tenant.service);
  const progress = options.progress === false ? undefined : new Progress('demo', emissions.length);
  for (const [i, e] of emissions.entries()) {
    sender.record(e);
    if (i % 50 === 49 || i === emissions.length - 1) {
      progress?.advance(i % 50 === 49 ? 50 : (i % 50) + 1, project.name);
      await sender.pace();
      // Lets the export on the wire make progress while the next batch is recorded.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const sent = await sender.close();
  progress?.finish();
  return sent;
}

/** The admin API: projects and their keys. */
class AdminClient {
  constructor(
    readonly apiUrl: string,
    readonly token: string,
  ) {}

  async projects(): Promise<Array<{ id: string; name: string }>> {
    return (await this.#call<{ projects: Array<{ id: string; name: string }> }>('GET', '/admin/projects')).projects;
  }

  createProject(name: string): Promise<{ id: string }> {
    return this.#call('POST', '/admin/projects', { name });
  }

  createKey(projectId: string): Promise<{ key: string }> {
    return this.#call('POST', `/admin/projects/${projectId}/api-keys`, { name: 'demo' });
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.apiUrl}${path}`;
    const res = await send(url, { method, headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }, QUERY_API_TARGET);
    const answer = (await res.json().catch(() => ({}))) as T & { error?: { message?: string } };
    if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${answer.error?.message ?? 'no message'}`);
    return answer;
  }
}

/** A project's side of the query API, read with its key: counts per family, the newest traces. */
class ProjectReader {
  constructor(
    readonly apiUrl: string,
    readonly project: { id: string; key: string },
  ) {}

  /** Executions per family the query API counts over the window (its hourly counts). */
  async counts(window: Window): Promise<Record<string, number>> {
    const from = new Date(window.start - HOUR).toISOString();
    const to = new Date(window.end + HOUR).toISOString();
    const out: Record<string, number> = {};
    for (const family of FAMILIES) {
      const stats = await this.#get<{ totals: { executions: number } }>(`/stats/executions?kind=${family}&interval=day&from=${from}&to=${to}`);
      out[family] = stats.totals.executions;
    }
    return out;
  }

  /**
   * The counts once they match what was sent (less `before`), or after a few
   * seconds whatever they are: the collector answers once rows are stored,
   * so they match at once unless something was lost.
   */
  async confirm(window: Window, sent: Record<string, number>, before: Record<string, number> | undefined): Promise<Record<string, number>> {
    let stored: Record<string, number> = {};
    for (let attempt = 0; attempt < 10; attempt++) {
      const after = await this.counts(window);
      stored = Object.fromEntries(FAMILIES.map((f) => [f, (after[f] ?? 0) - (before?.[f] ?? 0)]));
      if (FAMILIES.every((f) => stored[f] === (sent[f] ?? 0))) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return stored;
  }

  /** The newest trace of each family. */
  async newestTraces(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const family of FAMILIES) {
      const { traces } = await this.#get<{ traces: Array<{ traceId: string }> }>(`/traces?attribute=${encodeURIComponent(`${ATTR_FLOWTRACE_KIND}=${family}`)}&limit=1`);
      if (traces[0]) out[family] = traces[0].traceId;
    }
    return out;
  }

  async #get<T>(path: string): Promise<T> {
    const url = `${this.apiUrl}/projects/${this.project.id}${path}`;
    const res = await send(url, { headers: { authorization: `Bearer ${this.project.key}` } }, QUERY_API_TARGET);
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }
}

/** What `flowtrace demo` prints: per project its id, key, what was sent and confirmed, and a trace of each kind to open. */
export function demoReport(result: DemoResult, apiUrl: string): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines: string[] = [];
  const sent = result.projects.filter((p) => p.sent);
  if (sent.length > 0) {
    const executions = sent.reduce((s, p) => s + Object.values(p.counts).reduce((a, b) => a + b, 0), 0);
    const spans = sent.reduce((s, p) => s + p.spans, 0);
    const logs = sent.reduce((s, p) => s + p.logs, 0);
    lines.push(
      `Sent ${result.days} day${result.days === 1 ? '' : 's'} of traffic (${result.from} to ${result.to}; about ${n(result.scale)} workflow executions a day per project; seed ${result.seed}):`,
      `${n(executions)} executions, ${n(spans)} spans and ${n(logs)} logs in ${(result.elapsedMs / 1000).toFixed(1)} s.`,
    );
  }
  for (const p of result.projects) {
    const total = Object.values(p.counts).reduce((a, b) => a + b, 0);
    const stored = Object.values(p.stored).reduce((a, b) => a + b, 0);
    lines.push('', `${p.name} (${p.created ? 'created' : p.sent ? 'found by name; another week added' : 'found by name, from an earlier demo; nothing sent'})`, `  project ${p.id}`, `  key     ${p.key}`);
    if (p.sent) {
      lines.push(`  ${n(total)} executions, ${n(p.spans)} spans, ${n(p.logs)} logs; the query API counts ${n(stored)} executions${stored === total ? ', all of them' : ` — ${n(total - stored)} missing`}`);
      for (const family of FAMILIES) {
        const statuses = Object.entries(p.statuses[family] ?? {})
          .sort((a, b) => b[1] - a[1])
          .map(([status, count]) => `${status} ${n(count)}`)
          .join(', ');
        lines.push(`    ${family.padEnd(22)}${n(p.counts[family] ?? 0).padStart(7)}  ${statuses}`);
      }
    }
    if (Object.keys(p.traces).length > 0) {
      lines.push(`  open a trace of each kind${p.sent ? ' (a recent failure, where the kind has one)' : ' (the newest)'}:`);
      for (const [kind, traceId] of Object.entries(p.traces)) lines.push(`    ${kind.padEnd(22)} curl -s ${apiUrl}/projects/${p.id}/traces/${traceId} -H "Authorization: Bearer ${p.key}"`);
    }
  }
  const skipped = result.projects.filter((p) => !p.sent);
  if (skipped.length > 0) {
    lines.push('', `The demo ran on this Flowtrace before: ${skipped.map((p) => `"${p.name}"`).join(' and ')} exist${skipped.length === 1 ? 's' : ''} already and got nothing new (each a new API key, above). To add another ${result.days} days of traffic to them: flowtrace demo --append`);
  }
  if (result.problems.length > 0) lines.push('', 'Problems:', ...result.problems.map((p) => `  ${p}`));
  return lines.join('\n');
}
