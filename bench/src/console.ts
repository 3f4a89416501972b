import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { fmt, percentile, row } from './stats.js';
import { BENCH_ADMIN_TOKEN, startServer, type ServerChild } from './server-child.js';

// The DOM globals the functions run in the page use (bench is compiled without the DOM library).
declare const document: { querySelector(selector: string): { scrollTop: number; scrollHeight: number; clientHeight: number } | null };
declare const sessionStorage: { setItem(key: string, value: string): void };
declare function requestAnimationFrame(callback: (t: number) => void): number;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUNS = 5;
const BIG_TRACE = 10_000;

interface Project {
  id: string;
  key: string;
}

/**
 * The console on the demo's data: each view's time from navigation to its
 * first rows drawn, in a fresh browser context (nothing cached) and again with
 * the assets cached, next to the time of the API request behind it measured
 * from Node. Then the trace view at the API's 10,000-span limit: time to the
 * waterfall, and the frame times while scrolling it end to end.
 */
export async function benchConsole(): Promise<void> {
  process.stdout.write('\nWeb console (headless Chromium, demo data)\n');
  if (!existsSync(`${ROOT}console/dist/index.html`)) return void process.stdout.write('  skipped: console/dist is not built\n');
  if (!existsSync(CHROMIUM)) return void process.stdout.write(`  skipped: no Chromium at ${CHROMIUM}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'flowtrace-bench-console-'));
  let server: ServerChild | undefined;
  let browser: Browser | undefined;
  try {
    server = await startServer(dir);
    const { stdout } = await promisify(execFile)(process.execPath, [`${ROOT}cli/bin/flowtrace.js`, 'demo', '--json'], {
      env: { ...process.env, FLOWTRACE_ENDPOINT: server.otlpUrl, FLOWTRACE_API_URL: server.apiUrl, FLOWTRACE_ADMIN_TOKEN: BENCH_ADMIN_TOKEN },
      maxBuffer: 16 * 1024 * 1024,
    });
    const project = (JSON.parse(stdout) as { projects: Project[] }).projects[0]!;
    const bigTrace = await sendTrace(server, project, BIG_TRACE);
    browser = await chromium.launch({ executablePath: CHROMIUM });

    const views: Array<[string, string, string, string]> = [
      ['Overview', 'overview', 'figure svg', '/stats/executions?groupBy=integration&interval=hour'],
      ['Task History', 'task-history', '[data-testid="workflow-executions"] tbody tr', '/task-history/workflow-executions?sortBy=DESC'],
      ['Event Logs (100 a page)', 'event-logs', '[data-testid="event-logs"] tbody tr', '/event-logs?limit=100'],
      ['Monitoring: Tools', 'monitoring/tools', '[data-testid="tool-calls"] tbody tr', '/actionkit/tool-calls?limit=100'],
      ['Monitoring: Triggers', 'monitoring/triggers', '[data-testid="trigger-events"] tbody tr', '/actionkit/trigger-events?limit=100'],
      ['Managed Sync', 'managed-sync', '[data-testid="syncs"] tbody tr', '/syncs?limit=100'],
      ['Agents', 'agents', '[data-testid="agent-runs"] tbody tr', '/agent-runs?limit=100'],
      ['Traces (search)', 'traces', '[data-testid="traces"] tbody tr', '/traces?limit=50'],
      [`Trace of ${fmt(BIG_TRACE, 0)} spans`, `traces/${bigTrace}`, '[data-testid="span-bar"]', `/traces/${bigTrace}`],
    ];
    row('view: ms to its first rows drawn', 'cold p50', 'cold max', 'cached p50', 'API alone p50');
    for (const [label, path, ready, apiPath] of views) {
      const { cold, cached } = await timeView(browser, server, project, path, ready);
      const api = await timeApi(server, project, apiPath);
      row(label, fmt(percentile(cold, 50), 0), fmt(cold.at(-1)!, 0), fmt(percentile(cached, 50), 0), fmt(percentile(api, 50), 0));
    }

    const frames = await scrollFrames(browser, server, project, `traces/${bigTrace}?logs=off`);
    row(`scrolling the ${fmt(BIG_TRACE, 0)}-span waterfall end to end`, 'frames', 'p50 ms', 'p95 ms', 'max ms');
    row('', fmt(frames.length, 0), fmt(percentile(frames, 50), 1), fmt(percentile(frames, 95), 1), fmt(frames.at(-1)!, 1));
  } finally {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh context signed in before its first script runs (the console reads its session from sessionStorage). */
async function signedInPage(browser: Browser, project: Project) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript((session: string) => sessionStorage.setItem('flowtrace.console.session', session), JSON.stringify({ projectId: project.id, key: project.key }));
  return { context, page: await context.newPage() };
}

/**
 * Cold: a new browser context, nothing cached. Cached: the same address opened
 * again in that context (index.html revalidated, the hashed assets from cache).
 */
async function timeView(browser: Browser, server: ServerChild, project: Project, path: string, ready: string): Promise<{ cold: number[]; cached: number[] }> {
  const cold: number[] = [];
  const cached: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const { context, page } = await signedInPage(browser, project);
    for (const times of [cold, cached]) {
      const start = performance.now();
      await page.goto(`${server.apiUrl}/p/${project.id}/${path}`);
      await page
        .locator(ready)
        .first()
        .waitFor()
        .catch(async (err: Error) => {
          throw new Error(`${path}: ${err.message}\nthe page shows: ${(await page.locator('main').textContent().catch(() => '')) ?? ''}`);
        });
      // The first run warms the server's caches, as the API's first request below does.
      if (i > 0) times.push(performance.now() - start);
    }
    await context.close();
  }
  return { cold: cold.sort((a, b) => a - b), cached: cached.sort((a, b) => a - b) };
}

async function timeApi(server: ServerChild, project: Project, path: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = performance.now();
    const res = await fetch(`${server.apiUrl}/projects/${project.id}${path}`, { headers: { authorization: `Bearer ${project.key}` } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    if (i > 0) times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

/** Frame-to-frame times while the waterfall scrolls a screen per frame from top to bottom. */
async function scrollFrames(browser: Browser, server: ServerChild, project: Project, path: string): Promise<number[]> {
  const { context, page } = await signedInPage(browser, project);
  await page.goto(`${server.apiUrl}/p/${project.id}/${path}`);
  await page.locator('[data-testid="span-bar"]').first().waitFor();
  const frames = await page.evaluate(
    () =>
      new Promise<number[]>((resolve) => {
        const scroller = document.querySelector('[role="tree"]')!;
        const deltas: number[] = [];
        let last = 0;
        const step = (t: number) => {
          if (last) deltas.push(t - last);
          last = t;
          if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) return resolve(deltas);
          scroller.scrollTop += scroller.clientHeight;
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      }),
  );
  await context.close();
  return frames.sort((a, b) => a - b);
}

/** One trace of `count` spans (a root, 50 branches, leaves under them), sent as OTLP/JSON; resolves once readable. */
async function sendTrace(server: ServerChild, project: Project, count: number): Promise<string> {
  const traceId = randomBytes(16).toString('hex');
  const start = BigInt(Date.now() - 120_000) * 1_000_000n;
  const ids = Array.from({ length: count }, () => randomBytes(8).toString('hex'));
  const spans = ids.map((spanId, i) => ({
    traceId,
    spanId,
    ...(i === 0 ? {} : { parentSpanId: i <= 50 ? ids[0] : ids[1 + (i % 50)] }),
    name: i === 0 ? 'bench root' : `span ${i}`,
    kind: 1,
    startTimeUnixNano: (start + BigInt(i) * 100_000n).toString(),
    endTimeUnixNano: (start + BigInt(i) * 100_000n + (i === 0 ? BigInt(count) * 100_000n + 1_000_000n : 2_000_000n)).toString(),
    status: i % 101 === 0 && i > 0 ? { code: 2, message: 'failed' } : { code: 0 },
  }));
  for (let i = 0; i < spans.length; i += 1000) {
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench-console' } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans: spans.slice(i, i + 1000) }] }] };
    const res = await fetch(`${server.otlpUrl}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${project.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`sending the trace: HTTP ${res.status} ${await res.text()}`);
  }
  for (let i = 0; i < 600; i++) {
    const res = await fetch(`${server.apiUrl}/projects/${project.id}/traces/${traceId}`, { headers: { authorization: `Bearer ${project.key}` } });
    if (res.ok && ((await res.json()) as { spans: unknown[] }).spans.length === count) return traceId;
    if (!res.ok) await res.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the ${count}-span trace did not become readable`);
}
