import { z } from 'zod';
import { FLOWTRACE_KIND } from '@flowtrace/conventions/semconv';
import {
  TOOL_CALL_ATTRIBUTES,
  TRIGGER_EVENT_ATTRIBUTES,
  toToolCall,
  toToolCallDetail,
  toTriggerEvent,
  toTriggerEventDetail,
} from '../converters/actionKit.js';
import { filterValue, hex32, integrationValue, oneOrMore, orderedRange, projectIdParam } from '../schemas.js';
import { executionPage, listAnswer, listPaging, listResponse, loadExecution, projectGet, type RouteContext } from './context.js';

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
    integration: integrationValue.optional(),
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
    integration: integrationValue.optional(),
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
  otelEventName: z.string().meta({ description: 'the OpenTelemetry event name of the log record; the App Event’s name is event.eventName' }),
  spanId: z.string().nullable(),
  event: z.record(z.string(), z.unknown()),
});
const incomingRequest = z
  .object({
    name: z.string(),
    kind: z.string().optional(),
    startTime: z.string().optional(),
    endTime: z.string().optional(),
    status: z.object({ code: z.string(), message: z.string() }).optional(),
    attributes: z.record(z.string(), z.string()),
  })
  .meta({ description: 'the root span of the tool call (times and status absent while it has not arrived)' });
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
        TOOL_CALL_ATTRIBUTES,
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
      response: toolCall.extend({ request: incomingRequest, logs: z.array(logEntry), apiRequests: z.array(apiRequest) }),
    },
    async (_req, res) => {
      const { projectId, requestId } = res.locals.params;
      const { execution, timeline } = await loadExecution(ctx, projectId, FLOWTRACE_KIND.toolCall, toolCallKey(requestId), 'tool call');
      res.json(toToolCallDetail(projectId, execution, timeline));
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
        TRIGGER_EVENT_ATTRIBUTES,
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
      const { execution, timeline } = await loadExecution(ctx, projectId, FLOWTRACE_KIND.triggerEvent, { executionId: eventId }, 'trigger event');
      res.json(toTriggerEventDetail(projectId, execution, timeline));
    },
  );
}
