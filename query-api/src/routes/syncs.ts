import { z } from 'zod';
import { FLOWTRACE_KIND } from '@flowtrace/conventions/semconv';
import { problemLogs } from '../repositories/eventLogs.js';
import { listSyncs } from '../repositories/syncs.js';
import { SYNC_RUN_ATTRIBUTES, problemsByTrace, toSync, toSyncRun } from '../converters/syncs.js';
import { filterValue, integrationValue, isoDate, limitParam, offsetParam, oneOrMore, orderedRange, projectIdParam, SYNC_STATUSES, SYNC_TYPES } from '../schemas.js';
import { executionPage, listAnswer, listPaging, listResponse, projectGet, type RouteContext } from './context.js';

const runsQuery = z
  .strictObject({
    syncType: oneOrMore(SYNC_TYPES).optional(),
    syncStatus: oneOrMore(SYNC_STATUSES).optional().meta({ description: 'the Sync status the run ended with' }),
    ...listPaging,
  })
  .superRefine(orderedRange('from', 'to'));

const syncsQuery = z
  .strictObject({
    userId: filterValue.optional().meta({ description: 'the Connected User' }),
    integration: integrationValue.optional(),
    syncStatus: oneOrMore(SYNC_STATUSES).optional().meta({ description: 'the status the latest run ended with' }),
    from: isoDate.optional().meta({ description: 'count runs started at or after; a Sync with none is left out' }),
    to: isoDate.optional().meta({ description: 'count runs started before' }),
    offset: offsetParam,
    limit: limitParam(500, 100),
  })
  .superRefine(orderedRange('from', 'to'));

const problem = z.object({
  timestamp: z.string(),
  level: z.string(),
  syncEvent: z.string(),
  message: z.string(),
  syncStatus: z.string().nullable(),
  errorCode: z.string().nullable(),
  httpStatus: z.number().nullable(),
  recoverability: z.string().nullable(),
  retry: z.object({ attempt: z.number().nullable(), maxAttempts: z.number().nullable(), backoffMs: z.number().nullable(), nextRetryAt: z.string().nullable() }).nullable(),
});
const syncRun = z.object({
  traceId: z.string(),
  syncId: z.string(),
  syncType: z.string(),
  syncStatus: z.string(),
  pipeline: z.string().nullable(),
  integration: z.string(),
  userId: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: z.number(),
  summary: z.record(z.string(), z.number()).nullable(),
  warnings: z.array(problem),
  errors: z.array(problem),
});
const sync = z.object({
  syncId: z.string(),
  syncType: z.string().meta({ description: 'of the latest run' }),
  pipeline: z.string().nullable(),
  integration: z.string(),
  userId: z.string(),
  lastRun: z.object({ traceId: z.string(), syncStatus: z.string(), startedAt: z.string(), endedAt: z.string(), durationMs: z.number() }),
  runs: z.number(),
  failedRuns: z.number().meta({ description: 'runs that ended ERRORED or failed' }),
});

export function syncRoutes(ctx: RouteContext): void {
  projectGet(
    ctx,
    '/projects/:projectId/syncs',
    {
      tag: 'Managed Sync',
      summary: 'The Syncs of the project: each with its latest run (type, status, time) and its run counts, latest first',
      description: 'Built from the Sync runs received. `nextLink` continues the list; `total` counts the Syncs matching.',
      params: z.strictObject({ projectId: projectIdParam }),
      query: syncsQuery,
      response: listResponse('syncs', sync),
    },
    async (req, res) => {
      const q = res.locals.query as z.output<typeof syncsQuery>;
      const page = await listSyncs(ctx.store, { projectId: res.locals.params.projectId, userId: q.userId, integration: q.integration, statuses: q.syncStatus, from: q.from, to: q.to, offset: q.offset, limit: q.limit });
      res.json(listAnswer(ctx, req, { offset: q.offset }, 'syncs', page, page.rows.map(toSync)));
    },
  );

  projectGet(
    ctx,
    '/projects/:projectId/syncs/:syncId/runs',
    {
      tag: 'Managed Sync',
      summary: 'The runs (iterations) of a Sync: type, final status, summary counts, duration, warnings with retry metadata, errors',
      description: 'A Sync’s logs are in Event Logs, filtered with syncId, syncEvent, syncType and syncStatus.',
      params: z.strictObject({ projectId: projectIdParam, syncId: filterValue }),
      query: runsQuery,
      response: listResponse('runs', syncRun),
    },
    async (req, res) => {
      const { projectId, syncId } = res.locals.params;
      const q = res.locals.query as z.output<typeof runsQuery>;
      const page = await executionPage(ctx, projectId, FLOWTRACE_KIND.syncRun, q, { rollup: { syncType: q.syncType, status: q.syncStatus }, rows: { syncId } }, SYNC_RUN_ATTRIBUTES);
      const problems = problemsByTrace(await problemLogs(ctx.store, projectId, page.rows));
      res.json(listAnswer(ctx, req, q, 'runs', page, page.rows.map((row) => toSyncRun(row, problems.get(row.traceId) ?? []))));
    },
  );
}
