import { z } from 'zod';
import { FLOWTRACE_KIND } from '@flowtrace/instrumentation/semconv';
import { notFound } from '../http/errors.js';
import { findExecution, type ExecutionRow } from '../repositories/executions.js';
import { findTrace } from '../repositories/traces.js';
import { toTimeline, type Timeline, type TimelineLog, type TimelineSpan } from '../converters/trace.js';
import { eventObject } from '../converters/eventLog.js';
import { filterValue, hex32, oneOrMore, orderedRange, projectIdParam } from '../schemas.js';
import { RESPONSE_BODY, failedResponseBodies, isErrorLevel, outboundRequest } from '../converters/http.js';
import { executionPage, isoMillis, listAnswer, listPaging, listResponse, projectGet, type RouteContext } from './context.js';

export const TOOL_CALL_STATUSES = ['SUCCEEDED', 'FAILED'] as const;
export const TRIGGER_EVENT_STATUSES = ['Success', 'Delivery Failures', 'Processing Failure', 'Queued'] as const;

const UUID_OR_TRACE_ID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const requestIdParam = filterValue.meta({ description: 'the requestId an ActionKit answer returned, or its trace id' });
/** A UUID requestId is its trace id without dashes (see traceIdFromRequestId); another id is the execution id. */
const toolCallKey = (requestId: string) =>
  UUID_OR_TRACE_ID.test(requestId) ? { traceId: requestId.replace(/-/g, '').toLowerCase() } : { executionId: requestId };

const toolCallQuery = z
  .strictObject({
    userId: filterValue.optional(),
    integration: filterValue.optional(),
    status: oneOrMore(TOOL_CALL_STATUSES).optional(),
    toolName: filterValue.optional(),
    traceId: hex32.optional(),
    requestId: requestIdParam.optional().meta({ description: 'the requestId an ActionKit error answer returned' }),
    ...listPaging,
  })
  .superRefine(orderedRange('from', 'to'));

const triggerEventQuery = z
  .strictObject({
    userId: filterValue.optional().meta({ description: 'events delivered to this user' }),
    integration: filterValue.optional(),
    status: oneOrMore(TRIGGER_EVENT_STATUSES).optional(),
    ...listPaging,
  })
  .superRefine(orderedRange('from', 'to'));

const toolCall = z.object({
  requestId: z.string(),
  traceId: z.string(),
  operation: z.string(),
  toolName: z.string().nullable(),
  integration: z.string(),
  userId: z.string(),
  status: z.string(),
  receivedAt: z.string(),
  durationMs: z.number(),
});
const logEntry = z.object({
  timestamp: z.string(),
  level: z.string(),
  message: z.string(),
  eventName: z.string(),
  spanId: z.string().nullable(),
  event: z.record(z.string(), z.unknown()),
});
const apiRequest = z.object({
  method: z.string(),
  url: z.string(),
  statusCode: z.number().nullable(),
  timestamp: z.string(),
  durationMs: z.number(),
  error: z.string().nullable(),
  responseBody: z.unknown().optional().meta({ description: 'only when its log is error-level' }),
});
const triggerEvent = z.object({
  eventId: z.string(),
  traceId: z.string(),
  integration: z.string(),
  timeReceived: z.string(),
  status: z.string(),
  subscriptionModel: z.string().nullable(),
  deliveries: z.number(),
  failedDeliveries: z.number(),
});
const delivery = z.object({
  status: z.string(),
  userId: z.string(),
  timestamp: z.string(),
  triggerId: z.string().optional(),
  webhookUrl: z.string().optional(),
  durationMs: z.number().optional(),
  attempts: z.number().optional(),
});

