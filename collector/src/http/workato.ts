import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { CollectorOptions } from './app.js';
import { authenticate } from './auth.js';
import { timeWindow } from '../otlp/window.js';
import { parseBody } from '../workato/parse.js';
import { mapItems } from '../workato/map.js';
import { storeMapped, type Stored } from '../workato/ingest.js';
import { alreadyImported, importFiles, parseImportRequest } from '../workato/imports.js';
import { requestProblem } from './problems.js';

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
 */
export function workatoRouter(options: CollectorOptions): Router {
  const router = Router();
  const capture = { captureContent: options.captureContent ?? false };
  router.post(
    '/ingest/workato',
    (req: Request, res: Response, next: NextFunction) => {
      const mime = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!ACCEPTED_TYPES.has(mime)) {
        sendError(res.status(415), 'unsupported_media_type', `unsupported Content-Type ${JSON.stringify(mime)}; send application/json or application/x-ndjson`);
        return;
      }
      next();
    },
    authenticate(options.projects, (res, message) => sendError(res, 'unauthorized', message)),
    express.raw({ type: () => true, limit: options.workatoMaxBodyBytes ?? options.maxBodyBytes, inflate: true }),
    async (req: Request, res: Response) => {
      const projectId = res.locals.projectId as string;
      const items = parseBody(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
      const mapped = mapItems(items, capture);
      const stored = await storeMapped(options.store, projectId, mapped, capture, timeWindow(options));
      options.retention?.noteLogs(projectId, stored.logs);
      const result: WorkatoIngestResult = { accepted: items.length, ...stored, kinds: mapped.counts };
      res.json(result);
    },
  );

  // `flowtrace import workato`: which files of an export tree are already imported, then the others.
  const importBody = express.json({ limit: options.workatoMaxBodyBytes ?? options.maxBodyBytes });
  const refuse = authenticate(options.projects, (res, message) => sendError(res, 'unauthorized', message));
  router.post('/ingest/workato/import/check', refuse, importBody, async (req: Request, res: Response) => {
    const { source, files } = parseImportRequest(req.body, false);
    res.json({ imported: [...(await alreadyImported(options.store, res.locals.projectId as string, source, files))] });
  });
  router.post('/ingest/workato/import', refuse, importBody, async (req: Request, res: Response) => {
    const { source, files } = parseImportRequest(req.body, true);
    res.json(await importFiles(options.store, res.locals.projectId as string, source, files, capture, timeWindow(options)));
  });

  router.use('/ingest/workato', (err: unknown, req: Request, res: Response, next: NextFunction) => {
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
