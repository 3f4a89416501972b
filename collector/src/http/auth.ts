import type { NextFunction, Request, Response } from 'express';
import { bearerToken, type Projects } from '@flowtrace/store';

/** How an endpoint answers a refused key, in its own error format. */
export type Refuse = (res: Response, message: string) => void;

/** The project key: its project goes to res.locals.projectId; the payload never decides it. */
export function authenticate(projects: Projects, refuse: Refuse) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const key = bearerToken(req.headers.authorization);
    const identity = key ? await projects.authenticate(key) : undefined;
    if (!identity) {
      res.setHeader('WWW-Authenticate', key ? 'Bearer error="invalid_token"' : 'Bearer');
      refuse(res.status(401), key ? 'unknown or revoked API key' : 'missing API key: send "Authorization: Bearer <project key>"');
      return;
    }
    res.locals.projectId = identity.projectId;
    next();
  };
}
