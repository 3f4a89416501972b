/**
 * The web console in a real browser: headless Chromium (Debian's package)
 * driven by playwright-core, against the built `flowtrace start` holding the
 * demo's data. One server and one browser for the whole file; each test signs
 * in in a context of its own.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { tempDir } from '../support/store.js';
import { FLOWTRACE_BIN, REPO_ROOT, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const run = promisify(execFile);

// The DOM globals the functions run in the page use (this file is type-checked without the DOM library).
declare const document: { querySelector(selector: string): unknown; querySelectorAll(selector: string): { length: number } };
declare function requestAnimationFrame(callback: () => void): number;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CONSOLE_INDEX = `${REPO_ROOT}console/dist/index.html`;
/** The browser's zone in these tests: times must show in it, with UTC on hover. */
const ZONE = 'America/New_York';
const BIG_TRACE_SPANS = 2_000;

interface DemoProject {
  id: string;
  name: string;
  key: string;
  traces: Record<string, string>;
  counts: Record<string, number>;
}

const dir = tempDir('flowtrace-console-');
let flowtrace: RunningFlowtrace;
let browser: Browser;
let a: DemoProject;
let b: DemoProject;
let bigTraceId: string;
/** Every URL any page of any test requested. */
const requested: string[] = [];
/** Everything any page wrote to its console. */
const consoleText: string[] = [];

beforeAll(async () => {
  if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console first (npm run build)`);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM_PATH`);
  flowtrace = await startFlowtrace(dir.path);
  // A day of the demo at a tenth of its default volume: every family, failures among them, in a few seconds.
  const { stdout } = await run(process.execPath, [FLOWTRACE_BIN, 'demo', '--json', '--scale', '30', '--days', '1'], {
    env: { ...process.env, FLOWTRACE_ENDPOINT: flowtrace.otlpUrl, FLOWTRACE_API_URL: flowtrace.apiUrl, FLOWTRACE_ADMIN_TOKEN: flowtrace.adminToken! },
    maxBuffer: 16 * 1024 * 1024,
  });
  [a, b] = (JSON.parse(stdout) as { projects: [DemoProject, DemoProject] }).projects;
  bigTraceId = await sendBigTrace(a.key, BIG_TRACE_SPANS);
  await waitForTrace(a, bigTraceId, BIG_TRACE_SPANS);
  browser = await chromium.launch({ executablePath: CHROMIUM });
});

afterAll(async () => {
  await browser?.close();
  await flowtrace?.stop();
  dir.remove();
});

// ---------------------------------------------------------------------------

async function api<T>(project: DemoProject, path: string): Promise<T> {
  const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}${path}`, { headers: { authorization: `Bearer ${project.key}` } });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A fresh browser context in ZONE, its requests and console recorded. */
async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ timezoneId: ZONE, viewport: { width: 1400, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  page.on('request', (request) => requested.push(request.url()));
  page.on('console', (message) => consoleText.push(message.text()));
  page.on('pageerror', (error) => consoleText.push(`pageerror: ${error.message}`));
  return { context, page };
}

/** Signs in with a project's API key through the sign-in form. */
async function signedIn(project: DemoProject): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await newPage();
  const { page } = opened;
  await page.goto(`${flowtrace.apiUrl}/`);
  await page.getByRole('textbox', { name: 'Project ID' }).fill(project.id);
  await page.getByRole('textbox', { name: 'API key' }).fill(project.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**/p/${project.id}/overview`);
  return opened;
}

const view = (project: DemoProject, path: string) => `${flowtrace.apiUrl}/p/${project.id}/${path}`;

/** A value as the console's JSON blocks show it. */
function pretty(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value, null, 2);
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}

/** What a list shows first: the API's first page, at most `page` long. */
async function firstPage<T>(project: DemoProject, path: string, field: string): Promise<T[]> {
  const answer = await api<Record<string, T[]>>(project, path);
  return answer[field]!;
}

/** The body rows of a table, once it shows at least one. */
async function rowsOf(page: Page, testId: string, rowSelector = 'tbody > tr') {
  const rows = page.locator(`[data-testid="${testId}"] ${rowSelector}`);
  await rows.first().waitFor();
  return rows;
}

