/**
 * Recording more than the SDK's export queues hold: the official batch
 * processors (with queues of 32 here, 2,048 by default) watched by
 * FLOWTRACE_EXPORT_QUEUES, exporting over OTLP/HTTP to the collector and
 * embedded ClickHouse, counted back through Task History. A plain loop loses
 * what overflows and says exactly how much; recordAll loses nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace, type MeterProvider } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { BasicTracerProvider, BatchSpanProcessor, type BufferConfig } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { FLOWTRACE_EXPORT_QUEUES, FLOWTRACE_ID_GENERATOR, Flowtrace, type WorkflowExecution } from '@flowtrace/instrumentation';
import { openPipeline, type Pipeline } from '../../test/support/pipeline.js';

const QUEUE = 32;
let pipeline: Pipeline;
let tracerProvider: BasicTracerProvider;
let loggerProvider: LoggerProvider;
const warnings: string[] = [];
const onWarning = (warning: Error) => {
  if (warning.name === 'FlowtraceWarning') warnings.push(warning.message);
};

beforeAll(async () => {
  pipeline = await openPipeline();
  // The pipeline's own providers, replaced by ones with small queues that report to Flowtrace.
  trace.disable();
  logs.disable();
  const headers = { Authorization: `Bearer ${pipeline.key}` };
  const spanQueue: BufferConfig & { selfObsMeterProvider: MeterProvider } = { maxQueueSize: QUEUE, selfObsMeterProvider: FLOWTRACE_EXPORT_QUEUES };
  tracerProvider = new BasicTracerProvider({
    idGenerator: FLOWTRACE_ID_GENERATOR,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${pipeline.otlpUrl}/v1/traces`, headers }), spanQueue)],
  });
  loggerProvider = new LoggerProvider({
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${pipeline.otlpUrl}/v1/logs`, headers }), maxQueueSize: QUEUE, selfObsMeterProvider: FLOWTRACE_EXPORT_QUEUES })],
  });
  trace.setGlobalTracerProvider(tracerProvider);
  logs.setGlobalLoggerProvider(loggerProvider);
  process.on('warning', onWarning);
});
afterAll(async () => {
  process.off('warning', onWarning);
  await tracerProvider.shutdown();
  await loggerProvider.shutdown();
  await pipeline.close();
});

const flowtrace = new Flowtrace();
const T = Date.now() - 3_600_000;

function* executions(prefix: string, count: number, steps: number): Generator<WorkflowExecution> {
  for (let i = 0; i < count; i++) {
    const startedAt = T + i * 1000;
    yield {
      executionId: `${prefix}-${i}`,
      workflowId: prefix,
      userId: `user-${i % 5}`,
      integration: 'salesforce',
      status: 'SUCCEEDED',
      startedAt,
      endedAt: startedAt + 500,
      steps: Array.from({ length: steps }, (_, s) => ({ stepId: `s${s}`, name: `Step ${s}`, status: 'SUCCEEDED' as const, startedAt: startedAt + s, endedAt: startedAt + s + 1 })),
    };
  }
}

/** Executions of one workflow that Task History holds. */
async function stored(workflowId: string): Promise<number> {
  const res = await fetch(`${pipeline.apiUrl}/projects/${pipeline.projectId}/task-history/workflow-executions?workflowId=${workflowId}&limit=1`, {
    headers: { authorization: `Bearer ${pipeline.key}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { total: number }).total;
}

const droppedIn = (messages: string[]) => {
  const counts = messages.map((m) => /dropped (?:(\d+) spans)?(?: and )?(?:(\d+) logs)?: the export queue was full/.exec(m)).filter((m) => m !== null);
  return { spans: counts.reduce((n, m) => n + Number(m[1] ?? 0), 0), logs: counts.reduce((n, m) => n + Number(m[2] ?? 0), 0), warnings: counts.length };
};

describe('a plain loop that records more than the queues hold', () => {
  it('loses what overflows, and warns with exactly how many spans and logs were dropped', async () => {
    warnings.length = 0;
    const before = FLOWTRACE_EXPORT_QUEUES.lost();
    // One span and one log each: every dropped span is an execution missing from Task History.
    for (const execution of executions('loop', 300, 0)) flowtrace.recordWorkflowExecution(execution);
    await flowtrace.flush();

    const dropped = droppedIn(warnings);
    expect(dropped.warnings).toBe(1);
    expect(dropped.spans).toBeGreaterThan(0);
    expect(dropped.logs).toBeGreaterThan(0);
    expect(300 - (await stored('loop'))).toBe(dropped.spans);
    expect(warnings[0]).toContain(`the export queue was full (spans: ${QUEUE}, OTEL_BSP_MAX_QUEUE_SIZE; logs: ${QUEUE}, OTEL_BLRP_MAX_QUEUE_SIZE)`);
    expect(warnings[0]).toContain('await flowtrace.recordAll(items, record)');
    const after = FLOWTRACE_EXPORT_QUEUES.lost();
    expect(after.dropped.spans - before.dropped.spans).toBe(dropped.spans);
    expect(after.dropped.logs - before.dropped.logs).toBe(dropped.logs);
  });
});

describe('recordAll', () => {
  it('records ten times what the queues hold without losing any, and says nothing was lost', async () => {
    warnings.length = 0;
    // Three spans and one log each: 1,200 spans through queues of 32.
    const result = await flowtrace.recordWorkflowExecutions(executions('bulk', 400, 2));
    expect(result).toEqual({ recorded: 400, lost: { dropped: { spans: 0, logs: 0 }, failed: { spans: 0, logs: 0 } } });
    expect(await stored('bulk')).toBe(400);
    expect(warnings).toEqual([]);
  });

  it('takes any family and async sources, through the record methods as they are', async () => {
    async function* source() {
      yield* executions('async-source', 50, 1);
    }
    const result = await flowtrace.recordAll(source(), (execution) => flowtrace.recordWorkflowExecution(execution));
    expect(result.recorded).toBe(50);
    expect(result.lost.dropped).toEqual({ spans: 0, logs: 0 });
    expect(await stored('async-source')).toBe(50);
  });

  it('cannot fit an execution larger than a queue and the batch in flight: what does not fit is dropped and reported, not lost silently', async () => {
    warnings.length = 0;
    const result = await flowtrace.recordWorkflowExecutions(executions('huge', 1, 2 * QUEUE + 8));
    expect(result.lost.dropped.spans).toBeGreaterThan(0);
    expect(droppedIn(warnings).spans).toBe(result.lost.dropped.spans);
  });
});
