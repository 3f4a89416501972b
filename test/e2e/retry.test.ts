/**
 * End to end, what an exporter's retry and a crash leave behind: the same
 * request re-sent over OTLP/HTTP and OTLP/gRPC is stored once; with a spool,
 * every acknowledged batch is stored exactly once, in order, after the
 * process is killed and started again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Client, Metadata, credentials, status as Status, type ServiceError } from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  ATTR_FLOWTRACE_EXECUTION_ID,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_STEP_ID,
  ATTR_FLOWTRACE_WORKFLOW_ID,
  FLOWTRACE_KIND,
} from '@flowtrace/conventions/semconv';
import type { Timeline } from '@flowtrace/query-api';
import { tempDir } from '../support/store.js';
import { createProject, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const running: RunningFlowtrace[] = [];
const dirs: Array<{ remove: () => void }> = [];
afterAll(async () => {
  for (const f of running) await f.stop();
  for (const d of dirs) d.remove();
});

async function start(dataDir: string, env: Record<string, string> = {}): Promise<RunningFlowtrace> {
  const flowtrace = await startFlowtrace(dataDir, env);
  running.push(flowtrace);
  return flowtrace;
}

type Project = { id: string; key: string };


async function get<T>(flowtrace: RunningFlowtrace, project: Project, path: string): Promise<T> {
  const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}${path}`, { headers: { authorization: `Bearer ${project.key}` } });
  expect(res.status, `GET ${path}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

interface TaskHistory {
  workflowExecutions: Array<{ id: string; dateStarted: string }>;
  total: number;
}
const taskHistory = (flowtrace: RunningFlowtrace, project: Project) => get<TaskHistory>(flowtrace, project, '/task-history/workflow-executions?limit=100');
const executionCount = async (flowtrace: RunningFlowtrace, project: Project) =>
  (await get<{ totals: { executions: number } }>(flowtrace, project, '/stats/executions')).totals.executions;

/** A collector metric's value, from GET /metrics of the OTLP port. */
async function metric(flowtrace: RunningFlowtrace, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${flowtrace.otlpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// ---------------------------------------------------------------- requests

const recorded = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'e2e-retry' }),
  spanProcessors: [new SimpleSpanProcessor(recorded)],
}).getTracer('e2e-retry', '1.0.0');

interface Execution {
  executionId: string;
  traceId: string;
  startMs: number;
  /** An ExportTraceServiceRequest, as the SDK's protobuf exporters encode it. */
  body: Uint8Array;
}

/** One workflow execution (a root and a step), started at `startMs`, as one encoded export request. */
function execution(executionId: string, startMs: number): Execution {
  recorded.reset();
  const root = tracer.startSpan('workflow execution', {
    kind: SpanKind.SERVER,
    startTime: startMs,
    attributes: { [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.workflowExecution, [ATTR_FLOWTRACE_EXECUTION_ID]: executionId, [ATTR_FLOWTRACE_WORKFLOW_ID]: 'wf-retry' },
  });
  const step = tracer.startSpan('step', { kind: SpanKind.CLIENT, startTime: startMs + 10, attributes: { [ATTR_FLOWTRACE_STEP_ID]: 's1' } }, trace.setSpan(context.active(), root));
  step.end(startMs + 200);
  root.setStatus({ code: SpanStatusCode.OK });
  root.end(startMs + 250);
  return { executionId, traceId: root.spanContext().traceId, startMs, body: ProtobufTraceSerializer.serializeRequest(recorded.getFinishedSpans())! };
}

const postHttp = (flowtrace: RunningFlowtrace, project: Project, body: Uint8Array) =>
  fetch(`${flowtrace.otlpUrl}/v1/traces`, { method: 'POST', body, headers: { authorization: `Bearer ${project.key}`, 'content-type': 'application/x-protobuf' } });

/** One unary Export call with the raw gRPC client, as an exporter re-sending the same bytes. */
function callGrpc(client: Client, project: Project, body: Uint8Array): Promise<number> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${project.key}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(TRACES, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), metadata, {}, (err: ServiceError | null) => resolve(err ? err.code : Status.OK));
  });
}

