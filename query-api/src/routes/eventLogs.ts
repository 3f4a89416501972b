import { z } from 'zod';
import { LOG_TYPE } from '@flowtrace/conventions/semconv';
import { searchEventLogs } from '../repositories/eventLogs.js';
import { cursorAfter, parseCursor, toEventLog } from '../converters/eventLog.js';
import { filterValue, hex32, integrationValue, isoDate, limitParam, oneOrMore, orderedRange, projectIdParam, SYNC_STATUSES, SYNC_TYPES } from '../schemas.js';
import { projectGet, selfLink, type RouteContext } from './context.js';

export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export const LOG_TYPES = Object.values(LOG_TYPE) as [string, ...string[]];

const cursorParam = z
  .string()
  .max(64, { message: 'is not a cursor from this API' })
  .transform((text, ctx) => {
    const cursor = parseCursor(text);
    if (!cursor) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor from this API (use nextCursor or nextLink as given)' });
      return z.NEVER;
    }
    return cursor;
  });

const eventLogQuery = z
  .strictObject({
    level: oneOrMore(LEVELS).optional(),
    type: oneOrMore(LOG_TYPES).optional().meta({ description: `the feature emitting: ${LOG_TYPES.join(', ')} (comma-separated for several)` }),
    userId: filterValue.optional(),
    integrationId: integrationValue.optional(),
    traceId: hex32.optional(),
    syncId: filterValue.optional(),
    jobId: filterValue.optional().meta({ description: 'a Workato job id: the logs of that recipe job (and those that name it)' }),
    syncEvent: z
      .string()
      .transform((text) => text.split(',').map((v) => v.trim()))
      .pipe(z.array(z.string().regex(/^[A-Z][A-Z0-9_]{0,99}$/, { message: 'must be an event name such as SYNC_RUN_RATE_LIMITED' })).min(1))
      .optional(),
    syncType: oneOrMore(SYNC_TYPES).optional(),
    syncStatus: oneOrMore(SYNC_STATUSES).optional(),
    q: z
      .string()
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(200, { message: 'must be at most 200 characters' })
      .optional()
      .meta({ description: 'text to find, any case: in the message, the OTel event name, the Managed Sync event (syncEvent) and the type; a code-like word (with a digit, _, . or -, e.g. OAUTH_027) also matches an error code or an App Event name exactly' }),
    from: isoDate.optional(),
    to: isoDate.optional(),
    cursor: cursorParam.optional().meta({ description: 'nextCursor of the previous page' }),
    limit: limitParam(500, 100),
  })
  .superRefine(orderedRange('from', 'to'));

const eventLog = z.object({
  id: z.string(),
  timestamp: z.string(),
  level: z.string(),
  type: z.string(),
  message: z.string(),
  otelEventName: z.string().meta({ description: 'the OpenTelemetry event name of the log record (e.g. job.failed); the App Event’s name is event.eventName' }),
  traceId: z.string().nullable(),
  spanId: z.string().nullable(),
  serviceName: z.string(),
  event: z
    .record(z.string(), z.unknown())
    .meta({ description: 'projectId, type, traceId, endUserId, integrationId, workflowId, eventId, eventName (the App Event’s name), status, error, … as known; Managed Sync logs also carry userId and integration' }),
  attributes: z.record(z.string(), z.string()),
});

export function eventLogRoutes(ctx: RouteContext): void {
  projectGet(
    ctx,
    '/projects/:projectId/event-logs',
    {
      tag: 'Event Logs',
      summary: 'Event Logs, newest first, filtered and searched, with cursor pagination',
      params: z.strictObject({ projectId: projectIdParam }),
      query: eventLogQuery,
      response: z.object({ logs: z.array(eventLog), nextCursor: z.string().optional(), nextLink: z.string().optional().meta({ description: 'this query with the next page’s cursor' }) }),
    },
    async (req, res) => {
      const { projectId } = res.locals.params;
      const q = res.locals.query as z.output<typeof eventLogQuery>;
      const rows = await searchEventLogs(ctx.store, {
        projectId,
        levels: q.level,
        types: q.type,
        userId: q.userId,
        integration: q.integrationId,
        traceId: q.traceId,
        syncId: q.syncId,
        jobId: q.jobId,
        syncEvents: q.syncEvent,
        syncTypes: q.syncType,
        syncStatuses: q.syncStatus,
        q: q.q,
        from: q.from,
        to: q.to,
        after: q.cursor,
        limit: q.limit,
      });
      const page = rows.slice(0, q.limit);
      const next = rows.length > q.limit ? cursorAfter(page.at(-1)!) : undefined;
      res.json({ logs: page.map((row) => toEventLog(projectId, row)), ...(next ? { nextCursor: next, nextLink: selfLink(ctx, req, { cursor: next }) } : {}) });
    },
  );
}
