/**
 * Workato log streams: every sample payload of Workato's audit-log document,
 * ingested through POST /ingest/workato and read back; out-of-order genie
 * events joined into one trace; parity with the same execution sent through
 * the OpenTelemetry SDK.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitTrace } from '@flowtrace/instrumentation';
import { agentRunTraceId, jobTraceId, spanIdFor, traceIdFor, traceIdFromRequestId } from '@flowtrace/conventions';
import * as sc from '@flowtrace/conventions/semconv';
import { trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { TABLES } from '@flowtrace/store';
import type { Timeline } from '@flowtrace/query-api';
import { parseBody } from '../src/workato/parse.js';
import { mapItems } from '../src/workato/map.js';
import { openPipeline, type Pipeline } from '../../test/support/pipeline.js';

const FIXTURES = new URL('./fixtures/workato/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
const fixtureNames = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();
const RUN = '95ce2c49-de8f-418e-9818-2f648e15aff2';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await openPipeline();
});
afterAll(() => pipeline.close());

async function ingest(body: string | Buffer, headers: Record<string, string> = {}, key = pipeline.key) {
  const res = await fetch(`${pipeline.otlpUrl}/ingest/workato`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const logRows = (where: string, params: Record<string, unknown> = {}) =>
  pipeline.store.select<{ EventName: string; Body: string; SeverityText: string; TraceId: string; LogAttributes: Record<string, string> }>(
    'test',
    `SELECT EventName, Body, SeverityText, TraceId, LogAttributes FROM ${TABLES.logs} WHERE ProjectId = {projectId:String} AND ${where} ORDER BY Timestamp`,
    { projectId: pipeline.projectId, ...params },
  );

describe('every sample payload of the Workato document', () => {
  it('has been extracted as a fixture (54 payloads)', () => {
    expect(fixtureNames).toHaveLength(54);
  });

  it.each(fixtureNames)('%s ingests and reads back', async (name) => {
    const { status, body } = await ingest(fixture(name));
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ accepted: 1, rejected: 0 });
    expect((body.spans as number) + (body.logs as number)).toBeGreaterThan(0);
    expect(body.kinds).not.toHaveProperty('unknown');
    // What the sample maps to is what the store gives back: each trace with its spans and logs,
    // each trace-less log by its event name and message; a topic joins its run.
    const mapped = mapItems(parseBody(fixture(name)));
    for (const spec of mapped.traces) {
      const t = await pipeline.timeline(spec.traceId);
      // By span id: a part of a span merges with its other parts (a skill run with its tool's completion).
      expect(t.spans.map((s) => s.spanId)).toEqual(expect.arrayContaining(spec.spans.map((s) => spanIdFor(spec.traceId, s.key))));
      expect(t.logs.map((l) => l.body)).toEqual(expect.arrayContaining(spec.logs.map((l) => l.body)));
    }
    for (const log of mapped.logs) {
      expect(await logRows('EventName = {event:String} AND Body = {body:String}', { event: log.eventName, body: log.body })).not.toHaveLength(0);
    }
    for (const topic of mapped.topics) {
      const t = await pipeline.timeline(agentRunTraceId(RUN));
      expect(t.logs.map((l) => l.body)).toContain(`Topic assigned: ${topic.run.topic!.topic}`);
    }
  });

  it('reads back a successful job with its lines, relations and context', async () => {
    const t = await pipeline.timeline(jobTraceId('j-AEcaNzd9-dGQ4Bf'));
    expect(t.spans.map((s) => s.name)).toEqual([
      'job Update customer contact details',
      'workato_recipe_function.execute',
      'logger.log_message',
      'workato_recipe_function.return_result',
    ]);
    expect(t.spans[0]!.attributes).toMatchObject({
      [sc.ATTR_FLOWTRACE_KIND]: 'job',
      [sc.ATTR_FLOWTRACE_STATUS]: 'succeeded',
      [sc.ATTR_FLOWTRACE_RECIPE_ID]: '3026581',
      [sc.ATTR_FLOWTRACE_RECIPE_PATH]: 'Home/Functions',
      [sc.ATTR_FLOWTRACE_JOB_MASTER_ID]: 'j-AEcaNXb8-KWAmEL',
      [sc.ATTR_FLOWTRACE_JOB_CALLING_ID]: 'j-AEcaNXWz-Yhzrct',
      [sc.ATTR_FLOWTRACE_JOB_IS_REPEAT]: 'true',
      [sc.ATTR_FLOWTRACE_JOB_REPEAT_COUNT]: '1',
      [sc.ATTR_USER_ID]: '33359',
      [sc.ATTR_FLOWTRACE_ENVIRONMENT_TYPE]: 'dev',
    });
    expect(t.spans[0]!.startTime).toBe('2022-10-20T05:30:46.000000000Z');
    expect(t.spans[0]!.links.map((l) => [l.traceId, l.attributes[sc.ATTR_FLOWTRACE_LINK]])).toEqual([
      [jobTraceId('j-AEcaNXb8-KWAmEL'), 'master_job'],
      [jobTraceId('j-AEcaNXWz-Yhzrct'), 'calling_job'],
    ]);
    // Content is not kept without opt-in.
    expect(t.spans[2]!.attributes[sc.ATTR_FLOWTRACE_INPUT]).toBeUndefined();
    expect(JSON.parse(t.spans[1]!.attributes[sc.ATTR_FLOWTRACE_LINE_STATS]!).total).toBeCloseTo(0.000436841, 6);
  });

  it('reads back a failed job: error type, the failing line, its HTTP status', async () => {
    const t = await pipeline.timeline(jobTraceId('j-AEcaQsxm-Ec4PRe'));
    expect(t.spans[0]!.status).toEqual({ code: 'Error', message: 'Invalid Salesforce ID value(s) for: AccountId' });
    expect(t.spans[0]!.attributes).toMatchObject({ 'error.type': 'Bad data sent to API server', [sc.ATTR_FLOWTRACE_ERROR_HTTP_STATUS]: '400', [sc.ATTR_FLOWTRACE_INTEGRATION]: 'salesforce' });
    expect(t.spans[2]).toMatchObject({ name: 'salesforce.create_custom_object', status: { code: 'Error', message: 'Invalid Salesforce ID value(s) for: AccountId' } });
    expect(t.logs.map((l) => [l.severityText, l.body])).toEqual([
      ['ERROR', 'Invalid Salesforce ID value(s) for: AccountId'],
      ['ERROR', 'Job failed: Invalid Salesforce ID value(s) for: AccountId'],
    ]);
  });

  it('reads back the summary, status-only and full-details wrappers', async () => {
    const summary = await pipeline.timeline(jobTraceId('job-123456789'));
    expect(summary.spans[0]!.name).toBe('job [CICD] | FUN-003 | Deploy via Projects');
    expect(summary.spans[0]!.attributes[sc.ATTR_FLOWTRACE_ACCOUNT_ID]).toBe('0');
    const statusOnly = await pipeline.timeline(jobTraceId('job-000001'));
    expect(statusOnly.spans[0]!.attributes).toMatchObject({ [sc.ATTR_FLOWTRACE_RECIPE_NAME]: 'Employee onboarding', [sc.ATTR_FLOWTRACE_JOB_REPORT]: expect.stringContaining('custom_column_1') });
    const full = await pipeline.timeline(jobTraceId('j-1234ABC'));
    expect(full.spans.map((s) => s.name)).toEqual(['job Data processing task', 'clock.scheduled_event', 'logger.log_message']);
  });

  it('reads back user activity as logs with the audit fields', async () => {
    // The login sample, and the team switch, which Workato records as a login too.
    const login = await logRows(`EventName = 'user_login'`);
    expect(login).toHaveLength(2);
    expect(login[0]).toMatchObject({ TraceId: '', SeverityText: 'INFO' });
    expect(login[0]!.LogAttributes).toMatchObject({
      [sc.ATTR_FLOWTRACE_KIND]: 'user_activity',
      [sc.ATTR_FLOWTRACE_AUDIT_EVENT]: 'user_login',
      [sc.ATTR_USER_ID]: '4848',
      [sc.ATTR_CLIENT_ADDRESS]: '60.160.90.91',
      [sc.ATTR_FLOWTRACE_AUDIT_RESOURCE_TYPE]: 'User',
    });
    const stopped = await logRows(`EventName = 'recipe_stopped'`);
    expect(stopped.map((r) => r.Body)).toContain('Taylor Cruz recipe stopped Flow "Sample Logger"');
    const started = await logRows(`EventName = 'recipe_started'`);
    expect(started.map((r) => r.LogAttributes[sc.ATTR_FLOWTRACE_AUDIT_RESOURCE_NAME])).toContain('Cat Fact Generator');
    const deployment = await logRows(`EventName = 'deployment_created'`);
    expect(deployment[0]!.LogAttributes).toMatchObject({ [sc.ATTR_FLOWTRACE_TEAM_NAME]: 'ACME', [sc.ATTR_FLOWTRACE_AUDIT_RESOURCE_NAME]: 'HR projects' });
  });

  it('reads back Workato log events: logger in its job, trigger errors, OPA, apps, MCP tool calls, pipelines', async () => {
    const logger = await pipeline.timeline(jobTraceId('j-AYGYrdPt-CoQaFe-B6'));
    expect(logger.logs.map((l) => l.body)).toEqual(['This is an example log using Logger by Workato']);
    const webhook = await logRows(`EventName = 'workato.webhook'`);
    expect(webhook[0]).toMatchObject({ SeverityText: 'ERROR', Body: 'Error accepting webhook event' });
    expect(webhook[0]!.LogAttributes).toMatchObject({ 'workato.data.http_code': '404', [sc.ATTR_FLOWTRACE_LOG_SOURCE]: 'webhook' });
    expect((await logRows(`EventName = 'workato.opa'`))[0]!.Body).toBe('SAP subscriptions monitor started.');
    expect((await logRows(`EventName = 'workato.lcap'`))[0]!.Body).toBe('An error has occurred on the page: "Widget configuration error"');
    const mcp = await pipeline.timeline(traceIdFromRequestId('ad29825db1224a53b77d4b6c71159abc'));
    expect(mcp.spans[0]).toMatchObject({ name: 'Run Tool Search_CarData_by_make_and_model', durationMs: expect.closeTo(2734.58, 1) });
    const pipelineRun = await pipeline.timeline(traceIdFor('data_pipeline_run', '019c9a41-ceff-7889-9dcc-5db023c97dea'));
    expect(pipelineRun.spans[0]).toMatchObject({ name: 'pipeline test', status: { code: 'Error', message: 'Running pipeline was stopped by user' } });
    expect(pipelineRun.logs[0]!.eventName).toBe('OBJECT_RUN_CANCEL');
  });

  it('joins the genie events of one run into one trace, topic_assigned included', async () => {
    const t = await pipeline.timeline(agentRunTraceId(RUN));
    expect(t.spans.map((s) => [s.name, s.depth])).toEqual([
      ['invoke_agent 2341', 0],
      ['guardrail harmful_content', 2],
      ['guardrail prompt_attack', 2],
      ['chat bedrock/claude-sonnet-4-6', 1],
      ['execute_tool enterprise_search', 1],
    ]);
    const root = t.spans[0]!;
    expect(root.startTime).toBe('2026-05-20T16:51:02.550000000Z');
    expect(root.endTime).toBe('2026-05-20T16:51:20.116000000Z');
    expect(root.attributes[sc.ATTR_FLOWTRACE_SPAN_FRAGMENT]).toBeUndefined();
    const chat = t.spans[3]!;
    expect(chat.startTime).toBe('2026-05-20T16:51:03.146460000Z');
    expect(chat.endTime).toBe('2026-05-20T16:51:05.935356000Z');
    expect(chat.attributes).toMatchObject({ [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: '3412', [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: '113' });
    expect(t.logs.map((l) => l.eventName)).toEqual([
      'genie_run_start',
      'user_message',
      'guardrail_evaluated',
      'guardrail_evaluated',
      'llm_call_started',
      'llm_call_completed',
      'tool_execution_started',
      'tool_execution_completed',
      'topic_assigned',
      'genie_run_finish',
    ]);
    expect(t.logs.find((l) => l.eventName === 'topic_assigned')!.attributes[sc.ATTR_FLOWTRACE_TOPIC]).toBe('Data backup using OneDrive');
    // No prompt or message text without opt-in.
    expect(JSON.stringify(t)).not.toContain('How do I back up my data?');
  });

  it('links a skill run to the recipe job it started', async () => {
    const t = await pipeline.timeline(agentRunTraceId('e5929bae-750c-4ef6-8f26-888dddd5bc2c'));
    const tool = t.spans.find((s) => s.name === 'execute_tool Log support ticket')!;
    expect(tool.links.map((l) => l.traceId)).toEqual([jobTraceId('j-AaHGJpoK-n3dWo9-B6')]);
    expect(tool.attributes[sc.ATTR_FLOWTRACE_TOOL_TYPE]).toBe('EXTERNAL');
    const assigned = await pipeline.timeline(agentRunTraceId('1a11ce5f-f04f-44a3-8dd7-818d24fc3ce1'));
    expect(assigned.spans[0]!.links.map((l) => l.traceId)).toEqual([jobTraceId('j-AaJL4YeN-FNdEnW-B6')]);
  });
});

describe('out-of-order arrival', () => {
  const genie = fixtureNames.filter((name) => Number(name.slice(0, 2)) >= 39 && Number(name.slice(0, 2)) <= 53).map(fixture);
  const reRun = (text: string) => text.replaceAll(RUN, 'aaaaaaaa-0000-4000-8000-000000000001').replaceAll('conversation-01KS34RAWWDJ00EQBA6M5FNYGY', 'conversation-out-of-order');

  it('joins a run whose events arrive one by one in reverse, topic_assigned first', async () => {
    const events = genie.map(reRun).filter((text) => text.includes('conversation-out-of-order')).reverse();
    const topicFirst = [events.find((e) => e.includes('topic_assigned'))!, ...events.filter((e) => !e.includes('topic_assigned'))];
    const first = await ingest(topicFirst[0]!);
    expect(first.status).toBe(200);
    const pending = await logRows(`EventName = 'topic_assigned' AND LogAttributes['flowtrace.join.pending'] = 'true'`);
    expect(pending.map((r) => r.LogAttributes[sc.ATTR_GEN_AI_CONVERSATION_ID])).toContain('conversation-out-of-order');
    for (const event of topicFirst.slice(1)) expect((await ingest(event)).status).toBe(200);
    const t = await pipeline.timeline(agentRunTraceId('aaaaaaaa-0000-4000-8000-000000000001'));
    expect(t.spans.map((s) => s.name)).toEqual(['invoke_agent 2341', 'guardrail harmful_content', 'guardrail prompt_attack', 'chat bedrock/claude-sonnet-4-6', 'execute_tool enterprise_search']);
    expect(t.logs.filter((l) => l.eventName === 'topic_assigned')).toHaveLength(1);
    const stillPending = await logRows(`EventName = 'topic_assigned' AND LogAttributes['flowtrace.join.pending'] = 'true' AND LogAttributes['gen_ai.conversation.id'] = 'conversation-out-of-order'`);
    expect(stillPending).toEqual([]);
    // The copy Event Logs made of the pending log is gone too: the joined one is left.
    const copies = await pipeline.store.select(
      'test',
      `SELECT 1 FROM ${TABLES.eventLogs} WHERE ProjectId = {projectId:String} AND EventName = 'topic_assigned' AND Attributes[{k:String}] = 'conversation-out-of-order'`,
      { projectId: pipeline.projectId, k: sc.ATTR_GEN_AI_CONVERSATION_ID },
    );
    expect(copies).toHaveLength(1);
  });
});

describe('stream formats and bad input', () => {
  const job = (id: string) => JSON.stringify({ id, recipe_id: 1, status: 'succeeded', started_at: '2026-11-01T10:00:00Z', completed_at: '2026-11-01T10:00:01Z' });

  it('accepts a JSON array, NDJSON and gzip', async () => {
    expect((await ingest(`[${job('j-array-1')},${job('j-array-2')}]`)).body).toMatchObject({ accepted: 2 });
    expect((await ingest(`${job('j-nd-1')}\n\n${job('j-nd-2')}\n`, { 'content-type': 'application/x-ndjson' })).body).toMatchObject({ accepted: 2 });
    expect((await ingest(gzipSync(job('j-gz-1')), { 'content-encoding': 'gzip' })).body).toMatchObject({ accepted: 1 });
    for (const id of ['j-array-2', 'j-nd-2', 'j-gz-1']) expect((await pipeline.timeline(jobTraceId(id))).spans).toHaveLength(1);
  });

  it('keeps an unknown event type as a log', async () => {
    const { body } = await ingest(JSON.stringify({ event_type: 'brand_new_event', conversation_id: 'c', genie_run_id: 'r-unknown', date_time: '2026-11-01T10:00:00Z', api_key: 'sk-123' }));
    expect(body).toMatchObject({ accepted: 1, logs: 1 });
    const rows = await logRows(`EventName = 'brand_new_event'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.Body).toContain('"api_key":"[REDACTED]"');
    expect((await ingest(JSON.stringify({ hello: 'world' }))).body).toMatchObject({ kinds: { unknown: 1 } });
  });

  it('keeps a genie event other than topic_assigned that comes without its run (genie_run_id "unknown") as a log', async () => {
    // Was a 500: only topic_assigned is joined to its run by request.
    const event = { event_type: 'llm_call_started', conversation_id: 'c-unknown-run', request_id: 'req-unknown-run', genie_run_id: 'unknown', genie_id: 'g', llm_call_id: 'l1', date_time: '2026-11-01T10:00:00Z' };
    const { status, body } = await ingest(JSON.stringify(event));
    expect(status).toBe(200);
    expect(body).toMatchObject({ accepted: 1, logs: 1, spans: 0 });
    expect(await logRows(`EventName = 'llm_call_started' AND Body LIKE '%req-unknown-run%'`)).toHaveLength(1);
  });

  it('rejects a malformed item with its position, storing nothing of the batch', async () => {
    const before = await pipeline.store.select<{ n: string }>('test', `SELECT count() AS n FROM ${TABLES.traces} WHERE ProjectId = {p:String}`, { p: pipeline.projectId });
    const bad = await ingest(`${job('j-bad-1')}\n${job('j-bad-2')}\n{"id": "j-bad-3", "recipe_id": 1,\n`, { 'content-type': 'application/x-ndjson' });
    expect(bad.status).toBe(400);
    expect((bad.body.error as { message: string }).message).toMatch(/^event 3 \(line 3\): invalid JSON/);
    const notObject = await ingest(`[${job('j-bad-4')}, 42]`);
    expect((notObject.body.error as { message: string }).message).toBe('event 2: expected a JSON object, got number');
    const badTime = await ingest(`[${job('j-bad-5')}, ${JSON.stringify({ id: 'j-bad-6', recipe_id: 1, status: 'failed', started_at: 'yesterday' })}]`);
    expect((badTime.body.error as { message: string }).message).toBe('event 2: started_at: not a date-time: "yesterday"');
    const after = await pipeline.store.select<{ n: string }>('test', `SELECT count() AS n FROM ${TABLES.traces} WHERE ProjectId = {p:String}`, { p: pipeline.projectId });
    expect(after).toEqual(before);
    expect((await ingest('{}', {}, 'ftk_wrong')).status).toBe(401);
    expect((await ingest('{}', { 'content-type': 'text/html' })).status).toBe(415);
  });
});

describe('parity with the SDK', () => {
  it('a job streamed from Workato reads exactly like the same job sent through the OpenTelemetry SDK', async () => {
    // A job id of its own: project A must hold only the SDK's copy.
    const text = fixture('03_job_history_failure.json').replaceAll('j-AEcaQsxm-Ec4PRe', 'j-parity-1');
    const spec = mapItems(parseBody(text)).traces[0]!;
    // Project B gets the job through the SDK (official OTLP protobuf exporters).
    const b = await pipeline.projects.createProject('sdk-parity');
    const keyB = (await pipeline.projects.createApiKey(b.id, 'k')).key;
    // The pipeline's exporters carry project A's key: record into A under a new job id instead,
    // by streaming the original to B through Workato and sending the SDK copy to A.
    expect((await ingest(text, {}, keyB)).status).toBe(200);
    emitTrace(spec, trace.getTracer('@flowtrace/instrumentation', '0.1.0'), logs.getLogger('@flowtrace/instrumentation', '0.1.0'));
    await pipeline.flush();
    const fromSdk = await pipeline.timeline(spec.traceId);
    const res = await fetch(`${pipeline.apiUrl}/projects/${b.id}/traces/${spec.traceId}`, { headers: { authorization: `Bearer ${keyB}` } });
    const fromWorkato = (await res.json()) as Timeline;
    const comparable = (t: Timeline) => ({
      // The resource is the sender's (the SDK app, or "workato"): everything else must match.
      spans: t.spans.map(({ resourceAttributes: _r, scope: _s, serviceName: _n, ...span }) => span),
      logs: t.logs.map(({ serviceName: _n, ...log }) => log),
    });
    expect(comparable(fromWorkato)).toEqual(comparable(fromSdk));
  });
});
