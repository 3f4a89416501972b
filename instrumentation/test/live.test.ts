/**
 * A workflow execution traced as it runs (`traceWorkflowExecution`), through
 * the whole path: the official OTel SDK, OTLP/HTTP to the collector, embedded
 * ClickHouse, the query API. It must read exactly as the same execution
 * recorded afterwards, be a trace of its own wherever it runs, and leave the
 * app's results and errors untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { BatchLogRecordProcessor, InMemoryLogRecordExporter, LoggerProvider } from '@opentelemetry/sdk-logs';
import { Flowtrace, FlowtraceLogRecordProcessor, rootSpanIdOf, workflowExecutionTraceId } from '@flowtrace/instrumentation';
import * as sc from '@flowtrace/instrumentation/semconv';
import type { Timeline } from '@flowtrace/query-api';
import { openPipeline, type Pipeline } from '../../test/support/pipeline.js';

let pipeline: Pipeline;
const flowtrace = new Flowtrace();

beforeAll(async () => {
  pipeline = await openPipeline();
  // As NodeSDK does: the active span follows the code through awaits.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(async () => {
  await pipeline.close();
  context.disable();
});

const execution = (executionId: string) => ({ executionId, workflowId: 'wf-live', workflowName: 'Sync new deals', userId: 'user-3', integration: 'hubspot' });

/** Attributes that differ between two executions by nature (their ids), or not at all. */
const sameness = (t: Timeline) => ({
  spans: t.spans.map((s) => ({ name: s.name, depth: s.depth, kind: s.kind, status: s.status, attributes: { ...s.attributes, [sc.ATTR_FLOWTRACE_EXECUTION_ID]: undefined } })),
  logs: t.logs.map((l) => ({ body: l.body, eventName: l.eventName, severityText: l.severityText, attributes: { ...l.attributes, [sc.ATTR_FLOWTRACE_EXECUTION_ID]: undefined } })),
});

