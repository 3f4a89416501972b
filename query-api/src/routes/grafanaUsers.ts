import { z } from 'zod';
import { grafanaDatasourceUid, grafanaDatasourceYaml, type AdminToken, type GrafanaDatasourceServer } from '@flowtrace/store';
import { ApiError, notFound } from '../http/errors.js';
import {
  AccessManagementDeniedError,
  createOrRotateGrafanaUser,
  getGrafanaUser,
  grafanaServer,
  removeGrafanaUser,
  type GrafanaUserRecord,
} from '../repositories/grafanaUsers.js';
import { projectParams } from '../schemas.js';
import { adminRoute } from './admin.js';
import type { RouteContext } from './context.js';

const datasource = z.object({
  uid: z.string(),
  passwordVariable: z.string().meta({ description: "the environment variable Grafana reads the user's password from" }),
  yaml: z.string().meta({ description: 'a Grafana provisioning file (datasources) for this project' }),
});
const grafanaUser = z.object({
  projectId: z.string(),
  user: z.string().meta({ description: 'the ClickHouse user' }),
  createdAt: z.string(),
  rotatedAt: z.string().meta({ description: 'when the password was last set' }),
  datasource,
});

/** A server that will not let Flowtrace manage users is a deployment to fix, told as such. */
async function refusedAs409<T>(change: Promise<T>): Promise<T> {
  try {
    return await change;
  } catch (err) {
    if (err instanceof AccessManagementDeniedError) throw new ApiError(409, 'access_management_denied', err.message);
    throw err;
  }
}

const EMBEDDED =
  'the embedded engine has no users or row policies, so it cannot give a project a Grafana user of its own: ' +
  'Grafana reads a ClickHouse server, so run the server deployment (CLICKHOUSE_URL) and ask again';

/**
 * A read-only ClickHouse user per project, for that project's Grafana: row
 * policies keep it to the project's rows (see the store's grafanaUsers).
 * Server deployment only.
 */
export function grafanaUserRoutes(ctx: RouteContext, admin: AdminToken): void {
  const { store, projects } = ctx;
  /** The project, on a server: an unknown project is 404 in any mode, then the embedded engine is 409. */
  const serverFor = async (projectId: string): Promise<{ name: string; server: GrafanaDatasourceServer }> => {
    const project = await projects.getProject(projectId);
    if (!project) throw notFound('project');
    if (store.mode === 'embedded') throw new ApiError(409, 'embedded_engine', EMBEDDED);
    return { name: project.name, server: await grafanaServer(store) };
  };
  const answer = (record: GrafanaUserRecord, projectName: string, server: GrafanaDatasourceServer) => ({
    ...record,
    datasource: { uid: grafanaDatasourceUid(record.projectId), ...grafanaDatasourceYaml({ projectId: record.projectId, projectName }, server) },
  });

  adminRoute(
    ctx,
    admin,
    'post',
    '/projects/:projectId/grafana-user',
    {
      summary: 'Creates the project’s read-only ClickHouse user for Grafana, or gives it a new password; the password is in this answer only',
      description:
        '201 when the user is created, 200 when it already existed and its password was replaced (the old one stops working at once). ' +
        'The user reads the project’s spans, logs and the tables derived from them, and the project’s own row, through row policies; ' +
        'nothing else. The answer carries a Grafana datasource provisioning file for it. Server deployment only: 409 on the embedded engine.',
      params: projectParams,
      response: grafanaUser.extend({ password: z.string(), rotated: z.boolean() }),
      status: 201,
    },
    async (_req, res) => {
      const { projectId } = res.locals.params;
      const { name, server } = await serverFor(projectId);
      const { record, password, rotated } = await refusedAs409(createOrRotateGrafanaUser(store, server, projectId));
      // The only response that ever carries the password.
      res.status(rotated ? 200 : 201).json({ ...answer(record, name, server), password, rotated });
    },
  );

  adminRoute(
    ctx,
    admin,
    'get',
    '/projects/:projectId/grafana-user',
    { summary: 'The project’s Grafana user and its datasource file (never the password)', params: projectParams, response: grafanaUser },
    async (_req, res) => {
      const { projectId } = res.locals.params;
      const { name, server } = await serverFor(projectId);
      const record = await getGrafanaUser(store, projectId);
      if (!record) throw new ApiError(404, 'not_found', 'this project has no Grafana user: create one with POST /admin/projects/:projectId/grafana-user');
      res.json(answer(record, name, server));
    },
  );

  adminRoute(
    ctx,
    admin,
    'delete',
    '/projects/:projectId/grafana-user',
    { summary: 'Removes the project’s Grafana user, its quota and row policies, at once', params: projectParams, status: 204 },
    async (_req, res) => {
      const { projectId } = res.locals.params;
      const { server } = await serverFor(projectId);
      if (!(await refusedAs409(removeGrafanaUser(store, server, projectId)))) throw new ApiError(404, 'not_found', 'this project has no Grafana user');
      res.status(204).end();
    },
  );
}
