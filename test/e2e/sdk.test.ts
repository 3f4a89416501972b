/**
 * End to end: `flowtrace start` as users run it, a Node app instrumented with the
 * official OpenTelemetry SDK exporting into it (OTLP/HTTP JSON and protobuf,
 * traces and logs), the query API reading the trace back; then a restart on the
 * same data directory.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeline } from '@flowtrace/query-api';
import { tempDir } from '../support/store.js';
import { FLOWTRACE_BIN, REPO_ROOT, runScript, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const APP = `${REPO_ROOT}test/fixtures/instrumented-app.mjs`;
const dir = tempDir('flowtrace-e2e-');
let flowtrace: RunningFlowtrace;
let project: { id: string; key: string };
const exported: Record<'json' | 'proto', { traceId: string; rootSpanId: string; triggerTraceId: string; triggerSpanId: string }> = {} as never;

async function timeline(traceId: string, key = project.key, projectId = project.id): Promise<Response> {
  return fetch(`${flowtrace.apiUrl}/projects/${projectId}/traces/${traceId}`, { headers: { authorization: `Bearer ${key}` } });
}

beforeAll(async () => {
  flowtrace = await startFlowtrace(dir.path);
  expect(flowtrace.adminToken).toMatch(/^fta_/);
  const admin = { authorization: `Bearer ${flowtrace.adminToken}`, 'content-type': 'application/json' };
  const created = (await (await fetch(`${flowtrace.apiUrl}/admin/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'e2e' }) })).json()) as { id: string };
  const key = (await (await fetch(`${flowtrace.apiUrl}/admin/projects/${created.id}/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'app' }) })).json()) as { key: string };
  project = { id: created.id, key: key.key };
  for (const format of ['json', 'proto'] as const) {
    const out = await runScript(APP, {
      EXPORT_FORMAT: format,
      OTEL_EXPORTER_OTLP_ENDPOINT: flowtrace.otlpUrl,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${project.key}`,
      OTEL_BLRP_SCHEDULE_DELAY: '100',
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
      { name: 'workflow execution', depth: 0, kind: 'Server' },
      { name: 'step: Salesforce Create Record', depth: 1, kind: 'Client' },
    ]);
    const [root, step] = t.spans;
    expect(root).toMatchObject({
      spanId: ids.rootSpanId,
      parentSpanId: null,
      serviceName: `e2e-app-${format}`,
      status: { code: 'Error', message: 'step failed' },
      attributes: { 'workflow.id': 'wf-42', 'task.count': '3', 'cost.usd': '0.25', 'user.premium': 'true', tags: '["a","b"]' },
      links: [{ traceId: ids.triggerTraceId, spanId: ids.triggerSpanId, traceState: '', attributes: { 'link.kind': 'trigger' } }],
      scope: { name: 'e2e-app', version: '1.0.0' },
    });
    expect(root!.resourceAttributes).toMatchObject({ 'service.name': `e2e-app-${format}`, 'deployment.environment': 'test' });
    // The SDK's resource detectors (host, process) arrive too.
    expect(root!.resourceAttributes['process.runtime.name']).toBe('nodejs');
    expect(step).toMatchObject({
      parentSpanId: ids.rootSpanId,
      status: { code: 'Error', message: 'HTTP 429 Too Many Requests' },
      events: [{ name: 'retry', attributes: { attempt: '2' } }],
    });
    expect(t.logs.map((l) => ({ body: l.body, eventName: l.eventName, severityText: l.severityText, severityNumber: l.severityNumber, spanId: l.spanId }))).toEqual([
      { body: 'Workflow execution started', eventName: 'workflow.started', severityText: 'INFO', severityNumber: 9, spanId: ids.rootSpanId },
      { body: 'Request failed with status 429', eventName: 'step.failed', severityText: 'ERROR', severityNumber: 17, spanId: step!.spanId },
    ]);
    expect(t.logs[0]!.attributes).toEqual({ 'workflow.id': 'wf-42' });
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
