import { TABLES, type Store } from '@flowtrace/store';
import { COUNT_DIMENSIONS } from './executions.js';

/** A groupBy of the stats: a dimension of the hourly counts. */
export type StatDimension = (typeof COUNT_DIMENSIONS)[keyof typeof COUNT_DIMENSIONS]['dimension'];

/** The column of flowtrace_execution_counts each dimension is read from. */
const GROUP_COLUMNS = Object.fromEntries(Object.values(COUNT_DIMENSIONS).map((d) => [d.dimension, d.column])) as Record<StatDimension, string>;
export const STAT_DIMENSIONS = Object.keys(GROUP_COLUMNS) as [StatDimension, ...StatDimension[]];

export interface StatQuery {
  projectId: string;
  kind: string;
  /** Seconds a bucket covers. */
  step: number;
  /** Whole hours, epoch seconds, half-open. */
  fromSeconds: bigint;
  toSeconds: bigint;
  groupBy?: StatDimension;
  integration?: string;
  limit: number;
}

export interface StatRow {
  /** The bucket's start, epoch seconds. */
  t: number;
  /** The group's value ('' without groupBy). */
  g: string;
  executions: string;
  failures: string;
  /** Log-scale duration bucket → executions (see the migration of flowtrace_execution_counts). */
  durations: Record<string, string>;
}

/**
 * Execution counts, failures and duration histograms per bucket (and group),
 * from the hourly counts only, never from the executions: the per-dimension
 * counts for one dimension (a few rows an hour), the combined counts for a
 * group within one integration.
 */
export function executionStats(store: Store, q: StatQuery): Promise<StatRow[]> {
  const aggregates = `toUnixTimestamp(toStartOfInterval(Bucket, toIntervalSecond({step:UInt32}), 'UTC')) AS t,
                sum(Executions) AS executions, sum(Failures) AS failures, sumMap(Durations) AS durations`;
  const range = { projectId: q.projectId, kind: q.kind, step: q.step, from: q.fromSeconds.toString(), to: q.toSeconds.toString(), limit: q.limit };
  if (q.integration === undefined) {
    return store.select<StatRow>(
      'query-api.stats.executions',
      `SELECT ${aggregates}, Value AS g
       FROM ${TABLES.executionCountsBy}
       WHERE ProjectId = {projectId:String} AND Kind = {kind:String} AND Dimension = {dimension:String}
         AND Bucket >= toDateTime({from:Int64}) AND Bucket < toDateTime({to:Int64})
       GROUP BY t, g ORDER BY t, g
       LIMIT {limit:UInt32}`,
      { ...range, dimension: q.groupBy ?? '' },
    );
  }
  return store.select<StatRow>(
    'query-api.stats.executions',
    `SELECT ${aggregates}, ${q.groupBy ? GROUP_COLUMNS[q.groupBy] : "''"} AS g
     FROM ${TABLES.executionCounts}
     WHERE ProjectId = {projectId:String} AND Kind = {kind:String} AND Integration = {integration:String}
       AND Bucket >= toDateTime({from:Int64}) AND Bucket < toDateTime({to:Int64})
     GROUP BY t, g ORDER BY t, g
     LIMIT {limit:UInt32}`,
    { ...range, integration: q.integration },
  );
}
