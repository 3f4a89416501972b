/**
 * Per-project retention through the admin API, enforced on the real store:
 * by count (the oldest logs go first, and the limit holds while a project
 * floods), by age (spans, executions and counts too), one project never
 * trimming another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminToken, Projects, Retention, type Store } from '@flowtrace/store';
import { openCollector } from '@flowtrace/collector';
import { createQueryApp } from '@flowtrace/query-api';
import { toOtlpJson, workflowExecutionTrace } from '@flowtrace/conventions';
import { openTempStore } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';

const ADMIN = 'admin-token-for-retention-tests';
const DAY = 86_400_000;
const NOW = Date.now();
let store: Store;
let retention: Retention;
let api: string;
let otlp: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const opened = await openTempStore(0);
  store = opened.store;
  const projects = new Projects(store, { keyCacheMs: 60_000 });
  const log = memoryLogger();
  retention = new Retention(store, log);
  const query = await listenApp(createQueryApp({ store, projects, adminToken: await AdminToken.load(store, ADMIN), log, retention, checkResponses: true }));
  const collector = await listenApp((await openCollector({ store, projects, log, maxBodyBytes: 1 << 22, ttlDays: 0, maxFutureSkewSeconds: 3600, retention })).app);
  api = query.url;
  otlp = collector.url;
  cleanup = async () => {
    await retention.idle();
    await Promise.all([query.close(), collector.close()]);
    await opened.dispose();
  };
});
afterAll(() => cleanup());

const admin = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${api}/admin${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as any) };
};

async function newProject(name: string): Promise<{ id: string; key: string }> {
  const project = (await admin('POST', '/projects', { name })).body as { id: string };
  const key = (await admin('POST', `/projects/${project.id}/api-keys`, { name: 'k' })).body as { key: string };
  return { id: project.id, key: key.key };
}

/** `count` logs, one every `stepMs`, the newest at `newestMs`; bodies carry their index. */
async function sendLogs(key: string, count: number, newestMs: number, stepMs: number, label: string): Promise<void> {
  const logRecords = Array.from({ length: count }, (_, i) => ({
    timeUnixNano: (BigInt(newestMs - (count - 1 - i) * stepMs) * 1_000_000n).toString(),
    severityNumber: 9,
    severityText: 'INFO',
    body: { stringValue: `${label} ${i}` },
    attributes: [{ key: 'flowtrace.log.type', value: { stringValue: 'App Event' } }],
  }));
  const res = await fetch(`${otlp}/v1/logs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: { name: 't' }, logRecords }] }] }),
  });
  expect(res.status).toBe(200);
}

async function messages(project: { id: string; key: string }): Promise<string[]> {
  const out: string[] = [];
  let cursor = '';
  for (;;) {
    const res = await fetch(`${api}/projects/${project.id}/event-logs?limit=500${cursor}`, { headers: { authorization: `Bearer ${project.key}` } });
    const body = (await res.json()) as { logs: Array<{ message: string }>; nextCursor?: string };
    out.push(...body.logs.map((l) => l.message));
    if (!body.nextCursor) return out;
    cursor = `&cursor=${body.nextCursor}`;
  }
}

describe('retention', () => {
  it('keeps the newest logs up to the count limit, and only in its project', async () => {
    const a = await newProject('retention-a');
    const b = await newProject('retention-b');
    await sendLogs(a.key, 300, NOW - 60_000, 60_000, 'a');
    await sendLogs(b.key, 50, NOW - 60_000, 60_000, 'b');
    const set = await admin('PUT', `/projects/${a.id}/retention`, { plan: 'custom', maxLogs: 100 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ projectId: a.id, plan: 'custom', maxAgeDays: 0, maxLogs: 100, enforced: { logs: 100 } });
    const kept = await messages(a);
    expect(kept).toEqual(Array.from({ length: 100 }, (_, i) => `a ${299 - i}`));
    expect(await messages(b)).toHaveLength(50);
    expect((await admin('GET', `/projects/${a.id}/retention`)).body).toEqual({ projectId: a.id, plan: 'custom', maxAgeDays: 0, maxLogs: 100 });
    expect((await admin('GET', `/projects/${b.id}/retention`)).body).toEqual({ projectId: b.id, plan: 'none', maxAgeDays: 0, maxLogs: 0 });
  });

  it('holds the count limit while a project floods', async () => {
    const flood = await newProject('retention-flood');
    await admin('PUT', `/projects/${flood.id}/retention`, { plan: 'custom', maxLogs: 200 });
    for (let batch = 0; batch < 10; batch++) await sendLogs(flood.key, 100, NOW - 60_000 + batch * 1000, 1, `flood-${batch}`);
    await retention.idle();
    const kept = await messages(flood);
    expect(kept).toHaveLength(200);
    // The newest two batches, nothing older.
    expect(kept.every((m) => m.startsWith('flood-9 ') || m.startsWith('flood-8 '))).toBe(true);
  });

  it('drops data older than the plan’s age: logs, spans, executions and their counts', async () => {
    const p = await newProject('retention-age');
    const execution = (id: string, startedAt: number) =>
      workflowExecutionTrace({ executionId: id, workflowId: 'wf', userId: 'u', integration: 'salesforce', status: 'SUCCEEDED', startedAt, endedAt: startedAt + 1000 });
    const otlpJson = toOtlpJson([execution('old', NOW - 9 * DAY), execution('new', NOW - DAY)], [], { 'service.name': 'svc' });
    for (const [signal, body] of [['traces', otlpJson.traces], ['logs', otlpJson.logs]] as const) {
      const res = await fetch(`${otlp}/v1/${signal}`, { method: 'POST', headers: { authorization: `Bearer ${p.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
    }
    const list = async () => {
      const res = await fetch(`${api}/projects/${p.id}/task-history/workflow-executions`, { headers: { authorization: `Bearer ${p.key}` } });
      return ((await res.json()) as { workflowExecutions: Array<{ id: string }>; total: number });
    };
    expect((await list()).total).toBe(2);
    const set = await admin('PUT', `/projects/${p.id}/retention`, { plan: 'trial' });
    expect(set.body).toMatchObject({ plan: 'trial', maxAgeDays: 7, maxLogs: 50_000 });
    const after = await list();
    expect(after.workflowExecutions.map((e) => e.id)).toEqual(['new']);
    expect(after.total).toBe(1);
    const stats = await fetch(`${api}/projects/${p.id}/stats/executions?from=${new Date(NOW - 20 * DAY).toISOString()}`, { headers: { authorization: `Bearer ${p.key}` } });
    expect(((await stats.json()) as { totals: { executions: number } }).totals.executions).toBe(1);
    const rows = await store.select<{ n: string }>('test', `SELECT count() AS n FROM otel_traces WHERE ProjectId = {p:String} AND Timestamp < now64() - INTERVAL 7 DAY`, { p: p.id });
    expect(Number(rows[0]!.n)).toBe(0);
    expect(await messages(p)).toEqual(expect.arrayContaining([expect.stringContaining('SUCCEEDED')]));
  });

  it('validates plans and limits', async () => {
    const p = await newProject('retention-bad');
    const custom = await admin('PUT', `/projects/${p.id}/retention`, { plan: 'custom' });
    expect(custom.status).toBe(400);
    expect(custom.body.error.message).toContain('body.plan: custom needs maxAgeDays, maxLogs or both');
    const preset = await admin('PUT', `/projects/${p.id}/retention`, { plan: 'trial', maxLogs: 5, maxAgeDays: 0 });
    expect(preset.status).toBe(400);
    expect(preset.body.error.message).toContain('body.maxAgeDays');
    expect((await admin('PUT', `/projects/${p.id}/retention`, { plan: 'gold' })).status).toBe(400);
    expect((await admin('PUT', '/projects/00000000-0000-4000-8000-000000000000/retention', { plan: 'pro' })).status).toBe(404);
  });
});
