import { z } from 'zod';
import { notFound } from '../http/errors.js';
import { durationParam, filterValue, isoDate, limitParam, oneOrMore, orderedRange, projectIdParam, traceParams } from '../schemas.js';
import { findTrace, searchTraces } from '../repositories/traces.js';
import { toTimeline } from '../converters/trace.js';
import { parseTraceCursor, toTraceSummary, traceCursorAfter } from '../converters/traceSearch.js';
import { projectGet, selfLink, type RouteContext } from './context.js';

const STATUS_CODES = { ok: 'Ok', error: 'Error', unset: 'Unset' } as const;
/** The most attribute conditions one search takes. */
const MAX_ATTRIBUTES = 10;

const attributePair = z
  .string()
  .max(500, { message: 'must be at most 500 characters' })
  .transform((text, ctx) => {
    const at = text.indexOf('=');
    if (at < 1) {
      ctx.addIssue({ code: 'custom', message: 'must be key=value, e.g. http.response.status_code=500' });
      return z.NEVER;
    }
    return [text.slice(0, at), text.slice(at + 1)] as const;
  });

const cursorParam = z
  .string()
  .max(128, { message: 'is not a cursor from this API' })
  .transform((text, ctx) => {
    const cursor = parseTraceCursor(text);
    if (!cursor) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor from this API (use nextCursor or nextLink as given)' });
      return z.NEVER;
    }
    return cursor;
  });

const searchQuery = z
  .strictObject({
    service: filterValue.optional().meta({ description: 'service.name of a span' }),
    spanName: filterValue.optional().meta({ description: 'a span’s name, exactly' }),
    status: oneOrMore(['ok', 'error', 'unset'] as const).optional().meta({ description: 'a span’s status: ok, error or unset, comma-separated for several' }),
    minDuration: durationParam.optional().meta({ description: 'a span lasting at least this long, e.g. 250ms, 1.5s' }),
    maxDuration: durationParam.optional().meta({ description: 'a span lasting at most this long, e.g. 2s' }),
    attribute: z
      .preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(attributePair).max(MAX_ATTRIBUTES, { message: `must be given at most ${MAX_ATTRIBUTES} times` }))
      .optional()
      .meta({ description: 'key=value: a span (or its resource) with this attribute equal to this value; repeat for several, all on the same span' }),
    from: isoDate.optional().meta({ description: 'a matching span started at or after' }),
    to: isoDate.optional().meta({ description: 'a matching span started before' }),
    cursor: cursorParam.optional().meta({ description: 'nextCursor of the previous page' }),
    limit: limitParam(100, 20),
  })
  .superRefine(orderedRange('from', 'to'))
  .superRefine((q, ctx) => {
    if (q.minDuration !== undefined && q.maxDuration !== undefined && q.minDuration > q.maxDuration) {
      ctx.addIssue({ code: 'custom', path: ['minDuration'], message: 'must not be longer than maxDuration' });
    }
  });

const traceSummary = z.object({
  traceId: z.string(),
  rootServiceName: z.string().nullable().meta({ description: 'null while the root span has not arrived' }),
  rootSpanName: z.string().nullable(),
  startTime: z.string(),
  durationMs: z.number(),
  spanCount: z.number(),
  errorCount: z.number().meta({ description: 'spans with status error' }),
});

const attributes = z.record(z.string(), z.string());
const timelineSpan = z.object({
  spanId: z.string(),
  parentSpanId: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  serviceName: z.string(),
  startTime: z.string(),
  endTime: z.string(),
  durationMs: z.number(),
  status: z.object({ code: z.string(), message: z.string() }),
  attributes,
  resourceAttributes: attributes,
  scope: z.object({ name: z.string(), version: z.string() }),
  traceState: z.string(),
  events: z.array(z.object({ timestamp: z.string(), name: z.string(), attributes })),
  links: z.array(z.object({ traceId: z.string(), spanId: z.string(), traceState: z.string(), attributes })),
  depth: z.number().meta({ description: '0 for a root, or a span whose parent has not arrived' }),
});
const timelineLog = z.object({
  timestamp: z.string(),
  severityText: z.string(),
  severityNumber: z.number(),
  eventName: z.string().meta({ description: 'the log record’s OpenTelemetry event name' }),
  body: z.string(),
  spanId: z.string().nullable(),
  serviceName: z.string(),
  attributes,
});

export function traceRoutes(ctx: RouteContext): void {
  projectGet(
    ctx,
    '/projects/:projectId/traces',
    {
      tag: 'Traces',
      summary: 'Trace search: traces with a span matching every condition, newest first, with cursor pagination',
      description:
        'All conditions hold for one span (service, span name, status, duration, attributes). A trace’s place in the order is the start of its earliest matching span in the range — without conditions, the trace’s start. `nextCursor` (or `nextLink`) continues after the last trace; absent on the last page.',
      params: z.strictObject({ projectId: projectIdParam }),
      query: searchQuery,
      response: z.object({ traces: z.array(traceSummary), nextCursor: z.string().optional(), nextLink: z.string().optional() }),
    },
    async (req, res) => {
      const q = res.locals.query as z.output<typeof searchQuery>;
      const rows = await searchTraces(ctx.store, {
        projectId: res.locals.params.projectId,
        service: q.service,
        spanName: q.spanName,
        statusCodes: q.status?.map((s) => STATUS_CODES[s]),
        minDuration: q.minDuration,
        maxDuration: q.maxDuration,
        attributes: q.attribute ?? [],
        from: q.from,
        to: q.to,
        after: q.cursor,
        limit: q.limit,
      });
      const page = rows.slice(0, q.limit);
      const next = rows.length > q.limit ? traceCursorAfter(page.at(-1)!) : undefined;
      res.json({ traces: page.map(toTraceSummary), ...(next ? { nextCursor: next, nextLink: selfLink(ctx, req, { cursor: next }) } : {}) });
    },
  );

  projectGet(
    ctx,
    '/projects/:projectId/traces/:traceId',
    {
      tag: 'Traces',
      summary: 'A trace timeline: spans as a tree by start time, logs by time',
      params: traceParams,
      response: z.object({ traceId: z.string(), startTime: z.string(), endTime: z.string(), durationMs: z.number(), spans: z.array(timelineSpan), logs: z.array(timelineLog), truncated: z.boolean() }),
    },
    async (_req, res) => {
      const { projectId, traceId } = res.locals.params;
      const records = await findTrace(ctx.store, projectId, traceId);
      if (!records) throw notFound('trace');
      res.json(toTimeline(traceId, records));
    },
  );
}
