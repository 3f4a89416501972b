import { TABLES, type QueryParams, type Store } from '@flowtrace/store';
import {
  ATTR_FLOWTRACE_DELIVERY_USER_IDS,
  ATTR_FLOWTRACE_JOB_CALLING_ID,
  ATTR_FLOWTRACE_JOB_MASTER_ID,
  ATTR_FLOWTRACE_JOB_ROOT_ID,
  ATTR_FLOWTRACE_RECIPE_ID,
} from '@flowtrace/conventions/semconv';

/** Filters answered from the hourly counts as well as from the executions table. */
export interface RollupFilters {
  integration?: string;
  status?: string[];
  workflowId?: string;
  toolName?: string;
  syncType?: string[];
}

/** Filters only the executions table answers. */
export interface RowFilters {
  userId?: string;
  traceId?: string;
  executionId?: string;
  syncId?: string;
  agentId?: string;
  conversationId?: string;
  /** A trigger event delivered to this user. */
  deliveryUserId?: string;
  /** Recipe jobs: of this recipe, or related to this job as master, calling or root job. */
  recipeId?: string;
  masterJobId?: string;
  callingJobId?: string;
  rootJobId?: string;
}

export interface ExecutionQuery {
  projectId: string;
  kind: string;
  /** Nanoseconds since the epoch, inclusive. */
  from?: bigint;
  /** Nanoseconds since the epoch, exclusive. */
  to?: bigint;
  rollup: RollupFilters;
  rows: RowFilters;
  order: 'ASC' | 'DESC';
  offset: number;
  limit: number;
  /** Root span attributes to return beside the columns (in `attributes`). */
  attributes?: readonly string[];
}

export interface ExecutionRow {
  executionId: string;
  traceId: string;
  spanId: string;
  name: string;
  /** Nanoseconds since the epoch, decimal. */
  startNanos: string;
  endNanos: string;
  /** Whole milliseconds, as stored. */
  durationMs: number;
  status: string;
  failed: boolean;
  userId: string;
  integration: string;
  workflowId: string;
  toolName: string;
  syncId: string;
  syncType: string;
  agentId: string;
  conversationId: string;
  taskCount: number;
  attributes: Record<string, string>;
}

export interface ExecutionPage {
  rows: ExecutionRow[];
  total: number;
}

/**
 * The dimensions of the hourly counts: for each rollup filter, its column and
 * its name in flowtrace_execution_counts_by (and in the stats groupBy).
 */
export const COUNT_DIMENSIONS = {
  integration: { column: 'Integration', dimension: 'integration' },
  status: { column: 'Status', dimension: 'status' },
  workflowId: { column: 'WorkflowId', dimension: 'workflow' },
  toolName: { column: 'ToolName', dimension: 'tool' },
  syncType: { column: 'SyncType', dimension: 'syncType' },
} as const satisfies Record<keyof RollupFilters, { column: string; dimension: string }>;

const ROLLUP_COLUMNS = Object.fromEntries(Object.entries(COUNT_DIMENSIONS).map(([filter, d]) => [filter, d.column])) as Record<keyof RollupFilters, string>;

/** A row filter: a column, or a root span attribute (equal to the value, or a JSON array holding it). */
type RowColumn = string | { attribute: string; holds?: true };

const ROW_COLUMNS: Record<keyof RowFilters, RowColumn> = {
  userId: 'UserId',
  traceId: 'TraceId',
  executionId: 'ExecutionId',
  syncId: 'SyncId',
  agentId: 'AgentId',
  conversationId: 'ConversationId',
  deliveryUserId: { attribute: ATTR_FLOWTRACE_DELIVERY_USER_IDS, holds: true },
  recipeId: { attribute: ATTR_FLOWTRACE_RECIPE_ID },
  masterJobId: { attribute: ATTR_FLOWTRACE_JOB_MASTER_ID },
  callingJobId: { attribute: ATTR_FLOWTRACE_JOB_CALLING_ID },
  rootJobId: { attribute: ATTR_FLOWTRACE_JOB_ROOT_ID },
};

const HOUR_NS = 3_600_000_000_000n;
const HOUR_S = 3600;

