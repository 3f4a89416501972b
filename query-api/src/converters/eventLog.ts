import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_FLOWTRACE_AGENT_RUN_ID,
  ATTR_FLOWTRACE_CREDENTIAL_CONFIG_ID,
  ATTR_FLOWTRACE_CREDENTIAL_ID,
  ATTR_FLOWTRACE_ERROR_CODE,
  ATTR_FLOWTRACE_ERROR_HTTP_STATUS,
  ATTR_FLOWTRACE_ERROR_MESSAGE,
  ATTR_FLOWTRACE_ERROR_RECOVERABILITY,
  ATTR_FLOWTRACE_EVENT_ID,
  ATTR_FLOWTRACE_EVENT_NAME,
  ATTR_FLOWTRACE_EXECUTION_ID,
  ATTR_FLOWTRACE_INTEGRATION,
  ATTR_FLOWTRACE_JOB_ID,
  ATTR_FLOWTRACE_PERSONA_ID,
  ATTR_FLOWTRACE_REQUEST_ID,
  ATTR_FLOWTRACE_RESPONSE_BODY,
  ATTR_FLOWTRACE_RETRY_ATTEMPT,
  ATTR_FLOWTRACE_RETRY_BACKOFF_MS,
  ATTR_FLOWTRACE_RETRY_MAX_ATTEMPTS,
  ATTR_FLOWTRACE_RETRY_NEXT_AT,
  ATTR_FLOWTRACE_STATUS,
  ATTR_FLOWTRACE_SYNC_CHANGES,
  ATTR_FLOWTRACE_SYNC_CREATED,
  ATTR_FLOWTRACE_SYNC_DELETED,
  ATTR_FLOWTRACE_SYNC_DURATION_MS,
  ATTR_FLOWTRACE_SYNC_EVENT,
  ATTR_FLOWTRACE_SYNC_ID,
  ATTR_FLOWTRACE_SYNC_PIPELINE,
  ATTR_FLOWTRACE_SYNC_PROCESSED,
  ATTR_FLOWTRACE_SYNC_STATUS,
  ATTR_FLOWTRACE_SYNC_TYPE,
  ATTR_FLOWTRACE_SYNC_UPDATED,
  ATTR_FLOWTRACE_TOOL_NAME,
  ATTR_FLOWTRACE_TRIGGER_ID,
  ATTR_FLOWTRACE_WEBHOOK_ID,
  ATTR_FLOWTRACE_WORKFLOW_ID,
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_USER_ID,
  LOG_TYPE,
} from '@flowtrace/conventions/semconv';
import type { EventLogRow } from '../repositories/eventLogs.js';
import { isoFromNanos } from './time.js';

/** Event Logs' properties, in the words of the products our users come from, and the attribute each is read from. */
const EVENT_PROPERTIES: ReadonlyArray<readonly [string, string]> = [
  ['personaId', ATTR_FLOWTRACE_PERSONA_ID],
  ['endUserId', ATTR_USER_ID],
  ['connectCredentialId', ATTR_FLOWTRACE_CREDENTIAL_ID],
  ['connectCredentialConfigId', ATTR_FLOWTRACE_CREDENTIAL_CONFIG_ID],
  ['workflowId', ATTR_FLOWTRACE_WORKFLOW_ID],
  ['executionId', ATTR_FLOWTRACE_EXECUTION_ID],
  ['integrationId', ATTR_FLOWTRACE_INTEGRATION],
  ['webhookId', ATTR_FLOWTRACE_WEBHOOK_ID],
  ['eventId', ATTR_FLOWTRACE_EVENT_ID],
  // The App Event's name (Event Logs' eventName), not the OTel event name of the log record.
  ['eventName', ATTR_FLOWTRACE_EVENT_NAME],
  ['requestId', ATTR_FLOWTRACE_REQUEST_ID],
  ['toolName', ATTR_FLOWTRACE_TOOL_NAME],
  ['triggerId', ATTR_FLOWTRACE_TRIGGER_ID],
  ['status', ATTR_FLOWTRACE_STATUS],
  ['syncId', ATTR_FLOWTRACE_SYNC_ID],
  ['pipeline', ATTR_FLOWTRACE_SYNC_PIPELINE],
  ['syncEvent', ATTR_FLOWTRACE_SYNC_EVENT],
  ['syncType', ATTR_FLOWTRACE_SYNC_TYPE],
  ['syncStatus', ATTR_FLOWTRACE_SYNC_STATUS],
  ['agentId', ATTR_GEN_AI_AGENT_ID],
  ['conversationId', ATTR_GEN_AI_CONVERSATION_ID],
  ['runId', ATTR_FLOWTRACE_AGENT_RUN_ID],
  ['jobId', ATTR_FLOWTRACE_JOB_ID],
];

