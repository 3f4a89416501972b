import type { NextFunction, Request, Response } from 'express';
import { bearerToken, type Projects } from '@flowtrace/store';

/** How an endpoint answers a refused key, in its own error format. */
export type Refuse = (res: Response, message: string) => void;

/**
 * Why a presented key was refused, and what to send instead: the admin token
 * (fta_…, or any other string) is not a project key, and saying so beats
 * "unknown" for the most common mix-up.
 */
export function refusedKeyMessage(key: string): string {
  const create = 'create one with POST /admin/projects/:projectId/api-keys (admin token) on the query API';
  if (key.startsWith('fta_')) return `this is the admin token, which opens the query API's /admin endpoints only; ingestion needs a project API key (ftk_…): ${create}`;
  if (!key.startsWith('ftk_')) return `not a project API key (project keys start with ftk_; the admin token opens /admin endpoints only): ${create}`;
  return 'unknown or revoked API key';
}

/** The project key: its project goes to res.locals.projectId; the payload never decides it. */
export function authenticate(projects: Projects, refuse: Refuse) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const key = bearerToken(req.headers.authorization);
    const identity = key ? await projects.authenticate(key) : undefined;
    if (!identity) {
      res.setHeader('WWW-Authenticate', key ? 'Bearer error="invalid_token"' : 'Bearer');
      refuse(res.status(401), key ? refusedKeyMessage(key) : 'missing API key: send "Authorization: Bearer <project key>"');
      return;
    }
    res.locals.projectId = identity.projectId;
    next();
  };
}