async function until(what: string, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---------------------------------------------------------------- tests

describe('retries on both transports', () => {
  it('stores a request re-sent three times over HTTP and three times over gRPC once', async () => {
    const dir = tempDir('flowtrace-e2e-retry-');
    dirs.push(dir);
    const flowtrace = await start(dir.path);
    const project = await createProject(flowtrace, 'retries');
    const overHttp = execution('exec-http', Date.now() - 60_000);
    const overGrpc = execution('exec-grpc', Date.now() - 30_000);

    const httpStatuses = [];
    for (let i = 0; i < 3; i++) httpStatuses.push((await postHttp(flowtrace, project, overHttp.body)).status);
    expect(httpStatuses).toEqual([200, 200, 200]);
    const client = new Client(flowtrace.otlpGrpcAddress, credentials.createInsecure());
    const grpcCodes = [];
    try {
      for (let i = 0; i < 3; i++) grpcCodes.push(await callGrpc(client, project, overGrpc.body));
      // The same bytes retried on the other transport are the same request.
      grpcCodes.push(await callGrpc(client, project, overHttp.body));
    } finally {
      client.close();
    }
    expect(grpcCodes).toEqual([Status.OK, Status.OK, Status.OK, Status.OK]);

    const history = await taskHistory(flowtrace, project);
    expect(history.total).toBe(2);
    expect(history.workflowExecutions.map((e) => e.id)).toEqual(['exec-http', 'exec-grpc']);
    expect(await executionCount(flowtrace, project)).toBe(2);
    for (const sent of [overHttp, overGrpc]) {
      const t = await get<Timeline>(flowtrace, project, `/traces/${sent.traceId}`);
      expect(t.spans.map((s) => s.name)).toEqual(['workflow execution', 'step']);
    }
    const requests = (transport: string, outcome: string) => metric(flowtrace, `flowtrace_collector_requests_total{signal="traces",transport="${transport}",outcome="${outcome}"}`);
    expect([await requests('http', 'stored'), await requests('http', 'duplicate')]).toEqual([1, 2]);
    expect([await requests('grpc', 'stored'), await requests('grpc', 'duplicate')]).toEqual([1, 3]);
  });
});

describe('the spool across a kill', () => {
  it('stores every acknowledged batch exactly once, in order, after SIGKILL and a restart', async () => {
    const dataDir = tempDir('flowtrace-e2e-spool-data-');
    const spoolDir = tempDir('flowtrace-e2e-spool-');
    dirs.push(dataDir, spoolDir);
    const env = { FLOWTRACE_SPOOL_DIR: spoolDir.path };
    let flowtrace = await start(dataDir.path, env);
    const project = await createProject(flowtrace, 'spooled');

    const N = 60;
    const t0 = Date.now() - 3_600_000;
    const sent = Array.from({ length: N }, (_, i) => execution(`exec-${String(i).padStart(3, '0')}`, t0 + i * 1000));
    // In waves of concurrent exports, so that the drainer has batches left when the process dies.
    for (let wave = 0; wave < N; wave += 15) {
      const statuses = await Promise.all(sent.slice(wave, wave + 15).map(async (e) => (await postHttp(flowtrace, project, e.body)).status));
      expect(statuses).toEqual(statuses.map(() => 200));
    }
    process.kill(flowtrace.pid, 'SIGKILL');
    await flowtrace.stop(); // resolves once the process is gone

    flowtrace = await start(dataDir.path, env);
    await until('the spool to be drained', async () => (await taskHistory(flowtrace, project)).total >= N && (await metric(flowtrace, 'flowtrace_spool_records')) === 0);

    const history = await taskHistory(flowtrace, project);
    expect(history.total).toBe(N);
    expect(history.workflowExecutions.map((e) => e.id)).toEqual(sent.map((e) => e.executionId));
    expect(history.workflowExecutions.map((e) => e.dateStarted)).toEqual(sent.map((e) => new Date(e.startMs).toISOString()));
    expect(await executionCount(flowtrace, project)).toBe(N);
    for (const e of [sent[0]!, sent[N - 1]!]) {
      const t = await get<Timeline>(flowtrace, project, `/traces/${e.traceId}`);
      expect(t.spans.map((s) => s.name)).toEqual(['workflow execution', 'step']);
    }
  });
});
