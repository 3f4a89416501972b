import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { StoreUnavailableError } from '@flowtrace/store';
import type { CollectorOptions } from './app.js';
import { authenticate } from './auth.js';
import { OtlpRequestError } from '../otlp/errors.js';
import { timeWindow } from '../otlp/window.js';
import { WorkatoParseError, parseBody } from '../workato/parse.js';
import { mapItems } from '../workato/map.js';
import { storeMapped, type Stored } from '../workato/ingest.js';
import { ImportRequestError, alreadyImported, importFiles, parseImportRequest } from '../workato/imports.js';

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
    if (err instanceof WorkatoParseError || err instanceof OtlpRequestError || err instanceof ImportRequestError) {
      sendError(res.status(400), 'invalid_request', err.message);
      return;
    }
    if (err instanceof StoreUnavailableError) {
      res.setHeader('Retry-After', '5');
      sendError(res.status(503), 'unavailable', 'storage is unavailable; retry later');
      return;
    }
    const parserError = err as { type?: string; status?: number; message?: string };
    if (parserError.type === 'entity.parse.failed') {
      sendError(res.status(400), 'invalid_json', `request body is not valid JSON: ${parserError.message}`);
      return;
    }
    if (parserError.type === 'entity.too.large') {
      sendError(res.status(413), 'too_large', `request body exceeds ${options.workatoMaxBodyBytes ?? options.maxBodyBytes} bytes after decompression; send smaller batches`);
      return;
    }
    if (parserError.type === 'encoding.unsupported') {
      sendError(res.status(415), 'unsupported_media_type', `unsupported Content-Encoding ${JSON.stringify(req.headers['content-encoding'])}; send gzip, deflate or none`);
      return;
    }
    if (parserError.status && parserError.status >= 400 && parserError.status < 500) {
      sendError(res.status(400), 'invalid_request', `unreadable request body: ${parserError.message}`);
      return;
    }
    next(err);
  });
  return router;
}

function sendError(res: Response, code: string, message: string): void {
  res.json({ error: { code, message } });
}
