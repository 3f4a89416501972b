import { createHash } from 'node:crypto';
import type { LogRow, Retention, SpanRow } from '@flowtrace/store';
import { OtlpRequestError } from '../otlp/errors.js';
import { logsFromRequest } from '../otlp/logs.js';
import { spansFromRequest } from '../otlp/traces.js';
import type { Encoding } from '../otlp/values.js';
import { timeWindow, type Rejections } from '../otlp/window.js';
import { logsFromProtobuf, spansFromProtobuf } from '../otlp/wire.js';
import type { Sink } from '../sink/sink.js';
import { BUILT_IN_SOURCE, redactBatch, type RedactionSource } from './redact.js';

export type Signal = 'traces' | 'logs';

/** What a stored export request answers: OTLP's partial success. */
export interface IngestOutcome {
  /** Records refused one by one (outside the time window); the rest are stored. */
  rejected: number;
  /** Why, for partial_success.error_message; '' when nothing was refused. */
  errorMessage: string;
  /** The same request had been stored before (a retry): nothing was stored again. */
  duplicate: boolean;
  /** Records stored by this call (0 for a duplicate). */
  stored: number;
}

export interface OtlpIngestOptions {
  sink: Sink;
  /** Retention in days (0: forever): older records are refused, not stored. */
  ttlDays: number;
  /** How far ahead of this host's clock a timestamp may be, in seconds. */
  maxFutureSkewSeconds: number;
  /** Told of every stored log, so a project's log limit holds while it floods. */
  retention?: Retention;
  /** Each project's redaction rules; default: the built-in rules only. Built-in redaction always applies. */
  redaction?: RedactionSource;
}

/** Stores one OTLP export request (its body, already decompressed) for a project; shared by OTLP/HTTP and OTLP/gRPC. */
export type OtlpIngest = (signal: Signal, projectId: string, body: Buffer, encoding: Encoding) => Promise<IngestOutcome>;

const NOUNS: Record<Signal, string> = { traces: 'spans', logs: 'log records' };

/**
 * Decodes and validates a whole request before anything is written (a
 * malformed one throws OtlpRequestError and stores nothing), redacts
 * credentials (ingest/redact.ts), then hands its rows to the sink as one
 * batch and resolves once they are stored.
 */
export function createOtlpIngest(options: OtlpIngestOptions): OtlpIngest {
  const redaction = options.redaction ?? BUILT_IN_SOURCE;
  return async (signal, projectId, body, encoding) => {
    const window = timeWindow(options);
    const received = BigInt(Date.now()) * 1_000_000n;
    // Protobuf is read straight from the bytes into rows (otlp/wire.ts); OTLP/JSON is parsed, then walked.
    let batch: { spans: SpanRow[]; logs: LogRow[] };
    let rejections: Rejections;
    if (signal === 'traces') {
      const decoded = encoding === 'protobuf' ? spansFromProtobuf(body, projectId, window) : spansFromRequest(parseJson(body), encoding, projectId, window);
      batch = { spans: decoded.rows, logs: [] };
      rejections = decoded.rejections;
    } else {
      const decoded = encoding === 'protobuf' ? logsFromProtobuf(body, projectId, window, received) : logsFromRequest(parseJson(body), encoding, projectId, window, received);
      batch = { spans: [], logs: decoded.rows };
      rejections = decoded.rejections;
    }
    const rows = batch.spans.length + batch.logs.length;
    // Credentials go before anything is stored; the token hashes the raw body, which is not stored.
    const redacted = redactBatch(batch, await redaction.rulesFor(projectId));
    const { duplicate } = await options.sink.write({ projectId, token: requestToken(signal, projectId, encoding, body), ...redacted });
    if (!duplicate && signal === 'logs') options.retention?.noteLogs(projectId, rows);
    return { rejected: rejections.count, errorMessage: rejections.message(NOUNS[signal]), duplicate, stored: duplicate ? 0 : rows };
  };
}

/** The idempotency key of a request: a retry sends the same bytes, for the same project and signal. */
export function requestToken(signal: string, projectId: string, encoding: string, body: Buffer): string {
  return createHash('sha256').update(`${signal}\u0000${encoding}\u0000${projectId}\u0000`).update(body).digest('base64url').slice(0, 32);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new OtlpRequestError(`malformed JSON: ${(err as Error).message}`);
  }
}
