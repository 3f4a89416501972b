/**
 * A new user's first hour, finding things: a trace by what happened in it, the
 * Syncs of the project, Workato's job history and a job's logs, Event Logs
 * searched by an event name or an error code, one format for every date, and
 * links that never carry an origin a request's Host header made up. The data
 * goes through the official OTel SDK into the collector and the embedded
 * store; every expected answer is derived from the records sent
 * (test/support/dataset.ts).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AdminToken } from '@flowtrace/store';
import { createQueryApp } from '@flowtrace/query-api';
import { emitTrace } from '@flowtrace/instrumentation';
import { openPipeline, type Pipeline } from '../../test/support/pipeline.js';
import { buildDataset, type Dataset } from '../../test/support/dataset.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';
import { searchTraces, type TraceSearch } from '../src/repositories/traces.js';

let p: Pipeline;
let data: Dataset;
const NOW = Date.now();
const SERVICE = 'integration-platform';

beforeAll(async () => {
  p = await openPipeline();
  data = buildDataset(NOW - 60_000, 60);
  const tracer = trace.getTracer('finding-test');
  const logger = logs.getLogger('finding-test');
  for (let i = 0; i < data.traces.length; i += 40) {
    for (const spec of data.traces.slice(i, i + 40)) emitTrace(spec, tracer, logger);
    await p.flush();
  }
}, 120_000);
afterAll(() => p.close());

async function get<T = any>(path: string, key = p.key): Promise<{ status: number; body: T }> {
  const res = await fetch(path.startsWith('http') ? path : `${p.apiUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  return { status: res.status, body: ((res.headers.get('content-type') ?? '').startsWith('application/json') ? JSON.parse(text) : text) as T };
}
const project = (path: string) => `/projects/${p.projectId}${path}`;

/** Every item of a list, following nextLink to the end. */
async function walk<T>(path: string, name: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = path;
  for (let pages = 0; next; pages++) {
    if (pages > 200) throw new Error(`${path}: pagination does not end`);
    const page: { status: number; body: any } = await get(next);
    expect(page.status, `${next}: ${JSON.stringify(page.body)}`).toBe(200);
    items.push(...page.body[name]);
    next = page.body.nextLink;
  }
  return items;
}

