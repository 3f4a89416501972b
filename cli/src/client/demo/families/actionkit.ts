import {
  toolCallTrace,
  triggerEventStatus,
  triggerEventTrace,
  triggerSubscriptionTrace,
  type Delivery,
  type DeliveryAttempt,
  type ToolCall,
  type TriggerEvent,
} from '@flowtrace/instrumentation';
import { INTEGRATIONS, type IntegrationSpec } from '../catalog.js';
import { addDebugLog, displayName, type Emission } from '../emission.js';
import { Weighted, type Random } from '../random.js';
import { HOUR, MINUTE, isRetryable, type Outcome, type User, type World } from '../world.js';

const CAPTURE = { captureContent: true };

// ---------------------------------------------------------------------------
// Tool calls

/** ActionKit's error code and HTTP status for a provider's answer (seed 001: OAUTH_027 came back as a 500). */
function toolError(integration: IntegrationSpec, outcome: Outcome, toolName: string, world: World): NonNullable<ToolCall['error']> {
  const verb = toolName.split('_').slice(1).join(' ').toLowerCase();
  const message = `Unable to ${verb}: ${world.errorMessage(integration, outcome)}`;
  switch (outcome) {
    case 401:
      return { message, code: integration.name === 'slack' ? 'OAUTH_027' : 'UNAUTHORIZED', httpStatus: 500 };
    case 400:
      return { message, code: 'INVALID_PARAMETERS', httpStatus: 400 };
    case 403:
      return { message, code: 'FORBIDDEN', httpStatus: 403 };
    case 404:
      return { message, code: 'NOT_FOUND', httpStatus: 404 };
    case 409:
      return { message, code: 'CONFLICT', httpStatus: 409 };
    case 429:
      return { message, code: 'RATE_LIMITED', httpStatus: 429 };
    case 'timeout':
      return { message, code: 'PROVIDER_TIMEOUT', httpStatus: 504 };
    default:
      return { message, code: 'PROVIDER_ERROR', httpStatus: 500 };
  }
}

/**
 * ActionKit List Tools and Run Tool requests made by the tenant's agents on
 * behalf of its users; each Run Tool calls the provider (the Log Trace's API
 * requests), retrying rate limits and server errors.
 */
export function* toolCalls(world: World): Generator<Emission> {
  const { settings, traffic } = world;
  const rnd = world.rnd.fork('tool-calls');
  const slack = INTEGRATIONS.slack!;
  const exemplars: Array<[IntegrationSpec | undefined, Outcome[] | 'list']> = [
    // Seed 001's example: "Unable to update Task", {err: "Team not authorized", ECODE: "OAUTH_027"} — the newest call.
    [slack, [401]],
    [undefined, [400]],
    [undefined, [429, 200]],
    [undefined, [429, 429, 429]],
    [undefined, [502, 503, 503]],
    [undefined, ['timeout', 'timeout', 'timeout']],
    [undefined, [404]],
    [undefined, [403]],
    [undefined, 'list'],
    [undefined, [200]],
  ];
  for (const [i, [integration, outcome]] of exemplars.entries()) {
    const r = rnd.fork('exemplar', i);
    const at = i === 0 ? traffic.window.end - 15 * 1000 : traffic.recent(r.fork('time'), 12 * HOUR, 10 * MINUTE);
    yield toolCall(world, r, integration ?? world.integrations.pick(r), at, outcome, i === 0);
  }
  const n = Math.round(settings.scale * settings.days * world.tenant.mix.toolCalls);
  for (let i = 0; i < n; i++) {
    const r = rnd.fork(i);
    yield toolCall(world, r, world.integrations.pick(r), traffic.fit(traffic.sample(r.fork('time')), MINUTE), r.chance(0.08) ? 'list' : undefined);
  }
}

