import type { Response } from 'express';
import type protobuf from 'protobufjs';
import { RpcStatus } from '../otlp/proto.js';
import type { Encoding } from '../otlp/values.js';

/** gRPC status codes carried in google.rpc.Status bodies, as OTLP/HTTP asks. */
export const GRPC_CODE = {
  invalidArgument: 3,
  notFound: 5,
  resourceExhausted: 8,
  unimplemented: 12,
  internal: 13,
  unavailable: 14,
  unauthenticated: 16,
} as const;

const CONTENT_TYPE: Record<Encoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** Writes `message` in the request's encoding (OTLP answers in the content type it was sent). */
export function sendMessage(res: Response, status: number, encoding: Encoding, type: protobuf.Type, message: Record<string, unknown>): void {
  res.status(status).type(CONTENT_TYPE[encoding]);
  if (encoding === 'protobuf') {
    res.send(Buffer.from(type.encode(type.fromObject(message)).finish()));
  } else {
    res.send(JSON.stringify(message));
  }
}

/** An error as a google.rpc.Status body; JSON when the request's encoding is unknown. */
export function sendStatus(res: Response, status: number, encoding: Encoding | undefined, code: number, message: string): void {
  sendMessage(res, status, encoding ?? 'json', RpcStatus, { code, message });
}
