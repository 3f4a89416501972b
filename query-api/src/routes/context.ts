import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { isoDate, limitParam, offsetParam } from '../schemas.js';
import { findExecution, listExecutions, type ExecutionPage, type ExecutionRow, type RollupFilters, type RowFilters } from '../repositories/executions.js';
import { findTrace } from '../repositories/traces.js';
import { toTimeline, type Timeline } from '../converters/trace.js';
import type { Logger, Projects, Store } from '@flowtrace/store';
import { requireProjectKey } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import { linkOrigin } from '../http/links.js';
import type { ApiRoutes, EndpointSpec } from '../http/routes.js';

/** What a router needs: the store, where to register, and the project-key guard. */
export interface RouteContext {
  store: Store;
  projects: Projects;
  log?: Logger;
  api: ApiRoutes;
  router: Router;
  /** Absolute base of links the API returns (nextLink); default: the address the request arrived on (see linkOrigin). */
  publicUrl?: string;
}

/** A GET under /projects/:projectId, for keys of that project only. */
export function projectGet(ctx: RouteContext, path: string, spec: Omit<EndpointSpec, 'auth'>, handler: (req: Request, res: Response) => Promise<void>): void {
  const guard: RequestHandler = requireProjectKey(ctx.projects);
  ctx.api.add(ctx.router, 'get', path, { ...spec, auth: 'project' }, [guard], handler);
}

/** The absolute URL of this request with some query parameters replaced. */
export function selfLink(ctx: RouteContext, req: Request, replace: Record<string, string>): string {
  const origin = linkOrigin(req, ctx.publicUrl);
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(req.query)) {
    if (name in replace) continue;
    // A repeated parameter (attribute=…&attribute=…) is kept whole.
    for (const item of Array.isArray(value) ? value : [value]) if (typeof item === 'string') query.append(name, item);
  }
  for (const [name, value] of Object.entries(replace)) query.set(name, value);
  return `${origin}${req.baseUrl}${req.path}?${query.toString()}`;
}

/** The paging half of every monitoring list: a date range, an order and an offset page. */
export const listPaging = {
  from: isoDate.optional().meta({ description: 'started (received) at or after' }),
  to: isoDate.optional().meta({ description: 'started (received) before' }),
  sortBy: z.enum(['ASC', 'DESC']).default('DESC').meta({ description: 'by start time; newest first by default' }),
  offset: offsetParam,
  limit: limitParam(500, 100),
};

/** The answer of a monitoring list: its items under `name`, `total`, and `nextLink` unless this is the last page. */
export function listAnswer<T>(ctx: RouteContext, req: Request, q: { offset: number; sortBy?: string }, name: string, page: { rows: unknown[]; total: number }, items: T[]) {
  const next = q.offset + page.rows.length;
  const replace = { ...(q.sortBy ? { sortBy: q.sortBy } : {}), offset: String(next) };
  return {
    [name]: items,
    total: page.total,
    ...(page.rows.length > 0 && next < page.total ? { nextLink: selfLink(ctx, req, replace) } : {}),
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

/**
 * An execution of `kind` and the timeline of its trace: what every detail
 * view (a workflow execution, a tool call, a trigger event, an agent run, a
 * job) starts from. A missing execution, or one whose trace is gone, is a 404
 * naming `what`.
 */
export async function loadExecution(
  ctx: RouteContext,
  projectId: string,
  kind: string,
  by: { executionId?: string; traceId?: string },
  what: string,
): Promise<{ execution: ExecutionRow; timeline: Timeline }> {
  const execution = await findExecution(ctx.store, projectId, kind, by);
  if (!execution) throw notFound(what);
  const records = await findTrace(ctx.store, projectId, execution.traceId);
  if (!records) throw notFound(what);
  return { execution, timeline: toTimeline(execution.traceId, records) };
}