/** Managed Sync logs also carry the user and integration under the names of the Managed Sync logs document. */
const MANAGED_SYNC_PROPERTIES: ReadonlyArray<readonly [string, string]> = [
  ['userId', ATTR_USER_ID],
  ['integration', ATTR_FLOWTRACE_INTEGRATION],
];

const NUMBER = /^-?\d+(?:\.\d+)?$/;
const num = (value: string | undefined) => (value !== undefined && NUMBER.test(value) ? Number(value) : value);

/**
 * The full event object of a log: the identifiers under their Event Logs
 * names, `error` (with recoverability, HTTP status, code and retry metadata
 * when known), a Managed Sync `summary`, and the log's own attributes.
 * `eventName` is the App Event's name, as in Event Logs; a Managed Sync log
 * has `userId` and `integration` beside `endUserId` and `integrationId`.
 */
export function eventObject(projectId: string, traceId: string, type: string, attributes: Record<string, string>): Record<string, unknown> {
  const event: Record<string, unknown> = { projectId, type, traceId: traceId || null };
  const properties = type === LOG_TYPE.managedSync ? [...EVENT_PROPERTIES, ...MANAGED_SYNC_PROPERTIES] : EVENT_PROPERTIES;
  for (const [name, attribute] of properties) {
    if (attributes[attribute] !== undefined) event[name] = attributes[attribute];
  }
  const error = compact({
    message: attributes[ATTR_FLOWTRACE_ERROR_MESSAGE] ?? attributes[ATTR_EXCEPTION_MESSAGE],
    type: attributes[ATTR_ERROR_TYPE],
    errorCode: attributes[ATTR_FLOWTRACE_ERROR_CODE],
    httpStatus: num(attributes[ATTR_FLOWTRACE_ERROR_HTTP_STATUS] ?? (attributes[ATTR_ERROR_TYPE] ? attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] : undefined)),
    recoverability: attributes[ATTR_FLOWTRACE_ERROR_RECOVERABILITY],
    attempt: num(attributes[ATTR_FLOWTRACE_RETRY_ATTEMPT]),
    maxAttempts: num(attributes[ATTR_FLOWTRACE_RETRY_MAX_ATTEMPTS]),
    backoffMs: num(attributes[ATTR_FLOWTRACE_RETRY_BACKOFF_MS]),
    nextRetryAt: attributes[ATTR_FLOWTRACE_RETRY_NEXT_AT],
    responseBody: attributes[ATTR_FLOWTRACE_RESPONSE_BODY],
  });
  if (error) event.error = error;
  const summary = compact({
    created: num(attributes[ATTR_FLOWTRACE_SYNC_CREATED]),
    updated: num(attributes[ATTR_FLOWTRACE_SYNC_UPDATED]),
    deleted: num(attributes[ATTR_FLOWTRACE_SYNC_DELETED]),
    totalProcessed: num(attributes[ATTR_FLOWTRACE_SYNC_PROCESSED]),
    totalChanges: num(attributes[ATTR_FLOWTRACE_SYNC_CHANGES]),
    durationMs: num(attributes[ATTR_FLOWTRACE_SYNC_DURATION_MS]),
  });
  if (summary) event.summary = summary;
  return event;
}

function compact(object: Record<string, unknown>): Record<string, unknown> | undefined {
  const entries = Object.entries(object).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

export interface EventLog {
  id: string;
  timestamp: string;
  level: string;
  type: string;
  message: string;
  /** The OpenTelemetry event name of the log record (e.g. job.failed); the App Event's name is event.eventName. */
  otelEventName: string;
  traceId: string | null;
  spanId: string | null;
  serviceName: string;
  event: Record<string, unknown>;
  attributes: Record<string, string>;
}

export function toEventLog(projectId: string, row: EventLogRow): EventLog {
  return {
    id: `${row.nanos}-${row.logKey}`,
    timestamp: isoFromNanos(row.nanos),
    level: row.Level,
    type: row.Type,
    message: row.Body,
    otelEventName: row.EventName,
    traceId: row.TraceId || null,
    spanId: row.SpanId || null,
    serviceName: row.ServiceName,
    event: eventObject(projectId, row.TraceId, row.Type, row.Attributes),
    attributes: row.Attributes,
  };
}

/** The cursor of the page after `row`: opaque to clients. */
export const cursorAfter = (row: EventLogRow): string => Buffer.from(`${row.nanos}.${row.logKey}`).toString('base64url');

export function parseCursor(cursor: string): { nanos: bigint; logKey: string } | undefined {
  const match = /^(\d{1,20})\.(\d{1,20})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return undefined;
  const logKey = BigInt(match[2]!);
  if (logKey > 0xffff_ffff_ffff_ffffn) return undefined;
  return { nanos: BigInt(match[1]!), logKey: logKey.toString() };
}
