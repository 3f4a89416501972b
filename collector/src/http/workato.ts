import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { CollectorOptions } from './app.js';
import { MEMORY_PER_BODY_BYTE, type Admission } from '../ingest/admission.js';
import { admit } from './admit.js';
import { authenticate } from './auth.js';
import { timeWindow } from '../otlp/window.js';
import { itemChunks, type ChunkLimits } from '../workato/parse.js';
import { storeChunks, surveyChunks, type Stored } from '../workato/ingest.js';
import { importFiles, importWindow, parseImportRequest } from '../workato/imports.js';
import { requestToken } from '../ingest/otlp.js';
import { OverloadedError, type Sink } from '../sink/sink.js';
import type { CollectorMetrics, RequestOutcome } from '../metrics.js';
import { requestProblem } from './problems.js';

/** The outcome counted for each refusal status. */
const OUTCOMES: Record<number, RequestOutcome> = { 400: 'invalid', 401: 'unauthenticated', 413: 'too_large', 415: 'unsupported', 429: 'overloaded', 503: 'unavailable' };

const ACCEPTED_TYPES = new Set(['application/json', 'application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'text/plain', '']);

/** What POST /ingest/workato answers. */
export interface WorkatoIngestResult extends Stored {
  /** Items in the batch. */
  accepted: number;
  /** Items per kind: job, user_activity, log_event, genie, unknown. */
  kinds: Record<string, number>;
}

/**
 * POST /ingest/workato: Workato audit-log streams — one JSON object, a JSON
 * array, or NDJSON, optionally gzip-compressed — mapped onto the same spans and
 * logs as the SDK records, and stored through the same validation as OTLP. A
 * malformed item fails the whole batch with its position; nothing is stored.
 * A big body is read in chunks, twice: first to validate every item, then to
 * store each chunk as one batch through the sink (workato/ingest.ts), so a
 * request never holds all its items as objects; a retried request (the same
 * body) is stored once.
 */
export function workatoRouter(options: CollectorOptions, sink: Sink, metrics?: CollectorMetrics, budget?: Admission): Router {
  const router = Router();
  // The in-flight budget OTLP shares: a Workato body counts at what it costs in memory, read in chunks.
  const pass = (_req: Request, _res: Response, next: NextFunction) => next();
  const admitted = budget
    ? admit(budget, options.workatoMaxBodyBytes ?? options.maxBodyBytes, () => MEMORY_PER_BODY_BYTE.workato, (res, message) =>
        sendError(res.status(429), 'overloaded', message),
      )
    : { before: pass, after: pass };
  const capture = { captureContent: options.captureContent ?? false };
  // Streams and imports are counted by how they were answered (the import check stores nothing: not counted).
  const counted = (_req: Request, res: Response, next: NextFunction) => {
    if (metrics) {
      res.on('finish', () => {
        const outcome = res.statusCode === 200 ? (res.locals.duplicate ? 'duplicate' : 'stored') : (OUTCOMES[res.statusCode] ?? 'internal');
        metrics.requests.inc({ signal: 'workato', transport: 'workato', outcome });
      });
    }
    next();
  };
  router.post(
    '/ingest/workato',
    counted,
    (req: Request, res: Response, next: NextFunction) => {
      const mime = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!ACCEPTED_TYPES.has(mime)) {
        sendError(res.status(415), 'unsupported_media_type', `unsupported Content-Type ${JSON.stringify(mime)}; send application/json or application/x-ndjson`);
        return;
      }
      next();
    },
    authenticate(options.projects, (res, message) => sendError(res, 'unauthorized', message)),
    admitted.before,
    express.raw({ type: () => true, limit: options.workatoMaxBodyBytes ?? options.maxBodyBytes, inflate: true }),
    admitted.after,
    async (req: Request, res: Response) => {
      const projectId = res.locals.projectId as string;
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      metrics?.receivedBytes.inc({ signal: 'workato', transport: 'workato' }, body.length);
      const window = timeWindow(options);
      const receivedAt = Date.now();
      const chunks = (limits: ChunkLimits) => itemChunks(body, limits);
      const survey = surveyChunks(chunks, capture, window, receivedAt);
      const token = requestToken('workato', projectId, 'json', body);
      const { stored, duplicate, storedLogs } = await storeChunks(sink, projectId, chunks, survey, capture, window, token, options.redaction, receivedAt);
      res.locals.duplicate = duplicate;
      if (storedLogs > 0) options.retention?.noteLogs(projectId, storedLogs);
      const result: WorkatoIngestResult = { accepted: survey.items, ...stored, kinds: survey.counts };
      res.json(result);
    },
  );

  // `flowtrace import workato`: which files of an export tree are already imported, then the others.
  const importBody = express.json({ limit: options.workatoMaxBodyBytes ?? options.maxBodyBytes });
  const refuse = authenticate(options.projects, (res, message) => sendError(res, 'unauthorized', message));
  router.post('/ingest/workato/import/check', refuse, importBody, async (req: Request, res: Response) => {
    const { source, files } = parseImportRequest(req.body, false);
    res.json({ imported: [...(await sink.workato.importedFiles(res.locals.projectId as string, source, files))] });
  });
  router.post('/ingest/workato/import', counted, refuse, admitted.before, importBody, async (req: Request, res: Response) => {
    const projectId = res.locals.projectId as string;
    const { source, files } = parseImportRequest(req.body, true);
    // History is kept only as far back as the project keeps anything: its retention narrows the window.
    const window = importWindow(options, projectId, await options.retention?.get(projectId));
    const { result, storedLogs, duplicate } = await importFiles(sink, projectId, source, files, capture, window, options.redaction);
    res.locals.duplicate = duplicate;
    if (storedLogs > 0) options.retention?.noteLogs(projectId, storedLogs);
    res.json(result);
  });

  router.use('/ingest/workato', (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (err instanceof OverloadedError) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      sendError(res.status(429), 'overloaded', err.message);
      return;
    }
    const problem = requestProblem(err, req, options.workatoMaxBodyBytes ?? options.maxBodyBytes);
    if (problem === undefined || problem === 'aborted') {
      next(err);
      return;
    }
    if (problem.status === 503) res.setHeader('Retry-After', '5');
    sendError(res.status(problem.status), problem.code, problem.message);
  });
  return router;
}

function sendError(res: Response, code: string, message: string): void {
  res.json({ error: { code, message } });
}