function toolCall(world: World, r: Random, integration: IntegrationSpec, at: number, forced: Outcome[] | 'list' | undefined, featured = false): Emission {
  const requestId = r.fork('id').uuid();
  const user = world.userFor(integration.name, r);
  const credentialId = world.credentialId(user, integration.name);
  if (forced === 'list') {
    const spec = toolCallTrace({ requestId, operation: 'List Tools', integration: integration.name, userId: user.id, credentialId, receivedAt: at, endedAt: at + Math.round(r.lognormal(45, 0.5)), status: 'SUCCEEDED', output: { tools: integration.tools.map((t) => t.name) } }, CAPTURE);
    return { family: 'tool_call', spec, status: 'SUCCEEDED', featured };
  }
  const tool = r.pick(integration.tools);
  const start = at + Math.round(r.lognormal(18, 0.5));
  const call = world.call(r, integration, tool.action, user, start, forced);
  const succeeded = call.outcome === 200;
  const events: NonNullable<ToolCall['events']> = [{ at: at + 2, message: `Resolved credential for ${displayName(integration.name)}` }];
  call.requests.slice(0, -1).forEach((req, i) => {
    const status = req.statusCode ?? 'no answer';
    const retryable = req.statusCode === undefined || isRetryable(req.statusCode as Outcome);
    if (retryable) events.push({ at: Number(req.endedAt) + 1, level: 'WARN', message: `${displayName(integration.name)} answered ${status}; retrying (attempt ${i + 2} of 3)` });
  });
  const endedAt = call.endedAt + Math.round(r.lognormal(6, 0.5));
  const spec = toolCallTrace(
    {
      requestId,
      operation: 'Run Tool',
      toolName: tool.name,
      integration: integration.name,
      userId: user.id,
      credentialId,
      receivedAt: at,
      endedAt,
      status: succeeded ? 'SUCCEEDED' : 'FAILED',
      error: succeeded ? undefined : toolError(integration, call.outcome, tool.name, world),
      parameters: { recordId: `rec_${r.hex(10)}`, fields: { Name: 'Jane Doe', Email: 'jane.doe@example.com' } },
      output: succeeded ? { id: r.hex(16), success: true } : undefined,
      requests: call.requests,
      events,
    },
    CAPTURE,
  );
  if (r.chance(0.25)) addDebugLog(spec, 'root', at + 1, 'actionkit.debug', `Validated ${tool.name} parameters against the tool's schema`);
  return { family: 'tool_call', spec, status: succeeded ? 'SUCCEEDED' : 'FAILED', featured };
}

// ---------------------------------------------------------------------------
// Trigger subscriptions and events

interface Subscription {
  triggerId: string;
  user: User;
  integration: IntegrationSpec;
  /** Undefined: subscribed before the window. */
  createdAt?: number;
  /** Its webhook could not be created: it never delivers. */
  failed: boolean;
  /** Where its events are delivered: the tenant's endpoint, or for a few old ones a retired URL that answers 404. */
  webhookUrl: string;
  attempts: Array<{ at: number; succeeded: boolean; statusCode?: number; error?: string }>;
}

const subscriptionsOf = new WeakMap<World, Subscription[]>();

/**
 * The tenant's users' ActionKit trigger subscriptions: most older than the
 * window, some made during it. They stay from one week to the next: an
 * appended week makes none.
 */
