/**
 * Every query endpoint over a demo-like project sent through the official OTel
 * SDK (OTLP/HTTP protobuf) into the collector and the embedded store; a second
 * project, sent as OTLP/JSON, checks isolation. Expected answers are derived
 * from the records in test/support/dataset.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { emitTrace } from '@flowtrace/instrumentation';
import { toOtlpJson } from '@flowtrace/conventions';
import { openPipeline, type Pipeline } from '../../test/support/pipeline.js';
import { buildDataset, type Dataset } from '../../test/support/dataset.js';

let p: Pipeline;
let data: Dataset;
let other: { projectId: string; key: string; data: Dataset };
const NOW = Date.now();

beforeAll(async () => {
  p = await openPipeline();
  data = buildDataset(NOW - 60_000);
  const tracer = trace.getTracer('endpoints-test');
  const logger = logs.getLogger('endpoints-test');
  for (let i = 0; i < data.traces.length; i += 40) {
    for (const spec of data.traces.slice(i, i + 40)) emitTrace(spec, tracer, logger);
    await p.flush();
  }
  // Another project, with records of the same ids: it must never show up in the first.
  const projectId = (await p.projects.createProject('other')).id;
  const key = (await p.projects.createApiKey(projectId, 'other')).key;
  const otherData = buildDataset(NOW - 120_000, 30);
  const otlp = toOtlpJson(otherData.traces, [], { 'service.name': 'other' });
  for (const [signal, body] of [['traces', otlp.traces], ['logs', otlp.logs]] as const) {
    const res = await fetch(`${p.otlpUrl}/v1/${signal}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  }
  other = { projectId, key, data: otherData };
}, 120_000);
afterAll(() => p.close());

async function get<T = any>(path: string, key = p.key): Promise<{ status: number; body: T }> {
  const res = await fetch(path.startsWith('http') ? path : `${p.apiUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  return { status: res.status, body: ((res.headers.get('content-type') ?? '').startsWith('application/json') ? JSON.parse(text) : text) as T };
}
const th = (query = '') => `/projects/${p.projectId}/task-history/workflow-executions${query}`;

interface WorkflowExecutionJson {
  id: string;
  userId: string;
  taskCount: number;
  runDuration: number;
  workflowId: string;
  status: string;
  dateEnded: string;
  dateStarted: string;
}

async function walk(firstPath: string): Promise<{ ids: string[]; totals: number[]; pages: number }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let next: string | undefined = firstPath;
  let pages = 0;
  while (next) {
    const page: { status: number; body: { workflowExecutions: WorkflowExecutionJson[]; nextLink?: string; total: number } } = await get(next);
    const { status, body } = page;
    expect(status).toBe(200);
    ids.push(...body.workflowExecutions.map((e) => e.id));
    totals.push(body.total);
    next = body.nextLink;
    pages++;
    if (pages > 50) throw new Error('pagination does not end');
  }
  return { ids, totals, pages };
}

describe('Task History', () => {
  it('lists executions in the Task History shape, 100 a page, nextLink to the end gives exactly total', async () => {
    const { status, body } = await get<{ workflowExecutions: WorkflowExecutionJson[]; nextLink: string; total: number }>(th());
    expect(status).toBe(200);
    expect(body.total).toBe(data.executions.length);
    expect(body.workflowExecutions).toHaveLength(100);
    const first = data.executions[0]!;
    expect(body.workflowExecutions[0]).toEqual({
      id: first.executionId,
      userId: first.userId,
      taskCount: first.taskCount,
      runDuration: Number(first.endedAt) - Number(first.startedAt),
      workflowId: first.workflowId,
      status: first.status,
      dateEnded: new Date(Number(first.endedAt)).toISOString(),
      dateStarted: new Date(Number(first.startedAt)).toISOString(),
    });
    expect(body.nextLink).toMatch(new RegExp(`^${p.apiUrl}/projects/${p.projectId}/task-history/workflow-executions\\?sortBy=ASC&offset=100$`));

    const walked = await walk(th());
    expect(walked.pages).toBe(3);
    expect(new Set(walked.ids).size).toBe(data.executions.length);
    expect(walked.ids).toEqual(data.executions.map((e) => e.executionId));
    expect(new Set(walked.totals)).toEqual(new Set([data.executions.length]));
  });

  it('filters by integration, user, workflow, status and dates; nextLink keeps the filters', async () => {
    const from = Number(data.executions[40]!.startedAt);
    const to = Number(data.executions[220]!.startedAt);
    const cases: Array<[string, (e: Dataset['executions'][number]) => boolean]> = [
      ['?integration=salesforce', (e) => e.integration === 'salesforce'],
      ['?userId=user-2', (e) => e.userId === 'user-2'],
      ['?workflowId=wf-notify&status=FAILED', (e) => e.workflowId === 'wf-notify' && e.status === 'FAILED'],
      ['?status=FAILED,CANCELLED', (e) => e.status === 'FAILED' || e.status === 'CANCELLED'],
      [`?afterDate=${new Date(from).toISOString()}&beforeDate=${new Date(to).toISOString()}`, (e) => Number(e.startedAt) >= from && Number(e.startedAt) < to],
      [`?integration=hubspot&userId=user-3&afterDate=${new Date(from).toISOString()}`, (e) => e.integration === 'hubspot' && e.userId === 'user-3' && Number(e.startedAt) >= from],
      ['?integration=nosuch', () => false],
    ];
    for (const [query, match] of cases) {
      const expected = data.executions.filter(match).map((e) => e.executionId);
      const walked = await walk(th(query));
      expect(walked.ids, query).toEqual(expected);
      expect(walked.totals.every((t) => t === expected.length), query).toBe(true);
    }
    const { body } = await get(th('?integration=salesforce&limit=10'));
    expect(body.nextLink).toContain('integration=salesforce');
    expect(body.nextLink).toContain('limit=10');
  });

  it('sorts newest first with sortBy=DESC, and any offset lands where it should', async () => {
    const desc = [...data.executions].reverse().map((e) => e.executionId);
    expect((await walk(th('?sortBy=DESC'))).ids).toEqual(desc);
    for (const offset of [0, 1, 99, 100, 137, 249]) {
      const { body } = await get(th(`?sortBy=DESC&offset=${offset}&limit=3`));
      expect(body.workflowExecutions.map((e: WorkflowExecutionJson) => e.id), `offset ${offset}`).toEqual(desc.slice(offset, offset + 3));
    }
    const past = await get(th('?offset=5000'));
    expect(past.body).toEqual({ workflowExecutions: [], total: data.executions.length });
  });

  it('returns one execution with its steps, and a step with input, output, requests and error', async () => {
    const failed = data.executions.find((e) => e.status === 'FAILED')!;
    const { status, body } = await get(th(`/${failed.executionId}`));
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: failed.executionId, status: 'FAILED', integration: failed.integration, workflowName: failed.workflowName, error: 'Request failed with status 502' });
    expect(body.steps.map((s: { stepId: string; status: string }) => [s.stepId, s.status])).toEqual([
      ['step-fetch', 'SUCCEEDED'],
      ['step-send', 'FAILED'],
    ]);
    const fetchStep = await get(th(`/${failed.executionId}/step-executions/step-fetch`));
    expect(fetchStep.status).toBe(200);
    expect(fetchStep.body).toMatchObject({ stepId: 'step-fetch', input: { query: `q-${Number(failed.executionId.slice(5))}` }, error: null });
    expect(fetchStep.body.requests).toEqual([expect.objectContaining({ method: 'GET', statusCode: 200, error: null })]);
    expect(fetchStep.body.requests[0].responseBody).toBeUndefined();
    const sendStep = await get(th(`/${failed.executionId}/step-executions/${body.steps[1].id}`));
    expect(sendStep.body).toMatchObject({ stepId: 'step-send', status: 'FAILED', error: 'Request failed with status 502' });
    expect(sendStep.body.requests[0]).toMatchObject({ method: 'POST', statusCode: 502, responseBody: { message: 'Bad gateway' } });
    expect((await get(th('/exec-nosuch'))).status).toBe(404);
    expect((await get(th(`/${failed.executionId}/step-executions/nosuch`))).status).toBe(404);
  });

  it('validates every parameter and lists every problem', async () => {
    const { status, body } = await get(th('?status=DONE&afterDate=yesterday&offset=-1&limit=101&sortBy=up&bogus=1'));
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_request');
    for (const field of ['query.status', 'query.afterDate', 'query.offset', 'query.limit', 'query.sortBy', 'bogus']) expect(body.error.message).toContain(field);
    const range = await get(th('?afterDate=2023-02-23T00:00:00&beforeDate=2023-02-16T00:00:00'));
    expect(range.status).toBe(400);
    expect(range.body.error.message).toContain('query.afterDate: must be before beforeDate');
    expect((await get(th('?afterDate=2023-02-30'))).body.error.message).toContain('query.afterDate: is not a valid date');
  });
});

type LogSpec = Dataset['traces'][number]['logs'][number];
const LEVEL_OF = (n: number) => (n >= 17 ? 'ERROR' : n >= 13 ? 'WARN' : n >= 9 ? 'INFO' : 'DEBUG');

/** Every log of the dataset with its trace id, newest first as the API orders them. */
function expectedLogs(match: (log: LogSpec, traceId: string) => boolean = () => true): Array<{ log: LogSpec; traceId: string }> {
  return data.traces.flatMap((t) => t.logs.map((log) => ({ log, traceId: t.traceId }))).filter(({ log, traceId }) => match(log, traceId));
}

