import { syncRunTrace, type SyncError, type SyncRun, type SyncStatus, type SyncType, type SyncWarning, type SyncWebhookFailure } from '@flowtrace/instrumentation';
import { INTEGRATIONS } from '../catalog.js';
import type { Emission } from '../emission.js';
import type { Random } from '../random.js';
import { DAY, HOUR, MINUTE, type User, type World } from '../world.js';

/** One Managed Sync: one user's pipeline of one integration, its id its own. */
interface Sync {
  syncId: string;
  user: User;
  integration: string;
  pipeline: string;
  /** Created during the window (its INITIAL run then), or before it. */
  createdAt?: number;
  /** Its creation failed (SYNC_CREATION_FAILED): it never runs again. */
  creationFails: boolean;
  /** Hours between INCREMENTAL runs; FULL runs daily, PERMISSION twice a day for files. */
  everyHours: number;
  phase: number;
}

type Forced = 'rate_limited' | 'rate_limit_exhausted' | 'warning' | 'interrupted' | 'error' | 'webhook_retried' | 'webhook_exhausted' | 'idle' | 'creation_failed';

/**
 * Managed Sync runs, each sync on its own schedule: INCREMENTAL every 1 to 6
 * hours, a periodic FULL sync every day, PERMISSION syncs for file
 * pipelines, SINGLE_RECORD syncs now and then, and an INITIAL run for a sync
 * created during the window. A sync whose credential is revoked errors
 * (SYNC_RUN_ERROR, 401) and stays ERRORED — no runs — until its user
 * reconnects; rate limits and provider errors are retried (warnings).
 */
export function* syncRuns(world: World): Generator<Emission> {
  const { window } = world.settings;
  const syncs = plan(world);
  const schedules = syncs.map((sync) => {
    const r = world.rnd.fork('sync-runs', sync.syncId);
    const runs: Array<{ type: SyncType; at: number; forced?: Forced }> = [];
    if (sync.createdAt !== undefined) runs.push({ type: 'INITIAL', at: sync.createdAt, forced: sync.creationFails ? 'creation_failed' : undefined });
    if (!sync.creationFails) {
      const from = sync.createdAt !== undefined ? sync.createdAt + 30 * MINUTE : window.start;
      const cadence = (type: SyncType, every: number, phase: number) => {
        for (let at = window.end - phase; at >= from; at -= every) runs.push({ type, at: Math.floor(at) });
      };
      cadence('INCREMENTAL', sync.everyHours * HOUR, sync.phase * sync.everyHours * HOUR + 2 * MINUTE);
      if (sync.pipeline !== 'tickets' || sync.everyHours >= 4) cadence('FULL', DAY, sync.phase * DAY + 17 * MINUTE);
      if (sync.pipeline === 'files') cadence('PERMISSION', 12 * HOUR, sync.phase * 12 * HOUR + 41 * MINUTE);
      // On demand: whenever the tenant's app asks for one record.
      for (let k = r.poisson(0.5 * world.settings.days); k > 0; k--) runs.push({ type: 'SINGLE_RECORD', at: Math.floor(from + r.next() * (window.end - from)) });
    }
    runs.sort((a, b) => a.at - b.at);
    return { sync, r, runs };
  });

  // The newest run of one sync errors (it stops its sync for hours: nothing after it), and each
  // kind of warning once on one of the newest runs.
  const newest = schedules.map(({ runs }) => runs.at(-1)).find((run) => run && !run.forced && run.type !== 'INITIAL');
  if (newest) newest.forced = 'error';
  const candidates = schedules
    .flatMap(({ runs }) => runs.filter((run) => run.type !== 'INITIAL' && run.at > window.end - DAY))
    .sort((a, b) => b.at - a.at);
  for (const kind of ['rate_limited', 'rate_limit_exhausted', 'warning', 'interrupted', 'webhook_retried', 'webhook_exhausted', 'idle'] as const) {
    const slot = candidates.find((run) => !run.forced && (kind === 'interrupted' ? run.type === 'FULL' : run.type === 'INCREMENTAL' || run.type === 'FULL'));
    if (slot) slot.forced = kind;
  }

  for (const { sync, r, runs } of schedules) {
    let erroredUntil = -Infinity;
    for (const [k, { type, at, forced }] of runs.entries()) {
      if (at < erroredUntil && !forced) continue;
      const { run, status, pauseUntil } = syncRun(world, r.fork(type, k), sync, type, at, forced);
      if (pauseUntil !== undefined) erroredUntil = pauseUntil;
      yield { family: 'sync_run', spec: syncRunTrace(run), status, featured: forced === 'error' };
    }
  }
}

