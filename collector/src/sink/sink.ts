import type { LogRow, SpanRow } from '@flowtrace/store';
import type { WorkatoQueries } from './workato.js';

/**
 * One request's rows: stored whole or not at all, and acknowledged only once
 * stored. Every ingest path (OTLP/HTTP, OTLP/gRPC, Workato) hands its rows to
 * the sink as batches; nothing else in the collector writes.
 */
export interface Batch {
  projectId: string;
  /**
   * The request's idempotency key. A retry of the same request (the same body,
   * signal and project) carries the same token, so the sink stores it once.
   */
  token: string;
  spans: SpanRow[];
  logs: LogRow[];
}

export interface WriteResult {
  /** The batch had been stored before (a retry): nothing was written again. */
  duplicate: boolean;
}

/** Where the collector writes. */
export interface Sink {
  /** Resolves once every row of the batch is stored (or, with a spool, durably spooled). */
  write(batch: Batch): Promise<WriteResult>;
  /** Stops taking writes, stores what is queued, then resolves. */
  close(): Promise<void>;
  /** What the Workato path reads and deletes besides writing rows. */
  readonly workato: WorkatoQueries;
}

/**
 * The collector holds more than it may queue (or its spool is full): the
 * request is refused before anything is stored, and the sender asked to retry.
 * HTTP answers 429 with Retry-After; gRPC answers UNAVAILABLE with RetryInfo.
 */
export class OverloadedError extends Error {
  override readonly name = 'OverloadedError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
