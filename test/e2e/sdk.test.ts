/**
 * End to end: `flowtrace start` as users run it, a Node app instrumented with the
 * official OpenTelemetry SDK exporting into it (OTLP/HTTP JSON and protobuf,
 * traces and logs) and tracing one workflow execution with a failing step
 * through Flowtrace's traceWorkflowExecution; the query API reading the trace
 * back, Task History listing the execution and Event Logs typing its logs;
 * then a restart on the same data directory.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeline } from '@flowtrace/query-api';
import * as sc from '@flowtrace/conventions/semconv';
import { tempDir } from '../support/store.js';
import { FLOWTRACE_BIN, REPO_ROOT, createProject, runScript, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const APP = `${REPO_ROOT}test/fixtures/instrumented-app.mjs`;
const dir = tempDir('flowtrace-e2e-');
let flowtrace: RunningFlowtrace;
let project: { id: string; key: string };
interface Exported {
  executionId: string;
  traceId: string;
  rootSpanId: string;
  stepSpanId: string;
  triggerTraceId: string;
  triggerSpanId: string;
}
const exported: Record<'json' | 'proto', Exported> = {} as never;

async function get(path: string, key = project.key): Promise<Response> {
  return fetch(`${flowtrace.apiUrl}/projects/${project.id}${path}`, { headers: { authorization: `Bearer ${key}` } });
}
async function timeline(traceId: string, key = project.key, projectId = project.id): Promise<Response> {
  return fetch(`${flowtrace.apiUrl}/projects/${projectId}/traces/${traceId}`, { headers: { authorization: `Bearer ${key}` } });
}

beforeAll(async () => {
  flowtrace = await startFlowtrace(dir.path);
  expect(flowtrace.adminToken).toMatch(/^fta_/);
  project = await createProject(flowtrace, 'e2e');
  for (const format of ['json', 'proto'] as const) {
    const out = await runScript(APP, {
      EXPORT_FORMAT: format,
      OTEL_EXPORTER_OTLP_ENDPOINT: flowtrace.otlpUrl,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${project.key}`,
    });
    exported[format] = JSON.parse(out.trim().split('\n').pop()!);
  }
});
afterAll(async () => {
  await flowtrace?.stop();
  dir.remove();
});

describe.each(['json', 'proto'] as const)('an app exporting OTLP/HTTP %s', (format) => {
  it('is read back whole: spans with parents, attributes, events, links and status; logs tied to their spans', async () => {
    const ids = exported[format];
    const res = await timeline(ids.traceId);
    expect(res.status).toBe(200);
    const t = (await res.json()) as Timeline;
    expect(t.spans.map((s) => ({ name: s.name, depth: s.depth, kind: s.kind }))).toEqual([
      { name: 'workflow_execution Sync new deals', depth: 0, kind: 'Server' },
      { name: 'step Salesforce Create Record', depth: 1, kind: 'Internal' },
    ]);
    const [root, step] = t.spans;
    expect(root).toMatchObject({
      spanId: ids.rootSpanId,
      parentSpanId: null,
      serviceName: `e2e-app-${format}`,
      status: { code: 'Error', message: 'HTTP 429 Too Many Requests' },
      // The app's own attributes, of every type, beside Flowtrace's.
      attributes: { 'workflow.id': 'wf-42', 'cost.usd': '0.25', 'user.premium': 'true', tags: '["a","b"]', [sc.ATTR_FLOWTRACE_KIND]: 'workflow_execution', [sc.ATTR_FLOWTRACE_STATUS]: 'FAILED' },
      links: [{ traceId: ids.triggerTraceId, spanId: ids.triggerSpanId, traceState: '', attributes: { 'link.kind': 'trigger' } }],
      scope: { name: '@flowtrace/instrumentation', version: '0.1.0' },
    });
    expect(root!.resourceAttributes).toMatchObject({ 'service.name': `e2e-app-${format}`, 'deployment.environment': 'test' });
    // The SDK's resource detectors (host, process) arrive too.
    expect(root!.resourceAttributes['process.runtime.name']).toBe('nodejs');
    expect(step).toMatchObject({
      spanId: ids.stepSpanId,
      parentSpanId: ids.rootSpanId,
      status: { code: 'Error', message: 'HTTP 429 Too Many Requests' },
      events: [{ name: 'retry', attributes: { attempt: '2' } }],
    });
    expect(t.logs.map((l) => ({ body: l.body, eventName: l.eventName, severityText: l.severityText, severityNumber: l.severityNumber, spanId: l.spanId }))).toEqual([
      { body: 'Workflow execution started', eventName: 'workflow.started', severityText: 'INFO', severityNumber: 9, spanId: ids.rootSpanId },
      { body: 'Request failed with status 429', eventName: 'step.failed', severityText: 'ERROR', severityNumber: 17, spanId: ids.stepSpanId },
      { body: 'Step Salesforce Create Record failed: HTTP 429 Too Many Requests', eventName: 'workflow.step.failed', severityText: 'ERROR', severityNumber: 17, spanId: ids.stepSpanId },
      { body: 'Workflow execution FAILED', eventName: 'workflow.execution.failed', severityText: 'ERROR', severityNumber: 17, spanId: ids.rootSpanId },
    ]);
    // The app's own log keeps its attribute and is filed under the execution.
    expect(t.logs[0]!.attributes).toEqual({
      'workflow.id': 'wf-42',
      [sc.ATTR_FLOWTRACE_KIND]: 'workflow_execution',
      [sc.ATTR_FLOWTRACE_LOG_TYPE]: 'Workflow',
      [sc.ATTR_FLOWTRACE_EXECUTION_ID]: ids.executionId,
      [sc.ATTR_FLOWTRACE_WORKFLOW_ID]: 'wf-42',
      [sc.ATTR_USER_ID]: 'user-7',
      [sc.ATTR_FLOWTRACE_INTEGRATION]: 'salesforce',
    });
  });

  it('is in Task History: the execution FAILED, with its failing step and the step\'s error', async () => {
    const ids = exported[format];
    const res = await get(`/task-history/workflow-executions/${ids.executionId}`);
    expect(res.status).toBe(200);
    const execution = (await res.json()) as { id: string; status: string; userId: string; workflowId: string; integration: string; traceId: string; error: string | null; steps: Array<Record<string, unknown>> };
    expect(execution).toMatchObject({ id: ids.executionId, status: 'FAILED', userId: 'user-7', workflowId: 'wf-42', integration: 'salesforce', traceId: ids.traceId, error: 'HTTP 429 Too Many Requests' });
    expect(execution.steps).toHaveLength(1);
    expect(execution.steps[0]).toMatchObject({ id: ids.stepSpanId, stepId: 'create-record', name: 'Salesforce Create Record', status: 'FAILED', error: 'HTTP 429 Too Many Requests' });
  });

  it('has its logs in Event Logs with the type Workflow, the app\'s own logs included', async () => {
    const ids = exported[format];
    const res = await get(`/event-logs?traceId=${ids.traceId}`);
    expect(res.status).toBe(200);
    const { logs } = (await res.json()) as { logs: Array<{ type: string; message: string; attributes: Record<string, string> }> };
    expect(logs.map((l) => [l.message, l.type, l.attributes[sc.ATTR_USER_ID]]).sort()).toEqual(
      [
        ['Request failed with status 429', 'Workflow', 'user-7'],
        ['Step Salesforce Create Record failed: HTTP 429 Too Many Requests', 'Workflow', 'user-7'],
        ['Workflow execution FAILED', 'Workflow', 'user-7'],
        ['Workflow execution started', 'Workflow', 'user-7'],
      ].sort(),
    );
  });
});

describe('Task History', () => {
  it('lists both executions, FAILED, and filters them by status', async () => {
    const res = await get('/task-history/workflow-executions?status=FAILED&sortBy=ASC');
    expect(res.status).toBe(200);
    const page = (await res.json()) as { total: number; workflowExecutions: Array<{ id: string; status: string; workflowId: string; taskCount: number }> };
    expect(page.total).toBe(2);
    expect(page.workflowExecutions.map((e) => [e.id, e.status, e.workflowId, e.taskCount])).toEqual([
      ['exec-json', 'FAILED', 'wf-42', 1],
      ['exec-proto', 'FAILED', 'wf-42', 1],
    ]);
  });
});

describe('a restart on the same data directory', () => {
  it('stops cleanly on SIGTERM, keeps the data, re-runs no migration and prints no new admin token', async () => {
    expect(flowtrace.stderr()).toContain('migrations applied');
    expect(await flowtrace.stop()).toBe(0);
    expect(flowtrace.stderr()).toContain('stopped');

    flowtrace = await startFlowtrace(dir.path);
    expect(flowtrace.adminToken).toBeUndefined();
    expect(flowtrace.stderr()).not.toContain('migrations applied');
    const res = await timeline(exported.proto.traceId);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Timeline).spans).toHaveLength(2);
  });
});

describe('the command', () => {
  it('is linked as node_modules/.bin/flowtrace and prints its usage', () => {
    const out = execFileSync(`${REPO_ROOT}node_modules/.bin/flowtrace`, ['help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: flowtrace <command>');
  });

  it('names the variable of a bad setting and exits 2', () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, [FLOWTRACE_BIN, 'start'], { env: { ...process.env, FLOWTRACE_API_PORT: 'eighty', FLOWTRACE_TTL_DAYS: '-1' }, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      failure = err as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(2);
    expect(failure?.stderr).toContain('FLOWTRACE_API_PORT: must be a port number (got "eighty")');
    expect(failure?.stderr).toContain('FLOWTRACE_TTL_DAYS: must be at least 0 (got "-1")');
  });
});
