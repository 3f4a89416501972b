import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { toOtlpJson } from '@flowtrace/instrumentation';
import { StoreUnavailableError, TABLES } from '@flowtrace/store';
import type { CollectorOptions } from './app.js';
import { authenticate } from './auth.js';
import { OtlpRequestError } from '../otlp/errors.js';
import { logsFromRequest } from '../otlp/logs.js';
import { spansFromRequest } from '../otlp/traces.js';
import { timeWindow } from '../otlp/window.js';
import { WorkatoParseError, parseBody } from '../workato/parse.js';
import { mapItems } from '../workato/map.js';
import { deleteJoined, resolveTopics } from '../workato/topics.js';

const ACCEPTED_TYPES = new Set(['application/json', 'application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'text/plain', '']);

/** The resource every mapped Workato record is stored under. */
const WORKATO_RESOURCE = { 'service.name': 'workato', 'telemetry.sdk.name': 'flowtrace-workato' };

/** What POST /ingest/workato answers. */
export interface WorkatoIngestResult {
  /** Items in the batch. */
  accepted: number;
  spans: number;
  logs: number;
  /** Records outside the retention window, not stored. */
  rejected: number;
  /** Items per kind: job, user_activity, log_event, genie, unknown. */
  kinds: Record<string, number>;
  errorMessage?: string;
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
    express.raw({ type: () => true, limit: options.maxBodyBytes, inflate: true }),
    async (req: Request, res: Response) => {
      const projectId = res.locals.projectId as string;
      const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const items = parseBody(body);
      const mapped = mapItems(items, capture);
      const topics = await resolveTopics(options.store, projectId, mapped, capture);
      const otlp = toOtlpJson([...mapped.traces, ...topics.traces], [...mapped.logs, ...topics.pending], WORKATO_RESOURCE);
      const window = timeWindow(options);
      const spans = spansFromRequest(otlp.traces, 'json', projectId, window);
      const logs = logsFromRequest(otlp.logs, 'json', projectId, window, BigInt(Date.now()) * 1_000_000n);
      await options.store.insert('collector.workato.spans', TABLES.traces, spans.rows);
      await options.store.insert('collector.workato.logs', TABLES.logs, logs.rows);
      await deleteJoined(options.store, projectId, topics.joined);
      const rejected = spans.rejections.count + logs.rejections.count;
      const result: WorkatoIngestResult = {
        accepted: items.length,
        spans: spans.rows.length,
        logs: logs.rows.length,
        rejected,
        kinds: mapped.counts,
        ...(rejected > 0 ? { errorMessage: [spans.rejections.message('spans'), logs.rejections.message('log records')].filter(Boolean).join('; ') } : {}),
      };
      res.json(result);
    },
  );
  router.use('/ingest/workato', (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (err instanceof WorkatoParseError || err instanceof OtlpRequestError) {
      sendError(res.status(400), 'invalid_request', err.message);
      return;
    }
    if (err instanceof StoreUnavailableError) {
      res.setHeader('Retry-After', '5');
      sendError(res.status(503), 'unavailable', 'storage is unavailable; retry later');
      return;
    }
    const parserError = err as { type?: string; status?: number; message?: string };
    if (parserError.type === 'entity.too.large') {
      sendError(res.status(413), 'too_large', `request body exceeds ${options.maxBodyBytes} bytes after decompression; send smaller batches`);
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
