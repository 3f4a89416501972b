import type { Request } from 'express';
import { StoreUnavailableError } from '@flowtrace/store';
import { OtlpRequestError } from '../otlp/errors.js';
import { WorkatoParseError } from '../workato/parse.js';
import { ImportRequestError } from '../workato/imports.js';
import { GRPC_CODE } from './respond.js';

/** What went wrong with a request, before it is written in an endpoint's own error format. */
export interface Problem {
  status: number;
  /** The code of JSON error bodies ({ error: { code, message } }). */
  code: string;
  /** The gRPC code of google.rpc.Status bodies (OTLP). */
  grpc: number;
  message: string;
}

/** body-parser's errors carry `type` and `status`. */
interface BodyError {
  type?: string;
  status?: number;
  message?: string;
}

/**
 * The collector's known failures — bad input, an unreadable or oversized body,
 * the store away — as status, codes and a message; undefined for anything else
 * (a bug: 500), `'aborted'` when the client went away and there is no one to answer.
 */
export function requestProblem(err: unknown, req: Request, maxBodyBytes: number): Problem | 'aborted' | undefined {
  if (err instanceof OtlpRequestError || err instanceof WorkatoParseError || err instanceof ImportRequestError) {
    return { status: 400, code: 'invalid_request', grpc: GRPC_CODE.invalidArgument, message: err.message };
  }
  if (err instanceof StoreUnavailableError) {
    return { status: 503, code: 'unavailable', grpc: GRPC_CODE.unavailable, message: 'storage is unavailable; retry later' };
  }
  const body = err as BodyError;
  switch (body.type) {
    case 'request.aborted':
      return 'aborted';
    case 'entity.parse.failed':
      return { status: 400, code: 'invalid_json', grpc: GRPC_CODE.invalidArgument, message: `request body is not valid JSON: ${body.message}` };
    case 'entity.too.large':
      return { status: 413, code: 'too_large', grpc: GRPC_CODE.resourceExhausted, message: `request body exceeds ${maxBodyBytes} bytes after decompression; send smaller batches` };
    case 'encoding.unsupported':
      return { status: 415, code: 'unsupported_media_type', grpc: GRPC_CODE.invalidArgument, message: `unsupported Content-Encoding ${JSON.stringify(req.headers['content-encoding'])}; send gzip, deflate or none` };
  }
  if (body.status && body.status >= 400 && body.status < 500) {
    // Corrupt gzip and similar: the body could not be read.
    return { status: 400, code: 'invalid_request', grpc: GRPC_CODE.invalidArgument, message: `unreadable request body: ${body.message}` };
  }
  return undefined;
}
