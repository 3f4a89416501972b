import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { OK, SpanKind, TraceBuilder, attrs, error } from '../builder.js';
import { traceIdFor } from '../ids.js';
import { toMillis, type Time, type TraceSpec } from '../model.js';
import {
  ATTR_FLOWTRACE_ERROR_CODE,
  ATTR_FLOWTRACE_ERROR_HTTP_STATUS,
  ATTR_FLOWTRACE_ERROR_MESSAGE,
  ATTR_FLOWTRACE_ERROR_RECOVERABILITY,
  ATTR_FLOWTRACE_INTEGRATION,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_LOG_TYPE,
  ATTR_FLOWTRACE_RETRY_ATTEMPT,
  ATTR_FLOWTRACE_RETRY_BACKOFF_MS,
  ATTR_FLOWTRACE_RETRY_MAX_ATTEMPTS,
  ATTR_FLOWTRACE_RETRY_NEXT_AT,
  ATTR_FLOWTRACE_STATUS,
  ATTR_FLOWTRACE_SYNC_CHANGES,
  ATTR_FLOWTRACE_SYNC_CREATED,
  ATTR_FLOWTRACE_SYNC_DELETED,
  ATTR_FLOWTRACE_SYNC_DURATION_MS,
  ATTR_FLOWTRACE_SYNC_EVENT,
  ATTR_FLOWTRACE_SYNC_ID,
  ATTR_FLOWTRACE_SYNC_PIPELINE,
  ATTR_FLOWTRACE_SYNC_PROCESSED,
  ATTR_FLOWTRACE_SYNC_STATUS,
  ATTR_FLOWTRACE_SYNC_TYPE,
  ATTR_FLOWTRACE_SYNC_UPDATED,
  ATTR_USER_ID,
  FLOWTRACE_KIND,
  LOG_TYPE,
} from '../semconv.js';

export type SyncType = 'INITIAL' | 'INCREMENTAL' | 'FULL' | 'PERMISSION' | 'SINGLE_RECORD';
export type SyncStatus = 'ACTIVE' | 'IDLE' | 'RATE_LIMITED' | 'ERRORED';
export type Recoverability = 'RECOVERABLE' | 'TERMINAL';

/** A recoverable failure Managed Sync retries: a warning-level log. */
export interface SyncWarning {
  at: Time;
  /** @example SYNC_RUN_RATE_LIMITED, SYNC_RUN_WARNING, FULL_SYNC_INTERRUPTED */
  syncEvent: string;
  message: string;
  syncStatus?: SyncStatus;
  httpStatus?: number;
  errorCode?: string;
  backoffMs?: number;
  nextRetryAt?: Time;
  attempt?: number;
  maxAttempts?: number;
}

/** A failure the Sync cannot continue past without intervention: an error-level log. */
export interface SyncError {
  at: Time;
  /** @example SYNC_RUN_ERROR, SYNC_CREATION_FAILED */
  syncEvent: string;
  message: string;
  errorCode?: string;
  httpStatus?: number;
  recoverability?: Recoverability;
}

/** A failed delivery of a Sync webhook: warning while retried, error once retries are exhausted. */
export interface SyncWebhookFailure {
  at: Time;
  message: string;
  statusCode?: number;
  attempt: number;
  maxAttempts: number;
  nextRetryAt?: Time;
}

/** One Sync iteration: an initial, incremental or periodic full run. */
export interface SyncRun {
  syncId: string;
  /** This iteration's id: the trace is derived from it. */
  runId: string;
  userId: string;
  integration: string;
  /** @example contacts */
  pipeline: string;
  syncType: SyncType;
  /** The Sync's status when the run ended. */
  syncStatus: SyncStatus;
  startedAt: Time;
  /** Absent while the run goes on. */
  endedAt?: Time;
  summary?: { created: number; updated: number; deleted: number; processed: number; changes: number; durationMs?: number };
  warnings?: SyncWarning[];
  errors?: SyncError[];
  webhookFailures?: SyncWebhookFailure[];
}

export const syncRunTraceId = (syncId: string, runId: string) => traceIdFor(`sync_run:${syncId}`, runId);

/**
 * A Sync iteration as a trace: lifecycle logs (INITIAL_SYNC_STARTED …
 * _COMPLETED), warnings with their retry metadata, errors, webhook delivery
 * failures, and the summary counts on the root span.
 */
