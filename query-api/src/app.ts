import express, { type Request, type Response } from 'express';
import type { AdminToken, Logger, Projects, Store } from '@flowtrace/store';
import { errorHandler, sendError } from './http/errors.js';
import { adminRouter } from './routes/admin.js';
import { tracesRouter } from './routes/traces.js';

export interface QueryApiOptions {
  store: Store;
  projects: Projects;
  adminToken: AdminToken;
  log: Logger;
}

/** The query API: admin, trace timelines, health. Every answer is JSON, errors as { error: { code, message } }. */
export function createQueryApp(options: QueryApiOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(express.json({ limit: '100kb' }));

  app.get('/healthz', async (_req: Request, res: Response) => {
    const ok = await options.store.ping().catch(() => false);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', store: options.store.mode });
  });
  app.use('/admin', adminRouter(options.projects, options.adminToken));
  app.use(tracesRouter(options.store, options.projects));

  app.use((req: Request, res: Response) => sendError(res, 404, 'not_found', `no route for ${req.method} ${req.path}`));
  app.use(errorHandler(options.log));
  return app;
}
