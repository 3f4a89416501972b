/**
 * Credentials are redacted before storage on every ingest path. `flowtrace
 * start` as users run it; the same records, each planted credential in span
 * names, status messages, span, resource, event and link attributes, log
 * bodies and log attributes, exported with the official SDK exporters over
 * OTLP/HTTP (protobuf) and OTLP/gRPC, and a Workato stream with them in a
 * job's error and title and in its lines' errors and titles. No secret comes
 * back from the trace timeline, Event Logs, Task History (the step detail
 * too) or the exports, and none is in any table. A project's own pattern
 * redacts its records only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metadata } from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import {
  ATTR_FLOWTRACE_EXECUTION_ID,
  ATTR_FLOWTRACE_INTEGRATION,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_STEP_ID,
  ATTR_FLOWTRACE_STEP_NAME,
  ATTR_FLOWTRACE_TASK_COUNT,
  ATTR_FLOWTRACE_WORKFLOW_ID,
  ATTR_USER_ID,
  FLOWTRACE_KIND,
} from '@flowtrace/conventions/semconv';
import { TABLES, openStore } from '@flowtrace/store';
import { tempDir } from '../support/store.js';
import { startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';
import { ALL_PLANTED_TEXT, PLANTED, SECRETS, leakedIn } from '../support/secrets.js';

const dir = tempDir('flowtrace-e2e-redaction-');
let flowtrace: RunningFlowtrace;
type Project = { id: string; key: string };
const projects: Record<'http' | 'grpc' | 'workato' | 'acme' | 'control', Project> = {} as never;
const EXECUTION_ID = 'exec-redaction-1';
const CUSTOM_SECRET = 'ACME-123456';
const MINUTE = 60_000;

const adminHeaders = () => ({ authorization: `Bearer ${flowtrace.adminToken}`, 'content-type': 'application/json' });
const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${flowtrace.apiUrl}/admin${path}`, { method, headers: adminHeaders(), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

async function createProject(name: string): Promise<Project> {
  const created = (await (await admin('POST', '/projects', { name })).json()) as { id: string };
  const key = (await (await admin('POST', `/projects/${created.id}/api-keys`, { name: 'app' })).json()) as { key: string };
  return { id: created.id, key: key.key };
}

/** An API answer as text (JSON, NDJSON or CSV), after checking it succeeded. */
async function read(project: Project, path: string): Promise<string> {
  const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}${path}`, { headers: { authorization: `Bearer ${project.key}` } });
  const text = await res.text();
  expect(res.status, `GET ${path}: ${text.slice(0, 300)}`).toBe(200);
  return text;
}

const exported = (send: (done: (result: ExportResult) => void) => void) => new Promise<ExportResult>((resolve) => send(resolve));

/**
 * One failed workflow execution with a step per planted credential: the
 * credential in the step's name, status message, attributes (by its key and
 * as free text), an event, a link, a log and an outbound request; the root
 * and its log carry every one of them at once, the resource too.
 */
function recordExecution(): { spans: InMemorySpanExporter; logs: InMemoryLogRecordExporter } {
  const spans = new InMemorySpanExporter();
  const logs = new InMemoryLogRecordExporter();
  const resource = resourceFromAttributes({ 'service.name': 'e2e-redaction', 'process.command_line': `worker --debug ${ALL_PLANTED_TEXT}`, 'db.password': 'hunter2-Passw0rd' });
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(spans)] });
  const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logs })] });
  const tracer = tracerProvider.getTracer('e2e-redaction', '1.0.0');
  const logger = loggerProvider.getLogger('e2e-redaction', '1.0.0');
  const start = Date.now() - MINUTE;

  const root = tracer.startSpan(
    `workflow execution ${PLANTED[2]!.text}`,
    {
      kind: SpanKind.SERVER,
      startTime: start,
      attributes: {
        [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.workflowExecution,
        [ATTR_FLOWTRACE_EXECUTION_ID]: EXECUTION_ID,
        [ATTR_FLOWTRACE_WORKFLOW_ID]: 'wf-redaction',
        [ATTR_FLOWTRACE_INTEGRATION]: 'salesforce',
        [ATTR_USER_ID]: 'user-1',
        [ATTR_FLOWTRACE_TASK_COUNT]: PLANTED.length,
        'flowtrace.input': JSON.stringify({ user: 'ana', password: 'hunter2-Passw0rd', apiKey: 'ak_9Xq2Lm7Pz4Rt8Wv1' }),
        'flowtrace.note': ALL_PLANTED_TEXT,
      },
    },
  );
  const inRoot = trace.setSpan(context.active(), root);
  logger.emit({ timestamp: start + 1, severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: ALL_PLANTED_TEXT, eventName: 'workflow.failed', attributes: { 'flowtrace.error.message': ALL_PLANTED_TEXT }, context: inRoot });

  PLANTED.forEach((planted, i) => {
    const [key, value] = planted.attribute;
    const at = start + 10 + i * 100;
    const step = tracer.startSpan(
      `step ${i}: ${planted.text}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: at,
        attributes: {
          [ATTR_FLOWTRACE_STEP_ID]: `step-${i}`,
          [ATTR_FLOWTRACE_STEP_NAME]: planted.text,
          [key]: value,
          'flowtrace.note': planted.text,
          'flowtrace.input': JSON.stringify({ request: planted.text, [key]: value }),
          'flowtrace.output': JSON.stringify({ echoed: planted.text }),
        },
        links: [{ context: root.spanContext(), attributes: { reason: planted.text, [key]: value } }],
      },
      inRoot,
    );
    step.addEvent(`retry after ${planted.text}`, { 'exception.message': planted.text, [key]: value }, at + 5);
    const inStep = trace.setSpan(inRoot, step);
    const request = tracer.startSpan(
      'POST',
      { kind: SpanKind.CLIENT, startTime: at + 10, attributes: { 'http.request.method': 'POST', 'url.full': PLANTED[4]!.attribute[1], 'http.response.status_code': 401, [key]: value } },
      inStep,
    );
    request.setStatus({ code: SpanStatusCode.ERROR, message: planted.text });
    request.end(at + 50);
    logger.emit({ timestamp: at + 60, severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: planted.text, eventName: 'step.failed', attributes: { [key]: value, 'flowtrace.error.message': planted.text }, context: inStep });
    step.setStatus({ code: SpanStatusCode.ERROR, message: planted.text });
    step.end(at + 90);
  });
  root.setStatus({ code: SpanStatusCode.ERROR, message: ALL_PLANTED_TEXT });
  root.end(start + 10 + PLANTED.length * 100);
  return { spans, logs };
}

