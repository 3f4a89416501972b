import { TABLES, type QueryParams, type Store } from '@flowtrace/store';

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

// ---------------------------------------------------------------------------
// Trace search

/** What a span must be for its trace to be found: every condition set holds for one span. */
export interface SpanConditions {
  service?: string;
  spanName?: string;
  /** Unset, Ok or Error (the stored status codes). */
  statusCodes?: string[];
  /** Nanoseconds, inclusive. */
  minDuration?: bigint;
  maxDuration?: bigint;
  /** Span or resource attributes equal to these values. */
  attributes: Array<readonly [string, string]>;
}

export interface TraceSearch extends SpanConditions {
  projectId: string;
  /** Nanoseconds, inclusive: a matching span starts at or after. */
  from?: bigint;
  /** Nanoseconds, exclusive. */
  to?: bigint;
  /** Continue after this trace (the last of the previous page). */
  after?: TraceCursor;
  limit: number;
}

/** A trace's place in the search order: its earliest matching span's start, then its id. */
export interface TraceCursor {
  nanos: bigint;
  traceId: string;
  /** The time window the search was reading there: the next page starts with it (a sparse search skips the narrow ones). */
  windowNs?: bigint;
}

/** One trace of a search's answer: its place and what the list shows of it. */
export interface TraceSummaryRow {
  traceId: string;
  /** Start of the trace's earliest matching span (its place in the order). */
  matchNanos: string;
  /** The window the trace was found in (for the cursor). */
  windowNs: string;
  startNanos: string;
  endNanos: string;
  spans: string;
  errors: string;
  /** Root span's service and name; empty when the root has not arrived. */
  rootService: string;
  rootName: string;
  hasRoot: number;
}

/** What the list shows of a trace, before its place in a search. */
export type TraceSummary = Omit<TraceSummaryRow, 'matchNanos' | 'windowNs'>;

export interface SearchOptions {
  /** The first (newest) time window read; each next one is four times as long. Default one hour. */
  firstWindowNs?: bigint;
}

const HOUR_NS = 3_600_000_000_000n;
const SECOND_NS = 1_000_000_000n;

/**
 * Traces with a span matching every condition, newest first, `limit` after
 * the cursor plus one to tell whether there is more.
 *
 * A trace's place is the start of its earliest matching span in the range
 * (without span conditions: its first span, the trace's start). The search
 * reads otel_traces newest first in time windows — an hour, then four times
 * longer each time — and stops as soon as the page is full, so a page of
 * recent traces reads recent partitions only; service and span name narrow
 * it further through the table's sort key, attribute values through its
 * bloom filters. In a window, a trace's earliest match is the earliest in the
 * window, unless the trace also matches before the window: the summaries
 * (one key lookup in flowtrace_trace_records) give each trace's start, and
 * the few that started before the window are checked and left to it.
 */
