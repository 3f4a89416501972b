import { ATTR_FLOWTRACE_RESPONSE_BODY, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_FULL } from '@flowtrace/conventions/semconv';
import type { TimelineLog, TimelineSpan } from './trace.js';
import { parseCaptured } from './values.js';

/** Where a failed outbound request's response body is kept: its error-level log, nowhere else. */
export const RESPONSE_BODY = ATTR_FLOWTRACE_RESPONSE_BODY;

export const isErrorLevel = (log: TimelineLog): boolean => log.severityNumber >= 17 || log.severityText.toUpperCase() === 'ERROR';

/** An HTTP client span: an outbound request. */
export const isOutboundRequest = (span: TimelineSpan): boolean => span.attributes[ATTR_HTTP_REQUEST_METHOD] !== undefined;

/** The response bodies of failed requests, by the span id of the request, from error-level logs only. */
export function failedResponseBodies(logs: readonly TimelineLog[]): Map<string, unknown> {
  const bodies = new Map<string, unknown>();
  for (const log of logs) {
    const body = log.attributes[RESPONSE_BODY];
    if (body !== undefined && log.spanId && isErrorLevel(log)) bodies.set(log.spanId, parseCaptured(body));
  }
  return bodies;
}

/** What an HTTP client span asked and got: method, URL (credentials already redacted), status code. */
export function outboundRequest(span: TimelineSpan): { method: string; url: string; statusCode: number | null } {
  const status = span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE];
  return { method: span.attributes[ATTR_HTTP_REQUEST_METHOD]!, url: span.attributes[ATTR_URL_FULL] ?? '', statusCode: status ? Number(status) : null };
}