/** A Workato job stream: two failed jobs, the credentials in their errors (text and JSON) and titles, and in their lines. */
function workatoStream(): string {
  const startedAt = new Date(Date.now() - 2 * MINUTE).toISOString();
  const completedAt = new Date(Date.now() - MINUTE).toISOString();
  const job = (id: string, error: string) => ({
    id,
    recipe_id: 3026581,
    title: `New request: ${ALL_PLANTED_TEXT}`,
    status: 'failed',
    is_repeat: false,
    is_test: false,
    started_at: startedAt,
    completed_at: completedAt,
    action_count: 2,
    error_type: 'Bad data sent to API server',
    error,
    context: { user_id: 33359, user_name: 'Ana', recipe_id: 3026581, recipe_name: 'Sync contacts', recipe_path: 'Home' },
    lines: PLANTED.map((planted, i) => ({
      recipe_line_number: i,
      adapter_name: 'rest',
      adapter_operation: 'send_request',
      title: planted.text,
      input: { url: planted.text },
      output: {},
      error: planted.text,
      mask_data: false,
    })),
  });
  return [
    JSON.stringify(job('j-Redact01-Text', ALL_PLANTED_TEXT)),
    JSON.stringify(job('j-Redact02-Json', JSON.stringify({ error_type: 'Bad data sent to API server', adapter: 'rest', action: 'send_request', line_number: 1, message: ALL_PLANTED_TEXT, http_response: { code: 401 } }))),
  ].join('\n');
}

/** OTLP/JSON logs: one record with `body`, sent with the project's key. */
async function sendLog(project: Project, body: string): Promise<void> {
  const nanos = `${BigInt(Date.now() - MINUTE) * 1_000_000n}`;
  const request = {
    resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] }, scopeLogs: [{ scope: { name: 'orders' }, logRecords: [{ timeUnixNano: nanos, severityNumber: 9, severityText: 'INFO', body: { stringValue: body }, attributes: [{ key: 'order.ref', value: { stringValue: body } }] }] }] }],
  };
  const res = await fetch(`${flowtrace.otlpUrl}/v1/logs`, { method: 'POST', headers: { authorization: `Bearer ${project.key}`, 'content-type': 'application/json' }, body: JSON.stringify(request) });
  expect(res.status, await res.text()).toBe(200);
}

