import type { NextFunction, Request, Response } from 'express';
import { ZodError } from 'zod';
import { ProjectNameTakenError, StoreUnavailableError, type Logger } from '@flowtrace/store';

/** An error with an HTTP status and a message meant for the client. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);

export function sendError(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ error: { code, message, ...extra } });
}

/**
 * The one error middleware, registered last: validation problems are 400 and
 * list every problem, known errors keep their status, anything else is a 500
 * whose details go to the log, not to the client.
 */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof ZodError) {
      const issues = err.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      sendError(res, 400, 'invalid_request', issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '), { issues });
      return;
    }
    if (err instanceof ApiError) {
      sendError(res, err.status, err.code, err.message);
      return;
    }
    if (err instanceof ProjectNameTakenError) {
      sendError(res, 409, 'conflict', err.message, { name: err.projectName, projectId: err.existingId });
      return;
    }
    const parserError = err as { type?: string; status?: number; message?: string };
    if (parserError.type === 'entity.parse.failed') {
      sendError(res, 400, 'invalid_json', `request body is not valid JSON: ${parserError.message}`);
      return;
    }
    if (parserError.type === 'entity.too.large') {
      sendError(res, 413, 'too_large', 'request body is too large');
      return;
    }
    if (err instanceof StoreUnavailableError) {
      log.warn('store unavailable', { path: req.path, error: err.message });
      res.setHeader('Retry-After', '5');
      sendError(res, 503, 'unavailable', 'storage is unavailable; retry later');
      return;
    }
    log.error('request failed', { method: req.method, path: req.path, error: err instanceof Error ? err.stack : String(err) });
    sendError(res, 500, 'internal', 'internal error');
  };
}
