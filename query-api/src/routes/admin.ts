import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AdminToken } from '@flowtrace/store';
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

/** Projects and their API keys, behind the admin token. */
export function adminRoutes(ctx: RouteContext, admin: AdminToken): void {
  const { projects } = ctx;
  const projectMustExist = async (projectId: string) => {
    if (!(await projects.getProject(projectId))) throw notFound('project');
  };

  adminRoute(ctx, admin, 'post', '/projects', { summary: 'Create a project', body: createProjectBody, response: project, status: 201 }, async (_req, res) => {
    res.status(201).json(await projects.createProject(res.locals.body.name));
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
}