/** `Column = {param}` conditions for the filters set, with their bound values (attribute names bound too). */
function conditions<F extends object>(filters: F, columns: Record<keyof F, RowColumn>, params: QueryParams): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(filters) as Array<[keyof F & string, unknown]>) {
    if (value === undefined) continue;
    const column = columns[name];
    const param = `f_${name}`;
    params[param] = value;
    if (typeof column === 'string') {
      out.push(Array.isArray(value) ? `${column} IN {${param}:Array(String)}` : `${column} = {${param}:String}`);
      continue;
    }
    params[`${param}_key`] = column.attribute;
    const attribute = `Attributes[{${param}_key:String}]`;
    out.push(column.holds ? `has(JSONExtract(${attribute}, 'Array(String)'), {${param}:String})` : `${attribute} = {${param}:String}`);
  }
  return out;
}

const SELECT_ROW = `ExecutionId AS executionId, TraceId AS traceId, SpanId AS spanId, Name AS name,
       toString(toUnixTimestamp64Nano(Start)) AS startNanos, toString(toUnixTimestamp64Nano(End)) AS endNanos, DurationMs AS durationMs,
       Status AS status, Failed AS failed, UserId AS userId, Integration AS integration, WorkflowId AS workflowId,
       ToolName AS toolName, SyncId AS syncId, SyncType AS syncType, AgentId AS agentId,
       ConversationId AS conversationId, TaskCount AS taskCount`;

interface RawRow extends Omit<ExecutionRow, 'durationMs' | 'failed' | 'taskCount' | 'attributes'> {
  durationMs: string;
  failed: number;
  taskCount: number;
  attributeValues?: string[];
}

function toRow(raw: RawRow, attributeNames: readonly string[]): ExecutionRow {
  const { attributeValues, ...rest } = raw;
  const attributes: Record<string, string> = {};
  attributeNames.forEach((name, i) => {
    const value = attributeValues?.[i];
    if (value) attributes[name] = value;
  });
  return {
    ...rest,
    durationMs: Number(raw.durationMs),
    failed: Number(raw.failed) === 1,
    taskCount: Number(raw.taskCount),
    attributes,
  };
}

/** A half-open range of `Start`, nanoseconds since the epoch. */
interface Range {
  lo: bigint;
  hi: bigint;
}

interface Bucket {
  /** Start of the hour, epoch seconds. */
  bucket: number;
  n: number;
}

/** A partial hour at one end of the range, with its hour's count as a bound on what it holds. */
interface Edge {
  range: Range;
  bound: number;
}

export interface ListOptions {
  /**
   * The most rows (as the hourly counts tell) that one pass reads to return a
   * page and count the range's partial hours; beyond it the partial hours are
   * counted on their own first. Default 20,000: at 10M spans a pass over 5k
   * rows took 13 ms against 19 ms for two reads, and broke even near 30k.
   */
  onePassRows?: number;
}

const ONE_PASS_ROWS = 20_000;

/**
 * One page of executions and the number matching, at any depth without
 * reading what the page skips.
 *
 * With only filters the hourly counts carry, two reads. The hourly counts of
 * the range come first. Then one pass over the executions reads the hours the
 * page falls in and the partial hours at the range's ends: it returns the page
 * and counts the partial hours, which makes the total exact. An end's hour
 * count bounds what its partial hour holds, so the page's place is known
 * before the pass. With any other filter, the matching executions are counted
 * per hour, then the page's hours read.
 */
