/**
 * The mistakes of a first hour with `flowtrace start`, each answered with what
 * went wrong and what to send instead: the admin token where a project key
 * goes (and the other way round), a form where JSON goes, an integration
 * written as its display name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOtlpJson, workflowExecutionTrace } from '@flowtrace/conventions';
import { tempDir } from '../support/store.js';
import { createProject, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const dir = tempDir('flowtrace-errors-');
let flowtrace: RunningFlowtrace;
let admin: string;
let project: { id: string; key: string };

beforeAll(async () => {
  flowtrace = await startFlowtrace(dir.path);
  admin = flowtrace.adminToken!;
  project = await createProject(flowtrace, 'first hour');
});
afterAll(async () => {
  await flowtrace?.stop();
  dir.remove();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const errorOf = async (res: Response) => ((await res.json()) as { error?: { code: string; message: string }; message?: string });

describe('the admin token where a project key goes', () => {
  it('on a query endpoint: says it is the admin token and how to get a project key', async () => {
    const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}/task-history/workflow-executions`, { headers: bearer(admin) });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).error).toEqual({
      code: 'unauthorized',
      message:
        'this is the admin token, which opens /admin endpoints only; /projects/:projectId endpoints need a project API key (ftk_…): create one with POST /admin/projects/:projectId/api-keys (admin token)',
    });
  });

  it('on the collector: the same, and nothing is stored', async () => {
    const { traces } = toOtlpJson([workflowExecutionTrace(execution('exec-admin-token', 'salesforce'))], [], { 'service.name': 'first-hour' });
    const res = await fetch(`${flowtrace.otlpUrl}/v1/traces`, { method: 'POST', headers: { ...bearer(admin), 'content-type': 'application/json' }, body: JSON.stringify(traces) });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/^this is the admin token, which opens the query API's \/admin endpoints only; ingestion needs a project API key \(ftk_…\)/);
    expect(await executions('')).toEqual([]);
  });

  it('a project key on /admin: says it is a project key and what /admin takes', async () => {
    const res = await fetch(`${flowtrace.apiUrl}/admin/projects`, { method: 'POST', headers: { ...bearer(project.key), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).error!.message).toMatch(/^this is a project API key, which opens \/projects\/:projectId endpoints only; \/admin endpoints need the admin token/);
  });

  it('an unknown key is still just unknown', async () => {
    const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}/task-history/workflow-executions`, { headers: bearer('ftk_not-a-key-of-anyone') });
    expect((await errorOf(res)).error!.message).toBe('unknown or revoked API key');
  });
});

describe('a body that is not JSON', () => {
  it('a form (curl -d without a Content-Type) gets 415 naming the Content-Type to send', async () => {
    const res = await fetch(`${flowtrace.apiUrl}/admin/projects`, { method: 'POST', headers: { ...bearer(admin), 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=crm' });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).error).toEqual({
      code: 'unsupported_media_type',
      message: 'this endpoint takes a JSON body: send it with "Content-Type: application/json" (got "application/x-www-form-urlencoded")',
    });
  });

  it('no body at all is called missing, not a field received undefined', async () => {
    const res = await fetch(`${flowtrace.apiUrl}/admin/projects`, { method: 'POST', headers: bearer(admin) });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).error!.message).toBe('body: is missing: this endpoint takes a JSON object, sent with "Content-Type: application/json"');
  });

  it('JSON still works', async () => {
    const res = await fetch(`${flowtrace.apiUrl}/admin/projects`, { method: 'POST', headers: { ...bearer(admin), 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ name: 'crm' }) });
    expect(res.status).toBe(201);
  });
});

describe('integration names', () => {
  it('match whatever their case: integration=Salesforce finds salesforce', async () => {
    const { traces } = toOtlpJson(
      [workflowExecutionTrace(execution('exec-sf', 'salesforce')), workflowExecutionTrace(execution('exec-hs', 'hubspot'))],
      [],
      { 'service.name': 'first-hour' },
    );
    const res = await fetch(`${flowtrace.otlpUrl}/v1/traces`, { method: 'POST', headers: { ...bearer(project.key), 'content-type': 'application/json' }, body: JSON.stringify(traces) });
    expect(res.status).toBe(200);
    expect(await executions('')).toEqual(['exec-hs', 'exec-sf']);
    expect(await executions('salesforce')).toEqual(['exec-sf']);
    expect(await executions('Salesforce')).toEqual(['exec-sf']);
    expect(await executions('SALESFORCE')).toEqual(['exec-sf']);
    expect(await executions('HubSpot')).toEqual(['exec-hs']);
  });
});

function execution(executionId: string, integration: string) {
  const startedAt = Date.now() - 60_000;
  return { executionId, workflowId: 'wf-sync', userId: 'user-1', integration, status: 'SUCCEEDED' as const, startedAt, endedAt: startedAt + 1000 };
}

/** Task History's executions (ids, sorted) for an integration filter ('' : none). */
async function executions(integration: string): Promise<string[]> {
  const query = integration ? `?integration=${encodeURIComponent(integration)}` : '';
  const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}/task-history/workflow-executions${query}`, { headers: bearer(project.key) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { workflowExecutions: Array<{ id: string }> }).workflowExecutions.map((e) => e.id).sort();
}
