import { createHash } from 'node:crypto';

const hex = (text: string, chars: number) => createHash('sha256').update(text).digest('hex').slice(0, chars);

/**
 * A trace id derived from an execution's own id, so that everything reported
 * about one execution — by the SDK or streamed in separately and out of order —
 * lands in one trace. `namespace` keeps ids of different kinds apart.
 */
export function traceIdFor(namespace: string, id: string): string {
  return hex(`${namespace}:${id}`, 32);
}

/** A span id derived from its trace and its key within the trace. */
export function spanIdFor(traceId: string, key: string): string {
  return hex(`${traceId}/${key}`, 16);
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * A UUID request id (ActionKit's `meta.requestId`) is a trace id already: the
 * same 128 bits in hex. Other ids are hashed.
 */
export function traceIdFromRequestId(requestId: string): string {
  return UUID.test(requestId) ? requestId.replace(/-/g, '').toLowerCase() : traceIdFor('request', requestId);
}

/** The request id a caller sees for a trace id: the UUID form of it. */
export function requestIdFromTraceId(traceId: string): string {
  return `${traceId.slice(0, 8)}-${traceId.slice(8, 12)}-${traceId.slice(12, 16)}-${traceId.slice(16, 20)}-${traceId.slice(20)}`;
}

/** The span id of a trace's root span: its key is always 'root'. */
export function rootSpanIdOf(traceId: string): string {
  return spanIdFor(traceId, 'root');
}