/**
 * The tenant's syncs: unique per (user, integration, pipeline), each its own
 * id. They stay from one week to the next: an appended week creates none
 * (and the ones whose creation failed do not exist).
 */
function plan(world: World): Sync[] {
  const rnd = world.identity.fork('syncs');
  const { window } = world.settings;
  const candidates = world.tenant.integrations.map(([name]) => name).filter((name) => INTEGRATIONS[name]!.pipelines.length > 0);
  const n = Math.min(40, Math.max(3, Math.round(world.settings.scale / 20)));
  const syncs: Sync[] = [];
  const taken = new Set<string>();
  for (let i = 0; syncs.length < n && i < n * 10; i++) {
    const r = rnd.fork(i);
    const integration = r.weighted(candidates.map((name) => [name, world.tenant.integrations.find(([x]) => x === name)![1]] as const));
    const user = world.userFor(integration, r);
    const pipeline = r.pick(INTEGRATIONS[integration]!.pipelines);
    const key = `${user.id}/${integration}/${pipeline}`;
    if (taken.has(key)) continue;
    taken.add(key);
    const created = syncs.length === 1 || r.chance(0.25);
    syncs.push({
      syncId: r.fork('id').uuid(),
      user,
      integration,
      pipeline,
      createdAt: created ? window.start + r.next() * (window.end - window.start - 2 * HOUR) : undefined,
      // A duplicate or misconfigured sync: its creation fails (the second sync always, so one shows).
      creationFails: created && (syncs.length === 1 || r.chance(0.1)),
      everyHours: r.pick([1, 1, 2, 4, 6]),
      phase: r.next(),
    });
  }
  return world.settings.appended ? syncs.filter((s) => !s.creationFails).map((s) => ({ ...s, createdAt: undefined })) : syncs;
}

