import express, { type NextFunction, type Request, type Response } from 'express';
import type protobuf from 'protobufjs';
import type { Logger, Projects, Retention, Store } from '@flowtrace/store';
import { authenticate } from './auth.js';
import { workatoRouter } from './workato.js';
import { requestProblem } from './problems.js';
import { Draining } from './draining.js';
import { ExportLogsServiceResponse, ExportTraceServiceResponse } from '../otlp/proto.js';
import type { Encoding } from '../otlp/values.js';
import { GRPC_CODE, sendMessage, sendStatus } from './respond.js';
import { createOtlpIngest, type OtlpIngest, type Signal } from '../ingest/otlp.js';
import { Admission, MEMORY_PER_BODY_BYTE } from '../ingest/admission.js';
import { admit } from './admit.js';
import { ProjectRedaction, type RedactionSource } from '../ingest/redact.js';
import { storedRedactionPatterns } from '../sink/redaction.js';
import { ClickHouseSink } from '../sink/clickhouse.js';
import type { BlockOptions } from '../sink/blocks.js';
import type { LedgerOptions } from '../sink/ledger.js';
import { OverloadedError, type Sink } from '../sink/sink.js';
import { CollectorMetrics, type RequestOutcome } from '../metrics.js';

export interface CollectorOptions {
  store: Store;
  projects: Projects;
  log: Logger;
  /** Largest request body, after decompression, in bytes. */
  maxBodyBytes: number;
  /** Retention in days (0: forever): older records are rejected, not stored. */
  ttlDays: number;
  /** How far ahead of this host's clock a timestamp may be, in seconds. */
  maxFutureSkewSeconds: number;
  /** Keep payloads, inputs and outputs of what the collector maps itself (Workato streams). Default false. */
  captureContent?: boolean;
  /** Largest Workato stream or import request, after decompression (Workato's own files reach 40 MB). Default maxBodyBytes. */
  workatoMaxBodyBytes?: number;
  /** Told of every stored log, so a project's log limit holds while it floods. */
  retention?: Retention;
  /** Group commit: how requests are gathered into INSERT blocks. Default DEFAULT_BLOCKS. */
  blocks?: Partial<BlockOptions>;
  /** Encoded bytes the sink may hold for insertion before refusing requests (429). Default 128 MiB. */
  maxQueueBytes?: number;
  /** How long and how freshly stored requests are remembered, so retries are stored once. */
  dedup?: Partial<LedgerOptions>;
  /** Accept batches into this fsynced on-disk spool and acknowledge them from there (see ClickHouseSink). */
  spool?: { dir: string; maxBytes: number };
  /** Write blocks down here before inserting them, so that a crash or a failure mid-insert is repaired (see BlockWal). Unset: no repair. */
  walDir?: string;
  /** Where the collector's own metrics go (GET /metrics). Default: a registry of its own. */
  metrics?: CollectorMetrics;
  /** Each project's redaction patterns (on top of the built-in redaction, which always applies). Default: read from the store, cached for redactionCacheMs. */
  redaction?: RedactionSource;
  /** How long a project's redaction patterns are trusted once read (FLOWTRACE_KEY_CACHE_SECONDS). Default 2000. */
  redactionCacheMs?: number;
}

/** Chosen by measurement: see README, "Write path". */
export const DEFAULT_BLOCKS: BlockOptions = { maxRows: 100_000, maxBytes: 64 << 20, lingerMs: 50, concurrency: 1 };
export const DEFAULT_MAX_QUEUE_BYTES = 128 << 20;
export const DEFAULT_DEDUP: LedgerOptions = { windowMs: 15 * 60_000, refreshMs: 1000 };

/** A running collector: its HTTP app, the ingest every transport shares, its sink and metrics. */
export interface Collector {
  app: express.Express;
  ingest: OtlpIngest;
  /** The in-flight budget OTLP/HTTP and OTLP/gRPC share (FLOWTRACE_MAX_QUEUE_BYTES). */
  admission: Admission;
  sink: Sink;
  metrics: CollectorMetrics;
  /** Refuses every new HTTP request from now on (503, Retry-After, Connection: close); requests already admitted finish. */
  drain(): void;
  /** Stores what is queued and stops the sink. */
  close(): Promise<void>;
}

/** What the handlers leave in res.locals. */
interface Locals {
  encoding: Encoding;
  projectId: string;
  signal: Signal;
}

const ENCODINGS: Record<string, Encoding> = {
  'application/x-protobuf': 'protobuf',
  'application/json': 'json',
};
const CONTENT_ENCODINGS = new Set(['', 'identity', 'gzip', 'deflate']);

const RESPONSES: Record<Signal, { type: protobuf.Type; rejectedField: string }> = {
  traces: { type: ExportTraceServiceResponse, rejectedField: 'rejectedSpans' },
  logs: { type: ExportLogsServiceResponse, rejectedField: 'rejectedLogRecords' },
};

/** Opens the sink and builds the collector on it. */
export async function openCollector(options: CollectorOptions): Promise<Collector> {
  const metrics = options.metrics ?? new CollectorMetrics();
  const sink = await ClickHouseSink.open({
    store: options.store,
    log: options.log,
    metrics,
    blocks: { ...DEFAULT_BLOCKS, ...options.blocks },
    maxQueueBytes: options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES,
    dedup: { ...DEFAULT_DEDUP, ...options.dedup },
    spool: options.spool,
    walDir: options.walDir,
  });
  const redaction =
    options.redaction ??
    new ProjectRedaction(storedRedactionPatterns(options.store), {
      cacheMs: options.redactionCacheMs ?? 2000,
      onInvalid: (pattern, problem) => options.log.warn('redaction pattern left out', { pattern, problem }),
    });
  const ingest = createOtlpIngest({ sink, ttlDays: options.ttlDays, maxFutureSkewSeconds: options.maxFutureSkewSeconds, retention: options.retention, redaction });
  const admission = new Admission(options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES);
  const draining = new Draining();
  const app = createCollectorApp({ ...options, redaction }, ingest, metrics, sink, admission, draining);
  return { app, ingest, admission, sink, metrics, drain: () => draining.drain(), close: () => sink.close() };
}

