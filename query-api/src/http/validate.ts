import type { NextFunction, Request, Response } from 'express';
import { ZodError, type z } from 'zod';

interface Schemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

/**
 * Parses a request's params, query and body with zod; the parsed values go to
 * res.locals (`params`, `query`, `body`), never back onto req. Problems from all
 * three parts are reported together.
 */
export function validate(schemas: Schemas) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const issues: z.core.$ZodIssue[] = [];
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(req[part] ?? {});
      if (result.success) res.locals[part] = result.data;
      else issues.push(...result.error.issues.map((issue) => ({ ...issue, path: [part, ...issue.path] })));
    }
    if (issues.length > 0) throw new ZodError(issues);
    next();
  };
}
