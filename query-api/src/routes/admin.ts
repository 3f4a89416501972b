import type { Request, Response } from 'express';
import { z } from 'zod';
import { RETENTION_PLANS, type AdminToken, type Retention } from '@flowtrace/store';
import { requireAdmin } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import type { EndpointSpec } from '../http/routes.js';
import { createKeyBody, createProjectBody, keyParams, projectParams } from '../schemas.js';
import type { RouteContext } from './context.js';

const project = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
const apiKey = z.object({ id: z.string(), projectId: z.string(), name: z.string(), prefix: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() });

/** An endpoint under /admin, for the admin token only. */
export function adminRoute(
  ctx: RouteContext,
  admin: AdminToken,
  method: 'get' | 'post' | 'put' | 'delete',
  path: string,
  spec: Omit<EndpointSpec, 'auth' | 'tag'>,
  handler: (req: Request, res: Response) => Promise<void>,
): void {
  ctx.api.add(ctx.router, method, `/admin${path}`, { ...spec, tag: 'Admin', auth: 'admin' }, [requireAdmin(admin)], handler);
}

const days = z.number().int({ message: 'must be a whole number' }).min(1, { message: 'must be at least 1' }).max(3650, { message: 'must be at most 3650' });
const count = z.number().int({ message: 'must be a whole number' }).min(1, { message: 'must be at least 1' }).max(10_000_000_000, { message: 'must be at most 10000000000' });
const retentionBody = z
  .strictObject({
    plan: z.enum(['trial', 'pro', 'custom']).meta({ description: 'trial: 7 days or 50,000 logs; pro: 30 days or 1,000,000 logs; custom: the limits given' }),
    maxAgeDays: days.optional(),
    maxLogs: count.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.plan === 'custom' && body.maxAgeDays === undefined && body.maxLogs === undefined) {
      ctx.addIssue({ code: 'custom', path: ['plan'], message: 'custom needs maxAgeDays, maxLogs or both' });
    }
    if (body.plan !== 'custom') {
      for (const field of ['maxAgeDays', 'maxLogs'] as const) {
        if (body[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is set by plan ${body.plan}; use plan custom for other limits` });
      }
    }
  });
const retention = z.object({ projectId: z.string(), plan: z.string(), maxAgeDays: z.number(), maxLogs: z.number() });

/** Projects, their API keys and retention, behind the admin token. */
export function adminRoutes(ctx: RouteContext, admin: AdminToken, retentionPolicies: Retention): void {
  const { projects } = ctx;
  const projectMustExist = async (projectId: string) => {
    if (!(await projects.getProject(projectId))) throw notFound('project');
  };

  adminRoute(
    ctx,
    admin,
    'post',
    '/projects',
    { summary: 'Create a project', description: 'Names are unique, compared in any case: a name already taken is refused with 409, naming it.', body: createProjectBody, response: project, status: 201, errors: { 409: 'A project of that name exists; the message names it.' } },
    async (_req, res) => {
      res.status(201).json(await projects.createProject(res.locals.body.name));
    },
  );

  adminRoute(ctx, admin, 'get', '/projects', { summary: 'List the projects, oldest first', response: z.object({ projects: z.array(project) }) }, async (_req, res) => {
    res.json({ projects: await projects.listProjects() });
  });

  adminRoute(
    ctx,
    admin,
    'post',
    '/projects/:projectId/api-keys',
    { summary: 'Create an API key; the key is in this answer only', params: projectParams, body: createKeyBody, response: apiKey.extend({ key: z.string() }), status: 201 },
    async (_req, res) => {
      const { projectId } = res.locals.params;
      await projectMustExist(projectId);
      const { info, key } = await projects.createApiKey(projectId, res.locals.body.name);
      // The only response that ever carries the key.
      res.status(201).json({ ...info, key });
    },
  );

  adminRoute(ctx, admin, 'get', '/projects/:projectId/api-keys', { summary: 'List a project’s API keys (never the keys)', params: projectParams, response: z.object({ apiKeys: z.array(apiKey) }) }, async (_req, res) => {
    const { projectId } = res.locals.params;
    await projectMustExist(projectId);
    res.json({ apiKeys: await projects.listApiKeys(projectId) });
  });

  adminRoute(ctx, admin, 'delete', '/projects/:projectId/api-keys/:keyId', { summary: 'Revoke an API key, at once', params: keyParams, status: 204 }, async (_req, res) => {
    const { projectId, keyId } = res.locals.params;
    if (!(await projects.revokeApiKey(projectId, keyId))) throw notFound('API key');
    res.status(204).end();
  });

  adminRoute(
    ctx,
    admin,
    'get',
    '/projects/:projectId/retention',
    { summary: 'A project’s retention (plan none: only the global FLOWTRACE_TTL_DAYS)', params: projectParams, response: retention },
    async (_req, res) => {
      const { projectId } = res.locals.params;
      await projectMustExist(projectId);
      const policy = await retentionPolicies.get(projectId);
      res.json({ projectId, ...(policy ?? { plan: 'none', maxAgeDays: 0, maxLogs: 0 }) });
    },
  );

  adminRoute(
    ctx,
    admin,
    'put',
    '/projects/:projectId/retention',
    {
      summary: 'Sets a project’s retention by age and by number of logs (whichever is reached first) and enforces it at once',
      description: 'The oldest data goes first. Enforced again every FLOWTRACE_RETENTION_INTERVAL_SECONDS and whenever the project has written 5% of its log limit.',
      params: projectParams,
      body: retentionBody,
      response: retention.extend({ enforced: z.object({ horizon: z.string().nullable(), logs: z.number() }) }),
    },
    async (_req, res) => {
      const { projectId } = res.locals.params;
      await projectMustExist(projectId);
      const body = res.locals.body as z.output<typeof retentionBody>;
      const preset = body.plan === 'custom' ? { maxAgeDays: body.maxAgeDays ?? 0, maxLogs: body.maxLogs ?? 0 } : RETENTION_PLANS[body.plan];
      const policy = { plan: body.plan, ...preset };
      const enforced = await retentionPolicies.set(projectId, policy);
      res.json({ projectId, ...policy, enforced });
    },
  );
}