/** Epoch milliseconds as the nanoseconds the SDK sends (rounded to the microsecond). */
const nanosOf = (ms: number): bigint => {
  const seconds = Math.floor(ms / 1000);
  return BigInt(seconds) * 1_000_000_000n + BigInt(Math.round((ms - seconds * 1000) * 1000)) * 1000n;
};
const iso9 = (ns: bigint) => `${new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;

type Span = Dataset['traces'][number]['spans'][number];
interface Conditions {
  service?: string;
  spanName?: string;
  status?: number[];
  minMs?: number;
  maxMs?: number;
  attributes?: Array<[string, string]>;
  fromMs?: number;
  toMs?: number;
}

const spanMatches = (s: Span, c: Conditions): boolean => {
  const durationMs = (s.endTime ?? s.startTime) - s.startTime;
  const attributes: Record<string, string> = { 'service.name': SERVICE, ...Object.fromEntries(Object.entries(s.attributes).map(([k, v]) => [k, String(v)])) };
  return (
    (c.service === undefined || c.service === SERVICE) &&
    (c.spanName === undefined || s.name === c.spanName) &&
    (c.status === undefined || c.status.includes(s.status?.code ?? 0)) &&
    (c.minMs === undefined || durationMs >= c.minMs) &&
    (c.maxMs === undefined || durationMs <= c.maxMs) &&
    (c.attributes ?? []).every(([k, v]) => attributes[k] === v) &&
    (c.fromMs === undefined || nanosOf(s.startTime) >= nanosOf(c.fromMs)) &&
    (c.toMs === undefined || nanosOf(s.startTime) < nanosOf(c.toMs))
  );
};

/** The trace ids a search answers, in its order: by the earliest matching span's start, newest first, then by id. */
function expectedSearch(c: Conditions): string[] {
  return data.traces
    .flatMap((t) => {
      const starts = t.spans.filter((s) => spanMatches(s, c)).map((s) => nanosOf(s.startTime));
      return starts.length === 0 ? [] : [{ traceId: t.traceId, key: starts.reduce((a, b) => (b < a ? b : a)) }];
    })
    .sort((a, b) => (a.key !== b.key ? (a.key < b.key ? 1 : -1) : a.traceId < b.traceId ? 1 : -1))
    .map((t) => t.traceId);
}

interface TraceSummaryJson {
  traceId: string;
  rootServiceName: string | null;
  rootSpanName: string | null;
  startTime: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
}

describe('Trace search', () => {
  const failedExecution = () => data.traces.find((t) => t.spans.some((s) => s.status?.code === 2) && t.spans[0]!.name.startsWith('workflow'))!;

  it('lists every trace newest first, 7 a page through nextLink, and finds them by span name, status, duration, attributes and time', async () => {
    const name = failedExecution().spans[1]!.name;
    const from = NOW - 2 * 86_400_000;
    const to = NOW - 86_400_000;
    const cases: Array<[string, Conditions]> = [
      ['', {}],
      [`?service=${SERVICE}`, { service: SERVICE }],
      ['?service=nosuch', { service: 'nosuch' }],
      [`?spanName=${encodeURIComponent(name)}`, { spanName: name }],
      ['?status=error', { status: [2] }],
      ['?status=ok,unset&minDuration=1s', { status: [0, 1], minMs: 1000 }],
      ['?maxDuration=150ms', { maxMs: 150 }],
      ['?minDuration=0.5s&maxDuration=900ms', { minMs: 500, maxMs: 900 }],
      ['?attribute=flowtrace.integration%3Dsalesforce', { attributes: [['flowtrace.integration', 'salesforce']] }],
      ['?attribute=flowtrace.integration%3Dsalesforce&attribute=user.id%3Duser-2', { attributes: [['flowtrace.integration', 'salesforce'], ['user.id', 'user-2']] }],
      [`?attribute=service.name%3D${SERVICE}&status=error`, { status: [2] }],
      [`?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`, { fromMs: from, toMs: to }],
      [`?from=${new Date(from).toISOString()}&status=error&limit=3`, { fromMs: from, status: [2] }],
    ];
    for (const [query, conditions] of cases) {
      const expected = expectedSearch(conditions);
      const limit = query.includes('limit=') ? '' : `${query ? '&' : '?'}limit=7`;
      const got = await walk<TraceSummaryJson>(project(`/traces${query}${limit}`), 'traces');
      expect(got.map((t) => t.traceId), query || '(no condition)').toEqual(expected);
    }
    expect(expectedSearch({}).length).toBe(data.traces.filter((t) => t.spans.length > 0).length);
    expect(expectedSearch({ status: [2] }).length).toBeGreaterThan(5);
  });

  it('answers per trace what a trace list shows: root service and name, start, duration, spans, errors', async () => {
    const failed = failedExecution();
    const [summary] = (await get<{ traces: TraceSummaryJson[] }>(project(`/traces?attribute=flowtrace.execution.id%3D${failed.spans[0]!.attributes['flowtrace.execution.id']}`))).body.traces;
    const start = failed.spans.reduce((min, s) => Math.min(min, s.startTime), Infinity);
    const end = failed.spans.reduce((max, s) => Math.max(max, s.endTime ?? s.startTime), 0);
    expect(summary).toEqual({
      traceId: failed.traceId,
      rootServiceName: SERVICE,
      rootSpanName: failed.spans[0]!.name,
      startTime: iso9(nanosOf(start)),
      durationMs: end - start,
      spanCount: failed.spans.length,
      errorCount: failed.spans.filter((s) => s.status?.code === 2).length,
    });
  });

  it('pages the same in any window sizes the search reads through', async () => {
    for (const conditions of [{}, { status: [2] }] as Conditions[]) {
      const expected = expectedSearch(conditions);
      for (const firstWindowNs of [1_000_000_000n, 60_000_000_000n, 3_600_000_000_000n]) {
        const q: TraceSearch = { projectId: p.projectId, attributes: [], statusCodes: conditions.status ? ['Error'] : undefined, limit: 11 };
        const ids: string[] = [];
        for (let after: TraceSearch['after']; ; ) {
          const rows = await searchTraces(p.store, { ...q, after }, { firstWindowNs });
          ids.push(...rows.slice(0, q.limit).map((r) => r.traceId));
          if (rows.length <= q.limit) break;
          const last = rows[q.limit - 1]!;
          after = { nanos: BigInt(last.matchNanos), traceId: last.traceId, windowNs: BigInt(last.windowNs) };
        }
        expect(ids, `window ${firstWindowNs} ns, ${JSON.stringify(conditions)}`).toEqual(expected);
      }
    }
  });

  it('refuses bad conditions, naming each and how to write it', async () => {
    const { status, body } = await get(project('/traces?status=broken&minDuration=5&maxDuration=1h&attribute=novalue&cursor=abc&limit=101&from=2024-02-30'));
    expect(status).toBe(400);
    for (const text of ['query.status', 'query.minDuration: must be a duration with its unit, such as 250ms', 'query.attribute', 'must be key=value', 'query.cursor', 'query.limit', 'query.from']) expect(body.error.message).toContain(text);
    const reversed = await get(project('/traces?minDuration=2s&maxDuration=1s'));
    expect(reversed.body.error.message).toContain('query.minDuration: must not be longer than maxDuration');
  });
});

describe('Syncs', () => {
  /** The Syncs of the dataset as the list answers them, latest run first. */
  function expectedSyncs(match: (r: Dataset['syncRuns'][number]) => boolean = () => true) {
    const bySync = new Map<string, Dataset['syncRuns']>();
    for (const run of data.syncRuns.filter(match)) bySync.set(run.syncId, [...(bySync.get(run.syncId) ?? []), run]);
    return [...bySync.entries()]
      .map(([syncId, runs]) => {
        const last = runs.reduce((a, b) => (Number(b.startedAt) > Number(a.startedAt) ? b : a));
        return {
          syncId,
          syncType: last.syncType,
          pipeline: last.pipeline,
          integration: last.integration,
          userId: last.userId,
          lastRun: { syncStatus: last.syncStatus, startedAt: iso9(nanosOf(Number(last.startedAt))), endedAt: iso9(nanosOf(Number(last.endedAt))), durationMs: Number(last.endedAt) - Number(last.startedAt) },
          runs: runs.length,
          failedRuns: runs.filter((r) => r.syncStatus === 'ERRORED').length,
          at: Number(last.startedAt),
        };
      })
      .sort((a, b) => b.at - a.at)
      .map(({ at: _, ...sync }) => sync);
  }

  it('lists the Syncs with their latest run and run counts, without knowing a sync id first', async () => {
    const cases: Array<[string, (r: Dataset['syncRuns'][number]) => boolean]> = [
      ['', () => true],
      ['?userId=user-2', (r) => r.userId === 'user-2'],
      ['?integration=googledrive', (r) => r.integration === 'googledrive'],
    ];
    for (const [query, match] of cases) {
      const { status, body } = await get(project(`/syncs${query}`));
      expect(status).toBe(200);
      const expected = expectedSyncs(match);
      expect(body.total, query).toBe(expected.length);
      expect(body.syncs.map(({ lastRun: { traceId, ...lastRun }, ...sync }: any) => ({ ...sync, lastRun })), query).toEqual(expected);
    }
    const errored = await get(project('/syncs?syncStatus=ERRORED'));
    expect(errored.body.syncs.map((s: { syncId: string }) => s.syncId)).toEqual(expectedSyncs().filter((s) => s.lastRun.syncStatus === 'ERRORED').map((s) => s.syncId));
    // The latest run's trace is the run's own: its runs list and Event Logs follow from here.
    const [first] = (await get(project('/syncs'))).body.syncs;
    const runs = await get(project(`/syncs/${first.syncId}/runs`));
    expect(runs.body.runs[0].traceId).toBe(first.lastRun.traceId);
    const paged = await get(project('/syncs?limit=1'));
    expect(paged.body.nextLink).toMatch(/\/syncs\?limit=1&offset=1$/);
    expect((await get(paged.body.nextLink)).body.syncs[0].syncId).toBe(expectedSyncs()[1]!.syncId);
    expect((await get(project('/syncs?offset=10'))).body).toEqual({ syncs: [], total: expectedSyncs().length });
  });
});

describe('Workato job history', () => {
  const byStartDesc = (jobs: Dataset['jobs']) => [...jobs].sort((a, b) => Number(b.startedAt) - Number(a.startedAt)).map((j) => j.jobId);

  it('lists recipe jobs newest first, by recipe, status, master job and calling job', async () => {
    const cases: Array<[string, (j: Dataset['jobs'][number]) => boolean]> = [
      ['', () => true],
      ['?recipeId=3026581', (j) => j.recipeId === '3026581'],
      ['?status=failed', (j) => j.status === 'failed'],
      ['?status=succeeded&userId=41000', (j) => j.status === 'succeeded' && j.user?.id === '41000'],
      ['?masterJobId=j-master-1', (j) => j.masterJobId === 'j-master-1'],
      ['?callingJobId=j-master-1', (j) => j.callingJobId === 'j-master-1'],
      ['?rootJobId=j-master-1', (j) => j.rootJobId === 'j-master-1'],
    ];
    for (const [query, match] of cases) {
      const got = await walk<{ jobId: string }>(project(`/workato/jobs${query}${query ? '&' : '?'}limit=2`), 'jobs');
      expect(got.map((j) => j.jobId), query).toEqual(byStartDesc(data.jobs.filter(match)));
    }
  });

  it('shows a job as Workato describes it: recipe, status, times, relations, error', async () => {
    const failed = data.jobs.find((j) => j.jobId === 'j-fn-2')!;
    const { body } = await get(project('/workato/jobs?recipeId=3026581&status=failed'));
    expect(body.jobs).toEqual([
      expect.objectContaining({
        jobId: 'j-fn-2',
        recipeId: '3026581',
        recipeName: 'Update customer contact details',
        status: 'failed',
        startedAt: iso9(nanosOf(Number(failed.startedAt))),
        callingJobId: 'j-master-1',
        callingRecipeId: '3026585',
        rootJobId: 'j-master-1',
        masterJobId: 'j-fn-2',
        isRepeat: false,
        isTest: false,
        error: { type: 'Bad data sent to API server', message: 'Invalid Salesforce ID value(s) for: AccountId' },
      }),
    ]);
    const repeat = (await get(project('/workato/jobs?masterJobId=j-master-1&status=failed'))).body.jobs[0];
    expect(repeat).toMatchObject({ jobId: 'j-repeat-2', isRepeat: true, repeatCount: 2, parentJobId: 'j-repeat-1' });
    expect((await get(project('/workato/jobs?status=succeeded'))).body.jobs.find((j: { jobId: string }) => j.jobId === 'j-test-1')).toMatchObject({ isTest: true, error: null });
  });

  it('opens a job with its lines, the recipe functions it called and the jobs under it as master', async () => {
    const { status, body } = await get(project('/workato/jobs/j-master-1'));
    expect(status).toBe(200);
    expect(body).toMatchObject({ jobId: 'j-master-1', recipeName: 'Sync customers', status: 'succeeded', linesOmitted: false });
    expect(body.lines.map((l: { lineNumber: number; adapter: string; operation: string }) => [l.lineNumber, l.adapter, l.operation])).toEqual([
      [0, 'scheduler', 'trigger'],
      [1, 'workato_recipe_function', 'call_recipe'],
    ]);
    expect(body.calledJobs.map((j: { jobId: string }) => j.jobId)).toEqual(['j-fn-1', 'j-fn-2']);
    expect(body.childJobs.map((j: { jobId: string }) => j.jobId)).toEqual(['j-repeat-1', 'j-repeat-2']);
    const failedLine = (await get(project('/workato/jobs/j-fn-2'))).body.lines.find((l: { lineNumber: number }) => l.lineNumber === 2);
    expect(failedLine).toMatchObject({ adapter: 'salesforce', operation: 'create_custom_object', error: 'Invalid Salesforce ID value(s) for: AccountId' });
    expect((await get(project('/workato/jobs/j-nosuch'))).status).toBe(404);
  });

  it("finds a job's logs in Event Logs by its job id", async () => {
    for (const jobId of ['j-fn-2', 'j-master-1']) {
      const expected = data.traces.flatMap((t) => t.logs).filter((l) => l.attributes['flowtrace.job.id'] === jobId);
      expect(expected.length, jobId).toBeGreaterThan(0);
      const got = await walk<{ message: string; event: { jobId: string } }>(project(`/event-logs?jobId=${jobId}&limit=1`), 'logs');
      expect(got.map((l) => l.message).sort(), jobId).toEqual(expected.map((l) => l.body).sort());
      expect(got.every((l) => l.event.jobId === jobId)).toBe(true);
    }
    expect((await get(project('/event-logs?jobId=j-nosuch'))).body.logs).toEqual([]);
  });
});

describe('Event Logs: one name, one meaning', () => {
  it('gives the OTel event name as otelEventName and the App Event’s name as event.eventName', async () => {
    const appEventLogs = (await walk<any>(project('/event-logs?type=App%20Event'), 'logs'));
    const sent = data.traces.flatMap((t) => t.logs).filter((l) => l.attributes['flowtrace.log.type'] === 'App Event');
    expect(appEventLogs.length).toBe(sent.length);
    for (const log of appEventLogs) {
      expect(log).not.toHaveProperty('eventName');
      const source = sent.find((l) => l.body === log.message && l.attributes['flowtrace.event.id'] === log.event.eventId)!;
      expect(log.otelEventName).toBe(source.eventName);
      expect(log.event.eventName).toBe(source.attributes['flowtrace.event.name']);
    }
    expect(new Set(appEventLogs.map((l) => l.event.eventName))).toEqual(new Set(['Deal Created', 'Contact Updated']));
  });

  it('gives Managed Sync logs userId and integration (the Managed Sync names) beside endUserId and integrationId', async () => {
    const syncLogs = await walk<any>(project('/event-logs?type=Managed%20Sync'), 'logs');
    expect(syncLogs.length).toBeGreaterThan(0);
    for (const log of syncLogs) {
      expect(log.event.userId).toBe(log.event.endUserId);
      expect(log.event.integration).toBe(log.event.integrationId);
      expect(log.event.userId).toEqual(expect.any(String));
    }
    const [other] = (await get(project('/event-logs?type=ActionKit&limit=1'))).body.logs;
    expect(other.event).not.toHaveProperty('userId');
    expect(other.event).not.toHaveProperty('integration');
  });

  it('finds SYNC_RUN_ERROR and an error code with q, though no message contains them', async () => {
    const errored = await get(project('/event-logs?q=SYNC_RUN_ERROR'));
    expect(errored.body.logs.length).toBeGreaterThan(0);
    expect(errored.body.logs.every((l: any) => l.event.syncEvent === 'SYNC_RUN_ERROR')).toBe(true);
    const auth = await get(project('/event-logs?q=auth_failed'));
    expect(auth.body.logs.map((l: any) => l.event.error.errorCode)).toEqual(auth.body.logs.map(() => 'AUTH_FAILED'));
    expect(auth.body.logs.length).toBeGreaterThan(0);
  });
});

describe('Dates: one format for one kind of value', () => {
  const MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
  const NS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

  it('gives telemetry times with nanoseconds everywhere, and Task History its milliseconds', async () => {
    const execution = data.executions[0]!;
    const th = await get(project(`/task-history/workflow-executions/${execution.executionId}`));
    expect(th.body.dateStarted).toBe(new Date(Number(execution.startedAt)).toISOString());
    expect(th.body.steps.every((s: { dateStarted: string; dateEnded: string }) => MS.test(s.dateStarted) && MS.test(s.dateEnded))).toBe(true);
    const step = await get(project(`/task-history/workflow-executions/${execution.executionId}/step-executions/step-send`));
    expect([step.body.dateStarted, ...step.body.requests.map((r: { dateStarted: string }) => r.dateStarted), ...step.body.logs.map((l: { timestamp: string }) => l.timestamp)].every((d) => MS.test(d))).toBe(true);

    const call = data.toolCalls[0]!;
    const [listed] = (await get(project(`/actionkit/tool-calls?requestId=${call.requestId}`))).body.toolCalls;
    expect(listed.receivedAt).toBe(iso9(nanosOf(Number(call.receivedAt))));
    const run = data.agentRuns[0]!;
    const agentRun = (await get(project(`/agent-runs/${run.runId}`))).body;
    expect([agentRun.startedAt, agentRun.endedAt]).toEqual([iso9(nanosOf(Number(run.startedAt))), iso9(nanosOf(Number(run.endedAt)))]);
    expect((await get(project('/syncs/sync-contacts-1/runs'))).body.runs.every((r: { startedAt: string; endedAt: string }) => NS.test(r.startedAt) && NS.test(r.endedAt))).toBe(true);
    expect((await get(project('/event-logs?limit=20'))).body.logs.every((l: { timestamp: string }) => NS.test(l.timestamp))).toBe(true);
    const timeline = (await get(project(`/traces/${data.traces[0]!.traceId}`))).body;
    expect([timeline.startTime, ...timeline.spans.map((s: { startTime: string }) => s.startTime)].every((d) => NS.test(d))).toBe(true);
    expect((await get(project('/traces?limit=5'))).body.traces.every((t: { startTime: string }) => NS.test(t.startTime))).toBe(true);

    const range = `from=${new Date(NOW - 5 * 86_400_000).toISOString()}&to=${new Date(NOW + 60_000).toISOString()}`;
    const exportedLogs = (await get(project(`/export/event-logs?${range}`))).body as string;
    expect(exportedLogs.trim().split('\n').map((line) => JSON.parse(line).timestamp).every((d: string) => NS.test(d))).toBe(true);
    const exportedExecutions = (await get(project(`/export/workflow-executions?${range}`))).body as string;
    expect(JSON.parse(exportedExecutions.split('\n')[0]!).dateStarted).toBe(new Date(Number(execution.startedAt)).toISOString());
  });
});

describe('Links carry only trusted origins', () => {
  /** A GET with the Host header given, as a client behind a forging proxy would send it. */
  function getWithHost(path: string, host: string, extra: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const url = new URL(`${p.apiUrl}${path}`);
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, headers: { host, authorization: `Bearer ${p.key}`, ...extra } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end();
    });
  }
  const port = () => new URL(p.apiUrl).port;

  it('answers a forged Host with links to the address the API listens on', async () => {
    const path = project('/task-history/workflow-executions?limit=10');
    for (const host of ['evil.example', `evil.example:${port()}`, '127.0.0.1:1', `localhost.evil.example:${port()}`]) {
      const { status, body } = await getWithHost(path, host, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
      expect(status, host).toBe(200);
      expect(body.nextLink, host).toBe(`${p.apiUrl}/projects/${p.projectId}/task-history/workflow-executions?limit=10&sortBy=ASC&offset=10`);
    }
    const logs = await getWithHost(project('/event-logs?limit=1'), 'evil.example');
    expect(logs.body.nextLink.startsWith(`${p.apiUrl}/`)).toBe(true);
  });

  it('keeps a loopback name the API answers on', async () => {
    const { body } = await getWithHost(project('/actionkit/tool-calls?limit=5'), `localhost:${port()}`);
    expect(body.nextLink.startsWith(`http://localhost:${port()}/projects/`)).toBe(true);
  });

  it('uses FLOWTRACE_PUBLIC_URL whatever the Host', async () => {
    const api = await listenApp(
      createQueryApp({ store: p.store, projects: p.projects, adminToken: await AdminToken.load(p.store, 'links-admin-token-0000'), log: memoryLogger(), publicUrl: 'https://flowtrace.example.com/', checkResponses: true }),
    );
    try {
      const res = await fetch(`${api.url}/projects/${p.projectId}/traces?limit=2`, { headers: { authorization: `Bearer ${p.key}` } });
      const body = (await res.json()) as { nextLink: string; nextCursor: string };
      expect(body.nextLink).toBe(`https://flowtrace.example.com/projects/${p.projectId}/traces?limit=2&cursor=${body.nextCursor}`);
    } finally {
      await api.close();
    }
  });
});
