import type { NextFunction, Request, Response } from 'express';
import { bearerToken, type AdminToken, type Projects } from '@flowtrace/store';
import { notFound, unauthorized } from './errors.js';

const CREATE_KEY = 'create one with POST /admin/projects/:projectId/api-keys (admin token)';

/** /admin: the admin token, nothing else. */
export function requireAdmin(admin: AdminToken) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const token = bearerToken(req.headers.authorization);
    if (!token) throw unauthorized('missing admin token: send "Authorization: Bearer <admin token>"');
    if (!admin.matches(token)) {
      throw unauthorized(
        token.startsWith('ftk_')
          ? 'this is a project API key, which opens /projects/:projectId endpoints only; /admin endpoints need the admin token (printed on the first start of the data directory, or FLOWTRACE_ADMIN_TOKEN)'
          : 'invalid admin token',
      );
    }
    next();
  };
}

/**
 * /projects/:projectId: a key of that project. A valid key of another project
 * gets the same 404 as an unknown resource, so an answer never tells whether
 * something exists in a project the caller cannot read. The admin token is
 * not a project key, and is told so.
 */
export function requireProjectKey(projects: Projects) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const key = bearerToken(req.headers.authorization);
    if (!key) throw unauthorized('missing API key: send "Authorization: Bearer <project key>"');
    const identity = await projects.authenticate(key);
    if (!identity) throw unauthorized(refusedKeyMessage(key));
    if (identity.projectId !== req.params.projectId) throw notFound('resource');
    next();
  };
}

/** Why a presented key was refused, and what to send instead. */
function refusedKeyMessage(key: string): string {
  if (key.startsWith('fta_')) return `this is the admin token, which opens /admin endpoints only; /projects/:projectId endpoints need a project API key (ftk_…): ${CREATE_KEY}`;
  if (!key.startsWith('ftk_')) return `not a project API key (project keys start with ftk_; the admin token opens /admin endpoints only): ${CREATE_KEY}`;
  return 'unknown or revoked API key';
}