beforeAll(async () => {
  flowtrace = await startFlowtrace(dir.path);
  for (const name of ['http', 'grpc', 'workato', 'acme', 'control'] as const) projects[name] = await createProject(`redaction-${name}`);

  // The same records over both OTLP transports, each into its own project.
  const recorded = recordExecution();
  const spans = recorded.spans.getFinishedSpans();
  const logs = recorded.logs.getFinishedLogRecords();
  expect([spans.length, logs.length]).toEqual([1 + 2 * PLANTED.length, 1 + PLANTED.length]);
  const headers = { authorization: `Bearer ${projects.http.key}` };
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${projects.grpc.key}`);
  const grpcUrl = `http://${flowtrace.otlpGrpcAddress}`;
  const exporters = [
    [new ProtoTraceExporter({ url: `${flowtrace.otlpUrl}/v1/traces`, headers }), new ProtoLogExporter({ url: `${flowtrace.otlpUrl}/v1/logs`, headers })],
    [new GrpcTraceExporter({ url: grpcUrl, metadata }), new GrpcLogExporter({ url: grpcUrl, metadata })],
  ] as const;
  for (const [traceExporter, logExporter] of exporters) {
    const results = [await exported((done) => traceExporter.export(spans, done)), await exported((done) => logExporter.export(logs, done))];
    expect(results.map((r) => [r.code, r.error?.message])).toEqual([[ExportResultCode.SUCCESS, undefined], [ExportResultCode.SUCCESS, undefined]]);
    await Promise.all([traceExporter.shutdown(), logExporter.shutdown()]);
  }

  const workato = await fetch(`${flowtrace.otlpUrl}/ingest/workato`, {
    method: 'POST',
    headers: { authorization: `Bearer ${projects.workato.key}`, 'content-type': 'application/x-ndjson' },
    body: workatoStream(),
  });
  expect(workato.status, await workato.clone().text()).toBe(200);
  expect(((await workato.json()) as { accepted: number }).accepted).toBe(2);
}, 120_000);

afterAll(async () => {
  await flowtrace?.stop();
  dir.remove();
});

/** Everything a project's records can be read back through: timelines of every trace, Event Logs, the exports, and Task History with each step. */
async function readBack(project: Project): Promise<Record<string, string>> {
  const answers: Record<string, string> = {};
  const from = new Date(Date.now() - 24 * 60 * MINUTE).toISOString();
  const to = new Date(Date.now() + 60 * MINUTE).toISOString();
  answers.eventLogs = await read(project, '/event-logs?limit=500');
  const traceIds = new Set((JSON.parse(answers.eventLogs) as { logs: Array<{ traceId: string }> }).logs.map((l) => l.traceId).filter(Boolean));
  expect(traceIds.size).toBeGreaterThan(0);
  for (const traceId of traceIds) answers[`timeline ${traceId}`] = await read(project, `/traces/${traceId}`);
  for (const format of ['ndjson', 'csv']) {
    answers[`export event-logs ${format}`] = await read(project, `/export/event-logs?from=${from}&to=${to}&format=${format}`);
    answers[`export workflow-executions ${format}`] = await read(project, `/export/workflow-executions?from=${from}&to=${to}&format=${format}`);
  }
  const list = await read(project, '/task-history/workflow-executions');
  answers.taskHistory = list;
  for (const { id } of (JSON.parse(list) as { workflowExecutions: Array<{ id: string }> }).workflowExecutions) {
    const execution = await read(project, `/task-history/workflow-executions/${id}`);
    answers[`execution ${id}`] = execution;
    for (const step of (JSON.parse(execution) as { steps: Array<{ id: string }> }).steps) {
      answers[`step ${step.id}`] = await read(project, `/task-history/workflow-executions/${id}/step-executions/${step.id}`);
    }
  }
  return answers;
}

const leaks = (answers: Record<string, string>) => Object.entries(answers).flatMap(([where, text]) => leakedIn(text).map((secret) => `${where}: ${secret}`));