/**
 * OTLP/HTTP receiver: POST /v1/traces and /v1/logs, protobuf or JSON, optionally
 * gzip- or deflate-compressed, following the OTLP/HTTP specification. A request
 * is answered 200 only once its rows are stored; a rejected request stores
 * nothing. GET /metrics serves the collector's own metrics. Once `draining`
 * is drained, new requests are refused with 503.
 */
export function createCollectorApp(
  options: CollectorOptions,
  ingest: OtlpIngest,
  metrics: CollectorMetrics,
  sink: Sink,
  admissionBudget: Admission,
  draining: Draining = new Draining(),
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(draining.gate());
  const readBody = express.raw({ type: () => true, limit: options.maxBodyBytes, inflate: true });
  // A request counts at its estimated body size times what a byte of its encoding costs in memory.
  const admitted = admit(
    admissionBudget,
    options.maxBodyBytes,
    (_req, res) => MEMORY_PER_BODY_BYTE[(res.locals as Locals).encoding],
    (res, message) => {
      count(metrics, (res.locals as Locals).signal, 'overloaded');
      sendStatus(res, 429, (res.locals as Locals).encoding, GRPC_CODE.unavailable, message);
    },
  );

  app.get('/metrics', async (_req: Request, res: Response) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  for (const [path, signal] of [['/v1/traces', 'traces'], ['/v1/logs', 'logs']] as const) {
    app.post(
      path,
      (req: Request, res: Response<unknown, Locals>, next: NextFunction) => {
        res.locals.signal = signal;
        next();
      },
      negotiate,
      authenticate(options.projects, (res, message) => {
        count(metrics, res.locals.signal, 'unauthenticated');
        sendStatus(res, 401, res.locals.encoding, GRPC_CODE.unauthenticated, message);
      }),
      admitted.before,
      readBody,
      admitted.after,
      async (req: Request, res: Response<unknown, Locals>) => {
        const { encoding, projectId } = res.locals;
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        metrics.receivedBytes.inc({ signal, transport: 'http' }, body.length);
        const outcome = await ingest(signal, projectId, body, encoding);
        count(metrics, signal, outcome.duplicate ? 'duplicate' : 'stored');
        metrics.acceptedRecords.inc({ signal }, outcome.stored);
        if (outcome.rejected > 0) metrics.rejectedRecords.inc({ signal, reason: 'outside_window' }, outcome.rejected);
        const { type, rejectedField } = RESPONSES[signal];
        // A full success leaves partial_success unset (the specification says MUST NOT set it).
        const message = outcome.rejected === 0 ? {} : { partialSuccess: { [rejectedField]: outcome.rejected, errorMessage: outcome.errorMessage } };
        sendMessage(res, 200, encoding, type, message);
      },
    );
  }

  app.use(workatoRouter(options, sink, metrics, admissionBudget));
  app.use((req: Request, res: Response) => {
    sendStatus(res, 404, undefined, GRPC_CODE.notFound, `no OTLP endpoint at ${req.method} ${req.path}; use POST /v1/traces or POST /v1/logs`);
  });
  app.use(errorHandler(options, metrics));
  return app;
}

function count(metrics: CollectorMetrics, signal: Signal | undefined, outcome: RequestOutcome): void {
  if (signal) metrics.requests.inc({ signal, transport: 'http', outcome });
}

function negotiate(req: Request, res: Response<unknown, Locals>, next: NextFunction): void {
  const mime = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const encoding = ENCODINGS[mime];
  if (!encoding) {
    sendStatus(res, 415, undefined, GRPC_CODE.invalidArgument, `unsupported Content-Type ${JSON.stringify(mime || '(none)')}; send application/x-protobuf or application/json`);
    return;
  }
  res.locals.encoding = encoding;
  const contentEncoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (!CONTENT_ENCODINGS.has(contentEncoding)) {
    sendStatus(res, 415, encoding, GRPC_CODE.invalidArgument, `unsupported Content-Encoding ${JSON.stringify(contentEncoding)}; send gzip, deflate or none`);
    return;
  }
  next();
}

function errorHandler(options: CollectorOptions, metrics: CollectorMetrics) {
  return (err: unknown, req: Request, res: Response<unknown, Partial<Locals>>, _next: NextFunction): void => {
    const { encoding, signal } = res.locals;
    if (err instanceof OverloadedError) {
      count(metrics, signal, 'overloaded');
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      sendStatus(res, 429, encoding, GRPC_CODE.unavailable, err.message);
      return;
    }
    const problem = requestProblem(err, req, options.maxBodyBytes);
    if (problem === 'aborted') return;
    if (problem) {
      count(metrics, signal, problem.status === 503 ? 'unavailable' : problem.status === 413 ? 'too_large' : problem.status === 415 ? 'unsupported' : 'invalid');
      if (problem.status === 503) {
        options.log.warn('store unavailable; asked the exporter to retry', { path: req.path, error: (err as Error).message });
        res.setHeader('Retry-After', '5');
      }
      sendStatus(res, problem.status, encoding, problem.grpc, problem.message);
      return;
    }
    count(metrics, signal, 'internal');
    options.log.error('request failed', { path: req.path, error: err instanceof Error ? err.stack : String(err) });
    sendStatus(res, 500, encoding, GRPC_CODE.internal, 'internal error; the request was not stored');
  };
}
