/**
 * `node --import @flowtrace/instrumentation/register app.mjs`: an Express app
 * with no tracing code is traced into `flowtrace start`, configured only by the
 * standard OTEL_* variables and FLOWTRACE_API_KEY; and when Flowtrace cannot be
 * reached or is misconfigured, the app runs as if it were not there.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeline } from '@flowtrace/query-api';
import { tempDir } from '../support/store.js';
import { REPO_ROOT, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const run = promisify(execFile);
const APP = `${REPO_ROOT}test/fixtures/express-app.mjs`;
const dir = tempDir('flowtrace-register-');
let flowtrace: RunningFlowtrace;
let project: { id: string; key: string };

beforeAll(async () => {
  flowtrace = await startFlowtrace(dir.path);
  const admin = { authorization: `Bearer ${flowtrace.adminToken}`, 'content-type': 'application/json' };
  const created = (await (await fetch(`${flowtrace.apiUrl}/admin/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'register' }) })).json()) as { id: string };
  const key = (await (await fetch(`${flowtrace.apiUrl}/admin/projects/${created.id}/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'app' }) })).json()) as { key: string };
  project = { id: created.id, key: key.key };
});
afterAll(async () => {
  await flowtrace?.stop();
  dir.remove();
});

const runApp = (env: Record<string, string>) =>
  run(process.execPath, ['--import', '@flowtrace/instrumentation/register', APP], { cwd: REPO_ROOT, env: { ...process.env, OTEL_SERVICE_NAME: 'express-app', ...env }, timeout: 30_000 });

describe('the register hook', () => {
  it('traces an unmodified Express app: client, server and Express spans in one trace', async () => {
    const { stdout } = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: flowtrace.otlpUrl, FLOWTRACE_API_KEY: project.key });
    const answer = JSON.parse(stdout.trim()) as { hello: string; traceparent: string };
    expect(answer.hello).toBe('workato');
    const traceId = answer.traceparent.split('-')[1]!;
    const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}/traces/${traceId}`, { headers: { authorization: `Bearer ${project.key}` } });
    expect(res.status).toBe(200);
    const t = (await res.json()) as Timeline;
    expect(t.spans.map((s) => [s.name, s.kind, s.depth, s.scope.name])).toEqual([
      ['GET', 'Client', 0, '@opentelemetry/instrumentation-http'],
      ['GET /hello/:name', 'Server', 1, '@opentelemetry/instrumentation-http'],
      ['request handler', 'Internal', 2, '@opentelemetry/instrumentation-express'],
    ]);
    expect(t.spans[1]!.attributes).toMatchObject({ 'http.route': '/hello/:name', 'http.response.status_code': '200' });
    expect(t.spans[1]!.serviceName).toBe('express-app');
  });

  it('leaves the app working when Flowtrace is unreachable or the key is wrong, and says what it could not send', async () => {
    const unreachable = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', FLOWTRACE_API_KEY: project.key, OTEL_EXPORTER_OTLP_TIMEOUT: '1000' });
    expect(JSON.parse(unreachable.stdout.trim()).hello).toBe('workato');
    const refused = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: flowtrace.otlpUrl, FLOWTRACE_API_KEY: 'ftk_revoked' });
    expect(JSON.parse(refused.stdout.trim()).hello).toBe('workato');
    // The three spans of the request are lost, and the app's stderr says so (telemetry is never lost silently).
    for (const { stderr } of [unreachable, refused]) {
      expect(stderr).toMatch(/FlowtraceWarning: flowtrace: 3 spans could not be exported \(\w+\) and are lost: check that OTEL_EXPORTER_OTLP_ENDPOINT reaches Flowtrace and that the API key is valid/);
      expect(stderr).toContain('flowtrace: in all, 3 spans failed to export since start; none of them reached Flowtrace');
    }
    const malformed = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url', OTEL_TRACES_SAMPLER: 'nonsense' });
    expect(JSON.parse(malformed.stdout.trim()).hello).toBe('workato');
  });
});