export function syncRunTrace(run: SyncRun): TraceSpec {
  const failed = (run.errors ?? []).length > 0 || run.syncStatus === 'ERRORED';
  const b = new TraceBuilder(
    syncRunTraceId(run.syncId, run.runId),
    attrs({
      [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.syncRun,
      [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.managedSync,
      [ATTR_FLOWTRACE_SYNC_ID]: run.syncId,
      [ATTR_USER_ID]: run.userId,
      [ATTR_FLOWTRACE_INTEGRATION]: run.integration,
      [ATTR_FLOWTRACE_SYNC_PIPELINE]: run.pipeline,
      [ATTR_FLOWTRACE_SYNC_TYPE]: run.syncType,
    }),
  );
  const start = toMillis(run.startedAt);
  const end = run.endedAt === undefined ? undefined : toMillis(run.endedAt);
  const root = b.root({
    name: `sync ${run.pipeline} ${run.syncType}`,
    kind: SpanKind.INTERNAL,
    startTime: start,
    endTime: end,
    attributes: attrs({
      [ATTR_FLOWTRACE_STATUS]: run.syncStatus,
      [ATTR_FLOWTRACE_SYNC_STATUS]: run.syncStatus,
      [ATTR_FLOWTRACE_SYNC_CREATED]: run.summary?.created,
      [ATTR_FLOWTRACE_SYNC_UPDATED]: run.summary?.updated,
      [ATTR_FLOWTRACE_SYNC_DELETED]: run.summary?.deleted,
      [ATTR_FLOWTRACE_SYNC_PROCESSED]: run.summary?.processed,
      [ATTR_FLOWTRACE_SYNC_CHANGES]: run.summary?.changes,
      [ATTR_FLOWTRACE_SYNC_DURATION_MS]: run.summary?.durationMs ?? (end === undefined ? undefined : end - start),
      [ATTR_ERROR_TYPE]: failed ? (run.errors?.[0]?.errorCode ?? 'SyncError') : undefined,
    }),
    status: failed ? error(run.errors?.[0]?.message) : OK,
    events: (run.warnings ?? []).map((w) => ({ name: w.syncEvent, time: toMillis(w.at), attributes: attrs({ [ATTR_FLOWTRACE_RETRY_ATTEMPT]: w.attempt, [ATTR_FLOWTRACE_RETRY_BACKOFF_MS]: w.backoffMs }) })),
  });
  const log = (at: number, level: 'INFO' | 'WARN' | 'ERROR', syncEvent: string, body: string, syncStatus: string, extra = {}) =>
    b.log(root, at, level, syncEvent, body, { [ATTR_FLOWTRACE_SYNC_EVENT]: syncEvent, [ATTR_FLOWTRACE_SYNC_STATUS]: syncStatus, [ATTR_FLOWTRACE_STATUS]: syncStatus, ...extra });
  // INITIAL_SYNC_STARTED, INCREMENTAL_SYNC_COMPLETED, FULL_SYNC_STARTED, …
  const phase = `${run.syncType}_SYNC`;
  log(start, 'INFO', `${phase}_STARTED`, `${phase}_STARTED`, 'ACTIVE');
  for (const w of run.warnings ?? []) {
    log(toMillis(w.at), 'WARN', w.syncEvent, w.message, w.syncStatus ?? (w.syncEvent === 'SYNC_RUN_RATE_LIMITED' ? 'RATE_LIMITED' : 'ACTIVE'), attrs({
      [ATTR_FLOWTRACE_ERROR_RECOVERABILITY]: 'RECOVERABLE',
      [ATTR_FLOWTRACE_ERROR_MESSAGE]: w.message,
      [ATTR_FLOWTRACE_ERROR_HTTP_STATUS]: w.httpStatus,
      [ATTR_FLOWTRACE_ERROR_CODE]: w.errorCode,
      [ATTR_FLOWTRACE_RETRY_BACKOFF_MS]: w.backoffMs,
      [ATTR_FLOWTRACE_RETRY_NEXT_AT]: w.nextRetryAt === undefined ? undefined : new Date(toMillis(w.nextRetryAt)).toISOString(),
      [ATTR_FLOWTRACE_RETRY_ATTEMPT]: w.attempt,
      [ATTR_FLOWTRACE_RETRY_MAX_ATTEMPTS]: w.maxAttempts,
    }));
  }
  for (const e of run.errors ?? []) {
    log(toMillis(e.at), 'ERROR', e.syncEvent, e.message, 'ERRORED', attrs({
      [ATTR_FLOWTRACE_ERROR_RECOVERABILITY]: e.recoverability ?? 'TERMINAL',
      [ATTR_FLOWTRACE_ERROR_MESSAGE]: e.message,
      [ATTR_FLOWTRACE_ERROR_CODE]: e.errorCode,
      [ATTR_FLOWTRACE_ERROR_HTTP_STATUS]: e.httpStatus,
    }));
  }
  for (const f of run.webhookFailures ?? []) {
    const exhausted = f.attempt >= f.maxAttempts;
    log(toMillis(f.at), exhausted ? 'ERROR' : 'WARN', 'SYNC_WEBHOOK_FAILED', f.message, run.syncStatus, attrs({
      [ATTR_FLOWTRACE_ERROR_RECOVERABILITY]: exhausted ? 'TERMINAL' : 'RECOVERABLE',
      [ATTR_FLOWTRACE_ERROR_HTTP_STATUS]: f.statusCode,
      [ATTR_FLOWTRACE_RETRY_ATTEMPT]: f.attempt,
      [ATTR_FLOWTRACE_RETRY_MAX_ATTEMPTS]: f.maxAttempts,
      [ATTR_FLOWTRACE_RETRY_NEXT_AT]: f.nextRetryAt === undefined || exhausted ? undefined : new Date(toMillis(f.nextRetryAt)).toISOString(),
    }));
  }
  if (end !== undefined && !failed) {
    log(end, 'INFO', `${phase}_COMPLETED`, `${phase}_COMPLETED`, run.syncStatus, attrs({
      [ATTR_FLOWTRACE_SYNC_CREATED]: run.summary?.created,
      [ATTR_FLOWTRACE_SYNC_UPDATED]: run.summary?.updated,
      [ATTR_FLOWTRACE_SYNC_DELETED]: run.summary?.deleted,
      [ATTR_FLOWTRACE_SYNC_PROCESSED]: run.summary?.processed,
      [ATTR_FLOWTRACE_SYNC_CHANGES]: run.summary?.changes,
      [ATTR_FLOWTRACE_SYNC_DURATION_MS]: run.summary?.durationMs ?? end - start,
    }));
  }
  return b.build();
}