function syncRun(world: World, r: Random, sync: Sync, type: SyncType, at: number, forced: Forced | undefined): { run: SyncRun; status: SyncStatus; pauseUntil?: number } {
  const runId = r.fork('id').uuid();
  const size = { INITIAL: 4000, FULL: 2500, PERMISSION: 300, INCREMENTAL: 12, SINGLE_RECORD: 1 }[type];
  const duration = Math.round(type === 'INITIAL' ? r.lognormal(12 * MINUTE, 0.6) : type === 'FULL' ? r.lognormal(3 * MINUTE, 0.6) : type === 'PERMISSION' ? r.lognormal(40_000, 0.5) : r.lognormal(type === 'SINGLE_RECORD' ? 1500 : 4000, 0.7));
  // Room for the longest retries (15.5 minutes of rate-limit backoff) and webhook retries before the window's end.
  const startedAt = world.traffic.fit(at, duration + 20 * MINUTE);
  let endedAt = startedAt + duration;
  const warnings: SyncWarning[] = [];
  const errors: SyncError[] = [];
  const webhookFailures: SyncWebhookFailure[] = [];
  let status: SyncStatus = 'ACTIVE';
  let pauseUntil: number | undefined;
  const revoked = world.revokedAt(sync.user, sync.integration, startedAt);
  const incident = world.incidentAt(sync.integration, startedAt);

  if (forced === 'creation_failed') {
    const duplicate = r.chance(0.5);
    errors.push({ at: startedAt + 800, syncEvent: 'SYNC_CREATION_FAILED', message: duplicate ? `A sync of ${sync.pipeline} for this user and integration exists already` : `Invalid Sync configuration: unknown field "Custom_Region__c" in the ${sync.pipeline} pipeline`, errorCode: duplicate ? 'DUPLICATE_SYNC' : 'INVALID_SYNC_CONFIGURATION', httpStatus: duplicate ? 409 : 400, recoverability: 'TERMINAL' });
    endedAt = startedAt + 1200;
  } else if (forced === 'error' || (revoked && forced === undefined)) {
    errors.push({ at: startedAt + Math.round(duration * 0.1), syncEvent: 'SYNC_RUN_ERROR', message: 'Authentication failed: the access token was revoked', errorCode: 'AUTHENTICATION_FAILED', httpStatus: 401, recoverability: 'TERMINAL' });
    endedAt = startedAt + Math.round(duration * 0.1) + 50;
    // No more runs until the user reconnects.
    pauseUntil = revoked?.to ?? endedAt + r.lognormal(3 * HOUR, 0.5);
  } else if (forced === undefined && r.chance(0.004)) {
    errors.push({ at: startedAt + Math.round(duration / 2), syncEvent: 'SYNC_RUN_ERROR', message: `${sync.integration} answered 500 on every retry`, errorCode: 'INTEGRATION_ERROR', httpStatus: 500, recoverability: 'TERMINAL' });
    endedAt = startedAt + Math.round(duration / 2) + 50;
    pauseUntil = endedAt + r.lognormal(2 * HOUR, 0.5);
  } else {
    const big = type === 'INITIAL' || type === 'FULL';
    const limited = forced === 'rate_limited' || forced === 'rate_limit_exhausted' || (forced === undefined && (incident?.kind === 'rate_limits' ? r.chance(0.6) : r.chance(big ? 0.08 : 0.02)));
    if (limited) {
      const attempts = forced === 'rate_limit_exhausted' ? 5 : r.int(1, 3);
      let t = startedAt + Math.round(duration * 0.3);
      for (let a = 1; a <= attempts; a++) {
        const backoffMs = 30_000 * 2 ** (a - 1);
        warnings.push({ at: t, syncEvent: 'SYNC_RUN_RATE_LIMITED', message: `Rate limited by ${sync.integration}; retrying in ${backoffMs / 1000} s`, httpStatus: 429, backoffMs, nextRetryAt: t + backoffMs, attempt: a, maxAttempts: 5 });
        t += backoffMs;
      }
      endedAt = Math.max(endedAt, t + 2000);
      if (attempts === 5) status = 'RATE_LIMITED';
    }
    if (forced === 'warning' || (forced === undefined && (incident?.kind === 'errors' ? r.chance(0.5) : r.chance(0.01)))) {
      const t = startedAt + Math.round(duration * 0.6);
      warnings.push({ at: t, syncEvent: 'SYNC_RUN_WARNING', message: `${sync.integration} answered 503; the page will be retried`, httpStatus: 503, errorCode: 'UPSTREAM_UNAVAILABLE', backoffMs: 10_000, nextRetryAt: t + 10_000, attempt: 1, maxAttempts: 5 });
      endedAt += 10_000;
    }
    if (forced === 'interrupted' || (forced === undefined && type === 'FULL' && r.chance(0.03))) {
      const t = startedAt + Math.round(duration * 0.5);
      warnings.push({ at: t, syncEvent: 'FULL_SYNC_INTERRUPTED', message: 'Full sync interrupted by a worker restart; resuming from the last checkpoint', errorCode: 'WORKER_RESTARTED', backoffMs: 5000, nextRetryAt: t + 5000, attempt: 1, maxAttempts: 3 });
      endedAt += 5000;
    }
    warnings.sort((a, b) => Number(a.at) - Number(b.at));
  }

  const failed = errors.length > 0;
  let summary: SyncRun['summary'];
  if (!failed) {
    const changes = forced === 'idle' ? 0 : type === 'INCREMENTAL' || type === 'SINGLE_RECORD' ? Math.round(r.lognormal(size, 1.2) * (r.chance(0.25) ? 0 : 1)) : Math.round(r.lognormal(size, 0.5));
    const created = Math.round(changes * r.float(0.1, 0.5));
    const deleted = Math.round(changes * r.float(0, 0.05));
    summary = { created, updated: changes - created - deleted, deleted, processed: changes + (type === 'INCREMENTAL' ? r.int(0, 20) : Math.round(changes * 0.1)), changes, durationMs: endedAt - startedAt };
    if (status === 'ACTIVE' && changes === 0) status = 'IDLE';
    // Webhooks telling the tenant's app about the changes: retried while its endpoint is down.
    const down = forced === 'webhook_retried' || forced === 'webhook_exhausted' || (forced === undefined && changes > 0 && world.endpointDownAt(endedAt) !== undefined);
    if (down) {
      const attempts = forced === 'webhook_exhausted' || (forced === undefined && r.chance(0.3)) ? 3 : r.int(1, 2);
      for (let a = 1; a <= attempts; a++) {
        const t = endedAt + (a - 1) * 60_000;
        webhookFailures.push({ at: t, message: `Webhook endpoint ${world.tenant.webhookUrls[1]} returned ${a % 2 ? 502 : 503}`, statusCode: a % 2 ? 502 : 503, attempt: a, maxAttempts: 3, nextRetryAt: t + 60_000 });
      }
    }
  } else status = 'ERRORED';
  const run: SyncRun = { syncId: sync.syncId, runId, userId: sync.user.id, integration: sync.integration, pipeline: sync.pipeline, syncType: type, syncStatus: status, startedAt, endedAt: Math.min(endedAt, world.settings.window.end), summary, warnings, errors, webhookFailures };
  return { run, status, pauseUntil };
}