async function walkLogs(query: string, limit = 500): Promise<Array<{ id: string; timestamp: string; message: string; [k: string]: any }>> {
  const out = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const sep = query ? '&' : '?';
    const page: { status: number; body: any } = await get(`/projects/${p.projectId}/event-logs${query}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    out.push(...page.body.logs);
    cursor = page.body.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('cursor pagination does not end');
}

describe('Event Logs', () => {
  it('returns every log once, newest first, through the cursor', async () => {
    const all = await walkLogs('', 97);
    expect(all).toHaveLength(expectedLogs().length);
    expect(new Set(all.map((l) => l.id)).size).toBe(all.length);
    const times = all.map((l) => l.timestamp);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters by level, type, user, integration, trace, time and text', async () => {
    const attr = (log: LogSpec, name: string) => log.attributes[name];
    // q: the message, the OTel event name, the sync event or the type contains it; a code-like word (a digit, _, . or - in it) is also an error code or App Event name.
    const codeLike = /^[\p{L}\p{N}]*[\d_.-][\p{L}\p{N}_.-]*$/u;
    const found = (log: LogSpec, text: string) =>
      [log.body, log.eventName, attr(log, 'flowtrace.sync.event'), attr(log, 'flowtrace.log.type')].some((v) => v !== undefined && String(v).toLowerCase().includes(text.toLowerCase())) ||
      (codeLike.test(text) && [attr(log, 'flowtrace.error.code'), attr(log, 'flowtrace.event.name')].some((v) => v !== undefined && String(v).toLowerCase() === text.toLowerCase()));
    const refresh = data.traces.find((t) => t.logs.some((l) => l.body === 'Failed to refresh credential'))!;
    const from = NOW - 2 * 24 * 3600_000;
    const to = NOW - 24 * 3600_000;
    const cases: Array<[string, (log: LogSpec, traceId: string) => boolean]> = [
      ['?level=ERROR', (l) => LEVEL_OF(l.severityNumber) === 'ERROR'],
      ['?level=WARN,ERROR', (l) => l.severityNumber >= 13],
      ['?type=ActionKit', (l) => attr(l, 'flowtrace.log.type') === 'ActionKit'],
      ['?type=Managed Sync,Credentials', (l) => ['Managed Sync', 'Credentials'].includes(String(attr(l, 'flowtrace.log.type')))],
      ['?userId=user-2&level=ERROR', (l) => attr(l, 'user.id') === 'user-2' && l.severityNumber >= 17],
      ['?integrationId=jira', (l) => attr(l, 'flowtrace.integration') === 'jira'],
      [`?traceId=${refresh.traceId.toUpperCase()}`, (_l, traceId) => traceId === refresh.traceId],
      [`?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`, (l) => l.time >= from && l.time < to],
      ['?q=FAILED', (l) => found(l, 'FAILED')],
      ['?q=rate%20limited&type=Managed%20Sync', (l) => found(l, 'rate limited') && attr(l, 'flowtrace.log.type') === 'Managed Sync'],
      ['?q=100%25', (l) => found(l, '100%')],
      ['?q=SYNC_RUN_ERROR', (l) => found(l, 'SYNC_RUN_ERROR')],
      ['?q=oauth_027', (l) => found(l, 'oauth_027')],
      ['?q=job.failed', (l) => found(l, 'job.failed')],
      ['?syncEvent=SYNC_RUN_RATE_LIMITED', (l) => attr(l, 'flowtrace.sync.event') === 'SYNC_RUN_RATE_LIMITED'],
      ['?syncType=INITIAL', (l) => attr(l, 'flowtrace.sync.type') === 'INITIAL'],
      ['?syncStatus=ERRORED', (l) => attr(l, 'flowtrace.sync.status') === 'ERRORED'],
      ['?syncId=sync-files-2', (l) => attr(l, 'flowtrace.sync.id') === 'sync-files-2'],
    ];
    for (const [query, match] of cases) {
      const expected = expectedLogs(match);
      const got = await walkLogs(query);
      expect(got.map((l) => l.message).sort(), query).toEqual(expected.map((e) => e.log.body).sort());
    }
    expect(expectedLogs((l) => attr(l, 'flowtrace.sync.event') === 'SYNC_RUN_RATE_LIMITED').length).toBeGreaterThan(0);
    // A search for an event name or an error code finds the logs that carry it though no message contains it.
    for (const text of ['SYNC_RUN_ERROR', 'oauth_027']) {
      expect(expectedLogs((l) => found(l, text)).length, text).toBeGreaterThan(0);
      expect(expectedLogs((l) => l.body.toLowerCase().includes(text.toLowerCase())), text).toEqual([]);
    }
  });

  it('carries the full event object: ids under their Event Logs names, error with its details', async () => {
    const failedCall = data.toolCalls.find((c) => c.status === 'FAILED')!;
    const logsOfCall = await walkLogs(`?traceId=${failedCall.requestId.replace(/-/g, '')}&level=ERROR`);
    const failedLog = logsOfCall.find((l) => l.message === `${failedCall.toolName} - Failed`)!;
    expect(failedLog.event).toMatchObject({
      projectId: p.projectId,
      type: 'ActionKit',
      endUserId: failedCall.userId,
      integrationId: failedCall.integration,
      requestId: failedCall.requestId,
      toolName: failedCall.toolName,
      status: 'FAILED',
      error: { message: 'Team not authorized', errorCode: 'OAUTH_027', httpStatus: 403 },
    });
    const [rateLimited] = await walkLogs('?syncEvent=SYNC_RUN_RATE_LIMITED');
    expect(rateLimited!.level).toBe('WARN');
    expect(rateLimited!.event).toMatchObject({ syncId: 'sync-contacts-1', syncType: 'INCREMENTAL', syncStatus: 'RATE_LIMITED', pipeline: 'contacts', error: { httpStatus: 429, backoffMs: 30000, attempt: 1, maxAttempts: 5, recoverability: 'RECOVERABLE' } });
  });

  it('refuses bad filters and foreign cursors', async () => {
    const { status, body } = await get(`/projects/${p.projectId}/event-logs?level=LOUD&type=Nope&traceId=xyz&cursor=abc&limit=0&from=2024-01-02&to=2024-01-01`);
    expect(status).toBe(400);
    for (const field of ['query.level', 'query.type', 'query.traceId', 'query.cursor', 'query.limit']) expect(body.error.message).toContain(field);
  });
});

async function walkList<T>(path: string, name: string): Promise<{ items: T[]; total: number }> {
  const items: T[] = [];
  let next: string | undefined = path;
  let total = -1;
  for (let pages = 0; next && pages < 50; pages++) {
    const page: { status: number; body: any } = await get(next);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body[name]);
    total = page.body.total;
    next = page.body.nextLink;
  }
  return { items, total };
}

describe('ActionKit monitoring', () => {
  const ak = (path: string) => `/projects/${p.projectId}/actionkit${path}`;

  it('lists tool calls newest first with every filter', async () => {
    const all = await walkList<{ requestId: string; status: string }>(ak('/tool-calls?limit=7'), 'toolCalls');
    expect(all.items.map((c) => c.requestId)).toEqual([...data.toolCalls].reverse().map((c) => c.requestId));
    expect(all.total).toBe(data.toolCalls.length);
    const failed = data.toolCalls.find((c) => c.status === 'FAILED')!;
    const cases: Array<[string, (c: Dataset['toolCalls'][number]) => boolean]> = [
      ['?status=FAILED', (c) => c.status === 'FAILED'],
      ['?toolName=SLACK_SEND_MESSAGE&userId=user-2', (c) => c.toolName === 'SLACK_SEND_MESSAGE' && c.userId === 'user-2'],
      ['?integration=salesforce&status=SUCCEEDED', (c) => c.integration === 'salesforce' && c.status === 'SUCCEEDED'],
      [`?requestId=${failed.requestId}`, (c) => c.requestId === failed.requestId],
      [`?traceId=${failed.requestId.replace(/-/g, '')}`, (c) => c.requestId === failed.requestId],
      [`?from=${new Date(Number(data.toolCalls[10]!.receivedAt)).toISOString()}&sortBy=ASC`, (c) => Number(c.receivedAt) >= Number(data.toolCalls[10]!.receivedAt)],
    ];
    for (const [query, match] of cases) {
      const expected = data.toolCalls.filter(match).map((c) => c.requestId);
      const got = await walkList<{ requestId: string }>(ak(`/tool-calls${query}`), 'toolCalls');
      expect(got.items.map((c) => c.requestId).sort(), query).toEqual(expected.sort());
      expect(got.total, query).toBe(expected.length);
    }
  });

  it('shows the Log Trace of a tool call, with the response body on the error-level log only', async () => {
    const failed = data.toolCalls.find((c) => c.status === 'FAILED')!;
    const { status, body } = await get(ak(`/tool-calls/${failed.requestId}`));
    expect(status).toBe(200);
    expect(body).toMatchObject({ requestId: failed.requestId, toolName: failed.toolName, status: 'FAILED', userId: failed.userId, operation: 'Run Tool' });
    expect(body.request.attributes['flowtrace.request.id']).toBe(failed.requestId);
    expect(body.logs.map((l: { message: string }) => l.message)).toEqual(expect.arrayContaining(['Start', 'Credential loaded', `${failed.toolName} - Failed`]));
    expect(body.apiRequests).toEqual([expect.objectContaining({ method: 'POST', statusCode: 403, responseBody: { err: 'Team not authorized', ECODE: 'OAUTH_027' } })]);
    const withBody = body.logs.filter((l: { event: { error?: { responseBody?: string } } }) => l.event.error?.responseBody !== undefined);
    expect(withBody.length).toBeGreaterThan(0);
    expect(withBody.every((l: { level: string }) => l.level === 'ERROR')).toBe(true);

    const ok = data.toolCalls.find((c) => c.status === 'SUCCEEDED')!;
    const okTrace = await get(ak(`/tool-calls/${ok.requestId}`));
    expect(okTrace.body.apiRequests[0].responseBody).toBeUndefined();
    expect(okTrace.body.apiRequests[0].statusCode).toBe(201);
    expect((await get(ak('/tool-calls/00000000-0000-4000-8000-000000000000'))).status).toBe(404);
  });

  it('lists trigger events by status, integration and delivered user', async () => {
    const statusOf = (e: Dataset['triggerEvents'][number]) =>
      e.processingError ? 'Processing Failure' : e.deliveries.some((d) => d.attempts.at(-1)?.error) ? 'Delivery Failures' : e.deliveries.some((d) => d.attempts.length === 0) || e.deliveries.length === 0 ? 'Queued' : 'Success';
    const all = await walkList<{ eventId: string; status: string }>(ak('/trigger-events'), 'triggerEvents');
    expect(all.items.map((e) => [e.eventId, e.status])).toEqual([...data.triggerEvents].reverse().map((e) => [e.eventId, statusOf(e)]));
    expect(new Set(all.items.map((e) => e.status))).toEqual(new Set(['Success', 'Delivery Failures', 'Processing Failure', 'Queued']));
    const cases: Array<[string, (e: Dataset['triggerEvents'][number]) => boolean]> = [
      ['?status=Delivery Failures', (e) => statusOf(e) === 'Delivery Failures'],
      ['?status=Success,Queued&integration=hubspot', (e) => ['Success', 'Queued'].includes(statusOf(e)) && e.integration === 'hubspot'],
      ['?userId=user-2', (e) => e.deliveries.some((d) => d.userId === 'user-2')],
    ];
    for (const [query, match] of cases) {
      const got = await walkList<{ eventId: string }>(ak(`/trigger-events${query.replace(/ /g, '%20')}`), 'triggerEvents');
      expect(got.items.map((e) => e.eventId).sort(), query).toEqual(data.triggerEvents.filter(match).map((e) => e.eventId).sort());
    }
  });

  it('shows a trigger event with its deliveries and event logs; a single delivery with its details', async () => {
    const failing = data.triggerEvents.find((e) => e.deliveries.length === 2)!;
    const { body } = await get(ak(`/trigger-events/${failing.eventId}`));
    expect(body).toMatchObject({ eventId: failing.eventId, integration: failing.integration, status: 'Delivery Failures', deliveries: expect.any(Array) });
    expect(body.deliveries.map((d: { userId: string; status: string }) => [d.userId, d.status])).toEqual(failing.deliveries.map((d) => [d.userId, d.attempts.at(-1)?.error ? 'FAILED' : 'SUCCEEDED']));
    expect(body.deliveries[0].webhookUrl).toBeUndefined();
    expect(body.logs.map((l: { message: string }) => l.message)).toContain('Failed to deliver trigger event to webhook URL');
    const single = data.triggerEvents.find((e) => e.deliveries.length === 1 && e.deliveries[0]!.attempts.length === 1)!;
    const one = await get(ak(`/trigger-events/${single.eventId}`));
    expect(one.body.deliveries).toEqual([expect.objectContaining({ status: 'SUCCEEDED', triggerId: 'trg-1', webhookUrl: 'https://app.example.com/webhooks/1', attempts: 1 })]);
    expect((await get(ak('/trigger-events/evt-nosuch'))).status).toBe(404);
  });
});

describe('Managed Sync', () => {
  it('lists the runs of a Sync with type, final status, summary, duration, warnings with retries and errors', async () => {
    const runs = data.syncRuns.filter((r) => r.syncId === 'sync-contacts-1');
    const { status, body } = await get(`/projects/${p.projectId}/syncs/sync-contacts-1/runs?sortBy=ASC`);
    expect(status).toBe(200);
    expect(body.total).toBe(runs.length);
    expect(body.runs.map((r: { syncType: string; syncStatus: string }) => [r.syncType, r.syncStatus])).toEqual(runs.map((r) => [r.syncType, r.syncStatus]));
    const [first, limited, , errored] = body.runs;
    expect(first).toMatchObject({ syncId: 'sync-contacts-1', pipeline: 'contacts', integration: 'salesforce', durationMs: 4 * 60_000, summary: { created: 10, updated: 0, deleted: 0, totalProcessed: 10, totalChanges: 10 }, warnings: [], errors: [] });
    expect(limited.warnings).toEqual([
      expect.objectContaining({ syncEvent: 'SYNC_RUN_RATE_LIMITED', level: 'WARN', httpStatus: 429, recoverability: 'RECOVERABLE', retry: { attempt: 1, maxAttempts: 5, backoffMs: 30000, nextRetryAt: expect.any(String) } }),
    ]);
    expect(errored.errors).toEqual([expect.objectContaining({ syncEvent: 'SYNC_RUN_ERROR', errorCode: 'AUTH_FAILED', httpStatus: 401, recoverability: 'TERMINAL' })]);
    expect(errored.summary).toEqual({ durationMs: 4 * 60_000 });

    const filtered = await get(`/projects/${p.projectId}/syncs/sync-contacts-1/runs?syncType=INCREMENTAL&syncStatus=IDLE,RATE_LIMITED`);
    expect(filtered.body.total).toBe(runs.filter((r) => r.syncType === 'INCREMENTAL' && ['IDLE', 'RATE_LIMITED'].includes(r.syncStatus)).length);
    expect((await get(`/projects/${p.projectId}/syncs/nosuch/runs`)).body).toEqual({ runs: [], total: 0 });
    expect((await get(`/projects/${p.projectId}/syncs/x/runs?syncType=WEEKLY`)).status).toBe(400);
  });
});

describe('Agent runs', () => {
  it('lists runs by agent, conversation, user and status', async () => {
    const cases: Array<[string, (r: Dataset['agentRuns'][number]) => boolean]> = [
      ['', () => true],
      ['?agentId=agent-support', (r) => r.agentId === 'agent-support'],
      ['?conversationId=conv-1&userId=user-2', (r) => r.conversationId === 'conv-1' && r.userId === 'user-2'],
      ['?status=FAILED', (r) => r.status === 'FAILED'],
    ];
    for (const [query, match] of cases) {
      const got = await walkList<{ runId: string }>(`/projects/${p.projectId}/agent-runs${query}`, 'agentRuns');
      expect(got.items.map((r) => r.runId), query).toEqual(data.agentRuns.filter(match).map((r) => r.runId).reverse());
    }
  });

  it("shows a run's LLM calls, tools with their results and linked job, guardrails and messages", async () => {
    const run = data.agentRuns[4]!;
    const { status, body } = await get(`/projects/${p.projectId}/agent-runs/${run.runId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ runId: run.runId, agentId: run.agentId, agentName: run.agentName, conversationId: run.conversationId, status: 'FAILED', tokens: { input: 1204 + 2000, output: 230 } });
    expect(body.llmCalls).toEqual([
      expect.objectContaining({ callId: 'llm-4-1', model: 'bedrock/claude-sonnet-4-6', stage: 'USER_QUERY', inputTokens: 1204, outputTokens: 80, latencyMs: 2000, result: 'SUCCESS', guardrails: [expect.objectContaining({ policy: 'pii', action: 'passed', direction: 'input' })] }),
      expect.objectContaining({ callId: 'llm-4-2', stage: 'AGENT_RESPONSE', latencyMs: 3000, result: 'FAILED', guardrails: [] }),
    ]);
    expect(body.toolExecutions).toEqual([expect.objectContaining({ callId: 'tool-4', name: 'create_ticket', type: 'EXTERNAL', result: 'SUCCESS', durationMs: 6600, job: { jobId: 'job-4', traceId: expect.stringMatching(/^[0-9a-f]{32}$/) } })]);
    expect(body.messages).toEqual([expect.objectContaining({ role: 'user', text: 'Create a ticket' })]);
    expect((await get(`/projects/${p.projectId}/agent-runs/nosuch`)).status).toBe(404);
  });

  it('lists the runs of a conversation in order', async () => {
    const { body } = await get(`/projects/${p.projectId}/conversations/conv-0`);
    expect(body.agentRuns.map((r: { runId: string }) => r.runId)).toEqual(data.agentRuns.filter((r) => r.conversationId === 'conv-0').map((r) => r.runId));
    expect((await get(`/projects/${p.projectId}/conversations/conv-nosuch`)).status).toBe(404);
  });
});

