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

/** A row of the one statement that reads a trace: a span's or a log's payload, told apart by `k`. */
interface TraceRow {
  k: 'span' | 'log';
  nanos: string;
  /** JSON: the SpanRecord or LogRecord fields but the time (see migration 0009). */
  Payload: string;
}

/**
 * One trace of one project, in one read of flowtrace_trace_records: spans
 * and logs together, sorted by trace, each a JSON payload. The bloom filter on
 * TraceId rules out the parts that do not hold the trace without reading
 * them. Every row of a span is returned (a retried export, or a span reported
 * in fragments) for the converter to merge by span id; a record stored twice
 * is returned once. No rows: the trace does not exist in the project.
 */
export async function findTrace(store: Store, projectId: string, traceId: string): Promise<TraceRecords | undefined> {
  const rows = await store.select<TraceRow>(
    'query-api.traces.one',
    `SELECT toString(Record) AS k, toString(toUnixTimestamp64Nano(Timestamp)) AS nanos, Payload
     FROM ${TABLES.traceRecords}
     WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String}
     -- The table's order: records of the same instant stay in the order they were stored.
     ORDER BY Timestamp
     LIMIT 1 BY Timestamp, Record, Payload
     LIMIT {limit:UInt32}`,
    { projectId, traceId, limit: 2 * MAX_TIMELINE_ROWS + 2 },
  );
  if (rows.length === 0) return undefined;
  const spans: SpanRecord[] = [];
  const logs: LogRecord[] = [];
  for (const { k, nanos, Payload } of rows) {
    if (k === 'span') spans.push({ startNanos: nanos, ...(JSON.parse(Payload) as Omit<SpanRecord, 'startNanos'>) });
    else logs.push({ nanos, ...(JSON.parse(Payload) as Omit<LogRecord, 'nanos'>) });
  }
  return { spans, logs };
}
