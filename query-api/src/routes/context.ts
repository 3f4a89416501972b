import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { isoDate, limitParam, offsetParam } from '../schemas.js';
import { listExecutions, type ExecutionPage, type RollupFilters, type RowFilters } from '../repositories/executions.js';
import type { Logger, Projects, Store } from '@flowtrace/store';
import { requireProjectKey } from '../http/auth.js';
import type { ApiRoutes, EndpointSpec } from '../http/routes.js';

/** What a router needs: the store, where to register, and the project-key guard. */
export interface RouteContext {
  store: Store;
  projects: Projects;
  log?: Logger;
  api: ApiRoutes;
  router: Router;
  /** Absolute base of links the API returns (nextLink); default: the request's own origin. */
  publicUrl?: string;
}

/** A GET under /projects/:projectId, for keys of that project only. */
export function projectGet(ctx: RouteContext, path: string, spec: Omit<EndpointSpec, 'auth'>, handler: (req: Request, res: Response) => Promise<void>): void {
  const guard: RequestHandler = requireProjectKey(ctx.projects);
  ctx.api.add(ctx.router, 'get', path, { ...spec, auth: 'project' }, [guard], handler);
}

/** The absolute URL of this request with some query parameters replaced. */
export function selfLink(ctx: RouteContext, req: Request, replace: Record<string, string>): string {
  const origin = ctx.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(req.query)) {
    if (typeof value === 'string' && !(name in replace)) query.set(name, value);
  }
  for (const [name, value] of Object.entries(replace)) query.set(name, value);
  return `${origin.replace(/\/$/, '')}${req.baseUrl}${req.path}?${query.toString()}`;
}

/** Epoch milliseconds as ISO-8601 with milliseconds, as Task History answers. */
export const isoMillis = (ms: number): string => new Date(ms).toISOString();

/** The paging half of every monitoring list: a date range, an order and an offset page. */
export const listPaging = {
  from: isoDate.optional().meta({ description: 'started (received) at or after' }),
  to: isoDate.optional().meta({ description: 'started (received) before' }),
  sortBy: z.enum(['ASC', 'DESC']).default('DESC').meta({ description: 'by start time; newest first by default' }),
  offset: offsetParam,
  limit: limitParam(500, 100),
};

/** The answer of a monitoring list: its items under `name`, `total`, and `nextLink` unless this is the last page. */
export function listAnswer<T>(ctx: RouteContext, req: Request, q: { offset: number; sortBy: string }, name: string, page: { rows: unknown[]; total: number }, items: T[]) {
  const next = q.offset + page.rows.length;
  return {
    [name]: items,
    total: page.total,
    ...(page.rows.length > 0 && next < page.total ? { nextLink: selfLink(ctx, req, { sortBy: q.sortBy, offset: String(next) }) } : {}),
  };
}

export interface ListPaging {
  from?: bigint;
  to?: bigint;
  sortBy: 'ASC' | 'DESC';
  offset: number;
  limit: number;
}

/** One page of executions of `kind` for a monitoring list: its paging, and the filters it maps. */
export function executionPage(
  ctx: RouteContext,
  projectId: string,
  kind: string,
  q: ListPaging,
  filters: { rollup?: RollupFilters; rows?: RowFilters },
  attributes: readonly string[] = [],
): Promise<ExecutionPage> {
  return listExecutions(ctx.store, { projectId, kind, from: q.from, to: q.to, order: q.sortBy, offset: q.offset, limit: q.limit, attributes, rollup: filters.rollup ?? {}, rows: filters.rows ?? {} });
}

/** The documented shape of a monitoring list's answer. */
export const listResponse = (name: string, item: z.ZodType) => z.object({ [name]: z.array(item), total: z.number(), nextLink: z.string().optional() });
