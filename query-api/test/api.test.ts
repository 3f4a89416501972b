/**
 * The query API against the real embedded store, fed through the real collector:
 * admin, isolation between projects, revocation, the trace timeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminToken, Projects, type Store } from '@flowtrace/store';
import { openCollector } from '@flowtrace/collector';
import { createQueryApp, type Timeline } from '@flowtrace/query-api';
import { openTempStore } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';

const ADMIN = 'admin-token-for-tests-0123456789';
let store: Store;
let api: string;
let otlp: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const opened = await openTempStore();
  store = opened.store;
  // One Projects instance, as in `flowtrace start`: a revocation reaches ingestion at once.
  const projects = new Projects(store, { keyCacheMs: 60_000 });
  const log = memoryLogger();
  const adminToken = await AdminToken.load(store, ADMIN);
  const queryServer = await listenApp(createQueryApp({ store, projects, adminToken, log, checkResponses: true }));
  const collectorServer = await listenApp((await openCollector({ store, projects, log, maxBodyBytes: 1 << 20, ttlDays: 30, maxFutureSkewSeconds: 3600 })).app);
  api = queryServer.url;
  otlp = collectorServer.url;
  cleanup = async () => {
    await Promise.all([queryServer.close(), collectorServer.close()]);
    await opened.dispose();
  };
});
afterAll(() => cleanup());

const admin = (method: string, path: string, body?: unknown, token = ADMIN) =>
  fetch(`${api}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const get = (path: string, key: string) => fetch(`${api}${path}`, { headers: { authorization: `Bearer ${key}` } });
const ingest = (signal: 'traces' | 'logs', key: string, body: unknown) =>
  fetch(`${otlp}/v1/${signal}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function newProject(name: string): Promise<{ id: string; key: string; keyId: string }> {
  const project = (await (await admin('POST', '/projects', { name })).json()) as { id: string };
  const created = (await (await admin('POST', `/projects/${project.id}/api-keys`, { name: 'default' })).json()) as { id: string; key: string };
  return { id: project.id, key: created.key, keyId: created.id };
}

const T0 = BigInt(Date.now() - 60_000) * 1_000_000n;
const at = (ms: number) => (T0 + BigInt(ms) * 1_000_000n).toString();
const str = (value: string) => ({ stringValue: value });

/** A workflow execution: root, two steps, an HTTP call under the second step, and its logs. */
function workflowTrace(traceId: string) {
  const span = (spanId: string, parentSpanId: string, name: string, startMs: number, endMs: number, extra: object = {}) => ({
    traceId, spanId, parentSpanId, name, startTimeUnixNano: at(startMs), endTimeUnixNano: at(endMs), ...extra,
  });
  return {
    traces: {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: str('workflow-runner') }] },
        scopeSpans: [{
          scope: { name: 'flowtrace', version: '0.1.0' },
          spans: [
            // Sent out of order on purpose: the timeline orders by start.
            span('0000000000000003', '0000000000000001', 'step 2: Salesforce Create Record', 200, 900, {
              status: { code: 2, message: 'HTTP 429' },
              events: [{ timeUnixNano: at(850), name: 'exception', attributes: [{ key: 'exception.type', value: str('RateLimitError') }] }],
            }),
            span('0000000000000001', '', 'workflow execution', 0, 1000, {
              kind: 2,
              attributes: [{ key: 'flowtrace.status', value: str('FAILED') }, { key: 'flowtrace.task_count', value: { intValue: '2' } }],
              links: [{ traceId: 'ffffffffffffffffffffffffffffffff', spanId: 'ffffffffffffffff', attributes: [{ key: 'link.kind', value: str('trigger') }] }],
            }),
            span('0000000000000002', '0000000000000001', 'step 1: App Event trigger', 10, 100),
            span('0000000000000004', '0000000000000003', 'POST https://api.salesforce.com', 300, 800, { kind: 3 }),
          ],
        }],
      }],
    },
    logs: {
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: str('workflow-runner') }] },
        scopeLogs: [{
          logRecords: [
            { timeUnixNano: at(950), severityNumber: 17, severityText: 'ERROR', eventName: 'workflow.failed', body: str('Workflow execution failed'), traceId, spanId: '0000000000000001' },
            { timeUnixNano: at(5), severityNumber: 9, severityText: 'INFO', body: str('App Event received'), traceId, attributes: [{ key: 'flowtrace.event_name', value: str('deal.created') }] },
          ],
        }],
      }],
    },
  };
}