export function actionKitRoutes(ctx: RouteContext): void {
  const base = '/projects/:projectId/actionkit';
  const projectOnly = z.strictObject({ projectId: projectIdParam });

  projectGet(
    ctx,
    `${base}/tool-calls`,
    { tag: 'ActionKit', summary: 'Tool calls (List Tools and Run Tool requests), filtered', params: projectOnly, query: toolCallQuery, response: listResponse('toolCalls', toolCall) },
    async (req, res) => {
      const q = res.locals.query as z.output<typeof toolCallQuery>;
      const page = await executionPage(
        ctx,
        res.locals.params.projectId,
        FLOWTRACE_KIND.toolCall,
        q,
        { rollup: { integration: q.integration, status: q.status, toolName: q.toolName }, rows: { userId: q.userId, traceId: q.traceId, ...(q.requestId ? toolCallKey(q.requestId) : {}) } },
        ['flowtrace.tool.operation'],
      );
      res.json(listAnswer(ctx, req, q, 'toolCalls', page, page.rows.map(toToolCall)));
    },
  );

  projectGet(
    ctx,
    `${base}/tool-calls/:requestId`,
    {
      tag: 'ActionKit',
      summary: 'The Log Trace of one tool call: the incoming request, internal events, each provider API request',
      description: 'Response bodies appear only on error-level logs.',
      params: z.strictObject({ projectId: projectIdParam, requestId: requestIdParam }),
      response: toolCall.extend({ request: z.record(z.string(), z.unknown()), logs: z.array(logEntry), apiRequests: z.array(apiRequest) }),
    },
    async (_req, res) => {
      const { projectId, requestId } = res.locals.params;
      const call = await findExecution(ctx.store, projectId, FLOWTRACE_KIND.toolCall, toolCallKey(requestId));
      if (!call) throw notFound('tool call');
      const timeline = await timelineOf(ctx, projectId, call);
      const root = timeline.spans.find((s) => s.spanId === call.spanId);
      const failedBodies = failedResponseBodies(timeline.logs);
      res.json({
        ...toToolCall(call),
        request: { name: root?.name ?? call.name, kind: root?.kind, startTime: root?.startTime, endTime: root?.endTime, status: root?.status, attributes: root?.attributes ?? call.attributes },
        logs: timeline.logs.map((l) => toLogEntry(projectId, call.traceId, l)),
        apiRequests: timeline.spans.filter((s) => s.kind === 'Client' && s.attributes['http.request.method'] !== undefined).map((s) => toApiRequest(s, failedBodies)),
      });
    },
  );

  projectGet(
    ctx,
    `${base}/trigger-events`,
    { tag: 'ActionKit', summary: 'Trigger events, filtered', params: projectOnly, query: triggerEventQuery, response: listResponse('triggerEvents', triggerEvent) },
    async (req, res) => {
      const q = res.locals.query as z.output<typeof triggerEventQuery>;
      const page = await executionPage(
        ctx,
        res.locals.params.projectId,
        FLOWTRACE_KIND.triggerEvent,
        q,
        { rollup: { integration: q.integration, status: q.status }, rows: { deliveryUserId: q.userId } },
        ['flowtrace.subscription.model', 'flowtrace.delivery.count', 'flowtrace.delivery.failed_count'],
      );
      res.json(listAnswer(ctx, req, q, 'triggerEvents', page, page.rows.map(toTriggerEvent)));
    },
  );

  projectGet(
    ctx,
    `${base}/trigger-events/:eventId`,
    {
      tag: 'ActionKit',
      summary: 'One trigger event: id, integration, time received, status, deliveries and its event logs',
      params: z.strictObject({ projectId: projectIdParam, eventId: filterValue }),
      response: triggerEvent.extend({ deliveries: z.array(delivery), logs: z.array(logEntry) }),
    },
    async (_req, res) => {
      const { projectId, eventId } = res.locals.params;
      const event = await findExecution(ctx.store, projectId, FLOWTRACE_KIND.triggerEvent, { executionId: eventId });
      if (!event) throw notFound('trigger event');
      const timeline = await timelineOf(ctx, projectId, event);
      const deliverySpans = timeline.spans.filter((s) => s.parentSpanId === event.spanId && s.attributes['flowtrace.trigger.id'] !== undefined);
      const single = deliverySpans.length === 1;
      res.json({
        ...toTriggerEvent(event),
        deliveries: deliverySpans.map((s) => ({
          status: s.attributes['flowtrace.status'] ?? (s.status.code === 'Error' ? 'FAILED' : 'SUCCEEDED'),
          userId: s.attributes['user.id'] ?? '',
          timestamp: s.startTime,
          // The detail panel shows these when there is a single delivery.
          ...(single
            ? {
                triggerId: s.attributes['flowtrace.trigger.id'],
                webhookUrl: s.attributes['flowtrace.delivery.webhook_url'],
                durationMs: s.durationMs,
                attempts: Number(s.attributes['flowtrace.delivery.attempt'] ?? 0),
              }
            : {}),
        })),
        logs: timeline.logs.map((l) => toLogEntry(projectId, event.traceId, l)),
      });
    },
  );
}

async function timelineOf(ctx: RouteContext, projectId: string, execution: ExecutionRow): Promise<Timeline> {
  const records = await findTrace(ctx.store, projectId, execution.traceId);
  if (!records) throw notFound('trace');
  return toTimeline(execution.traceId, records);
}


function toToolCall(row: ExecutionRow) {
  return {
    requestId: row.executionId,
    traceId: row.traceId,
    operation: row.attributes['flowtrace.tool.operation'] ?? row.name,
    toolName: row.toolName || null,
    integration: row.integration,
    userId: row.userId,
    status: row.status,
    receivedAt: isoMillis(row.startMs),
    durationMs: row.durationMs,
  };
}

function toTriggerEvent(row: ExecutionRow) {
  return {
    eventId: row.executionId,
    traceId: row.traceId,
    integration: row.integration,
    timeReceived: isoMillis(row.startMs),
    status: row.status,
    subscriptionModel: row.attributes['flowtrace.subscription.model'] ?? null,
    deliveries: Number(row.attributes['flowtrace.delivery.count'] ?? 0),
    failedDeliveries: Number(row.attributes['flowtrace.delivery.failed_count'] ?? 0),
  };
}

/** A log of a Log Trace; a response body is kept on error-level logs only. */
function toLogEntry(projectId: string, traceId: string, log: TimelineLog) {
  const attributes = isErrorLevel(log) ? log.attributes : withoutBody(log.attributes);
  return {
    timestamp: log.timestamp,
    level: log.severityText,
    message: log.body,
    eventName: log.eventName,
    spanId: log.spanId,
    event: eventObject(projectId, traceId, attributes['flowtrace.log.type'] ?? '', attributes),
  };
}

function withoutBody(attributes: Record<string, string>): Record<string, string> {
  if (!(RESPONSE_BODY in attributes)) return attributes;
  const { [RESPONSE_BODY]: _, ...rest } = attributes;
  return rest;
}

function toApiRequest(span: TimelineSpan, failedBodies: Map<string, unknown>) {
  return {
    ...outboundRequest(span),
    timestamp: span.startTime,
    durationMs: span.durationMs,
    error: span.status.code === 'Error' ? span.status.message || 'error' : null,
    ...(failedBodies.has(span.spanId) ? { responseBody: failedBodies.get(span.spanId) } : {}),
  };
}
