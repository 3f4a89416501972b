import type { NextFunction, Request, Response } from 'express';
import { ZodError, type z } from 'zod';
import { ApiError } from './errors.js';

interface Schemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

/**
 * Parses a request's params, query and body with zod; the parsed values go to
 * res.locals (`params`, `query`, `body`), never back onto req. Problems from all
 * three parts are reported together. A body that is not JSON (a form, text)
 * on an endpoint that takes one is refused as such (415), not as missing fields.
 */
export function validate(schemas: Schemas) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (schemas.body && hasBody(req) && !req.is('application/json')) {
      throw new ApiError(
        415,
        'unsupported_media_type',
        `this endpoint takes a JSON body: send it with "Content-Type: application/json" (got ${JSON.stringify(req.headers['content-type'] ?? 'no Content-Type')})`,
      );
    }
    const issues: z.core.$ZodIssue[] = [];
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(req[part] ?? {});
      if (result.success) res.locals[part] = result.data;
      else if (part === 'body' && !hasBody(req)) issues.push({ code: 'custom', input: undefined, path: ['body'], message: 'is missing: this endpoint takes a JSON object, sent with "Content-Type: application/json"' });
      else issues.push(...result.error.issues.map((issue) => ({ ...issue, path: [part, ...issue.path] })));
    }
    if (issues.length > 0) throw new ZodError(issues);
    next();
  };
}

/** Whether the request carries a body (a length above 0, or chunked). */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