describe('credentials planted in OTLP and Workato records', () => {
  it.each(['http', 'grpc'] as const)('never come back over the query API (OTLP/%s)', async (transport) => {
    const answers = await readBack(projects[transport]);
    // The records are all there, with their credentials cut.
    const timeline = JSON.parse(Object.entries(answers).find(([where]) => where.startsWith('timeline'))![1]) as { spans: unknown[]; logs: unknown[] };
    expect([timeline.spans.length, timeline.logs.length]).toEqual([1 + 2 * PLANTED.length, 1 + PLANTED.length]);
    expect(Object.keys(answers).filter((where) => where.startsWith('step '))).toHaveLength(PLANTED.length);
    expect(answers.eventLogs).toContain('Authorization: Bearer [REDACTED]');
    expect(answers.eventLogs).toContain('api_key=[REDACTED]');
    expect(answers.eventLogs).toContain('https://svc:[REDACTED]@db.example.com');
    expect(leaks(answers)).toEqual([]);
  });

  it('never come back over the query API (Workato stream)', async () => {
    const answers = await readBack(projects.workato);
    const timelines = Object.entries(answers).filter(([where]) => where.startsWith('timeline'));
    expect(timelines).toHaveLength(2);
    // The job's title and error and each line's error are kept, without their credentials.
    for (const [, timeline] of timelines) expect(timeline).toContain('New request: Authorization: Bearer [REDACTED] | upstream refused bearer [REDACTED]');
    expect(answers.eventLogs).toContain('upstream refused bearer [REDACTED] (401), retrying');
    expect(answers.eventLogs).toContain('Job failed: Authorization: Bearer [REDACTED]');
    expect(leaks(answers)).toEqual([]);
  });
});

describe("a project's own redaction patterns", () => {
  it('are set and read through the admin API, and a bad pattern is refused by its place', async () => {
    const bad = await admin('PUT', `/projects/${projects.acme.id}/redaction`, { patterns: ['ACME-[0-9]{6}', 'ACME-[0-9', 'x*'] });
    expect(bad.status).toBe(400);
    const message = ((await bad.json()) as { error: { message: string } }).error.message;
    expect(message).toContain('body.patterns[1]: is not a valid regular expression');
    expect(message).toContain('body.patterns[2]: matches the empty string');

    const set = await admin('PUT', `/projects/${projects.acme.id}/redaction`, { patterns: ['ACME-[0-9]{6}'] });
    expect(set.status).toBe(200);
    const gotRes = await admin('GET', `/projects/${projects.acme.id}/redaction`);
    const got = (await gotRes.json()) as { patterns: string[] };
    expect(gotRes.status, JSON.stringify(got)).toBe(200);
    expect(got.patterns).toEqual(['ACME-[0-9]{6}']);
    expect(((await (await admin('GET', `/projects/${projects.control.id}/redaction`)).json()) as { patterns: string[] }).patterns).toEqual([]);
  });

  it("redact that project's records only", async () => {
    await sendLog(projects.acme, `order ${CUSTOM_SECRET} shipped with Bearer sk-live-4f9a8b7c6d5e4f3a2b1c`);
    await sendLog(projects.control, `order ${CUSTOM_SECRET} shipped with Bearer sk-live-4f9a8b7c6d5e4f3a2b1c`);
    const acme = await read(projects.acme, '/event-logs');
    const control = await read(projects.control, '/event-logs');
    expect(acme).toContain('order [REDACTED] shipped with Bearer [REDACTED]');
    expect(acme).not.toContain(CUSTOM_SECRET);
    // Built-in redaction applies to every project; the pattern only to its own.
    expect(control).toContain(`order ${CUSTOM_SECRET} shipped with Bearer [REDACTED]`);
  });
});

describe('the tables, read after the process stopped', () => {
  const CHECKED = [TABLES.traces, TABLES.logs, TABLES.traceRecords, TABLES.eventLogs, TABLES.executions] as const;
  let contents: Record<string, Array<Record<string, unknown>>>;

  beforeAll(async () => {
    expect(await flowtrace.stop()).toBe(0);
    // One process per data directory: opened only once flowtrace has exited.
    const { store } = await openStore({ dataDir: dir.path, ttlDays: 30 });
    try {
      contents = {};
      for (const table of CHECKED) contents[table] = await store.select<Record<string, unknown>>('test.redaction', `SELECT * FROM ${table}`);
    } finally {
      await store.close();
    }
  }, 60_000);

  it.each(CHECKED)('%s holds no planted secret', (table) => {
    const rows = contents[table]!;
    expect(rows.length).toBeGreaterThan(0);
    const text = JSON.stringify(rows);
    expect(text).toContain('[REDACTED]');
    expect(SECRETS.filter((secret) => text.includes(secret))).toEqual([]);
    // The project pattern held for its project, and only there.
    const custom = rows.filter((row) => JSON.stringify(row).includes(CUSTOM_SECRET)).map((row) => row.ProjectId);
    expect(custom).not.toContain(projects.acme.id);
  });
});
