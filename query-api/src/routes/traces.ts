import { z } from 'zod';
import { notFound } from '../http/errors.js';
import { traceParams } from '../schemas.js';
import { findTrace } from '../repositories/traces.js';
import { toTimeline } from '../converters/trace.js';
import { projectGet, type RouteContext } from './context.js';

/** One trace's timeline: its spans as a tree ordered by start, its logs by time. */
export function traceRoutes(ctx: RouteContext): void {
  projectGet(
    ctx,
    '/projects/:projectId/traces/:traceId',
    {
      tag: 'Traces',
      summary: 'A trace timeline: spans as a tree by start time, logs by time',
      params: traceParams,
      response: z.object({ traceId: z.string(), startTime: z.string(), endTime: z.string(), durationMs: z.number(), spans: z.array(z.unknown()), logs: z.array(z.unknown()), truncated: z.boolean() }),
    },
    async (_req, res) => {
      const { projectId, traceId } = res.locals.params;
      const records = await findTrace(ctx.store, projectId, traceId);
      if (!records) throw notFound('trace');
      res.json(toTimeline(traceId, records));
    },
  );
}
