import { Router, type Request, type Response } from 'express';
import type { AdminToken, Projects } from '@flowtrace/store';
import { requireAdmin } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { createKeyBody, createProjectBody, keyParams, projectParams } from '../schemas.js';

/** Projects and their API keys, behind the admin token. */
export function adminRouter(projects: Projects, admin: AdminToken): Router {
  const router = Router();
  router.use(requireAdmin(admin));

  router.post('/projects', validate({ body: createProjectBody }), async (_req: Request, res: Response) => {
    const project = await projects.createProject(res.locals.body.name);
    res.status(201).json(project);
  });

  const projectMustExist = async (projectId: string) => {
    if (!(await projects.getProject(projectId))) throw notFound('project');
  };

  router.post('/projects/:projectId/api-keys', validate({ params: projectParams, body: createKeyBody }), async (_req: Request, res: Response) => {
    const { projectId } = res.locals.params;
    await projectMustExist(projectId);
    const { info, key } = await projects.createApiKey(projectId, res.locals.body.name);
    // The only response that ever carries the key.
    res.status(201).json({ ...info, key });
  });

  router.get('/projects/:projectId/api-keys', validate({ params: projectParams }), async (_req: Request, res: Response) => {
    const { projectId } = res.locals.params;
    await projectMustExist(projectId);
    res.json({ apiKeys: await projects.listApiKeys(projectId) });
  });

  router.delete('/projects/:projectId/api-keys/:keyId', validate({ params: keyParams }), async (_req: Request, res: Response) => {
    const { projectId, keyId } = res.locals.params;
    if (!(await projects.revokeApiKey(projectId, keyId))) throw notFound('API key');
    res.status(204).end();
  });

  return router;
}
