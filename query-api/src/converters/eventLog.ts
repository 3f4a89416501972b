import type { EventLogRow } from '../repositories/eventLogs.js';
import { isoFromNanos } from './time.js';

/** Event Logs' properties, in the words of the products our users come from, and the attribute each is read from. */
const EVENT_PROPERTIES: ReadonlyArray<readonly [string, string]> = [
  ['personaId', 'flowtrace.persona.id'],
  ['endUserId', 'user.id'],
  ['connectCredentialId', 'flowtrace.credential.id'],
  ['connectCredentialConfigId', 'flowtrace.credential.config_id'],
  ['workflowId', 'flowtrace.workflow.id'],
  ['executionId', 'flowtrace.execution.id'],
  ['integrationId', 'flowtrace.integration'],
  ['webhookId', 'flowtrace.webhook.id'],
  ['eventId', 'flowtrace.event.id'],
  ['eventName', 'flowtrace.event.name'],
  ['requestId', 'flowtrace.request.id'],
  ['toolName', 'flowtrace.tool.name'],
  ['triggerId', 'flowtrace.trigger.id'],
  ['status', 'flowtrace.status'],
  ['syncId', 'flowtrace.sync.id'],
  ['pipeline', 'flowtrace.sync.pipeline'],
  ['syncEvent', 'flowtrace.sync.event'],
  ['syncType', 'flowtrace.sync.type'],
  ['syncStatus', 'flowtrace.sync.status'],
  ['agentId', 'gen_ai.agent.id'],
  ['conversationId', 'gen_ai.conversation.id'],
  ['runId', 'flowtrace.agent.run_id'],
  ['jobId', 'flowtrace.job.id'],
];

const NUMBER = /^-?\d+(?:\.\d+)?$/;
const num = (value: string | undefined) => (value !== undefined && NUMBER.test(value) ? Number(value) : value);

/**
 * The full event object of a log: the identifiers under their Event Logs
 * names, `error` (with recoverability, HTTP status, code and retry metadata
 * when known), a Managed Sync `summary`, and the log's own attributes.
 */
export function eventObject(projectId: string, traceId: string, type: string, attributes: Record<string, string>): Record<string, unknown> {
  const event: Record<string, unknown> = { projectId, type, traceId: traceId || null };
  for (const [name, attribute] of EVENT_PROPERTIES) {
    if (attributes[attribute] !== undefined) event[name] = attributes[attribute];
  }
  const error = compact({
    message: attributes['flowtrace.error.message'] ?? attributes['exception.message'],
    type: attributes['error.type'],
    errorCode: attributes['flowtrace.error.code'],
    httpStatus: num(attributes['flowtrace.error.http_status'] ?? (attributes['error.type'] ? attributes['http.response.status_code'] : undefined)),
    recoverability: attributes['flowtrace.error.recoverability'],
    attempt: num(attributes['flowtrace.retry.attempt']),
    maxAttempts: num(attributes['flowtrace.retry.max_attempts']),
    backoffMs: num(attributes['flowtrace.retry.backoff_ms']),
    nextRetryAt: attributes['flowtrace.retry.next_retry_at'],
    responseBody: attributes['flowtrace.http.response.body'],
  });
  if (error) event.error = error;
  const summary = compact({
    created: num(attributes['flowtrace.sync.summary.created']),
    updated: num(attributes['flowtrace.sync.summary.updated']),
    deleted: num(attributes['flowtrace.sync.summary.deleted']),
    totalProcessed: num(attributes['flowtrace.sync.summary.processed']),
    totalChanges: num(attributes['flowtrace.sync.summary.changes']),
    durationMs: num(attributes['flowtrace.sync.summary.duration_ms']),
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
  eventName: string;
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
    eventName: row.EventName,
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
