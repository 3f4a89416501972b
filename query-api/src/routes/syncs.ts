import { z } from 'zod';
import { FLOWTRACE_KIND } from '@flowtrace/instrumentation/semconv';
import { TABLES } from '@flowtrace/store';
import type { ExecutionRow } from '../repositories/executions.js';
import { filterValue, oneOrMore, orderedRange, projectIdParam } from '../schemas.js';
import { isoFromNanos } from '../converters/time.js';
import { numberOrNull } from '../converters/values.js';
import { executionPage, isoMillis, listAnswer, listPaging, listResponse, projectGet, type RouteContext } from './context.js';
import { SYNC_STATUSES, SYNC_TYPES } from './eventLogs.js';

const runsQuery = z
  .strictObject({
    syncType: oneOrMore(SYNC_TYPES).optional(),
    syncStatus: oneOrMore(SYNC_STATUSES).optional().meta({ description: 'the Sync status the run ended with' }),
    ...listPaging,
  })
  .superRefine(orderedRange('from', 'to'));

const SUMMARY = {
  created: 'flowtrace.sync.summary.created',
  updated: 'flowtrace.sync.summary.updated',
  deleted: 'flowtrace.sync.summary.deleted',
  totalProcessed: 'flowtrace.sync.summary.processed',
  totalChanges: 'flowtrace.sync.summary.changes',
  durationMs: 'flowtrace.sync.summary.duration_ms',
} as const;

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

interface ProblemLog {
  TraceId: string;
  nanos: string;
  Level: string;
  EventName: string;
  Body: string;
  Attributes: Record<string, string>;
}

export function syncRoutes(ctx: RouteContext): void {
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
      const page = await executionPage(ctx, projectId, FLOWTRACE_KIND.syncRun, q, { rollup: { syncType: q.syncType, status: q.syncStatus }, rows: { syncId } }, [
        'flowtrace.sync.pipeline',
        ...Object.values(SUMMARY),
      ]);
      const problems = await problemLogs(ctx, projectId, page.rows);
      res.json(listAnswer(ctx, req, q, 'runs', page, page.rows.map((row) => toSyncRun(row, problems.get(row.traceId) ?? []))));
    },
  );
}

/** The warning and error logs of the runs on a page, in one read. */
async function problemLogs(ctx: RouteContext, projectId: string, runs: ExecutionRow[]): Promise<Map<string, ProblemLog[]>> {
  const byTrace = new Map<string, ProblemLog[]>();
  if (runs.length === 0) return byTrace;
  const rows = await ctx.store.select<ProblemLog>(
    'query-api.syncs.problems',
    `SELECT TraceId, toString(toUnixTimestamp64Nano(Timestamp)) AS nanos, Level, EventName, Body, Attributes
     FROM ${TABLES.eventLogs}
     WHERE ProjectId = {projectId:String} AND TraceId IN {traceIds:Array(String)}
       AND Level IN ('WARN', 'ERROR', 'FATAL')
       AND Timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND Timestamp <= fromUnixTimestamp64Milli({to:Int64})
     ORDER BY Timestamp
     LIMIT 1 BY Timestamp, LogKey`,
    {
      projectId,
      traceIds: runs.map((r) => r.traceId),
      from: Math.min(...runs.map((r) => r.startMs)),
      // Retries and webhook failures can be logged after the run's span ends.
      to: Math.max(...runs.map((r) => r.endMs)) + 86_400_000,
    },
  );
  for (const row of rows) {
    const list = byTrace.get(row.TraceId);
    if (list) list.push(row);
    else byTrace.set(row.TraceId, [row]);
  }
  return byTrace;
}

function toProblem(log: ProblemLog) {
  const a = log.Attributes;
  const retry = a['flowtrace.retry.attempt'] ?? a['flowtrace.retry.backoff_ms'] ?? a['flowtrace.retry.next_retry_at'];
  return {
    timestamp: isoFromNanos(log.nanos),
    level: log.Level,
    syncEvent: a['flowtrace.sync.event'] ?? log.EventName,
    message: log.Body,
    syncStatus: a['flowtrace.sync.status'] ?? null,
    errorCode: a['flowtrace.error.code'] ?? null,
    httpStatus: numberOrNull(a['flowtrace.error.http_status']),
    recoverability: a['flowtrace.error.recoverability'] ?? null,
    retry:
      retry === undefined
        ? null
        : {
            attempt: numberOrNull(a['flowtrace.retry.attempt']),
            maxAttempts: numberOrNull(a['flowtrace.retry.max_attempts']),
            backoffMs: numberOrNull(a['flowtrace.retry.backoff_ms']),
            nextRetryAt: a['flowtrace.retry.next_retry_at'] ?? null,
          },
  };
}

function toSyncRun(row: ExecutionRow, logs: ProblemLog[]) {
  const summaryEntries = Object.entries(SUMMARY)
    .filter(([, attribute]) => row.attributes[attribute] !== undefined)
    .map(([name, attribute]) => [name, Number(row.attributes[attribute])]);
  return {
    traceId: row.traceId,
    syncId: row.syncId,
    syncType: row.syncType,
    syncStatus: row.status,
    pipeline: row.attributes['flowtrace.sync.pipeline'] ?? null,
    integration: row.integration,
    userId: row.userId,
    startedAt: isoMillis(row.startMs),
    endedAt: isoMillis(row.endMs),
    durationMs: row.durationMs,
    summary: summaryEntries.length > 0 ? Object.fromEntries(summaryEntries) : null,
    warnings: logs.filter((l) => l.Level === 'WARN').map(toProblem),
    errors: logs.filter((l) => l.Level !== 'WARN').map(toProblem),
  };
}
