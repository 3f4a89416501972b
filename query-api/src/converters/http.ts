import type { TimelineLog, TimelineSpan } from './trace.js';
import { parseCaptured } from './values.js';

/** Where a failed outbound request's response body is kept: its error-level log, nowhere else. */
export const RESPONSE_BODY = 'flowtrace.http.response.body';

export const isErrorLevel = (log: TimelineLog): boolean => log.severityNumber >= 17 || log.severityText.toUpperCase() === 'ERROR';

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
  const status = span.attributes['http.response.status_code'];
  return { method: span.attributes['http.request.method']!, url: span.attributes['url.full'] ?? '', statusCode: status ? Number(status) : null };
}