export async function listExecutions(store: Store, q: ExecutionQuery, options: ListOptions = {}): Promise<ExecutionPage> {
  if (Object.values(q.rows).some((v) => v !== undefined)) return pageOfHours(store, q, await rowHourCounts(store, q));

  const shape = rangeShape(q);
  const counts = await rollupHourCounts(store, q);
  const whole = counts.filter((b) => b.bucket >= shape.whole.lo && b.bucket < shape.whole.hi);
  const wholeTotal = countOf(whole);
  const edge = (range: Range | undefined): Edge | undefined => {
    const bound = range ? (counts.find((b) => b.bucket === hourStart(range.lo))?.n ?? 0) : 0;
    return range && bound > 0 ? { range, bound } : undefined;
  };
  // The partial hours in the page's order (newest first when DESC); none in an empty hour.
  const [first, last] = q.order === 'ASC' ? [edge(shape.early), edge(shape.late)] : [edge(shape.late), edge(shape.early)];
  const hours = q.order === 'ASC' ? whole : [...whole].reverse();

  // Whatever the first end holds (0 to its bound), the page lies within these
  // positions of the whole hours; the hours before them are skipped.
  const start = Math.max(0, q.offset - (first?.bound ?? 0));
  const end = Math.min(wholeTotal, q.offset + q.limit);
  let skipped = 0;
  let i = 0;
  while (i < hours.length && skipped + hours[i]!.n <= start) skipped += hours[i++]!.n;
  const read: Bucket[] = [];
  for (let through = skipped; i < hours.length && through < end; i++) {
    read.push(hours[i]!);
    through += hours[i]!.n;
  }

  const edges = [first, last].filter((e) => e !== undefined);
  if (q.limit === 0) return { rows: [], total: wholeTotal + countOf(await countEdges(store, q, edges)) };
  // Past the end of whole hours and no partial hour: nothing to read.
  if (read.length === 0 && edges.length === 0) return { rows: [], total: wholeTotal };
  if (countOf(read) + edges.reduce((sum, e) => sum + e.bound, 0) > (options.onePassRows ?? ONE_PASS_ROWS)) {
    return pageOfHours(store, q, [...whole, ...(await countEdges(store, q, edges))].sort((a, b) => a.bucket - b.bucket));
  }

  const ranges = [
    ...(first ? [first.range] : []),
    ...(read.length > 0 ? [hoursRange(read)] : []),
    ...(last ? [last.range] : []),
  ];
  const params: QueryParams = {};
  const within = (name: string, r: Range) => rangeCondition(name, r, params);
  const counted = (name: string, e: Edge | undefined) => (e ? `countIf(${within(name, e.range)}) OVER ()` : '0');
  const raw = await readPage<{ firstEnd: string; lastEnd: string }>(store, q, params, {
    skip: q.offset - skipped,
    range: `(${ranges.map((r, n) => within(`r${n}`, r)).join(' OR ')})`,
    columns: `, ${counted('first', first)} AS firstEnd, ${counted('last', last)} AS lastEnd`,
  });
  // No row, no window: a page past the end counts the partial hours on their own.
  const edgeTotal = raw[0] ? Number(raw[0].firstEnd) + Number(raw[0].lastEnd) : countOf(await countEdges(store, q, edges));
  return { rows: raw.map((r) => toRow(r, q.attributes ?? [])), total: wholeTotal + edgeTotal };
}

/** The whole hours of the query's range (epoch seconds, half-open) and the partial hours at its ends. */
function rangeShape(q: ExecutionQuery): { whole: { lo: number; hi: number }; early?: Range; late?: Range } {
  const { from, to } = q;
  const none = { lo: 0, hi: 0 };
  if (from !== undefined && to !== undefined && to <= from) return { whole: none };
  const fullFrom = from === undefined ? 0n : (from + HOUR_NS - 1n) / HOUR_NS;
  const fullTo = to === undefined ? BigInt(Number.MAX_SAFE_INTEGER) / BigInt(HOUR_S) : to / HOUR_NS;
  // Both ends within one hour.
  if (from !== undefined && to !== undefined && fullFrom > fullTo) return { whole: none, early: { lo: from, hi: to } };
  return {
    whole: { lo: Number(fullFrom) * HOUR_S, hi: Number(fullTo) * HOUR_S },
    early: from !== undefined && from < fullFrom * HOUR_NS ? { lo: from, hi: fullFrom * HOUR_NS } : undefined,
    late: to !== undefined && fullTo * HOUR_NS < to ? { lo: fullTo * HOUR_NS, hi: to } : undefined,
  };
}

const countOf = (buckets: Bucket[]) => buckets.reduce((sum, b) => sum + b.n, 0);
const hourStart = (ns: bigint) => Number(ns / HOUR_NS) * HOUR_S;
const hoursRange = (hours: Bucket[]): Range => {
  const starts = hours.map((b) => BigInt(b.bucket));
  const lo = starts.reduce((a, b) => (b < a ? b : a));
  const hi = starts.reduce((a, b) => (b > a ? b : a));
  return { lo: lo * 1_000_000_000n, hi: (hi + BigInt(HOUR_S)) * 1_000_000_000n };
};

/** `Start` within the range, its bounds bound as `{name_lo}`, `{name_hi}`. */
function rangeCondition(name: string, r: Range, params: QueryParams): string {
  params[`${name}_lo`] = r.lo.toString();
  params[`${name}_hi`] = r.hi.toString();
  return `(Start >= fromUnixTimestamp64Nano({${name}_lo:Int64}) AND Start < fromUnixTimestamp64Nano({${name}_hi:Int64}))`;
}

