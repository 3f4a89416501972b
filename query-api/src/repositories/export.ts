import { TABLES, type Store } from '@flowtrace/store';
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

export interface ExportedExecution {
  id: string;
  userId: string;
  taskCount: number;
  runDuration: string;
  workflowId: string;
  status: string;
  dateStarted: string;
  dateEnded: string;
  integration: string;
  traceId: string;
  /** Keyset position; not exported. */
  nanos: string;
}

export interface ExportedLog {
  id: string;
  timestamp: string;
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
export async function* exportExecutions(store: Store, range: ExportRange, chunk = EXPORT_CHUNK_ROWS): AsyncGenerator<ExportedExecution[]> {
  let after: { nanos: string; traceId: string } | undefined;
  for (;;) {
    const rows = await store.select<ExportedExecution>(
      'query-api.export.executions',
      `SELECT ExecutionId AS id, UserId AS userId, TaskCount AS taskCount, DurationMs AS runDuration, WorkflowId AS workflowId,
              Status AS status, formatDateTime(Start, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS dateStarted,
              formatDateTime(End, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS dateEnded, Integration AS integration,
              TraceId AS traceId, toString(toUnixTimestamp64Nano(Start)) AS nanos
       FROM ${TABLES.executions}
       WHERE ProjectId = {projectId:String} AND Kind = 'workflow_execution'
         AND Start >= fromUnixTimestamp64Nano({from:Int64}) AND Start < fromUnixTimestamp64Nano({to:Int64})
         ${after ? 'AND (Start, TraceId) > (fromUnixTimestamp64Nano({afterNanos:Int64}), {afterTrace:String})' : ''}
       ORDER BY Start, TraceId
       LIMIT {chunk:UInt32}`,
      { projectId: range.projectId, from: (after ? BigInt(after.nanos) : range.from).toString(), to: range.to.toString(), chunk, ...(after ? { afterNanos: after.nanos, afterTrace: after.traceId } : {}) },
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
export async function* exportEventLogs(store: Store, range: ExportRange, chunk = EXPORT_CHUNK_ROWS): AsyncGenerator<ExportedLog[]> {
  let after: { nanos: string; logKey: string } | undefined;
  for (;;) {
    const rows = await store.select<ExportedLog>(
      'query-api.export.event_logs',
      `SELECT concat(toString(toUnixTimestamp64Nano(Timestamp)), '-', toString(LogKey)) AS id,
              formatDateTime(Timestamp, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS timestamp, Level AS level, Type AS type,
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