describe('traceWorkflowExecution', () => {
  it('reads exactly as the same execution recorded with recordWorkflowExecution, in the timeline and in Task History', async () => {
    const thrown = new Error('REQUIRED_FIELD_MISSING');
    await expect(
      flowtrace.traceWorkflowExecution(execution('live-1'), async (run) => {
        await run.step({ stepId: 's1', name: 'Get contact' }, async () => 'contact');
        await run.step({ stepId: 's2', name: 'Create record' }, async () => {
          throw thrown;
        });
      }),
    ).rejects.toBe(thrown);
    const now = Date.now();
    flowtrace.recordWorkflowExecution({
      ...execution('recorded-1'),
      status: 'FAILED',
      startedAt: now,
      endedAt: now + 30,
      steps: [
        { stepId: 's1', name: 'Get contact', status: 'SUCCEEDED', startedAt: now + 1, endedAt: now + 10 },
        { stepId: 's2', name: 'Create record', status: 'FAILED', error: 'REQUIRED_FIELD_MISSING', startedAt: now + 10, endedAt: now + 20 },
      ],
    });
    await pipeline.flush();
    const live = await pipeline.timeline(workflowExecutionTraceId('live-1'));
    const recorded = await pipeline.timeline(workflowExecutionTraceId('recorded-1'));
    expect(live.spans[0]!.spanId).toBe(rootSpanIdOf(workflowExecutionTraceId('live-1')));
    expect(live.spans[0]!.attributes[sc.ATTR_FLOWTRACE_EXECUTION_ID]).toBe('live-1');
    expect(sameness(live)).toEqual(sameness(recorded));
    expect(sameness(live).logs.map((l) => l.body)).toEqual(['Step Create record failed: REQUIRED_FIELD_MISSING', 'Workflow execution FAILED']);

    const res = await fetch(`${pipeline.apiUrl}/projects/${pipeline.projectId}/task-history/workflow-executions/live-1`, { headers: { authorization: `Bearer ${pipeline.key}` } });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { status: string; taskCount: number; error: string; steps: Array<{ name: string; status: string; error: string | null }> };
    expect(answer).toMatchObject({ status: 'FAILED', taskCount: 2, error: 'REQUIRED_FIELD_MISSING' });
    expect(answer.steps.map((s) => [s.name, s.status, s.error])).toEqual([
      ['Get contact', 'SUCCEEDED', null],
      ['Create record', 'FAILED', 'REQUIRED_FIELD_MISSING'],
    ]);
  });

  it('hands back what the run returns or throws, synchronous or not, and records each outcome', async () => {
    expect(flowtrace.traceWorkflowExecution(execution('sync-ok'), (run) => run.step({ stepId: 's', name: 'Add' }, () => 1 + 1))).toBe(2);
    const syncError = new TypeError('boom');
    expect(() =>
      flowtrace.traceWorkflowExecution(execution('sync-throw'), () => {
        throw syncError;
      }),
    ).toThrow(syncError);
    await expect(flowtrace.traceWorkflowExecution(execution('async-ok'), async () => 'done')).resolves.toBe('done');
    await pipeline.flush();
    const outcome = async (id: string) => {
      const root = (await pipeline.timeline(workflowExecutionTraceId(id))).spans[0]!;
      return [root.attributes[sc.ATTR_FLOWTRACE_STATUS], root.status.code, root.status.message];
    };
    expect(await outcome('sync-ok')).toEqual(['SUCCEEDED', 'Ok', '']);
    expect(await outcome('sync-throw')).toEqual(['FAILED', 'Error', 'boom']);
    expect(await outcome('async-ok')).toEqual(['SUCCEEDED', 'Ok', '']);
  });

  it('is a trace of its own when run inside another span, and its steps parent what runs in them', async () => {
    const tracer = trace.getTracer('app');
    let outerTraceId = '';
    await tracer.startActiveSpan('POST /executions', async (outer) => {
      outerTraceId = outer.spanContext().traceId;
      await flowtrace.traceWorkflowExecution(execution('nested-1'), (run) =>
        run.step({ stepId: 's1', name: 'Call API' }, async () => {
          tracer.startSpan('GET').end();
        }),
      );
      outer.end();
    });
    await pipeline.flush();
    const t = await pipeline.timeline(workflowExecutionTraceId('nested-1'));
    expect(workflowExecutionTraceId('nested-1')).not.toBe(outerTraceId);
    expect(t.spans.map((s) => [s.name, s.depth, s.parentSpanId === null])).toEqual([
      ['workflow_execution Sync new deals', 0, true],
      ['step Call API', 1, false],
      ['GET', 2, false],
    ]);
  });

  it('marks a failure the workflow handled with fail(), and gives a step run twice a span each', async () => {
    flowtrace.traceWorkflowExecution(execution('handled-1'), (run) => {
      for (const page of [1, 2]) {
        run.step({ stepId: 'fetch', name: 'Fetch page' }, (step) => {
          if (page === 2) step.fail(new Error('HTTP 503 on page 2 https://api.example.com/?token=s3cr3t-value'));
        });
      }
      run.fail();
    });
    await pipeline.flush();
    const t = await pipeline.timeline(workflowExecutionTraceId('handled-1'));
    expect(t.spans.map((s) => [s.name, s.attributes[sc.ATTR_FLOWTRACE_STATUS], s.status.message])).toEqual([
      ['workflow_execution Sync new deals', 'FAILED', expect.stringContaining('HTTP 503 on page 2')],
      ['step Fetch page', 'SUCCEEDED', ''],
      ['step Fetch page', 'FAILED', expect.stringContaining('HTTP 503 on page 2')],
    ]);
    expect(new Set(t.spans.map((s) => s.spanId)).size).toBe(3);
    // Credentials in an error message are redacted before they are kept.
    expect(JSON.stringify(t)).not.toContain('s3cr3t-value');
    expect(t.spans[0]!.attributes[sc.ATTR_FLOWTRACE_TASK_COUNT]).toBe('2');
  });
});

describe('FlowtraceLogRecordProcessor', () => {
  it("gives the app's own logs inside an execution its identity and Event Logs type, keeping what the log sets itself", async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new FlowtraceLogRecordProcessor(), new BatchLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('app');
    flowtrace.traceWorkflowExecution(execution('logs-1'), (run) => {
      logger.emit({ severityNumber: SeverityNumber.INFO, body: 'fetching', attributes: { [sc.ATTR_USER_ID]: 'someone-else', page: 1 } });
      run.step({ stepId: 's1', name: 'Fetch' }, () => logger.emit({ severityNumber: SeverityNumber.WARN, body: 'slow' }));
    });
    context.with(context.active(), () => logger.emit({ severityNumber: SeverityNumber.INFO, body: 'outside' }));
    await provider.forceFlush();
    const identity = {
      [sc.ATTR_FLOWTRACE_KIND]: 'workflow_execution',
      [sc.ATTR_FLOWTRACE_LOG_TYPE]: 'Workflow',
      [sc.ATTR_FLOWTRACE_EXECUTION_ID]: 'logs-1',
      [sc.ATTR_FLOWTRACE_WORKFLOW_ID]: 'wf-live',
      [sc.ATTR_USER_ID]: 'user-3',
      [sc.ATTR_FLOWTRACE_INTEGRATION]: 'hubspot',
    };
    expect(exporter.getFinishedLogRecords().map((r) => [r.body, r.attributes])).toEqual([
      ['fetching', { ...identity, [sc.ATTR_USER_ID]: 'someone-else', page: 1 }],
      ['slow', identity],
      ['outside', {}],
    ]);
    await provider.shutdown();
  });
});
