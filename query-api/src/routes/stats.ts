import { z } from 'zod';
import { FLOWTRACE_KIND } from '@flowtrace/instrumentation/semconv';
import { TABLES } from '@flowtrace/store';
import { ApiError } from '../http/errors.js';
import { COUNT_DIMENSIONS } from '../repositories/executions.js';
import { filterValue, isoDate, orderedRange, projectIdParam } from '../schemas.js';
import { projectGet, type RouteContext } from './context.js';

/** The dimension each groupBy reads from the hourly counts. */
const GROUP_COLUMNS = Object.fromEntries(Object.values(COUNT_DIMENSIONS).map((d) => [d.dimension, d.column])) as Record<
  (typeof COUNT_DIMENSIONS)[keyof typeof COUNT_DIMENSIONS]['dimension'],
  string
>;
const INTERVALS = { hour: 3600, day: 86_400 } as const;
/** The most buckets (times × groups) one answer carries. */
export const MAX_STAT_ROWS = 20_000;
const DAY_NS = 86_400_000_000_000n;

const statsQuery = z
  .strictObject({
    kind: z.enum(Object.values(FLOWTRACE_KIND) as [string, ...string[]]).default(FLOWTRACE_KIND.workflowExecution),
    groupBy: z.enum(Object.keys(GROUP_COLUMNS) as [keyof typeof GROUP_COLUMNS]).optional(),
    interval: z.enum(['hour', 'day']).default('day'),
    from: isoDate.optional().meta({ description: 'default: 7 days before `to`; rounded down to the hour' }),
    to: isoDate.optional().meta({ description: 'default: now; rounded up to the hour' }),
    integration: filterValue.optional(),
  })
  .superRefine(orderedRange('from', 'to'));

const bucket = z.object({
  time: z.string(),
  group: z.string().optional(),
  executions: z.number(),
  failures: z.number(),
  durationMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }),
});

interface StatRow {
  t: number;
  g: string;
  executions: string;
  failures: string;
  /** Log-scale duration bucket → executions (see the migration of flowtrace_execution_counts). */
  durations: Record<string, string>;
}

export function statsRoutes(ctx: RouteContext): void {
  projectGet(
    ctx,
    '/projects/:projectId/stats/executions',
    {
      tag: 'Counts',
      summary: 'Execution counts, failure counts and duration percentiles per hour or day, optionally per group',
      description: 'Answered from hourly counts kept up by materialized views, never from a scan of spans; times are whole hours (UTC).',
      params: z.strictObject({ projectId: projectIdParam }),
      query: statsQuery,
      response: z.object({ kind: z.string(), interval: z.string(), groupBy: z.string().nullable(), from: z.string(), to: z.string(), buckets: z.array(bucket), totals: z.object({ executions: z.number(), failures: z.number() }) }),
    },
    async (_req, res) => {
      const q = res.locals.query as z.output<typeof statsQuery>;
      const hourNs = 3_600_000_000_000n;
      const to = q.to ?? BigInt(Date.now()) * 1_000_000n;
      const toHour = ((to + hourNs - 1n) / hourNs) * 3600n;
      const fromHour = ((q.from ?? to - 7n * DAY_NS) / hourNs) * 3600n;
      const buckets = Number(toHour - fromHour) / INTERVALS[q.interval];
      if (buckets > MAX_STAT_ROWS) throw new ApiError(400, 'invalid_request', `query.from: the range holds ${Math.ceil(buckets)} ${q.interval}s; at most ${MAX_STAT_ROWS} per answer`);
      const range = { projectId: res.locals.params.projectId, kind: q.kind, step: INTERVALS[q.interval], from: fromHour.toString(), to: toHour.toString(), limit: MAX_STAT_ROWS + 1 };
      const aggregates = `toUnixTimestamp(toStartOfInterval(Bucket, toIntervalSecond({step:UInt32}), 'UTC')) AS t,
                sum(Executions) AS executions, sum(Failures) AS failures, sumMap(Durations) AS durations`;
      const rows =
        q.integration === undefined
          ? // One dimension: the per-dimension counts, a few rows an hour.
            await ctx.store.select<StatRow>(
              'query-api.stats.executions',
              `SELECT ${aggregates}, Value AS g
               FROM ${TABLES.executionCountsBy}
               WHERE ProjectId = {projectId:String} AND Kind = {kind:String} AND Dimension = {dimension:String}
                 AND Bucket >= toDateTime({from:Int64}) AND Bucket < toDateTime({to:Int64})
               GROUP BY t, g ORDER BY t, g
               LIMIT {limit:UInt32}`,
              { ...range, dimension: q.groupBy ?? '' },
            )
          : // A group within one integration: the combined counts.
            await ctx.store.select<StatRow>(
              'query-api.stats.executions',
              `SELECT ${aggregates}, ${q.groupBy ? GROUP_COLUMNS[q.groupBy] : "''"} AS g
               FROM ${TABLES.executionCounts}
               WHERE ProjectId = {projectId:String} AND Kind = {kind:String} AND Integration = {integration:String}
                 AND Bucket >= toDateTime({from:Int64}) AND Bucket < toDateTime({to:Int64})
               GROUP BY t, g ORDER BY t, g
               LIMIT {limit:UInt32}`,
              { ...range, integration: q.integration },
            );
      if (rows.length > MAX_STAT_ROWS) throw new ApiError(400, 'invalid_request', `query.groupBy: more than ${MAX_STAT_ROWS} buckets; narrow the range or use a longer interval`);
      let executions = 0;
      let failures = 0;
      res.json({
        kind: q.kind,
        interval: q.interval,
        groupBy: q.groupBy ?? null,
        from: new Date(Number(fromHour) * 1000).toISOString(),
        to: new Date(Number(toHour) * 1000).toISOString(),
        buckets: rows.map((row) => {
          executions += Number(row.executions);
          failures += Number(row.failures);
          return {
            time: new Date(Number(row.t) * 1000).toISOString(),
            ...(q.groupBy ? { group: row.g } : {}),
            executions: Number(row.executions),
            failures: Number(row.failures),
            durationMs: percentiles(row.durations, [0.5, 0.95, 0.99]),
          };
        }),
        totals: { executions, failures },
      });
    },
  );
}

/**
 * Percentiles of a log-scale duration histogram: bucket i > 0 holds
 * 2^((i-1)/4) ≤ ms < 2^(i/4), bucket 0 holds 0 ms; a value is given as its
 * bucket's geometric middle, so within 9% of the true one.
 */
export function percentiles(histogram: Record<string, string>, ps: readonly [number, number, number]): { p50: number; p95: number; p99: number } {
  const buckets = Object.entries(histogram)
    .map(([bucket, n]) => [Number(bucket), Number(n)] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  const at = (p: number) => {
    if (total === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * total));
    let seen = 0;
    for (const [bucket, n] of buckets) {
      seen += n;
      if (seen >= rank) return bucket === 0 ? 0 : Math.round(2 ** ((bucket - 0.5) / 4));
    }
    return 0;
  };
  return { p50: at(ps[0]), p95: at(ps[1]), p99: at(ps[2]) };
}