function subscriptions(world: World): Subscription[] {
  const known = subscriptionsOf.get(world);
  if (known) return known;
  const rnd = world.identity.fork('subscriptions');
  const appended = world.settings.appended === true;
  const { traffic } = world;
  const webhookIntegrations = world.tenant.integrations.map(([name]) => INTEGRATIONS[name]!).filter((i) => i.triggerModel === 'WEBHOOK');
  const n = Math.min(80, Math.max(4, Math.round(world.settings.scale / 10)));
  const list = Array.from({ length: n }, (_, i): Subscription => {
    const r = rnd.fork(i);
    // The second is a webhook subscription whose webhook could not be created.
    const integration = i === 2 ? webhookIntegrations[0]! : world.integrations.pick(r);
    const user = world.userFor(integration.name, r);
    const triggerId = r.fork('id').uuid();
    const createdAt = i === 0 ? undefined : i <= 2 ? traffic.recent(r.fork('time'), 12 * HOUR, HOUR) : r.chance(0.35) ? traffic.sample(r.fork('time')) : undefined;
    const attempts: Subscription['attempts'] = [];
    let failed = false;
    if (integration.triggerModel === 'WEBHOOK' && createdAt !== undefined) {
      const refused = { statusCode: 403, error: 'Resource not accessible by integration', succeeded: false };
      const outcome = i === 2 ? 'refused' : r.weighted([['created', 0.87], ['retried', 0.1], ['refused', 0.03]] as const);
      let t = createdAt + Math.round(r.lognormal(400, 0.4));
      if (outcome !== 'created') {
        for (let a = 0; a < (outcome === 'refused' ? 3 : 1); a++, t += 2 ** a * 1000) attempts.push({ at: t, ...refused });
      }
      if (outcome === 'refused') failed = true;
      else attempts.push({ at: t + Math.round(r.lognormal(350, 0.4)), succeeded: true, statusCode: 201 });
    }
    const webhookUrl = i > 2 && createdAt === undefined && user.rank > 5 && r.chance(0.15) ? world.tenant.retiredWebhookUrl : world.tenant.webhookUrls[0]!;
    // In an appended week, every subscription was made the week before (and a failed one is still failed).
    return { triggerId, user, integration, createdAt: appended ? undefined : createdAt, failed, attempts, webhookUrl };
  });
  subscriptionsOf.set(world, list);
  return list;
}

/** Subscriptions made during the window: each a trace of its webhook creation. */
export function* triggerSubscriptions(world: World): Generator<Emission> {
  for (const sub of subscriptions(world)) {
    if (sub.createdAt === undefined) continue;
    const spec = triggerSubscriptionTrace({ triggerId: sub.triggerId, integration: sub.integration.name, userId: sub.user.id, model: sub.integration.triggerModel, createdAt: sub.createdAt, webhookCreationAttempts: sub.attempts });
    yield { family: 'trigger_subscription', spec, status: sub.failed ? 'FAILED' : 'ACTIVE', featured: sub.failed && !sub.attempts.some((a) => a.succeeded) };
  }
}

type EventScenario = 'retried' | 'exhausted' | 'processing_failure' | 'queued' | 'ok';
/** Deliveries to a retired webhook URL: 404 on every attempt. */
type DeliveryScenario = EventScenario | 'gone';

/**
 * Trigger events: records a poll detected or a webhook brought, delivered to
 * each subscribed user's webhook URL — retried after 1, 5 and 25 minutes
 * while the tenant's endpoint is down — with Monitoring's statuses Success,
 * Delivery Failures, Processing Failure and Queued (the newest, still waiting).
 */
export function* triggerEvents(world: World): Generator<Emission> {
  const { settings, traffic } = world;
  const rnd = world.rnd.fork('trigger-events');
  const subs = subscriptions(world).filter((s) => !s.failed);
  const byIntegration = new Map<string, Subscription[]>();
  for (const s of subs) byIntegration.set(s.integration.name, [...(byIntegration.get(s.integration.name) ?? []), s]);
  const integrations = new Weighted([...byIntegration.keys()], (name) => world.tenant.integrations.find(([n]) => n === name)![1]);

  const exemplars: EventScenario[] = ['exhausted', 'ok', 'retried', 'processing_failure', 'queued', 'ok', 'queued'];
  for (const [i, scenario] of exemplars.entries()) {
    const r = rnd.fork('exemplar', i);
    const at = i === 0 ? traffic.window.end - 40 * MINUTE : scenario === 'queued' ? traffic.recent(r.fork('time'), 8 * MINUTE) : traffic.recent(r.fork('time'), 12 * HOUR, HOUR);
    yield triggerEvent(world, r, byIntegration, integrations, at, scenario, i === 0);
  }
  const n = Math.round(settings.scale * settings.days * world.tenant.mix.triggerEvents);
  for (let i = 0; i < n; i++) {
    const r = rnd.fork(i);
    yield triggerEvent(world, r, byIntegration, integrations, traffic.sample(r.fork('time')), undefined);
  }
}