export async function searchTraces(store: Store, q: TraceSearch, options: SearchOptions = {}): Promise<TraceSummaryRow[]> {
  const out: TraceSummaryRow[] = [];
  let window = q.after?.windowNs ?? options.firstWindowNs ?? HOUR_NS;
  let cursor = q.after;
  // The newest window ends at the cursor, or at `to`; with neither, it is open
  // (spans stamped ahead of this clock included) and starts an hour ago.
  let top: bigint | undefined = q.after ? q.after.nanos : q.to !== undefined ? q.to - 1n : undefined;
  let floor = q.from;
  let lo = (top ?? BigInt(Date.now()) * 1_000_000n) - window + 1n;
  if (floor !== undefined) lo = max(floor, lo);
  let bounds: { first: bigint; last: bigint } | undefined;
  while (out.length <= q.limit && (top === undefined || floor === undefined || top >= floor)) {
    const want = q.limit + 1 - out.length;
    const found = await windowCandidates(store, q, lo, top, cursor, want);
    if (found.length > 0) {
      const summaries = await traceSummaries(store, q.projectId, found.map((f) => f.traceId));
      const startedBefore = found.filter((f) => BigInt(summaries.get(f.traceId)?.startNanos ?? lo) < lo);
      const earlier = await matchingBefore(store, q, startedBefore, summaries, floor ?? 0n, lo);
      for (const f of found) {
        const summary = summaries.get(f.traceId);
        if (summary && !earlier.has(f.traceId)) out.push({ ...summary, matchNanos: f.nanos, windowNs: window.toString() });
      }
    }
    const last = found.at(-1);
    if (found.length === want && last) {
      // More in this window: continue after its last trace.
      cursor = { nanos: BigInt(last.nanos), traceId: last.traceId };
      top = cursor.nanos;
      continue;
    }
    // An older window. Without `from`, the project's own time range (read
    // once, only when a page reaches past its first window) bounds the walk.
    if (floor === undefined) {
      bounds = await projectTimeBounds(store, q.projectId);
      if (!bounds) break;
      floor = bounds.first;
    }
    if (lo <= floor) break;
    cursor = undefined;
    top = lo - 1n;
    // Nothing is stored after the project's last trace: skip straight to it.
    if (bounds && bounds.last < top) top = bounds.last;
    window *= 4n;
    lo = max(floor, top - window + 1n);
  }
  return out.slice(0, q.limit + 1);
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

/** The span conditions as SQL on otel_traces, their values bound in `params`. */
function spanConditions(q: SpanConditions, params: QueryParams): string[] {
  const where: string[] = [];
  if (q.service !== undefined) {
    params.service = q.service;
    where.push('ServiceName = {service:String}');
  }
  if (q.spanName !== undefined) {
    params.spanName = q.spanName;
    where.push('SpanName = {spanName:String}');
  }
  if (q.statusCodes !== undefined) {
    params.statusCodes = q.statusCodes;
    where.push('StatusCode IN {statusCodes:Array(String)}');
  }
  if (q.minDuration !== undefined) {
    params.minDuration = q.minDuration.toString();
    where.push('Duration >= {minDuration:UInt64}');
  }
  if (q.maxDuration !== undefined) {
    params.maxDuration = q.maxDuration.toString();
    where.push('Duration <= {maxDuration:UInt64}');
  }
  q.attributes.forEach(([key, value], i) => {
    params[`k${i}`] = key;
    params[`v${i}`] = value;
    where.push(`(SpanAttributes[{k${i}:String}] = {v${i}:String} OR ResourceAttributes[{k${i}:String}] = {v${i}:String})`);
  });
  return where;
}

/** The first and last second of the project's traces (otel_traces_trace_id_ts), in nanoseconds; undefined without any. */
async function projectTimeBounds(store: Store, projectId: string): Promise<{ first: bigint; last: bigint } | undefined> {
  const [row] = await store.select<{ first: string; last: string; n: string }>(
    'query-api.traces.bounds',
    `SELECT toString(toUnixTimestamp(min(Start))) AS first, toString(toUnixTimestamp(max(End))) AS last, count() AS n
     FROM ${TABLES.traceIdTs} WHERE ProjectId = {projectId:String}`,
    { projectId },
  );
  if (!row || Number(row.n) === 0) return undefined;
  return { first: BigInt(row.first) * SECOND_NS, last: BigInt(row.last) * SECOND_NS + SECOND_NS - 1n };
}

/** Traces with a matching span in [lo, top] (top: open when undefined), by their earliest one there, newest first, after the cursor. */
function windowCandidates(store: Store, q: TraceSearch, lo: bigint, top: bigint | undefined, cursor: TraceCursor | undefined, limit: number): Promise<Array<{ traceId: string; nanos: string }>> {
  const params: QueryParams = { projectId: q.projectId, lo: lo.toString(), limit };
  const where = ['ProjectId = {projectId:String}', 'Timestamp >= fromUnixTimestamp64Nano({lo:Int64})'];
  if (top !== undefined) {
    params.top = top.toString();
    where.push('Timestamp <= fromUnixTimestamp64Nano({top:Int64})');
  }
  where.push(...spanConditions(q, params));
  let having = '';
  if (cursor) {
    params.afterNanos = cursor.nanos.toString();
    params.afterTrace = cursor.traceId;
    having = 'HAVING (first, TraceId) < (fromUnixTimestamp64Nano({afterNanos:Int64}), {afterTrace:String})';
  }
  return store.select<{ traceId: string; nanos: string }>(
    'query-api.traces.search',
    `SELECT TraceId AS traceId, min(Timestamp) AS first, toString(toUnixTimestamp64Nano(first)) AS nanos
     FROM ${TABLES.traces}
     WHERE ${where.join(' AND ')}
     GROUP BY TraceId ${having}
     ORDER BY first DESC, TraceId DESC
     LIMIT {limit:UInt32}`,
    params,
  );
}

/** Of these traces, those with a matching span before `lo` (from their start on): they belong to an older window. */
async function matchingBefore(store: Store, q: TraceSearch, traces: Array<{ traceId: string }>, summaries: Map<string, TraceSummary>, floor: bigint, lo: bigint): Promise<Set<string>> {
  if (traces.length === 0) return new Set();
  const earliest = traces.reduce((min, t) => {
    const start = BigInt(summaries.get(t.traceId)!.startNanos);
    return start < min ? start : min;
  }, lo);
  const params: QueryParams = { projectId: q.projectId, traceIds: traces.map((t) => t.traceId), from: max(floor, earliest).toString(), lo: lo.toString() };
  const rows = await store.select<{ traceId: string }>(
    'query-api.traces.search_earlier',
    `SELECT DISTINCT TraceId AS traceId
     FROM ${TABLES.traces}
     WHERE ProjectId = {projectId:String} AND TraceId IN {traceIds:Array(String)}
       AND Timestamp >= fromUnixTimestamp64Nano({from:Int64}) AND Timestamp < fromUnixTimestamp64Nano({lo:Int64})
       ${spanConditions(q, params).map((c) => `AND ${c}`).join(' ')}`,
    params,
  );
  return new Set(rows.map((r) => r.traceId));
}

/**
 * What a trace list shows of each trace, in one key lookup of
 * flowtrace_trace_records (sorted by trace): start, end, spans, errors and
 * the root span's service and name. A span stored twice, or in parts, is one
 * span: its parts are merged by span id first.
 */
export async function traceSummaries(store: Store, projectId: string, traceIds: string[]): Promise<Map<string, TraceSummary>> {
  if (traceIds.length === 0) return new Map();
  const rows = await store.select<TraceSummary>(
    'query-api.traces.summaries',
    `SELECT TraceId AS traceId, toString(min(start)) AS startNanos, toString(max(end)) AS endNanos, toString(count()) AS spans,
            toString(countIf(failed)) AS errors, argMinIf(service, start, parent = '') AS rootService,
            argMinIf(name, start, parent = '') AS rootName, countIf(parent = '') > 0 AS hasRoot
     FROM (
       SELECT TraceId, s.1 AS spanId, min(toUnixTimestamp64Nano(Timestamp)) AS start,
              max(toUnixTimestamp64Nano(Timestamp) + toInt64OrZero(s.5)) AS end, max(s.2) AS parent,
              argMax(s.3, Timestamp) AS service, argMax(s.4, Timestamp) AS name, max(s.6 = 'Error') AS failed
       FROM (
         SELECT TraceId, Timestamp,
                JSONExtract(Payload, 'Tuple(SpanId String, ParentSpanId String, ServiceName String, SpanName String, Duration String, StatusCode String)') AS s
         FROM ${TABLES.traceRecords}
         WHERE ProjectId = {projectId:String} AND TraceId IN {traceIds:Array(String)} AND Record = 'span'
       )
       GROUP BY TraceId, spanId
     )
     GROUP BY TraceId`,
    { projectId, traceIds },
  );
  return new Map(rows.map((row) => [row.traceId, row]));
}
