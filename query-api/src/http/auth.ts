import type { NextFunction, Request, Response } from 'express';
import { bearerToken, type AdminToken, type Projects } from '@flowtrace/store';
import { notFound, unauthorized } from './errors.js';

/** /admin: the admin token, nothing else. */
export function requireAdmin(admin: AdminToken) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const token = bearerToken(req.headers.authorization);
    if (!token) throw unauthorized('missing admin token: send "Authorization: Bearer <admin token>"');
    if (!admin.matches(token)) throw unauthorized('invalid admin token');
    next();
  };
}

/**
 * /projects/:projectId: a key of that project. A valid key of another project
 * gets the same 404 as an unknown resource, so an answer never tells whether
 * something exists in a project the caller cannot read.
 */
export function requireProjectKey(projects: Projects) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const key = bearerToken(req.headers.authorization);
    if (!key) throw unauthorized('missing API key: send "Authorization: Bearer <project key>"');
    const identity = await projects.authenticate(key);
    if (!identity) throw unauthorized('unknown or revoked API key');
    if (identity.projectId !== req.params.projectId) throw notFound('resource');
    next();
  };
}
