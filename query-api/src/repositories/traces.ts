import { TABLES, type Store } from '@flowtrace/store';

/** The most spans and logs one timeline returns; a trace with more says it was truncated. */
export const MAX_TIMELINE_ROWS = 10_000;

export interface SpanRecord {
  startNanos: string;
  SpanId: string;
  ParentSpanId: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  Duration: string;
  StatusCode: string;
  StatusMessage: string;
  TraceState: string;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Record<string, string>;
  ResourceAttributes: Record<string, string>;
  eventNanos: string[];
  eventNames: string[];
  eventAttributes: Array<Record<string, string>>;
  linkTraceIds: string[];
  linkSpanIds: string[];
  linkTraceStates: string[];
  linkAttributes: Array<Record<string, string>>;
}

export interface LogRecord {
  nanos: string;
  SpanId: string;
  SeverityText: string;
  SeverityNumber: number;
  EventName: string;
  Body: string;
  ServiceName: string;
  LogAttributes: Record<string, string>;
}

export interface TraceRecords {
  spans: SpanRecord[];
  logs: LogRecord[];
}

/** A row of the one statement that reads a trace: a span or a log, told apart by `k`. */
interface TraceRow extends SpanRecord {
  k: 'span' | 'log';
  SeverityText: string;
  SeverityNumber: number;
  EventName: string;
}

/**
 * One trace of one project, in one statement: the lookup table gives the time
 * range the trace's rows span (a scalar subquery, evaluated before the reads,
 * so that they prune by partition and key), then its spans — from the by_trace
 * projection, one granule — and its logs. Every row of a span is returned (a
 * retried export, or a span reported in fragments) for the converter to merge
 * by span id; a log stored twice is returned once. No lookup row: the trace
 * does not exist in the project.
 */
export async function findTrace(store: Store, projectId: string, traceId: string): Promise<TraceRecords | undefined> {
  const rows = await store.select<TraceRow>(
    'query-api.traces.one',
    `WITH (SELECT (min(Start), max(End)) FROM ${TABLES.traceIdTs}
           WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String}) AS range
     SELECT * FROM (
       SELECT 'span' AS k, toString(toUnixTimestamp64Nano(Timestamp)) AS startNanos, SpanId, ParentSpanId,
              toString(SpanName) AS SpanName, toString(SpanKind) AS SpanKind, toString(ServiceName) AS ServiceName, Duration,
              toString(StatusCode) AS StatusCode, StatusMessage, TraceState, ScopeName, ScopeVersion,
              CAST(SpanAttributes, 'Map(String, String)') AS SpanAttributes, CAST(ResourceAttributes, 'Map(String, String)') AS ResourceAttributes,
              arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS eventNanos,
              CAST(Events.Name, 'Array(String)') AS eventNames, CAST(Events.Attributes, 'Array(Map(String, String))') AS eventAttributes,
              Links.TraceId AS linkTraceIds, Links.SpanId AS linkSpanIds,
              Links.TraceState AS linkTraceStates, CAST(Links.Attributes, 'Array(Map(String, String))') AS linkAttributes,
              '' AS SeverityText, toUInt8(0) AS SeverityNumber, '' AS EventName
       FROM ${TABLES.traces}
       WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String}
         -- DateTime64 bounds: comparing Timestamp with a DateTime misses rows here.
         AND Timestamp >= toDateTime64(range.1, 9) AND Timestamp < toDateTime64(range.2, 9) + toIntervalSecond(1)
       ORDER BY Timestamp, SpanId
       LIMIT {limit:UInt32}
     )
     UNION ALL
     SELECT * FROM (
       SELECT 'log' AS k, toString(toUnixTimestamp64Nano(Timestamp)) AS startNanos, SpanId, '' AS ParentSpanId,
              Body AS SpanName, '' AS SpanKind, toString(ServiceName) AS ServiceName, toUInt64(0) AS Duration,
              '' AS StatusCode, '' AS StatusMessage, '' AS TraceState, ScopeName, toString(ScopeVersion) AS ScopeVersion,
              CAST(LogAttributes, 'Map(String, String)') AS SpanAttributes, CAST(ResourceAttributes, 'Map(String, String)') AS ResourceAttributes,
              CAST([], 'Array(String)') AS eventNanos, CAST([], 'Array(String)') AS eventNames,
              CAST([], 'Array(Map(String, String))') AS eventAttributes,
              CAST([], 'Array(String)') AS linkTraceIds, CAST([], 'Array(String)') AS linkSpanIds,
              CAST([], 'Array(String)') AS linkTraceStates, CAST([], 'Array(Map(String, String))') AS linkAttributes,
              toString(SeverityText) AS SeverityText, SeverityNumber, EventName
       FROM ${TABLES.logs}
       WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String}
         AND TimestampTime >= range.1 AND TimestampTime <= range.2
       ORDER BY Timestamp
       LIMIT 1 BY Timestamp, SpanId, EventName, Body
       LIMIT {limit:UInt32}
     )`,
    { projectId, traceId, limit: MAX_TIMELINE_ROWS + 1 },
  );
  if (rows.length === 0) return undefined;
  const spans: SpanRecord[] = [];
  const logs: LogRecord[] = [];
  for (const { k, SeverityText, SeverityNumber, EventName, ...span } of rows) {
    if (k === 'span') spans.push(span);
    else {
      logs.push({ nanos: span.startNanos, SpanId: span.SpanId, SeverityText, SeverityNumber, EventName, Body: span.SpanName, ServiceName: span.ServiceName, LogAttributes: span.SpanAttributes });
    }
  }
  // UNION ALL does not keep the branches' order.
  spans.sort((a, b) => (BigInt(a.startNanos) < BigInt(b.startNanos) ? -1 : BigInt(a.startNanos) > BigInt(b.startNanos) ? 1 : a.SpanId < b.SpanId ? -1 : 1));
  logs.sort((a, b) => (BigInt(a.nanos) < BigInt(b.nanos) ? -1 : BigInt(a.nanos) > BigInt(b.nanos) ? 1 : 0));
  return { spans, logs };
}