describe('Counts', () => {
  const stats = (query: string) => get(`/projects/${p.projectId}/stats/executions${query}`);
  const dayOf = (ms: number) => new Date(Math.floor(ms / 86_400_000) * 86_400_000).toISOString();

  it('counts executions and failures per day and integration, with duration percentiles', async () => {
    const { status, body } = await stats(`?groupBy=integration&interval=day&from=${new Date(NOW - 5 * 86_400_000).toISOString()}`);
    expect(status).toBe(200);
    const expected = new Map<string, { executions: number; failures: number }>();
    for (const e of data.executions) {
      const key = `${dayOf(Number(e.startedAt))}|${e.integration}`;
      const entry = expected.get(key) ?? { executions: 0, failures: 0 };
      entry.executions++;
      if (e.status === 'FAILED') entry.failures++;
      expected.set(key, entry);
    }
    const got = new Map(body.buckets.map((b: { time: string; group: string; executions: number; failures: number }) => [`${b.time}|${b.group}`, { executions: b.executions, failures: b.failures }]));
    expect(got).toEqual(expected);
    expect(body.totals).toEqual({ executions: data.executions.length, failures: data.executions.filter((e) => e.status === 'FAILED').length });
    const durations = data.executions.map((e) => Number(e.endedAt) - Number(e.startedAt));
    // Percentiles come from log-scale buckets: within 9% of the true value.
    for (const b of body.buckets) {
      expect(b.durationMs.p50).toBeGreaterThanOrEqual(Math.min(...durations) * 0.91);
      expect(b.durationMs.p99).toBeLessThanOrEqual(Math.max(...durations) * 1.09);
    }
    const all = [...durations].sort((a, b) => a - b);
    const whole = await stats(`?interval=day&from=${new Date(NOW - 5 * 86_400_000).toISOString()}&to=${new Date(NOW).toISOString()}`);
    expect(whole.body.buckets.length).toBeGreaterThan(0);
    const { percentiles } = await import('../src/converters/stats.js');
    const histogram: Record<string, string> = {};
    for (const d of all) {
      const bucket = String(d === 0 ? 0 : Math.min(255, 1 + Math.floor(Math.log2(d) * 4)));
      histogram[bucket] = String(Number(histogram[bucket] ?? 0) + 1);
    }
    const estimated = percentiles(histogram, [0.5, 0.95, 0.99]);
    const exact = (p: number) => all[Math.ceil(p * all.length) - 1]!;
    for (const [p, value] of [[0.5, estimated.p50], [0.95, estimated.p95], [0.99, estimated.p99]] as const) {
      expect(Math.abs(value - exact(p)) / exact(p), `p${p * 100}`).toBeLessThan(0.09);
    }
  });

  it('groups by status, tool and syncType, per hour', async () => {
    const byStatus = await stats(`?groupBy=status&from=${new Date(NOW - 5 * 86_400_000).toISOString()}`);
    const statusTotals: Record<string, number> = {};
    for (const b of byStatus.body.buckets) statusTotals[b.group] = (statusTotals[b.group] ?? 0) + b.executions;
    expect(statusTotals).toEqual(Object.fromEntries(['SUCCEEDED', 'FAILED', 'CANCELLED'].map((s) => [s, data.executions.filter((e) => e.status === s).length])));

    const byTool = await stats(`?kind=tool_call&groupBy=tool&interval=hour&from=${new Date(NOW - 5 * 86_400_000).toISOString()}`);
    expect(byTool.body.buckets.every((b: { time: string }) => b.time.endsWith(':00:00.000Z'))).toBe(true);
    const tools: Record<string, [number, number]> = {};
    for (const b of byTool.body.buckets) tools[b.group] = [(tools[b.group]?.[0] ?? 0) + b.executions, (tools[b.group]?.[1] ?? 0) + b.failures];
    const expectedTools: Record<string, [number, number]> = {};
    for (const c of data.toolCalls) expectedTools[c.toolName!] = [(expectedTools[c.toolName!]?.[0] ?? 0) + 1, (expectedTools[c.toolName!]?.[1] ?? 0) + (c.status === 'FAILED' ? 1 : 0)];
    expect(tools).toEqual(expectedTools);

    const salesforce = await stats(`?integration=salesforce&groupBy=status&from=${new Date(NOW - 5 * 86_400_000).toISOString()}`);
    const sfStatus: Record<string, number> = {};
    for (const b of salesforce.body.buckets) sfStatus[b.group] = (sfStatus[b.group] ?? 0) + b.executions;
    const sfExpected: Record<string, number> = {};
    for (const e of data.executions.filter((x) => x.integration === 'salesforce')) sfExpected[e.status] = (sfExpected[e.status] ?? 0) + 1;
    expect(sfStatus).toEqual(sfExpected);

    const bySync = await stats(`?kind=sync_run&groupBy=syncType&from=${new Date(NOW - 5 * 86_400_000).toISOString()}`);
    expect(bySync.body.totals.executions).toBe(data.syncRuns.length);
    expect(bySync.body.totals.failures).toBe(data.syncRuns.filter((r) => r.syncStatus === 'ERRORED').length);
  });

  it('validates kind, groupBy, interval and the size of the answer', async () => {
    const bad = await stats('?kind=nope&groupBy=color&interval=week');
    expect(bad.status).toBe(400);
    for (const field of ['query.kind', 'query.groupBy', 'query.interval']) expect(bad.body.error.message).toContain(field);
    expect((await stats('?interval=hour&from=2020-01-01')).status).toBe(400);
  });
});