/** The attributes map is the widest column: read only when asked for. */
function attributeColumn(q: ExecutionQuery, params: QueryParams): string {
  if ((q.attributes ?? []).length === 0) return '';
  params.attributeNames = q.attributes;
  return ', arrayMap(name -> Attributes[name], {attributeNames:Array(String)}) AS attributeValues';
}

/** The rows of each partial hour, as the bucket of its hour. */
async function countEdges(store: Store, q: ExecutionQuery, edges: Edge[]): Promise<Bucket[]> {
  if (edges.length === 0) return [];
  const params: QueryParams = { projectId: q.projectId, kind: q.kind };
  const where = conditions(q.rollup, ROLLUP_COLUMNS, params);
  const within = edges.map((e, n) => rangeCondition(`e${n}`, e.range, params));
  const [row] = await store.select<Record<string, string>>(
    'query-api.executions.edges',
    `SELECT ${within.map((c, n) => `countIf(${c}) AS e${n}`).join(', ')}
     FROM ${TABLES.executions}
     WHERE ProjectId = {projectId:String} AND Kind = {kind:String} AND (${within.join(' OR ')})
       ${where.map((c) => `AND ${c}`).join(' ')}`,
    params,
  );
  return edges.map((e, n) => ({ bucket: hourStart(e.range.lo), n: Number(row?.[`e${n}`] ?? 0) })).filter((b) => b.n > 0);
}

/**
 * The page located in exact hourly counts of the matching executions: only the
 * hours it falls in are read, with the offset left inside them.
 */
async function pageOfHours(store: Store, q: ExecutionQuery, buckets: Bucket[]): Promise<ExecutionPage> {
  const total = countOf(buckets);
  if (q.offset >= total || q.limit === 0) return { rows: [], total };

  const ordered = q.order === 'ASC' ? buckets : [...buckets].reverse();
  let before = 0;
  let first = 0;
  while (before + ordered[first]!.n <= q.offset) before += ordered[first++]!.n;
  let last = first;
  let through = before + ordered[first]!.n;
  while (through < q.offset + q.limit && last + 1 < ordered.length) through += ordered[++last]!.n;
  let { lo, hi } = hoursRange([ordered[first]!, ordered[last]!]);
  if (q.from !== undefined && q.from > lo) lo = q.from;
  if (q.to !== undefined && q.to < hi) hi = q.to;

  const params: QueryParams = {};
  const raw = await readPage(store, q, params, { skip: q.offset - before, range: rangeCondition('page', { lo, hi }, params) });
  return { rows: raw.map((r) => toRow(r, q.attributes ?? [])), total };
}

/**
 * The page's rows within `range` (a condition on `Start`, its values already
 * in `params`), every filter of the query applied, `skip` rows left out;
 * `columns` are read beside them.
 */
function readPage<Extra extends object = object>(
  store: Store,
  q: ExecutionQuery,
  params: QueryParams,
  page: { skip: number; range: string; columns?: string },
): Promise<Array<RawRow & Extra>> {
  Object.assign(params, { projectId: q.projectId, kind: q.kind, skip: page.skip, limit: q.limit });
  const where = [...conditions(q.rollup, ROLLUP_COLUMNS, params), ...conditions(q.rows, ROW_COLUMNS, params)];
  return store.select<RawRow & Extra>(
    'query-api.executions.page',
    `SELECT ${SELECT_ROW}${attributeColumn(q, params)}${page.columns ?? ''}
     FROM ${TABLES.executions}
     WHERE ProjectId = {projectId:String} AND Kind = {kind:String} AND ${page.range}
       ${where.map((c) => `AND ${c}`).join(' ')}
     ORDER BY Start ${q.order}, TraceId ${q.order}
     LIMIT {limit:UInt32} OFFSET {skip:UInt64}`,
    params,
  );
}

/** The query's range as bound conditions on `Start`. */
function startBounds(q: ExecutionQuery, params: QueryParams): string[] {
  const range: string[] = [];
  if (q.from !== undefined) {
    params.from = q.from.toString();
    range.push('Start >= fromUnixTimestamp64Nano({from:Int64})');
  }
  if (q.to !== undefined) {
    params.to = q.to.toString();
    range.push('Start < fromUnixTimestamp64Nano({to:Int64})');
  }
  return range;
}