function triggerEvent(world: World, r: Random, byIntegration: Map<string, Subscription[]>, integrations: Weighted<string>, at: number, scenario: EventScenario | undefined, featured = false): Emission {
  const ids = r.fork('id');
  const eventId = ids.uuid();
  const name = integrations.pick(r);
  const integration = INTEGRATIONS[name]!;
  const candidates = byIntegration.get(name)!.filter((s) => s.createdAt === undefined || s.createdAt < at);
  const source: TriggerEvent['source'] = integration.triggerModel === 'POLLING' ? { model: 'POLLING', detection: r.chance(0.6) ? 'new' : 'updated', recordId: `rec_${ids.hex(10)}` } : { model: 'WEBHOOK' };
  const event: TriggerEvent = { eventId, integration: name, receivedAt: at, source, deliveries: [], payload: { id: `rec_${ids.hex(10)}`, type: source.model === 'POLLING' ? `${source.detection}_record` : 'record.updated' } };

  const incident = world.incidentAt(name, at)?.kind === 'errors';
  if (scenario === 'processing_failure' || (scenario === undefined && r.chance(incident ? 0.15 : 0.015))) {
    event.processingError = r.pick(['Payload could not be parsed', `Record no longer exists in ${displayName(name)}`, 'Polling job timed out after 60 s']);
    return { family: 'trigger_event', spec: triggerEventTrace(event, CAPTURE), status: triggerEventStatus(event), featured };
  }
  if (candidates.length === 0) candidates.push(byIntegration.get(name)![0]!);
  const picks = new Weighted(candidates, (s) => s.user.weight);
  const count = r.weighted([[1, 0.8], [2, 0.15], [3, 0.05]] as const);
  const chosen = [...new Set(Array.from({ length: scenario ? 1 : count }, () => picks.pick(r)))];
  const queued = scenario === 'queued' || (scenario === undefined && at > world.settings.window.end - 15 * MINUTE && r.chance(0.5));
  event.deliveries = chosen.map((sub): Delivery => {
    const createdAt = at + Math.round(r.lognormal(120, 0.6));
    const retired = sub.webhookUrl === world.tenant.retiredWebhookUrl && scenario === undefined;
    return { userId: sub.user.id, triggerId: sub.triggerId, webhookUrl: sub.webhookUrl, createdAt, attempts: queued ? [] : deliveryAttempts(world, r, createdAt, retired ? 'gone' : scenario) };
  });
  return { family: 'trigger_event', spec: triggerEventTrace(event, CAPTURE), status: triggerEventStatus(event), featured };
}

/** Delivery attempts: the first at once, retries after 1, 5 and 25 minutes, none after the window's end. */
function deliveryAttempts(world: World, r: Random, createdAt: number, scenario: DeliveryScenario | undefined): DeliveryAttempt[] {
  const attempts: DeliveryAttempt[] = [];
  const retries = [0, MINUTE, 5 * MINUTE, 25 * MINUTE];
  let t = createdAt;
  for (const [a, delay] of retries.entries()) {
    t += delay;
    if (t > world.settings.window.end) break;
    const forced = scenario === 'exhausted' ? 503 : scenario === 'gone' ? 404 : scenario === 'retried' ? (a === 0 ? 502 : 200) : scenario === 'ok' ? 200 : undefined;
    const down = world.endpointDownAt(t);
    const outcome = forced ?? (down ? r.weighted<number | 'timeout'>([[503, 5], [502, 3], ['timeout', 2]]) : r.chance(0.006) ? r.pick([500, 504]) : 200);
    const duration = outcome === 'timeout' ? 10_000 : Math.round(r.lognormal(outcome === 200 ? 180 : 60, 0.5));
    attempts.push(outcome === 'timeout' ? { startedAt: t, endedAt: t + duration, error: 'ETIMEDOUT: the webhook URL did not answer within 10 s' } : { startedAt: t, endedAt: t + duration, statusCode: outcome });
    t += duration;
    if (outcome === 200) break;
  }
  return attempts;
}
