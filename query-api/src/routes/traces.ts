import { Router, type Request, type Response } from 'express';
import type { Projects, Store } from '@flowtrace/store';
import { requireProjectKey } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { traceParams } from '../schemas.js';
import { findTrace } from '../repositories/traces.js';
import { toTimeline } from '../converters/trace.js';

/** One trace's timeline: its spans as a tree ordered by start, its logs by time. */
export function tracesRouter(store: Store, projects: Projects): Router {
  const router = Router({ mergeParams: true });
  router.get('/projects/:projectId/traces/:traceId', requireProjectKey(projects), validate({ params: traceParams }), async (_req: Request, res: Response) => {
    const { projectId, traceId } = res.locals.params;
    const records = await findTrace(store, projectId, traceId);
    if (!records) throw notFound('trace');
    res.json(toTimeline(traceId, records));
  });
  return router;
}