/** Matching executions per hour, ascending, counted from the rows (a filter the hourly counts do not carry). */
async function rowHourCounts(store: Store, q: ExecutionQuery): Promise<Bucket[]> {
  const params: QueryParams = { projectId: q.projectId, kind: q.kind };
  const where = [...conditions(q.rollup, ROLLUP_COLUMNS, params), ...conditions(q.rows, ROW_COLUMNS, params), ...startBounds(q, params)];
  // Narrow columns; a user's rows come from the by_user projection.
  const rows = await store.select<{ bucket: number; n: string }>(
    'query-api.executions.hours',
    `SELECT toUnixTimestamp(toStartOfHour(Start, 'UTC')) AS bucket, count() AS n
     FROM ${TABLES.executions}
     WHERE ProjectId = {projectId:String} AND Kind = {kind:String} AND ${where.join(' AND ')}
     GROUP BY bucket ORDER BY bucket`,
    params,
  );
  return rows.map((r) => ({ bucket: Number(r.bucket), n: Number(r.n) }));
}

/** The hourly counts of every hour the range touches, whole or in part, ascending. */
async function rollupHourCounts(store: Store, q: ExecutionQuery): Promise<Bucket[]> {
  const params: QueryParams = { projectId: q.projectId, kind: q.kind };
  const where = conditions(q.rollup, ROLLUP_COLUMNS, params);
  const source = oneDimension(q.rollup, params) ?? `${TABLES.executionCounts} WHERE ${['ProjectId = {projectId:String} AND Kind = {kind:String}', ...where].join(' AND ')}`;
  const bounds: string[] = [];
  if (q.from !== undefined) {
    params.hourFrom = hourStart(q.from);
    bounds.push('Bucket >= toDateTime({hourFrom:Int64})');
  }
  if (q.to !== undefined) {
    params.hourTo = hourStart(q.to + HOUR_NS - 1n);
    bounds.push('Bucket < toDateTime({hourTo:Int64})');
  }
  const rows = await store.select<{ bucket: number; n: string }>(
    'query-api.executions.hours',
    `SELECT toUnixTimestamp(Bucket) AS bucket, sum(Executions) AS n
     FROM ${source} ${bounds.map((c) => `AND ${c}`).join(' ')}
     GROUP BY bucket HAVING n > 0 ORDER BY bucket`,
    params,
  );
  return rows.map((r) => ({ bucket: Number(r.bucket), n: Number(r.n) }));
}

/**
 * With at most one rollup filter, the per-dimension counts answer (a few rows
 * an hour); the FROM … WHERE of that read, or undefined for a combination.
 */
function oneDimension(filters: RollupFilters, params: QueryParams): string | undefined {
  const set = (Object.entries(filters) as Array<[keyof RollupFilters, string | string[] | undefined]>).filter(([, v]) => v !== undefined);
  if (set.length > 1) return undefined;
  const [name, value] = set[0] ?? [undefined, undefined];
  params.dimension = name ? COUNT_DIMENSIONS[name].dimension : '';
  params.dimensionValues = value === undefined ? [''] : Array.isArray(value) ? value : [value];
  return `${TABLES.executionCountsBy}
           WHERE ProjectId = {projectId:String} AND Kind = {kind:String}
             AND Dimension = {dimension:String} AND Value IN {dimensionValues:Array(String)}`;
}

/** One execution by its id (or trace id), with its root span's attributes. */
export async function findExecution(store: Store, projectId: string, kind: string, by: { executionId?: string; traceId?: string }): Promise<ExecutionRow | undefined> {
  const params: QueryParams = { projectId, kind };
  const where = conditions(by, { executionId: 'ExecutionId', traceId: 'TraceId' }, params);
  const raw = await store.select<RawRow & { Attributes: Record<string, string> }>(
    'query-api.executions.one',
    `SELECT ${SELECT_ROW}, Attributes
     FROM ${TABLES.executions}
     WHERE ProjectId = {projectId:String} AND Kind = {kind:String} AND ${where.join(' AND ')}
     ORDER BY Start DESC
     LIMIT 1`,
    params,
  );
  const row = raw[0];
  if (!row) return undefined;
  return { ...toRow(row, []), attributes: row.Attributes };
}
