import { TABLES, type QueryParams, type Store } from '@flowtrace/store';

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
  startMs: number;
  endMs: number;
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

const ROW_COLUMNS: Record<keyof RowFilters, string> = {
  userId: 'UserId',
  traceId: 'TraceId',
  executionId: 'ExecutionId',
  syncId: 'SyncId',
  agentId: 'AgentId',
  conversationId: 'ConversationId',
  deliveryUserId: "has(JSONExtract(Attributes['flowtrace.delivery.user_ids'], 'Array(String)'), ?)",
};

const HOUR_NS = 3_600_000_000_000n;
const HOUR_S = 3600;

/** `Column = {param}` conditions for the filters set, with their bound values; `?` in an expression stands for the value. */
function conditions<F extends object>(filters: F, columns: Record<keyof F, string>, params: QueryParams): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(filters) as Array<[keyof F & string, unknown]>) {
    if (value === undefined) continue;
    const column = columns[name];
    const param = `f_${name}`;
    params[param] = value;
    if (column.includes('?')) out.push(column.replace('?', `{${param}:String}`));
    else out.push(Array.isArray(value) ? `${column} IN {${param}:Array(String)}` : `${column} = {${param}:String}`);
  }
  return out;
}

const SELECT_ROW = `ExecutionId AS executionId, TraceId AS traceId, SpanId AS spanId, Name AS name,
       toUnixTimestamp64Milli(Start) AS startMs, toUnixTimestamp64Milli(End) AS endMs, DurationMs AS durationMs,
       Status AS status, Failed AS failed, UserId AS userId, Integration AS integration, WorkflowId AS workflowId,
       ToolName AS toolName, SyncId AS syncId, SyncType AS syncType, AgentId AS agentId,
       ConversationId AS conversationId, TaskCount AS taskCount`;

interface RawRow extends Omit<ExecutionRow, 'startMs' | 'endMs' | 'durationMs' | 'failed' | 'taskCount' | 'attributes'> {
  startMs: string;
  endMs: string;
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
    startMs: Number(raw.startMs),
    endMs: Number(raw.endMs),
    durationMs: Number(raw.durationMs),
    failed: Number(raw.failed) === 1,
    taskCount: Number(raw.taskCount),
    attributes,
  };
}

/**
 * One page of executions and the number matching, at any depth without
 * reading what the page skips: hourly counts of the matching executions (from
 * the pre-aggregated counts when the filters allow, else from the narrow
 * executions table) locate the hours the page falls in, and only those hours
 * are read, with the offset left inside them.
 */
export async function listExecutions(store: Store, q: ExecutionQuery): Promise<ExecutionPage> {
  const buckets = await hourCounts(store, q);
  const total = buckets.reduce((sum, b) => sum + b.n, 0);
  if (q.offset >= total || q.limit === 0) return { rows: [], total };

  const ordered = q.order === 'ASC' ? buckets : [...buckets].reverse();
  let before = 0;
  let first = 0;
  while (before + ordered[first]!.n <= q.offset) before += ordered[first++]!.n;
  let last = first;
  let through = before + ordered[first]!.n;
  while (through < q.offset + q.limit && last + 1 < ordered.length) through += ordered[++last]!.n;
  const hours = [ordered[first]!.bucket, ordered[last]!.bucket];
  let lo = BigInt(Math.min(...hours)) * 1_000_000_000n;
  let hi = BigInt(Math.max(...hours) + HOUR_S) * 1_000_000_000n;
  if (q.from !== undefined && q.from > lo) lo = q.from;
  if (q.to !== undefined && q.to < hi) hi = q.to;

  const params: QueryParams = { projectId: q.projectId, kind: q.kind, lo: lo.toString(), hi: hi.toString(), skip: q.offset - before, limit: q.limit };
  const where = [...conditions(q.rollup, ROLLUP_COLUMNS, params), ...conditions(q.rows, ROW_COLUMNS, params)];
  const attributeNames = q.attributes ?? [];
  params.attributeNames = attributeNames;
  // The attributes map is the widest column: read only when asked for.
  const attributeValues = attributeNames.length > 0 ? ', arrayMap(name -> Attributes[name], {attributeNames:Array(String)}) AS attributeValues' : '';
  const raw = await store.select<RawRow>(
    'query-api.executions.page',
    `SELECT ${SELECT_ROW}${attributeValues}
     FROM ${TABLES.executions}
     WHERE ProjectId = {projectId:String} AND Kind = {kind:String}
       AND Start >= fromUnixTimestamp64Nano({lo:Int64}) AND Start < fromUnixTimestamp64Nano({hi:Int64})
       ${where.map((c) => `AND ${c}`).join(' ')}
     ORDER BY Start ${q.order}, TraceId ${q.order}
     LIMIT {limit:UInt32} OFFSET {skip:UInt64}`,
    params,
  );
  return { rows: raw.map((r) => toRow(r, attributeNames)), total };
}

