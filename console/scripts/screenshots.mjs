#!/usr/bin/env node
// `npm run screenshots`: starts the built `flowtrace start` on a fresh data
// directory, loads `flowtrace demo` into it, and writes a PNG of each main view
// of the console to docs/screenshots/ (headless Chromium, CHROMIUM_PATH or
// /usr/bin/chromium). Needs `npm run build` first (the root script does it).
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'cli/bin/flowtrace.js');
const out = join(root, 'docs/screenshots');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

if (!existsSync(join(root, 'console/dist/index.html'))) fail('console/dist is missing: run `npm run build` first');
if (!existsSync(executablePath)) fail(`no Chromium at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
mkdirSync(out, { recursive: true });

const dataDir = mkdtempSync(join(tmpdir(), 'flowtrace-screenshots-'));
const server = await startFlowtrace(dataDir);
let browser;
try {
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'demo', '--json'], {
    env: { ...process.env, FLOWTRACE_ENDPOINT: server.otlpUrl, FLOWTRACE_API_URL: server.apiUrl, FLOWTRACE_ADMIN_TOKEN: server.adminToken },
    maxBuffer: 16 * 1024 * 1024,
  });
  const [project] = JSON.parse(stdout).projects;
  const get = async (path) => {
    const res = await fetch(`${server.apiUrl}/projects/${project.id}${path}`, { headers: { authorization: `Bearer ${project.key}` } });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return res.json();
  };
  const failedExecution = (await get('/task-history/workflow-executions?status=FAILED')).workflowExecutions[0];
  const execution = await get(`/task-history/workflow-executions/${failedExecution.id}`);
  const failedCall = (await get('/actionkit/tool-calls?status=FAILED')).toolCalls[0];
  const event = (await get('/actionkit/trigger-events?status=Delivery%20Failures')).triggerEvents[0] ?? (await get('/actionkit/trigger-events')).triggerEvents[0];
  const sync = (await get('/syncs')).syncs.sort((a, b) => b.failedRuns - a.failedRuns || b.runs - a.runs)[0];
  const run = (await get('/agent-runs')).agentRuns[0];
  const trace = await get(`/traces/${execution.traceId}`);
  const failedSpan = trace.spans.find((s) => s.status.code === 'Error' && s.parentSpanId) ?? trace.spans[0];
  const firstLog = (await get('/event-logs?level=ERROR&limit=1')).logs[0];

  browser = await chromium.launch({ executablePath });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'UTC', locale: 'en-US', deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`${server.apiUrl}/signin`);
  await page.getByRole('textbox', { name: 'Project ID' }).fill(project.id);
  await shoot(page, 'signin');
  await page.getByRole('textbox', { name: 'API key' }).fill(project.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**/p/${project.id}/overview`);

  const views = [
    ['overview', 'overview', 'figure svg'],
    ['task-history', 'task-history', '[data-testid="workflow-executions"] tbody tr'],
    ['execution', `task-history/${failedExecution.id}?step=${execution.steps.at(-1).id}`, '[data-testid="step-detail"] table'],
    ['event-logs', `event-logs?open=${encodeURIComponent(firstLog.id)}&level=ERROR,WARN`, '[role="region"]'],
    ['monitoring-tools', 'monitoring/tools', '[data-testid="tool-calls"] tbody tr'],
    ['log-trace', `monitoring/tools/${failedCall.requestId}`, '[data-testid="api-request"]'],
    ['monitoring-triggers', `monitoring/triggers?event=${event.eventId}`, '[data-testid="trigger-detail"]'],
    ['managed-sync', 'managed-sync', '[data-testid="syncs"] tbody tr'],
    ['sync-runs', `managed-sync/${encodeURIComponent(sync.syncId)}`, '[data-testid="sync-runs"] tbody tr'],
    ['agent-run', `agents/runs/${run.runId}`, '[data-testid="llm-calls"] tbody tr'],
    ['traces', 'traces', '[data-testid="traces"] tbody tr'],
    ['trace', `traces/${execution.traceId}?span=${failedSpan.spanId}`, '[data-testid="span-detail"]'],
  ];
  for (const [name, path, ready] of views) {
    await page.goto(`${server.apiUrl}/p/${project.id}/${path}`);
    await page.locator(ready).first().waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-state="loading"]') && !document.querySelector('[aria-busy="true"]'));
    await shoot(page, name);
  }
  await context.close();
} finally {
  await browser?.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

async function shoot(page, name) {
  // Let charts finish their first layout.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const path = join(out, `${name}.png`);
  await page.screenshot({ path });
  process.stdout.write(`wrote ${path}\n`);
}

async function startFlowtrace(dir) {
  // A fresh data directory prints its own admin token (one from the environment would not be printed).
  const { FLOWTRACE_ADMIN_TOKEN: _, ...inherited } = process.env;
  const child = spawn(process.execPath, [bin, 'start'], {
    env: { ...inherited, FLOWTRACE_DATA_DIR: dir, FLOWTRACE_HOST: '127.0.0.1', FLOWTRACE_OTLP_HTTP_PORT: '0', FLOWTRACE_OTLP_GRPC_PORT: '0', FLOWTRACE_API_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  for (let i = 0; !/Data {7}.*\n/.test(stdout); i++) {
    if (child.exitCode !== null || i > 1200) {
      child.kill('SIGKILL');
      fail(`flowtrace did not start\n${stdout}\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const port = (name) => new RegExp(`${name} +http://127\\.0\\.0\\.1:(\\d+)`).exec(stdout)?.[1];
  return {
    apiUrl: `http://127.0.0.1:${port('Query API')}`,
    otlpUrl: `http://127.0.0.1:${port('OTLP/HTTP')}`,
    adminToken: /Admin token .*: (fta_\S+)/.exec(stdout)?.[1],
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function fail(message) {
  process.stderr.write(`screenshots: ${message}\n`);
  process.exit(1);
}