describe('Export', () => {
  const range = `from=${new Date(NOW - 10 * 86_400_000).toISOString()}&to=${new Date(NOW + 60_000).toISOString()}`;

  it('streams workflow executions as NDJSON and CSV, with the row count as a trailer', async () => {
    const res = await fetch(`${p.apiUrl}/projects/${p.projectId}/export/workflow-executions?${range}`, { headers: { authorization: `Bearer ${p.key}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(data.executions.map((e) => e.executionId));
    const first = data.executions[0]!;
    expect(lines[0]).toMatchObject({ id: first.executionId, userId: first.userId, taskCount: first.taskCount, runDuration: Number(first.endedAt) - Number(first.startedAt), status: first.status, integration: first.integration });
    expect(lines[0].dateStarted.slice(0, 23)).toBe(new Date(Number(first.startedAt)).toISOString().slice(0, 23));

    const csv = await (await fetch(`${p.apiUrl}/projects/${p.projectId}/export/workflow-executions?${range}&format=csv`, { headers: { authorization: `Bearer ${p.key}` } })).text();
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('id,userId,taskCount,runDuration,workflowId,status,dateStarted,dateEnded,integration,traceId');
    expect(rows).toHaveLength(data.executions.length + 1);
  });

  it('streams event logs, each once, CSV fields quoted where needed', async () => {
    const res = await fetch(`${p.apiUrl}/projects/${p.projectId}/export/event-logs?${range}&format=csv`, { headers: { authorization: `Bearer ${p.key}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    // Attributes are JSON (with commas and quotes): every data row starts with an id.
    const starts = text.split('\r\n').filter((line) => /^\d+-\d+,/.test(line));
    expect(starts).toHaveLength(expectedLogs().length);
    const nd = await (await fetch(`${p.apiUrl}/projects/${p.projectId}/export/event-logs?${range}`, { headers: { authorization: `Bearer ${p.key}` } })).text();
    const logsOut = nd.trim().split('\n').map((l) => JSON.parse(l));
    expect(new Set(logsOut.map((l) => l.id)).size).toBe(expectedLogs().length);
    expect([...logsOut.map((l) => l.timestamp)]).toEqual([...logsOut.map((l) => l.timestamp)].sort());
  });

  it('reads in keyset chunks: a small chunk gives the same rows, once each', async () => {
    const { exportExecutions, exportEventLogs } = await import('../src/repositories/export.js');
    const range = { projectId: p.projectId, from: BigInt(NOW - 10 * 86_400_000) * 1_000_000n, to: BigInt(NOW) * 1_000_000n };
    const chunks: string[][] = [];
    for await (const chunk of exportExecutions(p.store, range, 7)) chunks.push(chunk.map((r) => r.id));
    expect(chunks.length).toBe(Math.ceil(data.executions.length / 7));
    expect(chunks.flat()).toEqual(data.executions.map((e) => e.executionId));
    let logCount = 0;
    for await (const chunk of exportEventLogs(p.store, range, 13)) logCount += chunk.length;
    expect(logCount).toBe(expectedLogs().length);
  });

  it('refuses a missing, reversed or too long range and an unknown format', async () => {
    const bad = await get(`/projects/${p.projectId}/export/workflow-executions?format=xml`);
    expect(bad.status).toBe(400);
    for (const field of ['query.from', 'query.to', 'query.format']) expect(bad.body.error.message).toContain(field);
    expect((await get(`/projects/${p.projectId}/export/event-logs?from=2024-01-01&to=2024-12-31`)).body.error.message).toContain('query.to: must be at most 93 days');
  });
});

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; parameters: Array<{ name: string; in: string; required: boolean; schema: object }>; security?: unknown[] }>>;
}

async function openApi(): Promise<OpenApiDocument> {
  const res = await fetch(`${p.apiUrl}/openapi.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as OpenApiDocument;
}

/** Real path parameters of the first project, so that each endpoint answers 200 for its own key. */
function pathFor(template: string, projectId: string): string {
  const values: Record<string, string> = {
    projectId,
    executionId: 'exec-0005',
    stepExecutionId: 'step-fetch',
    traceId: data.traces[0]!.traceId,
    requestId: data.toolCalls[0]!.requestId,
    eventId: 'evt-0',
    syncId: 'sync-contacts-1',
    runId: 'run-agent-0',
    conversationId: 'conv-0',
    jobId: 'j-master-1',
  };
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? 'x');
}
const EXPORT_RANGE = `from=${new Date(NOW - 10 * 86_400_000).toISOString()}&to=${new Date(NOW + 60_000).toISOString()}`;
const queryFor = (template: string) => (template.includes('/export/') ? `?${EXPORT_RANGE}` : '');

describe('OpenAPI, isolation and hostile input on every endpoint', () => {
  it('describes every endpoint, generated from the schemas', async () => {
    const doc = await openApi();
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort()).toEqual(
      [
        'GET /projects/{projectId}/task-history/workflow-executions',
        'GET /projects/{projectId}/task-history/workflow-executions/{executionId}',
        'GET /projects/{projectId}/task-history/workflow-executions/{executionId}/step-executions/{stepExecutionId}',
        'GET /projects/{projectId}/event-logs',
        'GET /projects/{projectId}/actionkit/tool-calls',
        'GET /projects/{projectId}/actionkit/tool-calls/{requestId}',
        'GET /projects/{projectId}/actionkit/trigger-events',
        'GET /projects/{projectId}/actionkit/trigger-events/{eventId}',
        'GET /projects/{projectId}/syncs/{syncId}/runs',
        'GET /projects/{projectId}/agent-runs',
        'GET /projects/{projectId}/agent-runs/{runId}',
        'GET /projects/{projectId}/conversations/{conversationId}',
        'GET /projects/{projectId}/stats/executions',
        'GET /projects/{projectId}/export/workflow-executions',
        'GET /projects/{projectId}/export/event-logs',
        'GET /projects/{projectId}/traces/{traceId}',
        'GET /projects/{projectId}/traces',
        'GET /projects/{projectId}/syncs',
        'GET /projects/{projectId}/workato/jobs',
        'GET /projects/{projectId}/workato/jobs/{jobId}',
        'GET /admin/projects',
        'POST /admin/projects',
        'GET /admin/projects/{projectId}/grafana-user',
        'POST /admin/projects/{projectId}/grafana-user',
        'DELETE /admin/projects/{projectId}/grafana-user',
        'GET /admin/alerts/rules',
        'GET /admin/alerts/state',
        'GET /admin/alerts/notifications',
        'POST /admin/projects/{projectId}/api-keys',
        'GET /admin/projects/{projectId}/api-keys',
        'DELETE /admin/projects/{projectId}/api-keys/{keyId}',
        'GET /admin/projects/{projectId}/retention',
        'PUT /admin/projects/{projectId}/retention',
        'GET /admin/projects/{projectId}/redaction',
        'PUT /admin/projects/{projectId}/redaction',
      ].sort(),
    );
    expect(new Set(operations.map((o) => o.op.operationId)).size).toBe(operations.length);
    const th = doc.paths['/projects/{projectId}/task-history/workflow-executions']!.get!;
    expect(th.parameters.map((prm) => prm.name)).toEqual(['projectId', 'integration', 'userId', 'workflowId', 'status', 'afterDate', 'beforeDate', 'sortBy', 'offset', 'limit']);
    expect(th.parameters.find((prm) => prm.name === 'sortBy')!.schema).toMatchObject({ enum: ['ASC', 'DESC'], default: 'ASC' });
    expect(th.parameters.find((prm) => prm.name === 'limit')!.schema).toMatchObject({ maximum: 100 });
  });

  it('answers a key of another project with 404 on every project endpoint, and its own with 200', async () => {
    const doc = await openApi();
    const templates = Object.keys(doc.paths).filter((path) => path.startsWith('/projects/'));
    for (const template of templates) {
      const own = await get(pathFor(template, p.projectId) + queryFor(template));
      expect(own.status, `${template} with its own key`).toBe(200);
      const foreign = await get(pathFor(template, p.projectId) + queryFor(template), other.key);
      expect(foreign.status, `${template} with another project's key`).toBe(404);
      expect(JSON.stringify(foreign.body)).not.toContain('exec-');
    }
    // The other project sees only its own records, though they carry the same ids.
    expect((await get(`/projects/${other.projectId}/task-history/workflow-executions`, other.key)).body.total).toBe(other.data.executions.length);
    expect((await get(`/projects/${other.projectId}/actionkit/tool-calls`, other.key)).body.total).toBe(other.data.toolCalls.length);
  });

  it('takes injection strings in every parameter harmlessly', async () => {
    const doc = await openApi();
    const hostile = ["' OR 1=1 --", "x'); DROP TABLE otel_traces; --", '{projectId:String}', '\\', '%', 'a\u0000b', '../../etc/passwd', '1 UNION SELECT * FROM flowtrace_api_keys'];
    const before = await get(`/projects/${p.projectId}/task-history/workflow-executions`);
    for (const [template, methods] of Object.entries(doc.paths)) {
      if (!template.startsWith('/projects/') || !methods.get) continue;
      for (const parameter of methods.get.parameters) {
        if (parameter.name === 'projectId') continue;
        for (const value of hostile) {
          const path =
            parameter.in === 'path'
              ? pathFor(template, p.projectId).replace(pathFor(`{${parameter.name}}`, p.projectId), encodeURIComponent(value))
              : `${pathFor(template, p.projectId)}?${template.includes('/export/') && !['from', 'to'].includes(parameter.name) ? `${EXPORT_RANGE}&` : ''}${parameter.name}=${encodeURIComponent(value)}`;
          const res = await get(path);
          expect([200, 400, 404], `${path}: ${JSON.stringify(res.body).slice(0, 200)}`).toContain(res.status);
          if (res.status === 200 && typeof res.body === 'object' && 'total' in res.body) expect(res.body.total, path).toBe(0);
        }
      }
    }
    const after = await get(`/projects/${p.projectId}/task-history/workflow-executions`);
    expect(after.body.total).toBe(before.body.total);
    const keys = await p.store.select<{ n: string }>('test', 'SELECT count() AS n FROM flowtrace_api_keys');
    expect(Number(keys[0]!.n)).toBeGreaterThan(0);
  });
});

