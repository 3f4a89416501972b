import express, { Router, type Request, type Response } from 'express';
import { Retention, type AdminToken, type Logger, type Projects, type Store } from '@flowtrace/store';
import { errorHandler, sendError } from './http/errors.js';
import { ApiRoutes } from './http/routes.js';
import type { RouteContext } from './routes/context.js';
import { adminRoutes } from './routes/admin.js';
import { redactionRoutes } from './routes/redaction.js';
import { grafanaUserRoutes } from './routes/grafanaUsers.js';
import { alertRoutes } from './routes/alerts.js';
import { traceRoutes } from './routes/traces.js';
import { taskHistoryRoutes } from './routes/taskHistory.js';
import { eventLogRoutes } from './routes/eventLogs.js';
import { actionKitRoutes } from './routes/actionkit.js';
import { syncRoutes } from './routes/syncs.js';
import { agentRoutes } from './routes/agents.js';
import { statsRoutes } from './routes/stats.js';
import { exportRoutes } from './routes/export.js';
import { workatoRoutes } from './routes/workato.js';
import { serveConsole } from './http/console.js';

export interface QueryApiOptions {
  store: Store;
  projects: Projects;
  adminToken: AdminToken;
  log: Logger;
  /**
   * Absolute base URL of links in answers (nextLink); default: the address the
   * request arrived on, never another origin a Host header names (see http/links.ts).
   */
  publicUrl?: string;
  /** Per-project retention; share the collector's, so that its counts of new logs reach the policies set here. */
  retention?: Retention;
  /**
   * Hold every JSON answer to its route's documented response schema, a 500
   * naming the difference otherwise (see ApiRoutes). For tests; default false.
   */
  checkResponses?: boolean;
  /** The built web console served at `/`; default console/dist of this repository; false: none. */
  consoleDir?: string | false;
}

/**
 * The query API. Every endpoint is declared once with its zod schemas (see
 * ApiRoutes), which validate it and describe it in /openapi.json. Every answer
 * is JSON (exports stream NDJSON or CSV), errors as { error: { code, message } }.
 */
export function createQueryApp(options: QueryApiOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(express.json({ limit: '100kb' }));

  const api = new ApiRoutes({ checkResponses: options.checkResponses });
  const ctx: RouteContext = { store: options.store, projects: options.projects, log: options.log, api, router: Router(), publicUrl: options.publicUrl };
  adminRoutes(ctx, options.adminToken, options.retention ?? new Retention(options.store, options.log));
  redactionRoutes(ctx, options.adminToken);
  grafanaUserRoutes(ctx, options.adminToken);
  alertRoutes(ctx, options.adminToken);
  traceRoutes(ctx);
  taskHistoryRoutes(ctx);
  eventLogRoutes(ctx);
  actionKitRoutes(ctx);
  syncRoutes(ctx);
  agentRoutes(ctx);
  statsRoutes(ctx);
  exportRoutes(ctx);
  workatoRoutes(ctx);
  const document = api.openApi({ title: 'Flowtrace query API', version: '0.1.0' });

  app.get('/healthz', async (_req: Request, res: Response) => {
    const ok = await options.store.ping().catch(() => false);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', store: options.store.mode });
  });
  app.get('/openapi.json', (_req: Request, res: Response) => {
    res.json(document);
  });
  app.use(ctx.router);
  // After the API, so that no console path shadows an endpoint.
  serveConsole(app, { dir: options.consoleDir, log: options.log, apiPaths: Object.keys((document as { paths: Record<string, unknown> }).paths) });

  app.use((req: Request, res: Response) => sendError(res, 404, 'not_found', `no route for ${req.method} ${req.path}`));
  app.use(errorHandler(options.log));
  return app;
}
