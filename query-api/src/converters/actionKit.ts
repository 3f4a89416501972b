import {
  ATTR_FLOWTRACE_DELIVERY_ATTEMPT,
  ATTR_FLOWTRACE_DELIVERY_COUNT,
  ATTR_FLOWTRACE_DELIVERY_FAILED_COUNT,
  ATTR_FLOWTRACE_DELIVERY_WEBHOOK_URL,
  ATTR_FLOWTRACE_LOG_TYPE,
  ATTR_FLOWTRACE_STATUS,
  ATTR_FLOWTRACE_SUBSCRIPTION_MODEL,
  ATTR_FLOWTRACE_TOOL_OPERATION,
  ATTR_FLOWTRACE_TRIGGER_ID,
  ATTR_USER_ID,
} from '@flowtrace/conventions/semconv';
import type { ExecutionRow } from '../repositories/executions.js';
import type { Timeline, TimelineLog, TimelineSpan } from './trace.js';
import { eventObject } from './eventLog.js';
import { RESPONSE_BODY, failedResponseBodies, isErrorLevel, isOutboundRequest, outboundRequest } from './http.js';
import { isoFromNanos, msBetween } from './time.js';

/** Root span attributes the tool call list reads beside the columns. */
export const TOOL_CALL_ATTRIBUTES = [ATTR_FLOWTRACE_TOOL_OPERATION] as const;
/** Root span attributes the trigger event list reads beside the columns. */
export const TRIGGER_EVENT_ATTRIBUTES = [ATTR_FLOWTRACE_SUBSCRIPTION_MODEL, ATTR_FLOWTRACE_DELIVERY_COUNT, ATTR_FLOWTRACE_DELIVERY_FAILED_COUNT] as const;

export function toToolCall(row: ExecutionRow) {
  return {
    requestId: row.executionId,
    traceId: row.traceId,
    operation: row.attributes[ATTR_FLOWTRACE_TOOL_OPERATION] ?? row.name,
    toolName: row.toolName || null,
    integration: row.integration,
    userId: row.userId,
    status: row.status,
    receivedAt: isoFromNanos(row.startNanos),
    durationMs: msBetween(row.startNanos, row.endNanos),
  };
}

/** The Log Trace of a tool call: the incoming request, its logs, each provider API request (bodies on failures only). */
export function toToolCallDetail(projectId: string, call: ExecutionRow, timeline: Timeline) {
  const root = timeline.spans.find((s) => s.spanId === call.spanId);
  const failedBodies = failedResponseBodies(timeline.logs);
  return {
    ...toToolCall(call),
    request: { name: root?.name ?? call.name, kind: root?.kind, startTime: root?.startTime, endTime: root?.endTime, status: root?.status, attributes: root?.attributes ?? call.attributes },
    logs: timeline.logs.map((l) => toLogEntry(projectId, call.traceId, l)),
    apiRequests: timeline.spans.filter((s) => s.kind === 'Client' && isOutboundRequest(s)).map((s) => toApiRequest(s, failedBodies)),
  };
}

export function toTriggerEvent(row: ExecutionRow) {
  return {
    eventId: row.executionId,
    traceId: row.traceId,
    integration: row.integration,
    timeReceived: isoFromNanos(row.startNanos),
    status: row.status,
    subscriptionModel: row.attributes[ATTR_FLOWTRACE_SUBSCRIPTION_MODEL] ?? null,
    deliveries: Number(row.attributes[ATTR_FLOWTRACE_DELIVERY_COUNT] ?? 0),
    failedDeliveries: Number(row.attributes[ATTR_FLOWTRACE_DELIVERY_FAILED_COUNT] ?? 0),
  };
}

/** A trigger event with its deliveries (the details of a single one, as the detail panel shows them) and its logs. */
export function toTriggerEventDetail(projectId: string, event: ExecutionRow, timeline: Timeline) {
  const deliverySpans = timeline.spans.filter((s) => s.parentSpanId === event.spanId && s.attributes[ATTR_FLOWTRACE_TRIGGER_ID] !== undefined);
  const single = deliverySpans.length === 1;
  return {
    ...toTriggerEvent(event),
    deliveries: deliverySpans.map((s) => ({
      status: s.attributes[ATTR_FLOWTRACE_STATUS] ?? (s.status.code === 'Error' ? 'FAILED' : 'SUCCEEDED'),
      userId: s.attributes[ATTR_USER_ID] ?? '',
      timestamp: s.startTime,
      ...(single
        ? {
            triggerId: s.attributes[ATTR_FLOWTRACE_TRIGGER_ID],
            webhookUrl: s.attributes[ATTR_FLOWTRACE_DELIVERY_WEBHOOK_URL],
            durationMs: s.durationMs,
            attempts: Number(s.attributes[ATTR_FLOWTRACE_DELIVERY_ATTEMPT] ?? 0),
          }
        : {}),
    })),
    logs: timeline.logs.map((l) => toLogEntry(projectId, event.traceId, l)),
  };
}

/** A log of a Log Trace; a response body is kept on error-level logs only. */
export function toLogEntry(projectId: string, traceId: string, log: TimelineLog) {
  const attributes = isErrorLevel(log) ? log.attributes : withoutBody(log.attributes);
  return {
    timestamp: log.timestamp,
    level: log.severityText,
    message: log.body,
    otelEventName: log.eventName,
    spanId: log.spanId,
    event: eventObject(projectId, traceId, attributes[ATTR_FLOWTRACE_LOG_TYPE] ?? '', attributes),
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
