import { TABLES, type QueryParams, type Store } from '@flowtrace/store';
import { ATTR_FLOWTRACE_SYNC_PIPELINE, FLOWTRACE_KIND } from '@flowtrace/conventions/semconv';

export interface SyncQuery {
  projectId: string;
  userId?: string;
  integration?: string;
  /** The status the latest run ended with. */
  statuses?: string[];
  /** Runs started in this range (nanoseconds, half-open) are counted; a Sync without one is left out. */
  from?: bigint;
  to?: bigint;
  offset: number;
  limit: number;
}

export interface SyncRow {
  syncId: string;
  syncType: string;
  pipeline: string;
  integration: string;
  userId: string;
  lastStatus: string;
  lastTraceId: string;
  lastStartNanos: string;
  lastEndNanos: string;
  runs: string;
  failedRuns: string;
}

/**
 * The Syncs of a project, from their runs (sync_run executions): each with
 * its latest run's type, status and times, and its run counts; the Sync whose
 * latest run started last comes first. The total counts the Syncs matching.
 */
export async function listSyncs(store: Store, q: SyncQuery): Promise<{ rows: SyncRow[]; total: number }> {
  const params: QueryParams = { projectId: q.projectId, kind: FLOWTRACE_KIND.syncRun, pipelineKey: ATTR_FLOWTRACE_SYNC_PIPELINE, offset: q.offset, limit: q.limit };
  const where = ['ProjectId = {projectId:String}', 'Kind = {kind:String}', "SyncId != ''"];
  if (q.userId !== undefined) {
    params.userId = q.userId;
    where.push('UserId = {userId:String}');
  }
  if (q.integration !== undefined) {
    params.integration = q.integration;
    where.push('Integration = {integration:String}');
  }
  if (q.from !== undefined) {
    params.from = q.from.toString();
    where.push('Start >= fromUnixTimestamp64Nano({from:Int64})');
  }
  if (q.to !== undefined) {
    params.to = q.to.toString();
    where.push('Start < fromUnixTimestamp64Nano({to:Int64})');
  }
  let having = '';
  if (q.statuses !== undefined) {
    params.statuses = q.statuses;
    having = 'HAVING lastStatus IN {statuses:Array(String)}';
  }
  const grouped = `SELECT SyncId AS syncId, argMax(SyncType, Start) AS syncType, argMax(Attributes[{pipelineKey:String}], Start) AS pipeline,
            argMax(Integration, Start) AS integration, argMax(UserId, Start) AS userId, argMax(Status, Start) AS lastStatus,
            argMax(TraceId, Start) AS lastTraceId, max(Start) AS lastStart, argMax(End, Start) AS lastEnd,
            count() AS runs, countIf(Failed = 1) AS failedRuns
     FROM ${TABLES.executions}
     WHERE ${where.join(' AND ')}
     GROUP BY SyncId ${having}`;
  const rows = await store.select<SyncRow & { total: string }>(
    'query-api.syncs.list',
    `SELECT syncId, syncType, pipeline, integration, userId, lastStatus, lastTraceId,
            toString(toUnixTimestamp64Nano(lastStart)) AS lastStartNanos, toString(toUnixTimestamp64Nano(lastEnd)) AS lastEndNanos,
            toString(runs) AS runs, toString(failedRuns) AS failedRuns, count() OVER () AS total
     FROM (${grouped})
     ORDER BY lastStart DESC, syncId DESC
     LIMIT {limit:UInt32} OFFSET {offset:UInt64}`,
    params,
  );
  if (rows[0]) return { rows, total: Number(rows[0].total) };
  if (q.offset === 0) return { rows: [], total: 0 };
  // A page past the end: count on its own.
  const [count] = await store.select<{ n: string }>('query-api.syncs.count', `SELECT count() AS n FROM (${grouped})`, params);
  return { rows: [], total: Number(count?.n ?? 0) };
}