/** Waits until the view shows no loading state and is not fetching. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[data-state="loading"]') && !document.querySelector('[aria-busy="true"]'));
}

/** Polls `check` until it holds (a wait for the page to catch up, not a timing assertion). */
async function eventually(what: string, check: () => Promise<boolean>, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never happened: ${what}`);
}

/** Waits until `selector` matches exactly `count` elements. */
async function waitForCount(page: Page, selector: string, count: number): Promise<void> {
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length === n, [selector, count] as const);
}

async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

// ---------------------------------------------------------------------------

describe('serving the console', () => {
  it('serves index.html revalidated, hashed assets immutable, and leaves API paths to the API', async () => {
    const index = await fetch(`${flowtrace.apiUrl}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    expect(html).not.toMatch(/https?:\/\//);

    const asset = await fetch(`${flowtrace.apiUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    await asset.arrayBuffer();

    // A console address opened directly is the page; an unknown asset is not.
    const deep = await fetch(`${flowtrace.apiUrl}/p/${a.id}/event-logs?level=ERROR`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    const missing = await fetch(`${flowtrace.apiUrl}/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/json/);
    await missing.arrayBuffer();

    // Unknown API-looking paths keep their JSON 404; real endpoints are untouched.
    for (const path of [`/projects/${a.id}/no-such-thing`, '/admin/no-such-thing', '/v1/traces', '/healthz/x', '/openapi.json/x']) {
      const res = await fetch(`${flowtrace.apiUrl}${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe('not_found');
    }
    expect((await fetch(`${flowtrace.apiUrl}/healthz`)).status).toBe(200);
    const openapi = await fetch(`${flowtrace.apiUrl}/openapi.json`);
    expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\./);
  });

  it('loads nothing from another origin', async () => {
    const { context, page } = await signedIn(a);
    const origins = new Set<string>();
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    for (const path of ['overview', 'event-logs', 'traces']) {
      await page.goto(view(a, path));
      await settled(page);
    }
    expect([...origins]).toEqual([flowtrace.apiUrl]);
    await context.close();
  });
});

describe('each view shows the demo’s rows', () => {
  it('Overview: totals equal the API’s, and each number links to its list', async () => {
    const { context, page } = await newPage();
    const statsRequests: string[] = [];
    page.on('request', (request) => request.url().includes('/stats/executions') && statsRequests.push(request.url()));
    await page.goto(`${flowtrace.apiUrl}/signin`);
    await page.getByRole('textbox', { name: 'Project ID' }).fill(a.id);
    await page.getByRole('textbox', { name: 'API key' }).fill(a.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const executions = page.getByRole('link', { name: /^Executions: \d+, see the list$/ });
    await executions.waitFor();
    // The same question the page asked, asked of the API directly.
    const totalsRequest = statsRequests.map((url) => new URL(url)).find((url) => !url.searchParams.has('groupBy'))!;
    const stats = await api<{ totals: { executions: number; failures: number } }>(a, `/stats/executions${totalsRequest.search}`);
    expect(stats.totals.executions).toBeGreaterThan(0);
    expect(stats.totals.failures).toBeGreaterThan(0);
    expect(await executions.getAttribute('aria-label')).toBe(`Executions: ${stats.totals.executions}, see the list`);
    await page.locator('figure svg').first().waitFor();
    expect(await page.locator('figure').count()).toBe(4);
    await page.getByRole('link', { name: /^Failures: \d+, see the list$/ }).click();
    await page.waitForURL(/\/task-history\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get('status')).toBe('FAILED');
    expect(url.searchParams.get('afterDate')).toMatch(/^\d{4}-\d\d-\d\dT/);
    const rows = await rowsOf(page, 'workflow-executions');
    expect(await rows.count()).toBe(Math.min(100, stats.totals.failures));
    await context.close();
  });

  it('Task History: every execution, one with its steps, a step with input, output, requests and logs', async () => {
    const { context, page } = await signedIn(a);
    await page.goto(view(a, 'task-history'));
    const rows = await rowsOf(page, 'workflow-executions');
    const newest = await firstPage<{ id: string }>(a, '/task-history/workflow-executions?sortBy=DESC', 'workflowExecutions');
    expect(await rows.count()).toBe(newest.length);
    expect(await rows.first().getByRole('link').first().textContent()).toBe(newest[0]!.id.slice(0, 8));
    const failed = (await api<{ workflowExecutions: Array<{ id: string }> }>(a, '/task-history/workflow-executions?status=FAILED')).workflowExecutions[0]!;
    await page.getByRole('link', { name: failed.id.slice(0, 8), exact: true }).click();
    await page.waitForURL(`**/task-history/${failed.id}`);
    const steps = await rowsOf(page, 'steps');
    const detail = await api<{ steps: Array<{ id: string; name: string; status: string }> }>(a, `/task-history/workflow-executions/${failed.id}`);
    expect(await steps.count()).toBe(detail.steps.length);
    const failedStep = detail.steps.find((s) => s.status === 'FAILED')!;
    await page.getByRole('link', { name: failedStep.name }).click();
    await page.waitForURL((u) => u.searchParams.get('step') === failedStep.id);
    const panel = page.getByTestId('step-detail');
    await panel.getByRole('region', { name: 'Step input' }).waitFor();
    expect(await panel.getByRole('table', { name: 'Outbound requests' }).locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await panel.getByRole('region', { name: /^Response body of / }).count()).toBe(1);
    expect(await panel.textContent()).toContain('[REDACTED]');
    await context.close();
  });

  it('Event Logs: newest first, filters change the rows and the URL, a log expands to its event object and leads to its trace', async () => {
    const { context, page } = await signedIn(a);
    await page.goto(view(a, 'event-logs'));
    const rows = await rowsOf(page, 'event-logs', 'tbody > tr[data-row="log"]');
    expect(await rows.count()).toBe((await firstPage(a, '/event-logs?limit=100', 'logs')).length);
    const errors = await firstPage<{ message: string; type: string }>(a, '/event-logs?level=ERROR&limit=100', 'logs');
    expect(errors.length).toBeGreaterThan(0);

    // Level: ERROR through the dropdown.
    await page.getByRole('combobox', { name: 'Level' }).click();
    await page.getByRole('option', { name: 'ERROR' }).click();
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => u.searchParams.get('level') === 'ERROR');
    const levels = page.locator('[data-testid="event-logs"] tbody > tr[data-row="log"] td:nth-child(2)');
    await eventually('the rows are the error-level ones', async () => {
      const shown = await levels.allTextContents();
      return shown.length === errors.length && shown.every((level) => level === 'ERROR');
    });

    // Text search, typed: a word of the newest error's message.
    const word = errors[0]!.message.split(/\W+/).find((w) => w.length >= 5)!.toLowerCase();
    await page.getByRole('textbox', { name: 'Search messages' }).fill(word);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === word);
    const expected = await firstPage<{ message: string; type: string }>(a, `/event-logs?level=ERROR&limit=100&q=${encodeURIComponent(word)}`, 'logs');
    expect(expected.length).toBeGreaterThan(0);
    const messages = page.locator('[data-testid="event-logs"] tbody > tr[data-row="log"] td:nth-child(4)');
    await eventually('the rows are the searched ones', async () => JSON.stringify(await messages.allTextContents()) === JSON.stringify(expected.map((l) => l.message)));
    for (const m of await messages.allTextContents()) expect(m.toLowerCase()).toContain(word);

    // Expand the first log with the keyboard: its full event object, then its trace.
    const expand = page.getByTestId('event-logs').getByRole('button', { expanded: false }).first();
    await expand.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.has('open'));
    const object = page.getByRole('region', { name: /^Event object of the log/ });
    const event = JSON.parse((await object.textContent())!) as { projectId: string; traceId: string; type: string };
    expect(event.projectId).toBe(a.id);
    expect(event.type).toBe(expected[0]!.type);
    await page.getByRole('link', { name: 'Open trace' }).click();
    await page.waitForURL(`**/traces/${event.traceId}`);
    await page.getByTestId('waterfall').waitFor();
    await context.close();
  });

  it('Event Logs: a filter that matches nothing is an empty state, a refused one shows the API’s message', async () => {
    const { context, page } = await signedIn(a);
    await page.goto(view(a, 'event-logs?userId=nobody-at-all'));
    await page.locator('[data-state="empty"]').waitFor();
    expect(await page.locator('[data-state="empty"]').textContent()).toContain('No log matches');
    await page.goto(view(a, 'event-logs?traceId=not-a-trace'));
    const error = page.locator('[data-state="error"]');
    await error.waitFor();
    expect(await error.textContent()).toContain('traceId: must be 32 hex characters');
    await context.close();
  });

  it('Monitoring → Tools: filters; the Log Trace shows a failed provider request’s body and none for a successful one', async () => {
    const calls = (await api<{ toolCalls: Array<{ requestId: string; status: string }> }>(a, '/actionkit/tool-calls?limit=500')).toolCalls;
    const failed = calls.find((c) => c.status === 'FAILED');
    const succeeded = calls.find((c) => c.status === 'SUCCEEDED');
    expect(failed, 'the demo has a failed tool call').toBeDefined();
    expect(succeeded, 'the demo has a successful tool call').toBeDefined();

    const { context, page } = await signedIn(a);
    await page.goto(view(a, 'monitoring/tools'));
    expect(await (await rowsOf(page, 'tool-calls')).count()).toBe((await firstPage(a, '/actionkit/tool-calls?limit=100', 'toolCalls')).length);
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'FAILED' }).click();
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => u.searchParams.get('status') === 'FAILED');
    const failedCalls = (await firstPage(a, '/actionkit/tool-calls?limit=100&status=FAILED', 'toolCalls')).length;
    const statuses = page.locator('[data-testid="tool-calls"] tbody > tr td:nth-child(6)');
    await eventually('the rows are the failed calls', async () => {
      const shown = await statuses.allTextContents();
      return shown.length === failedCalls && shown.every((status) => status === 'FAILED');
    });

    // The requestId box: a UUID requestId filters to that one call.
    await page.getByRole('textbox', { name: 'Trace or request ID' }).fill(failed!.requestId);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('requestId') === failed!.requestId);
    await waitForCount(page, '[data-testid="tool-calls"] tbody > tr', 1);

    await page.goto(view(a, `monitoring/tools/${failed!.requestId}`));
    const failedRequests = page.getByTestId('api-request');
    await failedRequests.first().waitFor();
    expect(await page.getByTestId('response-body').count()).toBe(1);
    const trace = await api<{ apiRequests: Array<{ responseBody?: unknown }> }>(a, `/actionkit/tool-calls/${failed!.requestId}`);
    const body = trace.apiRequests.find((r) => r.responseBody !== undefined)!.responseBody;
    expect(body, 'the API gives the failed request’s body').toBeDefined();
    expect(await page.getByTestId('response-body').getByRole('region').textContent()).toBe(pretty(body));

    await page.goto(view(a, `monitoring/tools/${succeeded!.requestId}`));
    await page.getByTestId('api-request').first().waitFor();
    expect(await page.getByTestId('api-request').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('response-body').count()).toBe(0);
    expect(await page.getByTestId('api-requests').textContent()).toContain('Body not shown');
    await context.close();
  });

  it('Monitoring → Triggers: the events, and a detail panel with deliveries and event logs', async () => {
    const events = (await api<{ triggerEvents: Array<{ eventId: string; deliveries: number }> }>(a, '/actionkit/trigger-events?limit=500')).triggerEvents;
    const single = events.find((e) => e.deliveries === 1);
    expect(single, 'the demo has a trigger event with a single delivery').toBeDefined();
    const detail = await api<{ deliveries: Array<{ triggerId: string; webhookUrl: string }>; logs: unknown[] }>(a, `/actionkit/trigger-events/${single!.eventId}`);

    const { context, page } = await signedIn(a);
    await page.goto(view(a, 'monitoring/triggers'));
    expect(await (await rowsOf(page, 'trigger-events')).count()).toBe((await firstPage(a, '/actionkit/trigger-events?limit=100', 'triggerEvents')).length);
    await page.locator('[data-testid="trigger-events"] tbody > tr', { hasText: single!.eventId.slice(0, 8) }).getByRole('button').click();
    await page.waitForURL((u) => u.searchParams.get('event') === single!.eventId);
    const panel = page.getByTestId('trigger-detail');
    await panel.waitFor();
    const text = (await panel.textContent())!;
    expect(text).toContain(single!.eventId);
    expect(text).toContain(detail.deliveries[0]!.triggerId);
    expect(text).toContain(detail.deliveries[0]!.webhookUrl);
    expect(await panel.getByRole('list', { name: 'Event logs of this trigger event' }).locator('li').count()).toBe(detail.logs.length);
    // Escape closes the panel and the URL forgets it.
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => !u.searchParams.has('event'));
    await context.close();
  });

  it('Managed Sync: the syncs, and a sync’s runs with summary counts, warnings and errors', async () => {
    const syncs = (await api<{ syncs: Array<{ syncId: string; runs: number; failedRuns: number }>; total: number }>(a, '/syncs')).syncs;
    const { context, page } = await signedIn(a);
    await page.goto(view(a, 'managed-sync'));
    expect(await (await rowsOf(page, 'syncs')).count()).toBe(syncs.length);
    const sync = syncs.reduce((most, s) => (s.runs > most.runs ? s : most));
    await page.getByRole('link', { name: sync.syncId, exact: true }).click();
    await page.waitForURL(`**/managed-sync/${sync.syncId}`);
    const runs = await rowsOf(page, 'sync-runs');
    expect(await runs.count()).toBe(Math.min(100, sync.runs));
    await context.close();
  });

  it('Agents: runs, a run’s LLM calls, tool executions and recipe job, a conversation', async () => {
    type RunDetail = { runId: string; conversationId: string; llmCalls: unknown[]; toolExecutions: Array<{ job: { jobId: string } | null }> };
    const runs = await firstPage<{ runId: string }>(a, '/agent-runs?limit=100', 'agentRuns');
    // The newest run whose tool started a recipe job.
    let run0: RunDetail | undefined;
    for (const run of runs) {
      const detail = await api<RunDetail>(a, `/agent-runs/${run.runId}`);
      if (detail.toolExecutions.some((t) => t.job)) {
        run0 = detail;
        break;
      }
    }
    expect(run0, 'the demo has an agent run whose tool started a recipe job').toBeDefined();
    const { context, page } = await signedIn(a);
    await page.goto(view(a, 'agents'));
    expect(await (await rowsOf(page, 'agent-runs')).count()).toBe(runs.length);
    await page.getByRole('link', { name: run0!.runId.slice(0, 8), exact: true }).click();
    expect(await (await rowsOf(page, 'llm-calls')).count()).toBe(run0!.llmCalls.length);
    expect(await (await rowsOf(page, 'tool-executions')).count()).toBe(run0!.toolExecutions.length);
    const jobId = run0!.toolExecutions.find((t) => t.job)!.job!.jobId;
    await page.getByRole('link', { name: `Recipe job ${jobId}`, exact: true }).click();
    await page.waitForURL(`**/agents/jobs/${jobId}`);
    await page.getByRole('table', { name: 'Recipe lines' }).locator('tbody tr').first().waitFor();
    await page.goto(view(a, `agents/conversations/${run0!.conversationId}`));
    const conversation = await api<{ agentRuns: unknown[] }>(a, `/conversations/${run0!.conversationId}?limit=100`);
    expect(await (await rowsOf(page, 'agent-runs')).count()).toBe(conversation.agentRuns.length);
    await context.close();
  });

  it('Traces: search finds the demo’s traces; a filter narrows them and goes into the URL', async () => {
    const { context, page } = await signedIn(a);
    await page.goto(view(a, 'traces'));
    const rows = await rowsOf(page, 'traces');
    expect(await rows.count()).toBeGreaterThan(1);
    await page.getByRole('combobox', { name: 'Span status' }).click();
    await page.getByRole('option', { name: 'error' }).click();
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => u.searchParams.get('status') === 'error');
    const expected = await api<{ traces: Array<{ traceId: string }> }>(a, '/traces?status=error&limit=50');
    expect(expected.traces.length).toBeGreaterThan(0);
    const errorCells = page.locator('[data-testid="traces"] tbody > tr td:nth-child(6)');
    await eventually('the rows are the traces with an error', async () => (await errorCells.count()) === expected.traces.length && (await errorCells.allTextContents()).every((n) => Number(n) > 0));
    await context.close();
  });
});

describe('the trace view', () => {
  /** Scrolls the waterfall from top to bottom and collects the span id of every bar drawn on the way. */
  async function barsThroughout(page: Page): Promise<{ ids: Set<string>; mostAtOnce: number }> {
    const scroller = page.getByRole('tree');
    const ids = new Set<string>();
    let mostAtOnce = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      const drawn = await page.locator('[data-testid="span-bar"]').evaluateAll((bars) => bars.map((bar) => bar.getAttribute('data-span-id')!));
      mostAtOnce = Math.max(mostAtOnce, drawn.length);
      for (const id of drawn) ids.add(id);
      // Half a screen at a time, then two frames for the rows to be drawn.
      const done = await scroller.evaluate(async (el) => {
        const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
        el.scrollTop += el.clientHeight / 2;
        await new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
        return atEnd;
      });
      if (done) break;
    }
    return { ids, mostAtOnce };
  }

  it('draws one bar per span of a demo trace, marks errors, and shows a span’s attributes by keyboard', async () => {
    const traceId = a.traces.workflow_execution!;
    const timeline = await api<{ spans: Array<{ spanId: string; status: { code: string }; attributes: Record<string, string> }> }>(a, `/traces/${traceId}`);
    const { context, page } = await signedIn(a);
    await page.goto(view(a, `traces/${traceId}`));
    await page.getByTestId('waterfall').waitFor();
    const { ids } = await barsThroughout(page);
    expect([...ids].sort()).toEqual(timeline.spans.map((s) => s.spanId).sort());
    const errorBars = await page.locator('[data-testid="span-bar"][data-error="true"]').count();
    expect(errorBars).toBe(timeline.spans.filter((s) => s.status.code === 'Error').length);

    // Keyboard: focus the tree, go to the second row, Enter shows that span.
    await page.getByRole('tree').evaluate((el) => (el.scrollTop = 0));
    await page.getByRole('tree').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('span') === timeline.spans[0]!.spanId);
    const detail = page.getByTestId('span-detail');
    await detail.waitFor();
    const attributes = await detail.getByRole('table', { name: 'Span attributes' }).locator('th').allTextContents();
    expect(attributes.sort()).toEqual(Object.keys(timeline.spans[0]!.attributes).sort());
    await context.close();
  });

  it(`virtualizes a trace of ${BIG_TRACE_SPANS} spans: a few dozen rows in the page, every span reached by scrolling`, async () => {
    const { context, page } = await signedIn(a);
    await page.goto(view(a, `traces/${bigTraceId}?logs=off`));
    await page.getByTestId('waterfall').waitFor();
    expect(await page.getByTestId('waterfall').getAttribute('data-span-count')).toBe(String(BIG_TRACE_SPANS));
    const { ids, mostAtOnce } = await barsThroughout(page);
    expect(ids.size).toBe(BIG_TRACE_SPANS);
    expect(mostAtOnce).toBeLessThan(100);
    await context.close();
  });
});

describe('times', () => {
  it('are shown in the browser’s zone, with UTC on hover', async () => {
    const { context, page } = await signedIn(a);
    await page.goto(view(a, 'task-history?sortBy=ASC'));
    await rowsOf(page, 'workflow-executions');
    const time = page.locator('[data-testid="workflow-executions"] tbody time').first();
    const iso = (await time.getAttribute('datetime'))!;
    const title = (await time.getAttribute('title'))!;
    expect(title).toBe(`${iso.replace('T', ' ').replace('Z', '')} UTC`);
    const expected = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hourCycle: 'h23' }).format(new Date(iso));
    expect(await time.textContent()).toBe(expected);
    await context.close();
  });
});

describe('isolation and credentials', () => {
  it('project B’s key never shows project A’s data', async () => {
    // What only A has: its id, its executions, tool calls and traces.
    const aExecutions = (await firstPage<{ id: string }>(a, '/task-history/workflow-executions?sortBy=DESC', 'workflowExecutions')).map((e) => e.id);
    const aCalls = (await firstPage<{ requestId: string }>(a, '/actionkit/tool-calls?limit=100', 'toolCalls')).map((c) => c.requestId);
    const aOnly = [a.id, ...aExecutions, ...aCalls, ...Object.values(a.traces)];
    const aShown = [a.id, ...aExecutions.map((id) => id.slice(0, 8)), ...Object.values(a.traces).map((id) => id.slice(0, 12))];
    const bNewest = (await firstPage<{ id: string }>(b, '/task-history/workflow-executions?sortBy=DESC', 'workflowExecutions'))[0]!.id;

    const { context, page } = await signedIn(b);
    const answers: Array<Promise<string>> = [];
    page.on('response', (response) => {
      if (response.url().includes('/projects/')) answers.push(response.text().catch(() => ''));
    });
    for (const path of ['overview', 'task-history', 'event-logs', 'monitoring/tools', 'monitoring/triggers', 'managed-sync', 'agents', 'agents/jobs', 'traces']) {
      await page.goto(view(b, path));
      await settled(page);
      const text = (await page.locator('main').textContent())!;
      for (const marker of aShown) expect(text, path).not.toContain(marker);
      if (path === 'task-history') expect(text).toContain(bNewest.slice(0, 8));
    }

    // A's trace asked for under B's project: the API's 404, shown as such.
    await page.goto(view(b, `traces/${a.traces.workflow_execution}`));
    await page.locator('[data-state="error"]').waitFor();
    expect(await page.locator('[data-state="error"]').textContent()).toContain('not found');
    // A's address opened while signed in to B: no request for A's data is made.
    const before = requested.length;
    await page.goto(view(a, 'event-logs'));
    await page.getByText('This link is for another project').waitFor();
    expect(requested.slice(before).filter((url) => url.includes(`/projects/${a.id}`))).toEqual([]);

    expect(answers.length).toBeGreaterThan(5);
    for (const answer of await Promise.all(answers)) for (const marker of aOnly) expect(answer).not.toContain(marker);
    await context.close();
  });

  it('signs in with the admin token and a project from the list; signing out revokes the tab’s key', async () => {
    const { context, page } = await newPage();
    await page.goto(`${flowtrace.apiUrl}/signin`);
    await page.getByRole('tab', { name: 'Admin token' }).click();
    await page.getByRole('textbox', { name: 'Admin token' }).fill(flowtrace.adminToken!);
    await page.getByRole('button', { name: 'List projects' }).click();
    await page.getByRole('combobox', { name: 'Project' }).click();
    await page.getByRole('option', { name: new RegExp(`^${b.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).click();
    await page.getByRole('button', { name: 'Open project' }).click();
    await page.waitForURL(`**/p/${b.id}/overview`);
    expect(await page.locator('header').textContent()).toContain(b.name);
    const admin = { authorization: `Bearer ${flowtrace.adminToken}` };
    const keys = async () => ((await (await fetch(`${flowtrace.apiUrl}/admin/projects/${b.id}/api-keys`, { headers: admin })).json()) as { apiKeys: Array<{ name: string; revokedAt: string | null }> }).apiKeys;
    const sessionKeys = (await keys()).filter((k) => k.name.startsWith('console session'));
    expect(sessionKeys.map((k) => k.revokedAt)).toEqual([null]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    expect((await keys()).filter((k) => k.name.startsWith('console session')).every((k) => k.revokedAt !== null)).toBe(true);
    // Nothing of the session is left in the tab.
    expect(await page.evaluate('JSON.stringify(sessionStorage)')).not.toContain('ftk_');
    await context.close();
  });

  it('never puts a credential in a URL, nor in the browser console', () => {
    expect(requested.length).toBeGreaterThan(100);
    const secrets = [a.key, b.key, flowtrace.adminToken!];
    for (const url of requested) for (const secret of secrets) expect(url).not.toContain(secret);
    for (const text of consoleText) for (const secret of secrets) expect(text).not.toContain(secret);
  });
});

describe('accessibility', () => {
  it('passes axe’s WCAG 2 A and AA rules on every view', async () => {
    const execution = (await api<{ workflowExecutions: Array<{ id: string }> }>(a, '/task-history/workflow-executions?status=FAILED')).workflowExecutions[0]!;
    const step = (await api<{ steps: Array<{ id: string }> }>(a, `/task-history/workflow-executions/${execution.id}`)).steps.at(-1)!;
    const call = (await api<{ toolCalls: Array<{ requestId: string }> }>(a, '/actionkit/tool-calls?status=FAILED')).toolCalls[0]!;
    const event = (await api<{ triggerEvents: Array<{ eventId: string }> }>(a, '/actionkit/trigger-events')).triggerEvents[0]!;
    const run0 = (await api<{ agentRuns: Array<{ runId: string }> }>(a, '/agent-runs')).agentRuns[0]!;
    const sync = (await api<{ syncs: Array<{ syncId: string }> }>(a, '/syncs')).syncs[0]!;
    const job = (await api<{ jobs: Array<{ jobId: string }> }>(a, '/workato/jobs')).jobs[0]!;
    const views = [
      'overview',
      'task-history',
      `task-history/${execution.id}?step=${step.id}`,
      'event-logs',
      'monitoring/tools',
      `monitoring/tools/${call.requestId}`,
      'monitoring/triggers',
      `monitoring/triggers?event=${event.eventId}`,
      'managed-sync',
      `managed-sync/${sync.syncId}`,
      'agents',
      `agents/runs/${run0.runId}`,
      'agents/jobs',
      `agents/jobs/${job.jobId}`,
      'traces',
      `traces/${a.traces.workflow_execution}?span=${(await api<{ spans: Array<{ spanId: string }> }>(a, `/traces/${a.traces.workflow_execution}`)).spans[0]!.spanId}`,
      // The empty and error states.
      'event-logs?userId=nobody-at-all',
      'event-logs?traceId=not-a-trace',
    ];
    const { context, page } = await signedIn(a);
    const problems: Record<string, string[]> = {};
    for (const path of views) {
      await page.goto(view(a, path));
      await page.locator('main h1').waitFor();
      await settled(page);
      await page.locator('main table, main figure svg, main [data-state="empty"], main [data-state="error"], main [role="tree"]').first().waitFor();
      const found = await axeViolations(page);
      if (found.length > 0) problems[path] = found;
    }
    // Expanded rows too: an event log's object.
    await page.goto(view(a, 'event-logs'));
    await page.getByTestId('event-logs').getByRole('button', { expanded: false }).first().click();
    await page.getByRole('region', { name: /^Event object/ }).waitFor();
    const expanded = await axeViolations(page);
    if (expanded.length > 0) problems['event-logs (expanded)'] = expanded;
    await context.close();

    const signIn = await newPage();
    await signIn.page.goto(`${flowtrace.apiUrl}/signin`);
    await signIn.page.getByRole('button', { name: 'Sign in' }).waitFor();
    const atSignIn = await axeViolations(signIn.page);
    if (atSignIn.length > 0) problems.signin = atSignIn;
    await signIn.context.close();
    expect(problems).toEqual({});
  });
});

// ---------------------------------------------------------------------------

/** Sends one trace of `count` spans (a root, 20 branches, the rest leaves; every 97th span an error) as OTLP/JSON. */
async function sendBigTrace(key: string, count: number): Promise<string> {
  const traceId = randomBytes(16).toString('hex');
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const ids = Array.from({ length: count }, () => randomBytes(8).toString('hex'));
  const spans = ids.map((spanId, i) => {
    const parent = i === 0 ? undefined : i <= 20 ? ids[0] : ids[1 + (i % 20)];
    const begin = start + BigInt(i) * 1_000_000n;
    return {
      traceId,
      spanId,
      ...(parent ? { parentSpanId: parent } : {}),
      name: i === 0 ? 'big root' : i <= 20 ? `branch ${i}` : `leaf ${i}`,
      kind: 1,
      startTimeUnixNano: begin.toString(),
      endTimeUnixNano: (i === 0 ? begin + BigInt(count + 10) * 1_000_000n : begin + 5_000_000n).toString(),
      attributes: [{ key: 'test.index', value: { intValue: String(i) } }],
      status: i > 0 && i % 97 === 0 ? { code: 2, message: 'boom' } : { code: 0 },
    };
  });
  for (let i = 0; i < spans.length; i += 500) {
    const body = {
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'big-trace' } }] }, scopeSpans: [{ scope: { name: 'console-test' }, spans: spans.slice(i, i + 500) }] }],
    };
    const res = await fetch(`${flowtrace.otlpUrl}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`sending the big trace: HTTP ${res.status} ${await res.text()}`);
  }
  return traceId;
}

async function waitForTrace(project: DemoProject, traceId: string, spans: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}/traces/${traceId}`, { headers: { authorization: `Bearer ${project.key}` } });
    if (res.ok && ((await res.json()) as { spans: unknown[] }).spans.length === spans) return;
    if (!res.ok) await res.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`trace ${traceId} did not reach ${spans} spans`);
}

