import {
  ATTR_FLOWTRACE_ERROR_CODE,
  ATTR_FLOWTRACE_ERROR_HTTP_STATUS,
  ATTR_FLOWTRACE_ERROR_RECOVERABILITY,
  ATTR_FLOWTRACE_RETRY_ATTEMPT,
  ATTR_FLOWTRACE_RETRY_BACKOFF_MS,
  ATTR_FLOWTRACE_RETRY_MAX_ATTEMPTS,
  ATTR_FLOWTRACE_RETRY_NEXT_AT,
  ATTR_FLOWTRACE_SYNC_CHANGES,
  ATTR_FLOWTRACE_SYNC_CREATED,
  ATTR_FLOWTRACE_SYNC_DELETED,
  ATTR_FLOWTRACE_SYNC_DURATION_MS,
  ATTR_FLOWTRACE_SYNC_EVENT,
  ATTR_FLOWTRACE_SYNC_PIPELINE,
  ATTR_FLOWTRACE_SYNC_PROCESSED,
  ATTR_FLOWTRACE_SYNC_STATUS,
  ATTR_FLOWTRACE_SYNC_UPDATED,
} from '@flowtrace/conventions/semconv';
import type { ExecutionRow } from '../repositories/executions.js';
import type { ProblemLogRow } from '../repositories/eventLogs.js';
import type { SyncRow } from '../repositories/syncs.js';
import { numberOrNull } from './values.js';
import { isoFromNanos, msBetween } from './time.js';

/** A run's summary counts, under the names of the Managed Sync logs, and the attribute each is read from. */
const SUMMARY = {
  created: ATTR_FLOWTRACE_SYNC_CREATED,
  updated: ATTR_FLOWTRACE_SYNC_UPDATED,
  deleted: ATTR_FLOWTRACE_SYNC_DELETED,
  totalProcessed: ATTR_FLOWTRACE_SYNC_PROCESSED,
  totalChanges: ATTR_FLOWTRACE_SYNC_CHANGES,
  durationMs: ATTR_FLOWTRACE_SYNC_DURATION_MS,
} as const;

/** Root span attributes the runs list reads beside the columns. */
export const SYNC_RUN_ATTRIBUTES = [ATTR_FLOWTRACE_SYNC_PIPELINE, ...Object.values(SUMMARY)] as const;

/** A run (iteration) of a Sync with its warnings and errors. */
export function toSyncRun(row: ExecutionRow, logs: ProblemLogRow[]) {
  const summaryEntries = Object.entries(SUMMARY)
    .filter(([, attribute]) => row.attributes[attribute] !== undefined)
    .map(([name, attribute]) => [name, Number(row.attributes[attribute])]);
  return {
    traceId: row.traceId,
    syncId: row.syncId,
    syncType: row.syncType,
    syncStatus: row.status,
    pipeline: row.attributes[ATTR_FLOWTRACE_SYNC_PIPELINE] ?? null,
    integration: row.integration,
    userId: row.userId,
    startedAt: isoFromNanos(row.startNanos),
    endedAt: isoFromNanos(row.endNanos),
    durationMs: msBetween(row.startNanos, row.endNanos),
    summary: summaryEntries.length > 0 ? Object.fromEntries(summaryEntries) : null,
    warnings: logs.filter((l) => l.Level === 'WARN').map(toProblem),
    errors: logs.filter((l) => l.Level !== 'WARN').map(toProblem),
  };
}

/** A warning or error of a run: its sync event, error details and retry metadata. */
function toProblem(log: ProblemLogRow) {
  const a = log.Attributes;
  const retry = a[ATTR_FLOWTRACE_RETRY_ATTEMPT] ?? a[ATTR_FLOWTRACE_RETRY_BACKOFF_MS] ?? a[ATTR_FLOWTRACE_RETRY_NEXT_AT];
  return {
    timestamp: isoFromNanos(log.nanos),
    level: log.Level,
    syncEvent: a[ATTR_FLOWTRACE_SYNC_EVENT] ?? log.EventName,
    message: log.Body,
    syncStatus: a[ATTR_FLOWTRACE_SYNC_STATUS] ?? null,
    errorCode: a[ATTR_FLOWTRACE_ERROR_CODE] ?? null,
    httpStatus: numberOrNull(a[ATTR_FLOWTRACE_ERROR_HTTP_STATUS]),
    recoverability: a[ATTR_FLOWTRACE_ERROR_RECOVERABILITY] ?? null,
    retry:
      retry === undefined
        ? null
        : {
            attempt: numberOrNull(a[ATTR_FLOWTRACE_RETRY_ATTEMPT]),
            maxAttempts: numberOrNull(a[ATTR_FLOWTRACE_RETRY_MAX_ATTEMPTS]),
            backoffMs: numberOrNull(a[ATTR_FLOWTRACE_RETRY_BACKOFF_MS]),
            nextRetryAt: a[ATTR_FLOWTRACE_RETRY_NEXT_AT] ?? null,
          },
  };
}

/** The problems of each run, by trace id. */
export function problemsByTrace(logs: ProblemLogRow[]): Map<string, ProblemLogRow[]> {
  const byTrace = new Map<string, ProblemLogRow[]>();
  for (const log of logs) {
    const list = byTrace.get(log.TraceId);
    if (list) list.push(log);
    else byTrace.set(log.TraceId, [log]);
  }
  return byTrace;
}

/** A Sync in the list of Syncs: its latest run and its run counts. */
export function toSync(row: SyncRow) {
  return {
    syncId: row.syncId,
    syncType: row.syncType,
    pipeline: row.pipeline || null,
    integration: row.integration,
    userId: row.userId,
    lastRun: {
      traceId: row.lastTraceId,
      syncStatus: row.lastStatus,
      startedAt: isoFromNanos(row.lastStartNanos),
      endedAt: isoFromNanos(row.lastEndNanos),
      durationMs: msBetween(row.lastStartNanos, row.lastEndNanos),
    },
    runs: Number(row.runs),
    failedRuns: Number(row.failedRuns),
  };
}
