import { TABLES, type QueryParams, type Store } from '@flowtrace/store';
import { ATTR_FLOWTRACE_ERROR_CODE, ATTR_FLOWTRACE_EVENT_NAME, ATTR_FLOWTRACE_JOB_ID, ATTR_FLOWTRACE_SYNC_ID } from '@flowtrace/conventions/semconv';

export interface EventLogQuery {
  projectId: string;
  levels?: string[];
  types?: string[];
  userId?: string;
  integration?: string;
  traceId?: string;
  syncId?: string;
  /** Logs of a recipe job (Workato): those carrying its job id. */
  jobId?: string;
  syncEvents?: string[];
  syncTypes?: string[];
  syncStatuses?: string[];
  /**
   * Text to find, any case: in the message, and in the names a log carries —
   * its OTel event name, Managed Sync event and type; a code-like word
   * (OAUTH_027) is also matched, exactly, against the error code and the App
   * Event name.
   */
  q?: string;
  /** Nanoseconds, inclusive. */
  from?: bigint;
  /** Nanoseconds, exclusive. */
  to?: bigint;
  /** Continue after this log (the last one of the previous page). */
  after?: { nanos: bigint; logKey: string };
  limit: number;
}

export interface EventLogRow {
  nanos: string;
  logKey: string;
  TraceId: string;
  SpanId: string;
  Level: string;
  Type: string;
  EventName: string;
  Body: string;
  ServiceName: string;
  Attributes: Record<string, string>;
}

const COLUMN_FILTERS = [
  ['levels', 'Level'],
  ['types', 'Type'],
  ['userId', 'UserId'],
  ['integration', 'Integration'],
  ['traceId', 'TraceId'],
  ['syncEvents', 'SyncEvent'],
  ['syncTypes', 'SyncType'],
  ['syncStatuses', 'SyncStatus'],
] as const;

/** `%text%` for LIKE, with LIKE's own wildcards in the text escaped. */
const containsPattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** True when `b` is a copy of `a`: the same log stored twice has the same time and key. */
export const sameLog = (a: { nanos: string; logKey: string } | undefined, b: { nanos: string; logKey: string }) =>
  a !== undefined && a.nanos === b.nanos && a.logKey === b.logKey;

/**
 * Newest first, `limit` logs after the cursor, plus one to tell whether there
 * is more. Reads flowtrace_event_logs in its (ProjectId, Timestamp) order and
 * stops at the page; the text search uses the text index on lower(Body). A
 * log stored twice (a retried export) is returned once: its copies are
 * neighbours in that order and are dropped here, not by a LIMIT BY, which
 * would keep ClickHouse from stopping at the page (220 ms against 16 at 3M
 * logs). When copies leave the page short, the next rows are read after them.
 */
export async function searchEventLogs(store: Store, q: EventLogQuery): Promise<EventLogRow[]> {
  const logs: EventLogRow[] = [];
  let after = q.after;
  for (;;) {
    const want = q.limit + 1 - logs.length;
    const rows = await readPage(store, { ...q, after }, want);
    for (const row of rows) if (!sameLog(logs.at(-1), row)) logs.push(row);
    const end = rows.at(-1);
    if (rows.length < want || logs.length > q.limit || !end) return logs.slice(0, q.limit + 1);
    after = { nanos: BigInt(end.nanos), logKey: end.logKey };
  }
}

/**
 * One page of rows. A text search is two reads merged in the page's order:
 * the message through its text index, and the names a log carries (no index:
 * cheap low-cardinality columns, read in time order up to the page), so that
 * an OR across them does not keep the text index from answering the first.
 */
async function readPage(store: Store, q: EventLogQuery, limit: number): Promise<EventLogRow[]> {
  if (q.q === undefined) return readEventLogs(store, q, limit);
  const [inBody, inNames] = await Promise.all([readEventLogs(store, q, limit, 'body'), readEventLogs(store, q, limit, 'names')]);
  return [...inBody, ...inNames].sort(newestFirst).slice(0, limit);
}

const newestFirst = (a: EventLogRow, b: EventLogRow): number => {
  const byTime = BigInt(b.nanos) - BigInt(a.nanos);
  if (byTime !== 0n) return byTime > 0n ? 1 : -1;
  const byKey = BigInt(b.logKey) - BigInt(a.logKey);
  return byKey > 0n ? 1 : byKey < 0n ? -1 : 0;
};

/**
 * A code or an identifier: one word with a digit, `_`, `.` or `-` in it
 * (OAUTH_027, AUTH_FAILED, deal.created). Only such a word is looked up in the
 * attributes (error code, App Event name): the attributes are the widest
 * column, and a plain word would read all of them for nothing.
 */
const CODE_LIKE = /^[\p{L}\p{N}]*[\d_.-][\p{L}\p{N}_.-]*$/u;