describe('admin API', () => {
  it('refuses a missing or wrong admin token', async () => {
    expect((await fetch(`${api}/admin/projects`, { method: 'POST' })).status).toBe(401);
    const wrong = await admin('POST', '/projects', { name: 'x' }, 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: { code: 'unauthorized', message: 'invalid admin token' } });
  });

  it('validates input and lists every problem', async () => {
    const res = await admin('POST', '/projects', { name: '' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toContain('body.name: is required');
    const both = await admin('POST', '/projects/not-a-uuid/api-keys', {});
    expect(((await both.json()) as { error: { message: string } }).error.message).toMatch(/params\.projectId: must be a project id.*; body\.name: /);
    const badJson = await fetch(`${api}/admin/projects`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: '{"name":' });
    expect(badJson.status).toBe(400);
  });

  it('creates a project and a key shown once, lists keys without secrets, revokes', async () => {
    const project = await newProject(`Acme "quoted" ' name`);
    const list = await admin('GET', `/projects/${project.id}/api-keys`);
    const { apiKeys } = (await list.json()) as { apiKeys: Array<Record<string, unknown>> };
    expect(apiKeys).toHaveLength(1);
    expect(apiKeys[0]).toMatchObject({ id: project.keyId, projectId: project.id, name: 'default', revokedAt: null });
    expect(JSON.stringify(apiKeys)).not.toContain(project.key);
    expect(apiKeys[0]!.prefix).toBe(project.key.slice(0, 12));

    expect((await admin('DELETE', `/projects/${project.id}/api-keys/${project.keyId}`)).status).toBe(204);
    expect((await admin('DELETE', `/projects/${project.id}/api-keys/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await admin('GET', '/projects/00000000-0000-4000-8000-000000000000/api-keys')).status).toBe(404);
  });

  it('lists the projects, and refuses a name already taken (in any case) with 409 naming it', async () => {
    const first = await newProject('Acme CRM');
    const res = await admin('POST', '/projects', { name: '  acme crm ' });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; message: string; name: string; projectId: string } };
    expect(body.error).toMatchObject({ code: 'conflict', name: 'acme crm', projectId: first.id });
    expect(body.error.message).toContain('a project named "acme crm" already exists');
    // Created at the same moment, one of two same-named projects is refused.
    const both = await Promise.all([admin('POST', '/projects', { name: 'Twin' }), admin('POST', '/projects', { name: 'twin' })]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);

    const list = await admin('GET', '/projects');
    expect(list.status).toBe(200);
    const { projects } = (await list.json()) as { projects: Array<{ id: string; name: string; createdAt: string }> };
    expect(projects.filter((p) => p.name.toLowerCase() === 'acme crm')).toEqual([{ id: first.id, name: 'Acme CRM', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) }]);
    expect(projects.filter((p) => p.name.toLowerCase() === 'twin')).toHaveLength(1);
    expect([...projects].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map((p) => p.id)).toEqual(projects.map((p) => p.id));
    expect((await fetch(`${api}/admin/projects`)).status).toBe(401);
    expect((await admin('GET', '/projects', undefined, 'not-the-token')).status).toBe(401);
  });

  it("sets and reads a project's redaction patterns, refusing one that cannot be used by its place", async () => {
    const project = await newProject('Redacted');
    const path = `/projects/${project.id}/redaction`;
    expect(await (await admin('GET', path)).json()).toEqual({ projectId: project.id, patterns: [], updatedAt: null });

    const bad = await admin('PUT', path, { patterns: ['ACME-[0-9]{6}', 'ACME-(', 'x?', 'a'.repeat(201)] });
    expect(bad.status).toBe(400);
    const { message } = ((await bad.json()) as { error: { message: string } }).error;
    expect(message).toMatch(/body\.patterns\[1\]: is not a valid regular expression/);
    expect(message).toContain('body.patterns[2]: matches the empty string');
    expect(message).toContain('body.patterns[3]: must be at most 200 characters');
    expect(message).not.toContain('patterns[0]');
    expect((await admin('PUT', path, { patterns: Array.from({ length: 51 }, (_, i) => `p${i}`) })).status).toBe(400);
    expect((await admin('PUT', path, { patterns: ['x'], other: 1 })).status).toBe(400);

    const set = await admin('PUT', path, { patterns: ['ACME-[0-9]{6}', 'internal-[a-z]+\\.corp'] });
    expect(set.status).toBe(200);
    const got = (await (await admin('GET', path)).json()) as { patterns: string[]; updatedAt: string };
    expect(got.patterns).toEqual(['ACME-[0-9]{6}', 'internal-[a-z]+\\.corp']);
    expect(Date.parse(got.updatedAt)).toBeGreaterThan(Date.now() - 60_000);
    // Replaced whole, also right after the previous change.
    await admin('PUT', path, { patterns: [] });
    expect(((await (await admin('GET', path)).json()) as { patterns: string[] }).patterns).toEqual([]);

    expect((await admin('GET', '/projects/00000000-0000-4000-8000-000000000000/redaction')).status).toBe(404);
    expect((await fetch(`${api}/admin${path}`)).status).toBe(401);
    const openapi = (await (await fetch(`${api}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(openapi.paths['/admin/projects/{projectId}/redaction'] ?? {}).sort()).toEqual(['get', 'put']);
  });
});

describe('trace timeline', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  let a: { id: string; key: string; keyId: string };
  let b: { id: string; key: string; keyId: string };
  beforeAll(async () => {
    a = await newProject('A');
    b = await newProject('B');
    const trace = workflowTrace(traceId);
    expect((await ingest('traces', a.key, trace.traces)).status).toBe(200);
    // A retried export of the same spans: stored twice, shown once.
    expect((await ingest('traces', a.key, trace.traces)).status).toBe(200);
    expect((await ingest('logs', a.key, trace.logs)).status).toBe(200);
  });

  it('returns the spans as a tree ordered by start, and the logs by time', async () => {
    const res = await get(`/projects/${a.id}/traces/${traceId.toUpperCase()}`, a.key);
    expect(res.status).toBe(200);
    const timeline = (await res.json()) as Timeline;
    expect(timeline.traceId).toBe(traceId);
    expect(timeline.truncated).toBe(false);
    expect(timeline.spans.map((s) => [s.name, s.depth, s.parentSpanId])).toEqual([
      ['workflow execution', 0, null],
      ['step 1: App Event trigger', 1, '0000000000000001'],
      ['step 2: Salesforce Create Record', 1, '0000000000000001'],
      ['POST https://api.salesforce.com', 2, '0000000000000003'],
    ]);
    const [root, , failedStep, http] = timeline.spans;
    expect(root).toMatchObject({
      kind: 'Server',
      serviceName: 'workflow-runner',
      durationMs: 1000,
      status: { code: 'Unset', message: '' },
      attributes: { 'flowtrace.status': 'FAILED', 'flowtrace.task_count': '2' },
      resourceAttributes: { 'service.name': 'workflow-runner' },
      scope: { name: 'flowtrace', version: '0.1.0' },
      links: [{ traceId: 'ffffffffffffffffffffffffffffffff', spanId: 'ffffffffffffffff', traceState: '', attributes: { 'link.kind': 'trigger' } }],
    });
    expect(root!.startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(Date.parse(root!.endTime) - Date.parse(root!.startTime)).toBe(1000);
    expect(failedStep).toMatchObject({ status: { code: 'Error', message: 'HTTP 429' }, events: [{ name: 'exception', attributes: { 'exception.type': 'RateLimitError' } }] });
    expect(http!.kind).toBe('Client');
    expect(timeline.logs.map((l) => [l.body, l.severityText, l.severityNumber, l.eventName, l.spanId])).toEqual([
      ['App Event received', 'INFO', 9, '', null],
      ['Workflow execution failed', 'ERROR', 17, 'workflow.failed', '0000000000000001'],
    ]);
    expect(timeline.logs[0]!.attributes).toEqual({ 'flowtrace.event_name': 'deal.created' });
    expect(timeline.durationMs).toBe(1000);
  });

  it('finds a trace that so far has only logs', async () => {
    const logsOnly = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab';
    expect((await ingest('logs', a.key, workflowTrace(logsOnly).logs)).status).toBe(200);
    const timeline = (await (await get(`/projects/${a.id}/traces/${logsOnly}`, a.key)).json()) as Timeline;
    expect(timeline.spans).toEqual([]);
    expect(timeline.logs).toHaveLength(2);
  });

  it("answers another project's key with the same 404 as an unknown trace", async () => {
    const foreign = await get(`/projects/${a.id}/traces/${traceId}`, b.key);
    const ownPathForeignTrace = await get(`/projects/${b.id}/traces/${traceId}`, b.key);
    const unknown = await get(`/projects/${a.id}/traces/11111111111111111111111111111111`, a.key);
    expect([foreign.status, ownPathForeignTrace.status, unknown.status]).toEqual([404, 404, 404]);
    const bodies = [await foreign.json(), await ownPathForeignTrace.json(), await unknown.json()] as Array<{ error: { code: string } }>;
    expect(bodies.map((body) => body.error.code)).toEqual(['not_found', 'not_found', 'not_found']);
  });

  it('refuses missing keys and validates the trace id', async () => {
    expect((await fetch(`${api}/projects/${a.id}/traces/${traceId}`)).status).toBe(401);
    const bad = await get(`/projects/${a.id}/traces/${encodeURIComponent("' OR 1=1 --")}`, a.key);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe('params.traceId: must be 32 hex characters');
  });

  it('refuses a revoked key at once, for queries and for ingestion', async () => {
    const extra = (await (await admin('POST', `/projects/${a.id}/api-keys`, { name: 'to revoke' })).json()) as { id: string; key: string };
    expect((await get(`/projects/${a.id}/traces/${traceId}`, extra.key)).status).toBe(200);
    expect((await admin('DELETE', `/projects/${a.id}/api-keys/${extra.id}`)).status).toBe(204);
    expect((await get(`/projects/${a.id}/traces/${traceId}`, extra.key)).status).toBe(401);
    expect((await ingest('traces', extra.key, workflowTrace(traceId).traces)).status).toBe(401);
  });
});

describe('health', () => {
  it('reports the store', async () => {
    const res = await fetch(`${api}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', store: 'embedded' });
  });
});
