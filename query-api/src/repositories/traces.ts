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

/**
 * One trace of one project. The lookup table gives the time range its rows
 * span, which bounds the reads of otel_traces and otel_logs to a few partitions
 * and granules; without a lookup row the trace does not exist in the project.
 * Every row of a span is returned — a retried export, or a span reported in
 * fragments — for the converter to merge by span id.
 */
export async function findTrace(store: Store, projectId: string, traceId: string): Promise<TraceRecords | undefined> {
  const ranges = await store.select<{ start: number; end: number }>(
    'query-api.traces.range',
    `SELECT toUnixTimestamp(min(Start)) AS start, toUnixTimestamp(max(End)) AS end
     FROM ${TABLES.traceIdTs}
     WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String}
     GROUP BY TraceId`,
    { projectId, traceId },
  );
  const range = ranges[0];
  if (!range) return undefined;
  const params = { projectId, traceId, start: Number(range.start), end: Number(range.end) + 1, limit: MAX_TIMELINE_ROWS + 1 };
  const [spans, logs] = await Promise.all([
    store.select<SpanRecord>(
      'query-api.traces.spans',
      `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS startNanos, SpanId, ParentSpanId, SpanName, SpanKind,
              ServiceName, Duration, StatusCode, StatusMessage, TraceState, ScopeName, ScopeVersion,
              SpanAttributes, ResourceAttributes,
              arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS eventNanos,
              Events.Name AS eventNames, Events.Attributes AS eventAttributes,
              Links.TraceId AS linkTraceIds, Links.SpanId AS linkSpanIds,
              Links.TraceState AS linkTraceStates, Links.Attributes AS linkAttributes
       FROM ${TABLES.traces}
       WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String}
         -- DateTime64 bounds: comparing Timestamp with a DateTime misses rows here.
         AND Timestamp >= toDateTime64({start:UInt32}, 9) AND Timestamp < toDateTime64({end:UInt32}, 9)
       ORDER BY Timestamp, SpanId
       LIMIT {limit:UInt32}`,
      params,
    ),
    store.select<LogRecord>(
      'query-api.traces.logs',
      `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS nanos, SpanId, SeverityText, SeverityNumber, EventName,
              Body, ServiceName, LogAttributes
       FROM ${TABLES.logs}
       WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String}
         AND TimestampTime >= toDateTime({start:UInt32}) AND TimestampTime < toDateTime({end:UInt32})
       ORDER BY Timestamp
       -- A log stored twice (a retried export or stream) is returned once.
       LIMIT 1 BY Timestamp, SpanId, EventName, Body
       LIMIT {limit:UInt32}`,
      params,
    ),
  ]);
  return { spans, logs };
}
