import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import { OK, SpanKind, TraceBuilder, attrs, error, errorAttributes } from '../builder.js';
import { traceIdFor, traceIdFromRequestId } from '../ids.js';
import { capturedJson, redactUrl } from '../redact.js';
import { NO_CAPTURE, toMillis, type CaptureOptions, type Time, type TraceSpec } from '../model.js';
import {
  ATTR_FLOWTRACE_CREDENTIAL_ID,
  ATTR_FLOWTRACE_DELIVERY_ATTEMPT,
  ATTR_FLOWTRACE_DELIVERY_COUNT,
  ATTR_FLOWTRACE_DELIVERY_FAILED_COUNT,
  ATTR_FLOWTRACE_DELIVERY_USER_IDS,
  ATTR_FLOWTRACE_DELIVERY_WEBHOOK_URL,
  ATTR_FLOWTRACE_DETECTION,
  ATTR_FLOWTRACE_ERROR_MESSAGE,
  ATTR_FLOWTRACE_EVENT_ID,
  ATTR_FLOWTRACE_INPUT,
  ATTR_FLOWTRACE_INTEGRATION,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_LOG_TYPE,
  ATTR_FLOWTRACE_OUTPUT,
  ATTR_FLOWTRACE_RECORD_ID,
  ATTR_FLOWTRACE_REQUEST_ID,
  ATTR_FLOWTRACE_STATUS,
  ATTR_FLOWTRACE_SUBSCRIPTION_MODEL,
  ATTR_FLOWTRACE_TOOL_NAME,
  ATTR_FLOWTRACE_TOOL_OPERATION,
  ATTR_FLOWTRACE_TRIGGER_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_USER_ID,
  FLOWTRACE_KIND,
  GEN_AI_OPERATION,
  LOG_TYPE,
} from '../semconv.js';
import { addOutboundRequest, type OutboundRequest } from './http.js';

// ---------------------------------------------------------------------------
// Tool calls

/** One ActionKit request: List Tools or Run Tool. */
export interface ToolCall {
  /** The requestId returned to the caller; it is the trace id. */
  requestId: string;
  operation: 'List Tools' | 'Run Tool';
  /** The action run (Run Tool). @example SALESFORCE_CREATE_RECORD */
  toolName?: string;
  integration?: string;
  userId: string;
  credentialId?: string;
  receivedAt: Time;
  endedAt: Time;
  status: 'SUCCEEDED' | 'FAILED';
  error?: { message: string; code?: string; httpStatus?: number };
  /** The tool's parameters: kept only with content capture on. */
  parameters?: unknown;
  /** The tool's result: kept only with content capture on. */
  output?: unknown;
  /** API requests made to the integration provider. */
  requests?: OutboundRequest[];
  /** Events inside Paragon between the request and its answer. */
  events?: Array<{ at: Time; message: string; level?: 'INFO' | 'WARN' | 'ERROR' }>;
}

/**
 * A tool call as a trace whose id is its requestId: the incoming request as the
 * root span, each provider request as an HTTP client span, and the Log Trace:
 * "Start", internal events, "{ACTION} - Completed" or "{ACTION} - Failed".
 */
