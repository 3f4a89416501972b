import express, { type NextFunction, type Request, type Response } from 'express';
import type protobuf from 'protobufjs';
import { TABLES, type Logger, type Projects, type Retention, type SpanRow, type Store } from '@flowtrace/store';
import { insertSpans } from '../ingest/spans.js';
import { authenticate } from './auth.js';
import { workatoRouter } from './workato.js';
import { OtlpRequestError } from '../otlp/errors.js';
import { requestProblem } from './problems.js';
import { ExportLogsServiceRequest, ExportLogsServiceResponse, ExportTraceServiceRequest, ExportTraceServiceResponse } from '../otlp/proto.js';
import { logsFromRequest } from '../otlp/logs.js';
import { spansFromRequest } from '../otlp/traces.js';
import { timeWindow, type Rejections } from '../otlp/window.js';
import type { Encoding } from '../otlp/values.js';
import { GRPC_CODE, sendMessage, sendStatus } from './respond.js';

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
}

/** What the handlers leave in res.locals. */
interface Locals {
  encoding: Encoding;
  projectId: string;
}

const ENCODINGS: Record<string, Encoding> = {
  'application/x-protobuf': 'protobuf',
  'application/json': 'json',
};

/** One OTLP/HTTP signal endpoint: how to read its request and write its answer. */
interface Signal {
  request: protobuf.Type;
  response: protobuf.Type;
  /** Field of the response's partial_success that counts rejected records. */
  rejectedField: 'rejectedSpans' | 'rejectedLogRecords';
  noun: string;
  decode(body: unknown, encoding: Encoding, projectId: string, options: CollectorOptions): { rows: object[]; rejections: Rejections };
  store(options: CollectorOptions, projectId: string, rows: object[]): Promise<unknown>;
}

const TRACES: Signal = {
  request: ExportTraceServiceRequest,
  response: ExportTraceServiceResponse,
  rejectedField: 'rejectedSpans',
  noun: 'spans',
  decode: (body, encoding, projectId, options) => spansFromRequest(body, encoding, projectId, timeWindow(options)),
  store: (options, projectId, rows) => insertSpans(options.store, 'collector.spans', projectId, rows as SpanRow[]),
};

const LOGS: Signal = {
  request: ExportLogsServiceRequest,
  response: ExportLogsServiceResponse,
  rejectedField: 'rejectedLogRecords',
  noun: 'log records',
  decode: (body, encoding, projectId, options) => logsFromRequest(body, encoding, projectId, timeWindow(options), BigInt(Date.now()) * 1_000_000n),
  store: async (options, projectId, rows) => {
    await options.store.insert('collector.log_records', TABLES.logs, rows);
    options.retention?.noteLogs(projectId, rows.length);
  },
};

/**
 * OTLP/HTTP receiver: POST /v1/traces and /v1/logs, protobuf or JSON, optionally
 * gzip-compressed, following the OTLP/HTTP specification. A request is answered
 * 200 only once its rows are inserted; a rejected request stores nothing.
 */
export function createCollectorApp(options: CollectorOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const readBody = express.raw({ type: () => true, limit: options.maxBodyBytes, inflate: true });

  for (const [path, signal] of [['/v1/traces', TRACES], ['/v1/logs', LOGS]] as const) {
    app.post(path, negotiate, authenticate(options.projects, (res, message) => sendStatus(res, 401, res.locals.encoding, GRPC_CODE.unauthenticated, message)), readBody, async (req: Request, res: Response<unknown, Locals>) => {
      const { encoding, projectId } = res.locals;
      const body = parseBody(req.body, encoding, signal.request);
      const { rows, rejections } = signal.decode(body, encoding, projectId, options);
      await signal.store(options, projectId, rows);
      const partialSuccess = rejections.count === 0 ? {} : { [signal.rejectedField]: rejections.count, errorMessage: rejections.message(signal.noun) };
      sendMessage(res, 200, encoding, signal.response, { partialSuccess });
    });
  }

  app.use(workatoRouter(options));
  app.use((req: Request, res: Response) => {
    sendStatus(res, 404, undefined, GRPC_CODE.notFound, `no OTLP endpoint at ${req.method} ${req.path}; use POST /v1/traces or POST /v1/logs`);
  });
  app.use(errorHandler(options));
  return app;
}

function negotiate(req: Request, res: Response<unknown, Locals>, next: NextFunction): void {
  const mime = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const encoding = ENCODINGS[mime];
  if (!encoding) {
    sendStatus(res, 415, undefined, GRPC_CODE.invalidArgument, `unsupported Content-Type ${JSON.stringify(mime || '(none)')}; send application/x-protobuf or application/json`);
    return;
  }
  res.locals.encoding = encoding;
  next();
}

function parseBody(raw: unknown, encoding: Encoding, type: protobuf.Type): unknown {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  if (encoding === 'protobuf') {
    try {
      return type.decode(bytes);
    } catch (err) {
      throw new OtlpRequestError(`malformed protobuf ${type.name}: ${(err as Error).message}`);
    }
  }
  if (bytes.length === 0) return {};
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new OtlpRequestError(`malformed JSON: ${(err as Error).message}`);
  }
}

function errorHandler(options: CollectorOptions) {
  return (err: unknown, req: Request, res: Response<unknown, Partial<Locals>>, _next: NextFunction): void => {
    const encoding = res.locals.encoding;
    const problem = requestProblem(err, req, options.maxBodyBytes);
    if (problem === 'aborted') return;
    if (problem) {
      if (problem.status === 503) {
        options.log.warn('store unavailable; asked the exporter to retry', { path: req.path, error: (err as Error).message });
        res.setHeader('Retry-After', '5');
      }
      sendStatus(res, problem.status, encoding, problem.grpc, problem.message);
      return;
    }
    options.log.error('request failed', { path: req.path, error: err instanceof Error ? err.stack : String(err) });
    sendStatus(res, 500, encoding, GRPC_CODE.internal, 'internal error; the request was not stored');
  };
}
