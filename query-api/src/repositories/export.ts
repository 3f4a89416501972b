import { TABLES, type Store } from '@flowtrace/store';
import { FLOWTRACE_KIND } from '@flowtrace/conventions/semconv';
import { sameLog } from './eventLogs.js';

/** Rows one read of an export fetches: what an export holds in memory at once. */
export const EXPORT_CHUNK_ROWS = 5_000;

export interface ExportRange {
  projectId: string;
  /** Nanoseconds, inclusive. */
  from: bigint;
  /** Nanoseconds, exclusive. */
  to: bigint;
}

/** A workflow execution as read for an export (see converters/export.ts for what is written). */
export interface ExportExecutionRow {
  id: string;
  userId: string;
  taskCount: string;
  runDuration: string;
  workflowId: string;
  status: string;
  integration: string;
  traceId: string;
  /** Start, the keyset position. */
  nanos: string;
  endNanos: string;
}

/** A log as read for an export. */
export interface ExportLogRow {
  level: string;
  type: string;
  message: string;
  eventName: string;
  traceId: string;
  spanId: string;
  userId: string;
  integrationId: string;
  attributes: Record<string, string>;
  nanos: string;
  logKey: string;
}

/**
 * Workflow executions of a range in start order, a chunk at a time: each read
 * continues after the last row of the previous one (keyset), so memory stays
 * at one chunk however long the range, and no read skips rows by offset.
 */
export async function* exportExecutions(store: Store, range: ExportRange, chunk = EXPORT_CHUNK_ROWS): AsyncGenerator<ExportExecutionRow[]> {
  let after: { nanos: string; traceId: string } | undefined;
  for (;;) {
    const rows = await store.select<ExportExecutionRow>(
      'query-api.export.executions',
      `SELECT ExecutionId AS id, UserId AS userId, toString(TaskCount) AS taskCount, toString(DurationMs) AS runDuration, WorkflowId AS workflowId,
              Status AS status, Integration AS integration, TraceId AS traceId,
              toString(toUnixTimestamp64Nano(Start)) AS nanos, toString(toUnixTimestamp64Nano(End)) AS endNanos
       FROM ${TABLES.executions}
       WHERE ProjectId = {projectId:String} AND Kind = {kind:String}
         AND Start >= fromUnixTimestamp64Nano({from:Int64}) AND Start < fromUnixTimestamp64Nano({to:Int64})
         ${after ? 'AND (Start, TraceId) > (fromUnixTimestamp64Nano({afterNanos:Int64}), {afterTrace:String})' : ''}
       ORDER BY Start, TraceId
       LIMIT {chunk:UInt32}`,
      {
        projectId: range.projectId,
        kind: FLOWTRACE_KIND.workflowExecution,
        from: (after ? BigInt(after.nanos) : range.from).toString(),
        to: range.to.toString(),
        chunk,
        ...(after ? { afterNanos: after.nanos, afterTrace: after.traceId } : {}),
      },
    );
    if (rows.length > 0) yield rows;
    if (rows.length < chunk) return;
    const last = rows[rows.length - 1]!;
    after = { nanos: last.nanos, traceId: last.traceId };
  }
}

/**
 * Event logs of a range, oldest first, a chunk at a time (keyset on time and
 * log key), each once: a log stored twice has its copies side by side, and
 * the copies are dropped here (a LIMIT BY would read to the end of the range
 * for every chunk).
 */
export async function* exportEventLogs(store: Store, range: ExportRange, chunk = EXPORT_CHUNK_ROWS): AsyncGenerator<ExportLogRow[]> {
  let after: { nanos: string; logKey: string } | undefined;
  for (;;) {
    const rows = await store.select<ExportLogRow>(
      'query-api.export.event_logs',
      `SELECT Level AS level, Type AS type,
              Body AS message, EventName AS eventName, TraceId AS traceId, SpanId AS spanId, UserId AS userId,
              Integration AS integrationId, Attributes AS attributes,
              toString(toUnixTimestamp64Nano(Timestamp)) AS nanos, toString(LogKey) AS logKey
       FROM ${TABLES.eventLogs}
       WHERE ProjectId = {projectId:String}
         AND Timestamp >= fromUnixTimestamp64Nano({from:Int64}) AND Timestamp < fromUnixTimestamp64Nano({to:Int64})
         ${after ? 'AND (Timestamp, LogKey) > (fromUnixTimestamp64Nano({afterNanos:Int64}), {afterKey:UInt64})' : ''}
       ORDER BY Timestamp, LogKey
       LIMIT {chunk:UInt32}`,
      { projectId: range.projectId, from: (after ? BigInt(after.nanos) : range.from).toString(), to: range.to.toString(), chunk, ...(after ? { afterNanos: after.nanos, afterKey: after.logKey } : {}) },
    );
    const once = rows.filter((row, i) => !sameLog(rows[i - 1], row));
    if (once.length > 0) yield once;
    if (rows.length < chunk) return;
    const last = rows[rows.length - 1]!;
    after = { nanos: last.nanos, logKey: last.logKey };
  }
}
