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
 * One trace of one project, in one read: the lookup table gives the time
 * range the trace's rows span (a scalar subquery, evaluated before the read,
 * so that it prunes to a partition), then flowtrace_trace_records — spans and
 * logs together, sorted by trace — gives them from one granule. Every row of
 * a span is returned (a retried export, or a span reported in fragments) for
 * the converter to merge by span id; a log stored twice is returned once. No
 * lookup row: the trace does not exist in the project.
 */
export async function findTrace(store: Store, projectId: string, traceId: string): Promise<TraceRecords | undefined> {
  const rows = await store.select<TraceRow>(
    'query-api.traces.one',
    `WITH (SELECT (min(Start), max(End)) FROM ${TABLES.traceIdTs}
           WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String}) AS range
     SELECT toString(Record) AS k, toString(toUnixTimestamp64Nano(Timestamp)) AS startNanos, SpanId, ParentSpanId,
            Name AS SpanName, Kind AS SpanKind, ServiceName, Duration, StatusCode, StatusMessage, TraceState, ScopeName, ScopeVersion,
            Attributes AS SpanAttributes, ResourceAttributes,
            arrayMap(t -> toString(toUnixTimestamp64Nano(t)), EventTimestamps) AS eventNanos, EventNames AS eventNames,
            EventAttributes AS eventAttributes, LinkTraceIds AS linkTraceIds, LinkSpanIds AS linkSpanIds,
            LinkTraceStates AS linkTraceStates, LinkAttributes AS linkAttributes, SeverityText, SeverityNumber, EventName
     FROM ${TABLES.traceRecords}
     WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String}
       -- DateTime64 bounds: comparing Timestamp with a DateTime misses rows here.
       AND Timestamp >= toDateTime64(range.1, 9) AND Timestamp < toDateTime64(range.2, 9) + toIntervalSecond(1)
     ORDER BY Timestamp, Record, SpanId
     -- A log stored twice is one; the rows of a span stay for the merge (see mergeFragments).
     LIMIT 1 BY Record, Timestamp, SpanId, Name, EventName, Duration, StatusCode, cityHash64(Attributes)
     LIMIT {limit:UInt32}`,
    { projectId, traceId, limit: 2 * MAX_TIMELINE_ROWS + 2 },
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
  return { spans, logs };
}
