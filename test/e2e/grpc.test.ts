/**
 * End to end over OTLP/gRPC: `flowtrace start` as users run it, the official
 * OpenTelemetry SDK with its gRPC exporters sending one workflow execution
 * (spans and logs) with the project key in the call metadata; the query API
 * reads it back, the same as when the same records arrive over OTLP/HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metadata } from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
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
import type { Timeline } from '@flowtrace/query-api';
import { tempDir } from '../support/store.js';
import { createProject, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const dir = tempDir('flowtrace-e2e-grpc-');
let flowtrace: RunningFlowtrace;
const projects: Record<'grpc' | 'http', { id: string; key: string }> = {} as never;


async function get<T>(project: { id: string; key: string }, path: string): Promise<T> {
  const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}${path}`, { headers: { authorization: `Bearer ${project.key}` } });
  expect(res.status, `GET ${path}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

beforeAll(async () => {
  flowtrace = await startFlowtrace(dir.path);
  projects.grpc = await createProject(flowtrace, 'over-grpc');
  projects.http = await createProject(flowtrace, 'over-http');
});
afterAll(async () => {
  await flowtrace?.stop();
  dir.remove();
});

const exported = (send: (done: (result: ExportResult) => void) => void) => new Promise<ExportResult>((resolve) => send(resolve));

describe('an app exporting over OTLP/gRPC with the official SDK exporters', () => {
  const executionId = `exec-${Math.random().toString(36).slice(2)}`;
  const recordedSpans = new InMemorySpanExporter();
  const recordedLogs = new InMemoryLogRecordExporter();
  const metadata = new Metadata();
  let ids: { traceId: string; rootSpanId: string; stepSpanId: string };
  let tracerProvider: BasicTracerProvider;
  let loggerProvider: LoggerProvider;

  beforeAll(async () => {
    metadata.set('authorization', `Bearer ${projects.grpc.key}`);
    const resource = resourceFromAttributes({ 'service.name': 'e2e-grpc-app', 'deployment.environment': 'test' });
    const url = `http://${flowtrace.otlpGrpcAddress}`;
    tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor(recordedSpans), new BatchSpanProcessor(new GrpcTraceExporter({ url, metadata }))],
    });
    loggerProvider = new LoggerProvider({
      resource,
      processors: [new SimpleLogRecordProcessor({ exporter: recordedLogs }), new BatchLogRecordProcessor({ exporter: new GrpcLogExporter({ url, metadata }) })],
    });
    const tracer = tracerProvider.getTracer('e2e-grpc-app', '1.0.0');
    const logger = loggerProvider.getLogger('e2e-grpc-app', '1.0.0');

    const root = tracer.startSpan('workflow execution', {
      kind: SpanKind.SERVER,
      attributes: {
        [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.workflowExecution,
        [ATTR_FLOWTRACE_EXECUTION_ID]: executionId,
        [ATTR_FLOWTRACE_WORKFLOW_ID]: 'wf-7',
        [ATTR_FLOWTRACE_INTEGRATION]: 'salesforce',
        [ATTR_USER_ID]: 'user-1',
        [ATTR_FLOWTRACE_TASK_COUNT]: 2,
      },
    });
    const inRoot = trace.setSpan(context.active(), root);
    logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'Workflow execution started', eventName: 'workflow.started', context: inRoot });
    const step = tracer.startSpan(
      'step: Salesforce Create Record',
      { kind: SpanKind.CLIENT, attributes: { [ATTR_FLOWTRACE_STEP_ID]: 'step-1', [ATTR_FLOWTRACE_STEP_NAME]: 'Create Record' } },
      inRoot,
    );
    step.addEvent('retry', { attempt: 2 });
    step.setStatus({ code: SpanStatusCode.ERROR, message: 'HTTP 429 Too Many Requests' });
    logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'Request failed with status 429', eventName: 'step.failed', context: trace.setSpan(inRoot, step) });
    step.end();
    root.setStatus({ code: SpanStatusCode.ERROR, message: 'step failed' });
    root.end();
    ids = { traceId: root.spanContext().traceId, rootSpanId: root.spanContext().spanId, stepSpanId: step.spanContext().spanId };

    await tracerProvider.forceFlush();
    await loggerProvider.forceFlush();
  });
  afterAll(async () => {
    await tracerProvider?.shutdown();
    await loggerProvider?.shutdown();
  });

  it('is read back as a trace timeline: spans with parents, events and status; logs tied to their spans', async () => {
    const t = await get<Timeline>(projects.grpc, `/traces/${ids.traceId}`);
    expect(t.spans.map((s) => ({ name: s.name, depth: s.depth, kind: s.kind, spanId: s.spanId, parentSpanId: s.parentSpanId }))).toEqual([
      { name: 'workflow execution', depth: 0, kind: 'Server', spanId: ids.rootSpanId, parentSpanId: null },
      { name: 'step: Salesforce Create Record', depth: 1, kind: 'Client', spanId: ids.stepSpanId, parentSpanId: ids.rootSpanId },
    ]);
    const [root, step] = t.spans;
    expect(root).toMatchObject({
      serviceName: 'e2e-grpc-app',
      status: { code: 'Error', message: 'step failed' },
      attributes: { [ATTR_FLOWTRACE_KIND]: 'workflow_execution', [ATTR_FLOWTRACE_EXECUTION_ID]: executionId, [ATTR_FLOWTRACE_TASK_COUNT]: '2' },
      scope: { name: 'e2e-grpc-app', version: '1.0.0' },
    });
    expect(root!.resourceAttributes).toMatchObject({ 'service.name': 'e2e-grpc-app', 'deployment.environment': 'test' });
    expect(step).toMatchObject({ status: { code: 'Error', message: 'HTTP 429 Too Many Requests' }, events: [{ name: 'retry', attributes: { attempt: '2' } }] });
    expect(t.logs.map((l) => ({ body: l.body, eventName: l.eventName, severityNumber: l.severityNumber, spanId: l.spanId }))).toEqual([
      { body: 'Workflow execution started', eventName: 'workflow.started', severityNumber: 9, spanId: ids.rootSpanId },
      { body: 'Request failed with status 429', eventName: 'step.failed', severityNumber: 17, spanId: ids.stepSpanId },
    ]);
  });

  it('lists the execution once in Task History', async () => {
    const page = await get<{ workflowExecutions: Array<Record<string, unknown>>; total: number }>(projects.grpc, '/task-history/workflow-executions');
    expect(page.total).toBe(1);
    expect(page.workflowExecutions).toEqual([
      expect.objectContaining({ id: executionId, workflowId: 'wf-7', userId: 'user-1', status: 'FAILED', taskCount: 2 }),
    ]);
  });

  it('gives the same timeline and execution when the same records arrive over OTLP/HTTP protobuf', async () => {
    const headers = { authorization: `Bearer ${projects.http.key}` };
    const traceExporter = new ProtoTraceExporter({ url: `${flowtrace.otlpUrl}/v1/traces`, headers });
    const logExporter = new ProtoLogExporter({ url: `${flowtrace.otlpUrl}/v1/logs`, headers });
    const spans = recordedSpans.getFinishedSpans();
    const logs = recordedLogs.getFinishedLogRecords();
    expect([spans.length, logs.length]).toEqual([2, 2]);
    const results = [await exported((done) => traceExporter.export(spans, done)), await exported((done) => logExporter.export(logs, done))];
    await Promise.all([traceExporter.shutdown(), logExporter.shutdown()]);
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS, ExportResultCode.SUCCESS]);

    const overGrpc = await get<Timeline>(projects.grpc, `/traces/${ids.traceId}`);
    const overHttp = await get<Timeline>(projects.http, `/traces/${ids.traceId}`);
    expect(overHttp).toEqual(overGrpc);
    const list = (project: { id: string; key: string }) => get<{ workflowExecutions: unknown[]; total: number }>(project, '/task-history/workflow-executions');
    expect(await list(projects.http)).toEqual(await list(projects.grpc));
  });
});