export function toolCallTrace(call: ToolCall, options: CaptureOptions = NO_CAPTURE): TraceSpec {
  const action = call.toolName ?? call.operation;
  const failed = call.status === 'FAILED';
  const b = new TraceBuilder(
    traceIdFromRequestId(call.requestId),
    attrs({
      [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.toolCall,
      [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.actionKit,
      [ATTR_FLOWTRACE_REQUEST_ID]: call.requestId,
      [ATTR_FLOWTRACE_TOOL_OPERATION]: call.operation,
      [ATTR_FLOWTRACE_TOOL_NAME]: call.toolName,
      [ATTR_USER_ID]: call.userId,
      [ATTR_FLOWTRACE_INTEGRATION]: call.integration,
      [ATTR_FLOWTRACE_CREDENTIAL_ID]: call.credentialId,
    }),
  );
  const start = toMillis(call.receivedAt);
  const end = toMillis(call.endedAt);
  const errorAttrs = errorAttributes(call.error);
  const root = b.root({
    name: `${call.operation}${call.toolName ? ` ${call.toolName}` : ''}`,
    kind: SpanKind.SERVER,
    startTime: start,
    endTime: end,
    attributes: attrs({
      [ATTR_FLOWTRACE_STATUS]: call.status,
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION.executeTool,
      [ATTR_GEN_AI_TOOL_NAME]: call.toolName,
      [ATTR_FLOWTRACE_INPUT]: options.captureContent && call.parameters !== undefined ? capturedJson(call.parameters) : undefined,
      [ATTR_FLOWTRACE_OUTPUT]: options.captureContent && call.output !== undefined ? capturedJson(call.output) : undefined,
      [ATTR_ERROR_TYPE]: failed ? (call.error?.code ?? 'ToolCallFailed') : undefined,
      ...(failed ? errorAttrs : {}),
    }),
    status: failed ? error(call.error?.message) : OK,
  });
  b.log(root, start, 'INFO', 'actionkit.start', 'Start', { [ATTR_FLOWTRACE_STATUS]: call.status });
  for (const event of call.events ?? []) b.log(root, toMillis(event.at), event.level ?? 'INFO', 'actionkit.event', event.message);
  (call.requests ?? []).forEach((request, i) => addOutboundRequest(b, root, `request:${i}`, request, LOG_TYPE.actionKit));
  if (failed) b.log(root, end, 'ERROR', 'actionkit.failed', `${action} - Failed`, { [ATTR_FLOWTRACE_STATUS]: call.status, ...errorAttrs });
  else b.log(root, end, 'INFO', 'actionkit.completed', `${action} - Completed`, { [ATTR_FLOWTRACE_STATUS]: call.status });
  return b.build();
}

// ---------------------------------------------------------------------------
// Trigger subscriptions

export interface TriggerSubscription {
  /** The ActionKit trigger (subscription) id. */
  triggerId: string;
  integration: string;
  userId: string;
  model: 'POLLING' | 'WEBHOOK';
  createdAt: Time;
  /** WEBHOOK model: each attempt to create the webhook in the integration. */
  webhookCreationAttempts?: Array<{ at: Time; succeeded: boolean; statusCode?: number; error?: string }>;
}

export const triggerSubscriptionTraceId = (triggerId: string) => traceIdFor('trigger_subscription', triggerId);

/** Subscribing a user to a trigger, with each webhook-creation attempt (WEBHOOK model). */
export function triggerSubscriptionTrace(sub: TriggerSubscription): TraceSpec {
  const attempts = sub.webhookCreationAttempts ?? [];
  const created = attempts.length === 0 || attempts.some((a) => a.succeeded);
  const b = new TraceBuilder(
    triggerSubscriptionTraceId(sub.triggerId),
    attrs({
      [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.triggerSubscription,
      [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.actionKit,
      [ATTR_FLOWTRACE_TRIGGER_ID]: sub.triggerId,
      [ATTR_FLOWTRACE_SUBSCRIPTION_MODEL]: sub.model,
      [ATTR_USER_ID]: sub.userId,
      [ATTR_FLOWTRACE_INTEGRATION]: sub.integration,
    }),
  );
  const start = toMillis(sub.createdAt);
  const end = Math.max(start, ...attempts.map((a) => toMillis(a.at)));
  const root = b.root({
    name: `subscribe ${sub.integration} trigger`,
    kind: SpanKind.SERVER,
    startTime: start,
    endTime: end,
    attributes: { [ATTR_FLOWTRACE_STATUS]: created ? 'ACTIVE' : 'FAILED' },
    status: created ? OK : error(attempts.at(-1)?.error ?? 'webhook could not be created'),
  });
  b.log(root, start, 'INFO', 'actionkit.trigger.subscribed', `Subscribed to trigger (${sub.model})`);
  attempts.forEach((attempt, i) => {
    const at = toMillis(attempt.at);
    const detail = attrs({ [ATTR_FLOWTRACE_DELIVERY_ATTEMPT]: i + 1, [ATTR_HTTP_RESPONSE_STATUS_CODE]: attempt.statusCode, [ATTR_FLOWTRACE_ERROR_MESSAGE]: attempt.error });
    if (attempt.succeeded) b.log(root, at, 'INFO', 'actionkit.trigger.webhook_created', `Created webhook in ${sub.integration}`, detail);
    else b.log(root, at, 'ERROR', 'actionkit.trigger.webhook_creation_failed', `Failed to create webhook in ${sub.integration}`, detail);
  });
  return b.build();
}

// ---------------------------------------------------------------------------
// Trigger events and their deliveries

export type TriggerEventStatus = 'Success' | 'Delivery Failures' | 'Processing Failure' | 'Queued';

export interface DeliveryAttempt {
  startedAt: Time;
  endedAt: Time;
  statusCode?: number;
  error?: string;
}

/** One delivery of a trigger event to a subscribed user's webhook URL. */
export interface Delivery {
  userId: string;
  triggerId: string;
  webhookUrl: string;
  createdAt: Time;
  attempts: DeliveryAttempt[];
}

export interface TriggerEvent {
  eventId: string;
  integration: string;
  receivedAt: Time;
  /** How the event was detected: a poll (new or updated record) or a webhook from the integration. */
  source: { model: 'POLLING'; detection: 'new' | 'updated'; recordId?: string } | { model: 'WEBHOOK' };
  deliveries: Delivery[];
  /** The event could not be processed at all. */
  processingError?: string;
  /** The event's data: kept only with content capture on. */
  payload?: unknown;
}

export const triggerEventTraceId = (eventId: string) => traceIdFor('trigger_event', eventId);

export function deliveryStatus(delivery: Delivery): 'SUCCEEDED' | 'FAILED' | 'PENDING' {
  const last = delivery.attempts.at(-1);
  if (!last) return 'PENDING';
  return !last.error && (last.statusCode ?? 200) < 400 ? 'SUCCEEDED' : 'FAILED';
}

/** Monitoring's status of a trigger event, from its processing and its deliveries. */
export function triggerEventStatus(event: TriggerEvent): TriggerEventStatus {
  if (event.processingError) return 'Processing Failure';
  const statuses = event.deliveries.map(deliveryStatus);
  if (statuses.includes('FAILED')) return 'Delivery Failures';
  if (statuses.length === 0 || statuses.includes('PENDING')) return 'Queued';
  return 'Success';
}

/**
 * A trigger event as a trace: the detection (poll or webhook receipt) as the
 * root, each delivery as a CLIENT span per attempt, and the event logs of
 * delivery attempts and failures.
 */
export function triggerEventTrace(event: TriggerEvent, options: CaptureOptions = NO_CAPTURE): TraceSpec {
  const status = triggerEventStatus(event);
  const b = new TraceBuilder(
    triggerEventTraceId(event.eventId),
    attrs({
      [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.triggerEvent,
      [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.actionKit,
      [ATTR_FLOWTRACE_EVENT_ID]: event.eventId,
      [ATTR_FLOWTRACE_INTEGRATION]: event.integration,
      [ATTR_FLOWTRACE_SUBSCRIPTION_MODEL]: event.source.model,
    }),
  );
  const start = toMillis(event.receivedAt);
  const ends = event.deliveries.flatMap((d) => d.attempts.map((a) => toMillis(a.endedAt)));
  const failedDeliveries = event.deliveries.filter((d) => deliveryStatus(d) === 'FAILED').length;
  const root = b.root({
    name: `trigger event ${event.integration}`,
    kind: SpanKind.CONSUMER,
    startTime: start,
    endTime: Math.max(start, ...ends),
    attributes: attrs({
      [ATTR_FLOWTRACE_STATUS]: status,
      [ATTR_FLOWTRACE_DELIVERY_COUNT]: event.deliveries.length,
      [ATTR_FLOWTRACE_DELIVERY_FAILED_COUNT]: failedDeliveries,
      [ATTR_FLOWTRACE_DELIVERY_USER_IDS]: event.deliveries.length > 0 ? [...new Set(event.deliveries.map((d) => d.userId))] : undefined,
      [ATTR_FLOWTRACE_DETECTION]: event.source.model === 'POLLING' ? event.source.detection : undefined,
      [ATTR_FLOWTRACE_RECORD_ID]: event.source.model === 'POLLING' ? event.source.recordId : undefined,
      [ATTR_FLOWTRACE_INPUT]: options.captureContent && event.payload !== undefined ? capturedJson(event.payload) : undefined,
      [ATTR_ERROR_TYPE]: status === 'Processing Failure' || status === 'Delivery Failures' ? status : undefined,
    }),
    status: status === 'Processing Failure' ? error(event.processingError) : status === 'Delivery Failures' ? error(`${failedDeliveries} deliveries failed`) : OK,
  });
  if (event.source.model === 'POLLING') {
    b.log(root, start, 'INFO', `actionkit.trigger.${event.source.detection}_record_detected`, `${event.source.detection === 'new' ? 'New' : 'Updated'} record detected by polling`, attrs({ [ATTR_FLOWTRACE_RECORD_ID]: event.source.recordId }));
  } else {
    b.log(root, start, 'INFO', 'actionkit.trigger.webhook_received', `Webhook event received from ${event.integration}`);
  }
  if (event.processingError) b.log(root, start, 'ERROR', 'actionkit.trigger.processing_failed', 'Failed to process trigger event', { [ATTR_FLOWTRACE_ERROR_MESSAGE]: event.processingError });
  event.deliveries.forEach((delivery, d) => {
    const deliveryAttrs = { [ATTR_USER_ID]: delivery.userId, [ATTR_FLOWTRACE_TRIGGER_ID]: delivery.triggerId, [ATTR_FLOWTRACE_DELIVERY_WEBHOOK_URL]: redactUrl(delivery.webhookUrl) };
    const dStatus = deliveryStatus(delivery);
    const created = toMillis(delivery.createdAt);
    const key = b.span({
      key: `delivery:${d}`,
      parentKey: root,
      name: `deliver to ${delivery.userId}`,
      kind: SpanKind.INTERNAL,
      startTime: created,
      endTime: Math.max(created, ...delivery.attempts.map((a) => toMillis(a.endedAt))),
      attributes: { ...deliveryAttrs, [ATTR_FLOWTRACE_STATUS]: dStatus, [ATTR_FLOWTRACE_DELIVERY_ATTEMPT]: delivery.attempts.length },
      status: dStatus === 'FAILED' ? error(delivery.attempts.at(-1)?.error ?? `HTTP ${delivery.attempts.at(-1)?.statusCode}`) : OK,
    });
    delivery.attempts.forEach((attempt, a) => {
      const failed = Boolean(attempt.error) || (attempt.statusCode ?? 200) >= 400;
      const attemptAttrs = attrs({ ...deliveryAttrs, [ATTR_FLOWTRACE_DELIVERY_ATTEMPT]: a + 1, [ATTR_HTTP_RESPONSE_STATUS_CODE]: attempt.statusCode });
      const attemptKey = b.span({
        key: `delivery:${d}:attempt:${a}`,
        parentKey: key,
        name: 'POST',
        kind: SpanKind.CLIENT,
        startTime: toMillis(attempt.startedAt),
        endTime: toMillis(attempt.endedAt),
        attributes: { ...attemptAttrs, [ATTR_HTTP_REQUEST_METHOD]: 'POST', [ATTR_URL_FULL]: redactUrl(delivery.webhookUrl) },
        status: failed ? error(attempt.error ?? `HTTP ${attempt.statusCode}`) : OK,
      });
      if (failed) b.log(attemptKey, toMillis(attempt.endedAt), 'ERROR', 'actionkit.trigger.delivery_failed', 'Failed to deliver trigger event to webhook URL', { ...attemptAttrs, ...attrs({ [ATTR_FLOWTRACE_ERROR_MESSAGE]: attempt.error }) });
      else b.log(attemptKey, toMillis(attempt.endedAt), 'INFO', 'actionkit.trigger.delivered', 'Delivered trigger event to webhook URL', attemptAttrs);
    });
  });
  return b.build();
}
