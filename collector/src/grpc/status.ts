import { fileURLToPath } from 'node:url';
import { Metadata, status as Status, type ServerErrorResponse } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { StoreUnavailableError, type Logger } from '@flowtrace/store';
import { OtlpRequestError } from '../otlp/errors.js';
import { OverloadedError } from '../sink/sink.js';
import type { RequestOutcome } from '../metrics.js';

/** Shipped beside src/ and dist/, two levels up from this file in both. */
const PROTO_FILE = fileURLToPath(new URL('../../proto/rpc_status.proto', import.meta.url));
const root = protobuf.loadSync(PROTO_FILE);
/** google.rpc.Status with its details (the OTLP/HTTP error body needs no details: see otlp/proto.ts). */
export const RpcStatus = root.lookupType('google.rpc.Status');
export const RetryInfo = root.lookupType('google.rpc.RetryInfo');

/** The trailer that carries a serialized google.rpc.Status with its details. */
export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/** How long an exporter should wait when the store is unreachable (OTLP/HTTP sends the same as Retry-After). */
const STORE_RETRY_SECONDS = 5;

/** A call's failure, as grpc-js sends it. */
export function failure(code: Status, details: string, metadata?: Metadata): ServerErrorResponse {
  return Object.assign(new Error(details), { code, details, ...(metadata ? { metadata } : {}) });
}

/**
 * UNAVAILABLE with a google.rpc.RetryInfo: OTLP/gRPC throttling. Exporters
 * retry UNAVAILABLE, waiting at least retry_delay when it is given.
 */
function retryLater(details: string, retryAfterSeconds: number): ServerErrorResponse {
  const delay = Math.max(0, retryAfterSeconds);
  const seconds = Math.floor(delay);
  const retryDelay = { seconds, nanos: Math.round((delay - seconds) * 1e9) };
  const retryInfo = RetryInfo.encode(RetryInfo.fromObject({ retryDelay })).finish();
  const statusDetails = RpcStatus.encode(
    RpcStatus.fromObject({ code: Status.UNAVAILABLE, message: details, details: [{ typeUrl: RETRY_INFO_TYPE_URL, value: retryInfo }] }),
  ).finish();
  const trailers = new Metadata();
  trailers.set(STATUS_DETAILS_TRAILER, Buffer.from(statusDetails));
  return failure(Status.UNAVAILABLE, details, trailers);
}

/**
 * A failed export as the OTLP specification asks: a malformed request is not
 * retryable (INVALID_ARGUMENT, naming the field); an unreachable store or a
 * full queue is (UNAVAILABLE with RetryInfo); anything else is INTERNAL, with
 * the details in the log rather than the answer. With the outcome the
 * collector's metrics count.
 */
export function errorStatus(err: unknown, log: Logger, method: string): { status: ServerErrorResponse; outcome: RequestOutcome } {
  if (err instanceof OtlpRequestError) return { status: failure(Status.INVALID_ARGUMENT, err.message), outcome: 'invalid' };
  if (err instanceof OverloadedError) {
    log.warn('collector overloaded; asked the exporter to retry', { method, retryAfterSeconds: err.retryAfterSeconds, error: err.message });
    return { status: retryLater(err.message, err.retryAfterSeconds), outcome: 'overloaded' };
  }
  if (err instanceof StoreUnavailableError) {
    log.warn('store unavailable; asked the exporter to retry', { method, error: err.message });
    return { status: retryLater('storage is unavailable; retry later', STORE_RETRY_SECONDS), outcome: 'unavailable' };
  }
  log.error('export failed', { method, error: err instanceof Error ? err.stack : String(err) });
  return { status: failure(Status.INTERNAL, 'internal error; the request was not stored'), outcome: 'internal' };
}
