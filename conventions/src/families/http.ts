import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVER_ADDRESS, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import { OK, SpanKind, attrs, error, type TraceBuilder } from '../builder.js';
import { capturedJson, redactUrl } from '../redact.js';
import { toMillis, type Time } from '../model.js';
import { ATTR_FLOWTRACE_LOG_TYPE, ATTR_FLOWTRACE_RESPONSE_BODY } from '../semconv.js';

/** An API request made to an integration provider. */
export interface OutboundRequest {
  method: string;
  url: string;
  statusCode?: number;
  startedAt: Time;
  endedAt: Time;
  /** A transport error (no response). */
  error?: string;
  /** Kept only on the error-level log of a failed request, redacted. */
  responseBody?: unknown;
}

/**
 * An outbound request as an HTTP client span (OTel HTTP conventions, URL
 * without credentials), and for a failed one an error log that carries the
 * response body — the only place a body is kept.
 */
export function addOutboundRequest(b: TraceBuilder, parentKey: string, key: string, request: OutboundRequest, logType: string): void {
  const failed = Boolean(request.error) || (request.statusCode ?? 0) >= 400;
  const url = redactUrl(request.url);
  const method = request.method.toUpperCase();
  const requestAttrs = attrs({
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_FULL]: url,
    [ATTR_SERVER_ADDRESS]: hostOf(url),
    [ATTR_HTTP_RESPONSE_STATUS_CODE]: request.statusCode,
  });
  const spanKey = b.span({
    key,
    parentKey,
    name: method,
    kind: SpanKind.CLIENT,
    startTime: toMillis(request.startedAt),
    endTime: toMillis(request.endedAt),
    attributes: { ...requestAttrs, ...attrs({ [ATTR_ERROR_TYPE]: failed ? (request.statusCode ? String(request.statusCode) : 'TransportError') : undefined }) },
    status: failed ? error(request.error ?? `HTTP ${request.statusCode}`) : OK,
  });
  const summary = `${method} ${url}${request.statusCode ? ` ${request.statusCode}` : ''}`;
  if (failed) {
    b.log(spanKey, toMillis(request.endedAt), 'ERROR', 'http.request.failed', `${summary}${request.error ? `: ${request.error}` : ''}`, {
      ...requestAttrs,
      [ATTR_FLOWTRACE_LOG_TYPE]: logType,
      ...attrs({ [ATTR_FLOWTRACE_RESPONSE_BODY]: request.responseBody === undefined ? undefined : capturedJson(request.responseBody) }),
    });
  } else {
    b.log(spanKey, toMillis(request.endedAt), 'INFO', 'http.request', summary, { ...requestAttrs, [ATTR_FLOWTRACE_LOG_TYPE]: logType });
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