describe('retried exports', () => {
  it('never double-count executions, counts or event logs', async () => {
    const counts = async () => ({
      executions: (await get(`/projects/${other.projectId}/task-history/workflow-executions`, other.key)).body.total,
      stats: (await get(`/projects/${other.projectId}/stats/executions?kind=tool_call&from=${new Date(NOW - 9 * 86_400_000).toISOString()}`, other.key)).body.totals,
      logs: (await get(`/projects/${other.projectId}/event-logs?limit=500`, other.key)).body.logs.length,
    });
    const before = await counts();
    expect(before.executions).toBe(other.data.executions.length);
    const otlp = toOtlpJson(other.data.traces, [], { 'service.name': 'other' });
    for (let retry = 0; retry < 2; retry++) {
      for (const [signal, body] of [['traces', otlp.traces], ['logs', otlp.logs]] as const) {
        const res = await fetch(`${p.otlpUrl}/v1/${signal}`, { method: 'POST', headers: { authorization: `Bearer ${other.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(res.status).toBe(200);
      }
    }
    expect(await counts()).toEqual(before);
    // Every log once, whether read a page of 500, walked 7 at a time (pages end among the copies), or exported.
    const all = (await get(`/projects/${other.projectId}/event-logs?limit=500`, other.key)).body.logs.map((l: { id: string }) => l.id);
    expect(all.length).toBeGreaterThan(14);
    const walked: string[] = [];
    for (let cursor = ''; ; ) {
      const page = await get(`/projects/${other.projectId}/event-logs?limit=7${cursor ? `&cursor=${cursor}` : ''}`, other.key);
      walked.push(...page.body.logs.map((l: { id: string }) => l.id));
      if (!page.body.nextCursor) break;
      cursor = page.body.nextCursor;
    }
    expect(walked).toEqual(all);
    const range = `from=${new Date(NOW - 30 * 86_400_000).toISOString()}&to=${new Date(NOW + 86_400_000).toISOString()}`;
    const exported = await (await fetch(`${p.apiUrl}/projects/${other.projectId}/export/event-logs?${range}`, { headers: { authorization: `Bearer ${other.key}` } })).text();
    expect(exported.trim().split('\n').map((line) => JSON.parse(line).id).sort()).toEqual([...all].sort());
    const raw = await p.store.select<{ n: string }>('test', "SELECT count() AS n FROM otel_traces WHERE ProjectId = {p:String} AND ParentSpanId = '' AND SpanAttributes['flowtrace.kind'] = 'workflow_execution'", { p: other.projectId });
    expect(Number(raw[0]!.n)).toBe(other.data.executions.length);
  });
});