interface Bucket {
  /** Start of the hour, epoch seconds. */
  bucket: number;
  n: number;
}

/** Matching executions per hour, ascending. */
async function hourCounts(store: Store, q: ExecutionQuery): Promise<Bucket[]> {
  const params: QueryParams = { projectId: q.projectId, kind: q.kind };
  const rollupWhere = conditions(q.rollup, ROLLUP_COLUMNS, params);
  const rowWhere = conditions(q.rows, ROW_COLUMNS, params);
  const range: string[] = [];
  if (q.from !== undefined) {
    params.from = q.from.toString();
    range.push('Start >= fromUnixTimestamp64Nano({from:Int64})');
  }
  if (q.to !== undefined) {
    params.to = q.to.toString();
    range.push('Start < fromUnixTimestamp64Nano({to:Int64})');
  }
  const base = `ProjectId = {projectId:String} AND Kind = {kind:String}`;
  let sql: string;
  if (rowWhere.length > 0) {
    // A filter the counts do not carry: count the matching rows themselves
    // (narrow columns; a user's rows come from the by_user projection).
    sql = `SELECT toUnixTimestamp(toStartOfHour(Start, 'UTC')) AS bucket, count() AS n
           FROM ${TABLES.executions}
           WHERE ${[base, ...rollupWhere, ...rowWhere, ...range].join(' AND ')}
           GROUP BY bucket ORDER BY bucket`;
  } else {
    // Whole hours from the hourly counts; the partial hours at either end of
    // the range from the executions table.
    const fullFrom = q.from === undefined ? 0n : (q.from + HOUR_NS - 1n) / HOUR_NS;
    const fullTo = q.to === undefined ? 4_000_000_000n / BigInt(HOUR_S) : q.to / HOUR_NS;
    params.fullFrom = (fullFrom * BigInt(HOUR_S)).toString();
    params.fullTo = (fullTo * BigInt(HOUR_S)).toString();
    params.fullFromNs = (fullFrom * HOUR_NS).toString();
    params.fullToNs = (fullTo * HOUR_NS).toString();
    const edges: string[] = [];
    if (q.from !== undefined) edges.push('(Start >= fromUnixTimestamp64Nano({from:Int64}) AND Start < fromUnixTimestamp64Nano({fullFromNs:Int64}))');
    if (q.to !== undefined) edges.push('(Start >= fromUnixTimestamp64Nano({fullToNs:Int64}) AND Start < fromUnixTimestamp64Nano({to:Int64}))');
    const rollup = `SELECT Bucket AS b, sum(Executions) AS c FROM ${oneDimension(q.rollup, params) ?? `${TABLES.executionCounts} WHERE ${[base, ...rollupWhere].join(' AND ')}`}
             AND Bucket >= toDateTime({fullFrom:Int64}) AND Bucket < toDateTime({fullTo:Int64})
           GROUP BY b`;
    const edgeRows =
      fullFrom < fullTo
        ? edges.length > 0
          ? `SELECT toStartOfHour(Start, 'UTC') AS b, count() AS c FROM ${TABLES.executions}
             WHERE ${[base, ...rollupWhere].join(' AND ')} AND (${edges.join(' OR ')}) AND ${range.join(' AND ')}
             GROUP BY b`
          : undefined
        : `SELECT toStartOfHour(Start, 'UTC') AS b, count() AS c FROM ${TABLES.executions}
             WHERE ${[base, ...rollupWhere, ...range].join(' AND ')}
             GROUP BY b`;
    const parts = fullFrom < fullTo ? [rollup, ...(edgeRows ? [edgeRows] : [])] : [edgeRows!];
    sql = `SELECT toUnixTimestamp(b) AS bucket, sum(c) AS n FROM (${parts.join(' UNION ALL ')}) GROUP BY bucket HAVING n > 0 ORDER BY bucket`;
  }
  const rows = await store.select<{ bucket: number; n: string }>('query-api.executions.hours', sql, params);
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