async function readEventLogs(store: Store, q: EventLogQuery, limit: number, search?: 'body' | 'names'): Promise<EventLogRow[]> {
  const params: QueryParams = { projectId: q.projectId, limit };
  const where = ['ProjectId = {projectId:String}'];
  for (const [field, column] of COLUMN_FILTERS) {
    const value = q[field];
    if (value === undefined) continue;
    params[field] = value;
    where.push(Array.isArray(value) ? `${column} IN {${field}:Array(String)}` : `${column} = {${field}:String}`);
  }
  for (const [field, attribute] of [['syncId', ATTR_FLOWTRACE_SYNC_ID], ['jobId', ATTR_FLOWTRACE_JOB_ID]] as const) {
    if (q[field] === undefined) continue;
    params[field] = q[field];
    params[`${field}Key`] = attribute;
    where.push(`Attributes[{${field}Key:String}] = {${field}:String}`);
  }
  if (q.q !== undefined && search === 'body') {
    params.pattern = containsPattern(q.q);
    where.push('lower(Body) LIKE {pattern:String}');
  }
  if (q.q !== undefined && search === 'names') {
    params.text = q.q;
    const names = ['positionCaseInsensitiveUTF8(EventName, {text:String}) > 0', 'positionCaseInsensitiveUTF8(SyncEvent, {text:String}) > 0', 'positionCaseInsensitiveUTF8(Type, {text:String}) > 0'];
    if (CODE_LIKE.test(q.q)) {
      params.codeKey = ATTR_FLOWTRACE_ERROR_CODE;
      params.appEventKey = ATTR_FLOWTRACE_EVENT_NAME;
      names.push('lowerUTF8(Attributes[{codeKey:String}]) = lowerUTF8({text:String})', 'lowerUTF8(Attributes[{appEventKey:String}]) = lowerUTF8({text:String})');
    }
    where.push(`(${names.join(' OR ')})`);
  }
  if (q.from !== undefined) {
    params.from = q.from.toString();
    where.push('Timestamp >= fromUnixTimestamp64Nano({from:Int64})');
  }
  if (q.to !== undefined) {
    params.to = q.to.toString();
    where.push('Timestamp < fromUnixTimestamp64Nano({to:Int64})');
  }
  if (q.after) {
    params.afterNanos = q.after.nanos.toString();
    params.afterKey = q.after.logKey;
    where.push(`Timestamp <= fromUnixTimestamp64Nano({afterNanos:Int64})
       AND (Timestamp < fromUnixTimestamp64Nano({afterNanos:Int64}) OR LogKey < {afterKey:UInt64})`);
  }
  return store.select<EventLogRow>(
    search === 'names' ? 'query-api.event_logs.search_names' : 'query-api.event_logs.search',
    `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS nanos, toString(LogKey) AS logKey, TraceId, SpanId, Level, Type,
            EventName, Body, ServiceName, Attributes
     FROM ${TABLES.eventLogs}
     WHERE ${where.join('\n       AND ')}
     ORDER BY Timestamp DESC, LogKey DESC
     LIMIT {limit:UInt32}`,
    params,
  );
}

export interface ProblemLogRow {
  TraceId: string;
  nanos: string;
  Level: string;
  EventName: string;
  Body: string;
  Attributes: Record<string, string>;
}

/** How long after a run's span ends its retries and webhook failures can still be logged. */
const PROBLEMS_AFTER_RUN_NS = 86_400_000_000_000n;

/**
 * The warning and error logs of some traces (the runs on a page), in one
 * read, oldest first, each once, within the runs' time range.
 */
export async function problemLogs(store: Store, projectId: string, runs: Array<{ traceId: string; startNanos: string; endNanos: string }>): Promise<ProblemLogRow[]> {
  if (runs.length === 0) return [];
  const from = runs.reduce((min, r) => (BigInt(r.startNanos) < min ? BigInt(r.startNanos) : min), BigInt(runs[0]!.startNanos));
  const to = runs.reduce((max, r) => (BigInt(r.endNanos) > max ? BigInt(r.endNanos) : max), 0n) + PROBLEMS_AFTER_RUN_NS;
  return store.select<ProblemLogRow>(
    'query-api.event_logs.problems',
    `SELECT TraceId, toString(toUnixTimestamp64Nano(Timestamp)) AS nanos, Level, EventName, Body, Attributes
     FROM ${TABLES.eventLogs}
     WHERE ProjectId = {projectId:String} AND TraceId IN {traceIds:Array(String)}
       AND Level IN ('WARN', 'ERROR', 'FATAL')
       AND Timestamp >= fromUnixTimestamp64Nano({from:Int64}) AND Timestamp <= fromUnixTimestamp64Nano({to:Int64})
     ORDER BY Timestamp
     LIMIT 1 BY Timestamp, LogKey`,
    { projectId, traceIds: runs.map((r) => r.traceId), from: from.toString(), to: to.toString() },
  );
}
