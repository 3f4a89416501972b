import { z } from 'zod';
import { FLOWTRACE_KIND } from '@flowtrace/conventions/semconv';
import { ApiError } from '../http/errors.js';
import { STAT_DIMENSIONS, executionStats } from '../repositories/stats.js';
import { toStatBucket } from '../converters/stats.js';
import { isoFromSeconds } from '../converters/time.js';
import { integrationValue, isoDate, orderedRange, projectIdParam } from '../schemas.js';
import { projectGet, type RouteContext } from './context.js';

const INTERVALS = { hour: 3600, day: 86_400 } as const;
/** The most buckets (times × groups) one answer carries. */
export const MAX_STAT_ROWS = 20_000;
const HOUR_NS = 3_600_000_000_000n;
const DAY_NS = 86_400_000_000_000n;

const statsQuery = z
  .strictObject({
    kind: z.enum(Object.values(FLOWTRACE_KIND) as [string, ...string[]]).default(FLOWTRACE_KIND.workflowExecution),
    groupBy: z.enum(STAT_DIMENSIONS).optional(),
    interval: z.enum(['hour', 'day']).default('day'),
    from: isoDate.optional().meta({ description: 'default: 7 days before `to`; rounded down to the hour' }),
    to: isoDate.optional().meta({ description: 'default: now; rounded up to the hour' }),
    integration: integrationValue.optional(),
  })
  .superRefine(orderedRange('from', 'to'));

const bucket = z.object({
  time: z.string(),
  group: z.string().optional(),
  executions: z.number(),
  failures: z.number(),
  durationMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }),
});

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
      const to = q.to ?? BigInt(Date.now()) * 1_000_000n;
      const toSeconds = ((to + HOUR_NS - 1n) / HOUR_NS) * 3600n;
      const fromSeconds = ((q.from ?? to - 7n * DAY_NS) / HOUR_NS) * 3600n;
      const buckets = Number(toSeconds - fromSeconds) / INTERVALS[q.interval];
      if (buckets > MAX_STAT_ROWS) throw new ApiError(400, 'invalid_request', `query.from: the range holds ${Math.ceil(buckets)} ${q.interval}s; at most ${MAX_STAT_ROWS} per answer`);
      const rows = await executionStats(ctx.store, {
        projectId: res.locals.params.projectId,
        kind: q.kind,
        step: INTERVALS[q.interval],
        fromSeconds,
        toSeconds,
        groupBy: q.groupBy,
        integration: q.integration,
        limit: MAX_STAT_ROWS + 1,
      });
      if (rows.length > MAX_STAT_ROWS) throw new ApiError(400, 'invalid_request', `query.groupBy: more than ${MAX_STAT_ROWS} buckets; narrow the range or use a longer interval`);
      const answer = rows.map((row) => toStatBucket(row, q.groupBy !== undefined));
      res.json({
        kind: q.kind,
        interval: q.interval,
        groupBy: q.groupBy ?? null,
        from: isoFromSeconds(fromSeconds),
        to: isoFromSeconds(toSeconds),
        buckets: answer,
        totals: { executions: answer.reduce((n, b) => n + b.executions, 0), failures: answer.reduce((n, b) => n + b.failures, 0) },
      });
    },
  );
}
