import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminToken, Projects, TABLES, openStore, type Store } from '@flowtrace/store';
import { createQueryApp } from '@flowtrace/query-api';
import { fmt, percentile, row, timeRuns } from './stats.js';
import { listen, quietLog } from './support.js';

/**
 * `npm run bench:query`: BENCH_QUERY_SPANS spans (default 10,000,000) in
 * executions of 5 spans over 30 days, and 1.5 log records per execution, all
 * generated inside ClickHouse; then each question the query API answers, over
 * HTTP, next to the same question asked of the raw otel_traces / otel_logs
 * tables in the same run.
 */
const SPANS = Number(process.env.BENCH_QUERY_SPANS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 40);
const SPANS_PER_EXECUTION = 5;
const DAYS = 30;
const INTEGRATIONS = ['salesforce', 'hubspot', 'slack', 'jira', 'zendesk', 'gmail', 'notion', 'asana'];
const DAY_MS = 86_400_000;

// BENCH_QUERY_DIR: a directory kept by an earlier run (BENCH_KEEP=1), to measure again without loading.
const reused = process.env.BENCH_QUERY_DIR;
const dir = reused ?? mkdtempSync(join(tmpdir(), 'flowtrace-bench-query-'));
const { store } = await openStore({ dataDir: dir, ttlDays: 0 });
try {
  process.stdout.write(`Flowtrace query benchmark — embedded store in ${dir}, node ${process.version}\n`);
  await run(store);
} finally {
  await store.close();
  // BENCH_KEEP=1 keeps the data directory, to look into a figure afterwards.
  if (process.env.BENCH_KEEP !== '1' && !reused) rmSync(dir, { recursive: true, force: true });
}

interface Setup {
  projectId: string;
  key: string;
  endMs: number;
}

async function run(store: Store): Promise<void> {
  const projects = new Projects(store, { keyCacheMs: 600_000 });
  const executions = Math.floor(SPANS / SPANS_PER_EXECUTION);
  const setupFile = join(dir, 'bench-query.json');
  let setup: Setup;
  if (reused && existsSync(setupFile)) {
    setup = JSON.parse(readFileSync(setupFile, 'utf8')) as Setup;
    process.stdout.write(`Reusing the data of an earlier run (BENCH_QUERY_DIR)\n`);
  } else {
    const projectId = (await projects.createProject('bench-query')).id;
    setup = { projectId, key: (await projects.createApiKey(projectId, 'bench')).key, endMs: Date.now() - 60_000 };
    await load(store, setup, executions);
    writeFileSync(setupFile, JSON.stringify(setup));
  }
  // A month-old store has had its parts merged in the background; a bulk load has not.
  const mergeStart = performance.now();
  for (const table of [TABLES.traces, TABLES.logs, TABLES.traceIdTs, TABLES.traceRecords, TABLES.executions, TABLES.executionCounts, TABLES.executionCountsBy, TABLES.eventLogs]) {
    await store.command('bench.optimize', `OPTIMIZE TABLE ${table} FINAL SETTINGS optimize_skip_merged_partitions = 1`);
  }
  const sizes = await store.select<{ table: string; bytes: string; rows: string }>(
    'bench.sizes',
    `SELECT table, sum(data_compressed_bytes) AS bytes, sum(rows) AS rows FROM system.parts WHERE active GROUP BY table ORDER BY table`,
  );
  process.stdout.write(`Parts merged (OPTIMIZE FINAL) in ${fmt((performance.now() - mergeStart) / 1000, 1)} s. On disk:\n`);
  for (const t of sizes.filter((t) => Number(t.rows) > 100)) process.stdout.write(`  ${t.table.padEnd(34)} ${fmt(Number(t.rows), 0).padStart(12)} rows ${fmt(Number(t.bytes) / 2 ** 20, 1).padStart(8)} MiB\n`);
  await measure(store, projects, setup, executions);
}

/** Generates the spans and logs inside ClickHouse. */
async function load(store: Store, { projectId, endMs }: Setup, executions: number): Promise<void> {
  const params = { projectId, executions, spans: executions * SPANS_PER_EXECUTION, end: Math.floor(endMs / 1000), stepMs: Math.floor((DAYS * DAY_MS) / executions) };
  const loadStart = performance.now();
  // Execution e starts at end - (executions - e) * step; span s of it 100 ms later per span.
  await store.command(
    'bench.load.spans',
    `INSERT INTO ${TABLES.traces} (ProjectId, Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName,
        ResourceAttributes, SpanAttributes, Duration, StatusCode, StatusMessage)
     SELECT {projectId:String},
            toDateTime64({end:UInt32}, 9) - toIntervalMillisecond((({executions:UInt64} - e) * {stepMs:UInt64})) + toIntervalMillisecond(s * 100),
            lower(hex(MD5(concat('exec-', toString(e))))),
            lower(substring(hex(MD5(concat(toString(e), '/', toString(s)))), 1, 16)),
            if(s = 0, '', lower(substring(hex(MD5(concat(toString(e), '/0'))), 1, 16))),
            if(s = 0, 'workflow execution', ['step Fetch records', 'GET', 'step Send to app', 'POST'][s]),
            if(s = 0, 'Internal', if(s % 2 = 0, 'Client', 'Internal')),
            'workflow-runner',
            map('service.name', 'workflow-runner'),
            if(s = 0,
               map('flowtrace.kind', 'workflow_execution', 'flowtrace.execution.id', concat('exec-', toString(e)),
                   'user.id', concat('u-', toString(e % 10000)), 'flowtrace.integration', {integrations:Array(String)}[1 + e % 8],
                   'flowtrace.workflow.id', concat('wf-', toString(e % 50)), 'flowtrace.status', if(e % 17 = 0, 'FAILED', 'SUCCEEDED'),
                   'flowtrace.task_count', toString(e % 5)),
               map('flowtrace.step.id', concat('step-', toString(s)), 'user.id', concat('u-', toString(e % 10000)))),
            if(s = 0, 1000000000 + (e % 1000) * 1000000, 80000000),
            if(e % 17 = 0, 'Error', 'Ok'),
            ''
     FROM (SELECT intDiv(number, ${SPANS_PER_EXECUTION}) AS e, number % ${SPANS_PER_EXECUTION} AS s FROM numbers({spans:UInt64}))`,
    { ...params, integrations: INTEGRATIONS },
  );
  const spansSeconds = (performance.now() - loadStart) / 1000;
  const logsStart = performance.now();
  await store.command(
    'bench.load.logs',
    `INSERT INTO ${TABLES.logs} (ProjectId, Timestamp, TraceId, SpanId, SeverityText, SeverityNumber, ServiceName, Body, LogAttributes, EventName)
     SELECT {projectId:String},
            toDateTime64({end:UInt32}, 9) - toIntervalMillisecond((({executions:UInt64} - e) * {stepMs:UInt64})) + toIntervalMillisecond(l * 900),
            lower(hex(MD5(concat('exec-', toString(e))))),
            lower(substring(hex(MD5(concat(toString(e), '/', toString(l * 3)))), 1, 16)),
            if(l = 1 AND e % 17 = 0, 'ERROR', 'INFO'),
            if(l = 1 AND e % 17 = 0, 17, 9),
            'workflow-runner',
            if(l = 0, concat('App Event Trigger Started for user u-', toString(e % 10000)),
               if(e % 17 = 0, concat('Step Send to app failed: Request failed with status 502 for record r-', toString(e)), 'Workflow execution SUCCEEDED')),
            map('flowtrace.log.type', 'App Event', 'user.id', concat('u-', toString(e % 10000)), 'flowtrace.integration', {integrations:Array(String)}[1 + e % 8]),
            if(l = 0, 'trigger.started', 'workflow.execution.completed')
     FROM (SELECT intDiv(number, 2) AS e, number % 2 AS l FROM numbers({logs:UInt64}) WHERE l = 0 OR e % 2 = 0)`,
    { ...params, integrations: INTEGRATIONS, logs: executions * 2 },
  );
  const logsSeconds = (performance.now() - logsStart) / 1000;
  const counts = await store.select<{ spans: string; logs: string; executions: string }>(
    'bench.counts',
    `SELECT (SELECT count() FROM ${TABLES.traces}) AS spans, (SELECT count() FROM ${TABLES.logs}) AS logs, (SELECT count() FROM ${TABLES.executions}) AS executions`,
  );
  process.stdout.write(
    `Loaded ${fmt(Number(counts[0]!.spans), 0)} spans (${fmt(Number(counts[0]!.executions), 0)} executions) in ${fmt(spansSeconds, 1)} s ` +
      `and ${fmt(Number(counts[0]!.logs), 0)} log records in ${fmt(logsSeconds, 1)} s, over ${DAYS} days\n`,
  );
}

async function measure(store: Store, projects: Projects, { projectId, key, endMs }: Setup, executions: number): Promise<void> {
  const server = await listen(createQueryApp({ store, projects, adminToken: await AdminToken.load(store, 'bench-admin-token-0000'), log: quietLog }));
  const api = async (path: string) => {
    const res = await fetch(`${server.url}/projects/${projectId}${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const raw = (sql: string, extra: Record<string, unknown> = {}) => store.select('bench.raw', sql, { projectId, ...extra });
  const results: Array<[string, number[], number[]]> = [];
  const pick = (i: number) => (i * 7919 + 13) % executions;

  // Every call asks a question of its own (another trace, integration, term or
  // range; see timeRuns), and the raw answers are asked other questions again.
  const API_CALLS = RUNS + 5;
  const RAW_RUNS = Math.min(RUNS, 10);
  const RAW_CALLS = RAW_RUNS + 1;

  // 1. A trace timeline.
  const traceIds = await store.select<{ id: string }>(
    'bench.trace_ids',
    `SELECT lower(hex(MD5(concat('exec-', toString(e))))) AS id FROM (SELECT arrayJoin({es:Array(UInt64)}) AS e)`,
    { es: Array.from({ length: 2 * API_CALLS }, (_, i) => pick(i)) },
  );
  const timeline = await timeRuns(RUNS, 5, async (i) => {
    const id = traceIds[i]!.id;
    const body = await api(`/traces/${id}`);
    if (body.spans.length !== SPANS_PER_EXECUTION) throw new Error(`timeline: ${body.spans.length} spans`);
  });
  const timelineRaw = await timeRuns(RUNS, 5, async (i) => {
    const id = traceIds[API_CALLS + i]!.id;
    await raw(`SELECT * FROM ${TABLES.traces} WHERE ProjectId = {projectId:String} AND TraceId = {id:String}`, { id });
    await raw(`SELECT * FROM ${TABLES.logs} WHERE ProjectId = {projectId:String} AND TraceId = {id:String}`, { id });
  });
  results.push(['trace timeline', timeline, timelineRaw]);

  // 2. Task History, first page and page 1,000, filtered by integration and a
  // 30-day range: call i asks for integration i % 8, from a range starting i seconds later.
  const to = new Date(endMs + 60_000).toISOString();
  const pageQuestion = (i: number) => ({
    integration: INTEGRATIONS[i % INTEGRATIONS.length]!,
    from: new Date(endMs - DAYS * DAY_MS - 3_600_000 + i * 1000).toISOString(),
  });
  const rawPage = async (offset: number, { integration, from }: { integration: string; from: string }) => {
    const where = `ProjectId = {projectId:String} AND ParentSpanId = '' AND SpanAttributes['flowtrace.kind'] = 'workflow_execution'
       AND SpanAttributes['flowtrace.integration'] = {integration:String}
       AND Timestamp >= parseDateTime64BestEffort({from:String}, 9) AND Timestamp < parseDateTime64BestEffort({to:String}, 9)`;
    await raw(
      `SELECT SpanAttributes['flowtrace.execution.id'] AS id, SpanAttributes['user.id'] AS userId, Duration, SpanAttributes['flowtrace.status'] AS status, Timestamp
       FROM ${TABLES.traces} WHERE ${where} ORDER BY Timestamp, TraceId LIMIT 100 OFFSET {offset:UInt64}`,
      { integration, from, to, offset },
    );
    await raw(`SELECT count() FROM ${TABLES.traces} WHERE ${where}`, { integration, from, to });
  };
  const first = pageQuestion(0);
  const total = (await api(`/task-history/workflow-executions?integration=${first.integration}&afterDate=${first.from}&beforeDate=${to}&limit=1`)).total as number;
  // Page 1,000 at full size; the last whole page on a smaller BENCH_QUERY_SPANS.
  for (const page of [1, Math.min(1000, Math.floor(total / 100) - 1)]) {
    const offset = (page - 1) * 100;
    const apiTimes = await timeRuns(RUNS, 3, async (i) => {
      const { integration, from } = pageQuestion(i);
      const body = await api(`/task-history/workflow-executions?integration=${integration}&afterDate=${from}&beforeDate=${to}&offset=${offset}`);
      if (body.workflowExecutions.length !== 100) throw new Error(`page ${page}: ${body.workflowExecutions.length} rows of ${body.total}`);
    });
    const rawTimes = await timeRuns(RAW_RUNS, 1, (i) => rawPage(offset, pageQuestion(API_CALLS + i)));
    results.push([`Task History page ${fmt(page, 0)} (integration, 30 days)`, apiTimes, rawTimes]);
  }

  // 3. Event Logs text search over 7 days for a record id: failed executions
  // (e % 17 = 0) with a second log (e even), one term per call, spread over the 7 days.
  const weekFrom = new Date(endMs - 7 * DAY_MS).toISOString();
  const newest = Math.floor((executions - 1) / 34) * 34;
  const termCount = API_CALLS + RAW_CALLS;
  const step = Math.max(1, Math.floor((executions * 7) / DAYS / termCount / 34)) * 34;
  const terms = Array.from({ length: termCount }, (_, i) => `r-${newest - i * step}`);
  const search = await timeRuns(RUNS, 3, async (i) => {
    const term = terms[i]!;
    const body = await api(`/event-logs?q=${encodeURIComponent(term)}&from=${weekFrom}&to=${to}`);
    if (body.logs.length === 0) throw new Error(`search ${term}: no match`);
  });
  const searchRaw = await timeRuns(RAW_RUNS, 1, (i) =>
    raw(
      `SELECT Timestamp, Body, LogAttributes FROM ${TABLES.logs}
       WHERE ProjectId = {projectId:String} AND Timestamp >= parseDateTime64BestEffort({from:String}, 9) AND Timestamp < parseDateTime64BestEffort({to:String}, 9)
         AND positionCaseInsensitive(Body, {term:String}) > 0
       ORDER BY Timestamp DESC LIMIT 100`,
      { from: weekFrom, to, term: terms[API_CALLS + i]! },
    ),
  );
  results.push(['Event Logs text search, 7 days', search, searchRaw]);

  // 4. A 30-day count by integration, per day: call i from a range starting i minutes later.
  const monthFrom = (i: number) => new Date(endMs - DAYS * DAY_MS + i * 60_000).toISOString();
  const stats = await timeRuns(RUNS, 3, async (i) => {
    const body = await api(`/stats/executions?groupBy=integration&interval=day&from=${monthFrom(i)}&to=${to}`);
    if (body.totals.executions === 0) throw new Error('no counts');
  });
  const statsRaw = await timeRuns(RAW_RUNS, 1, (i) =>
    raw(
      `SELECT toStartOfDay(Timestamp) AS day, SpanAttributes['flowtrace.integration'] AS integration, count(), countIf(StatusCode = 'Error'),
              quantiles(0.5, 0.95, 0.99)(Duration)
       FROM ${TABLES.traces}
       WHERE ProjectId = {projectId:String} AND ParentSpanId = '' AND SpanAttributes['flowtrace.kind'] = 'workflow_execution'
         AND Timestamp >= parseDateTime64BestEffort({from:String}, 9) AND Timestamp < parseDateTime64BestEffort({to:String}, 9)
       GROUP BY day, integration`,
      { from: monthFrom(API_CALLS + i), to },
    ),
  );
  results.push(['30-day count by integration, per day', stats, statsRaw]);

  process.stdout.write('\n');
  row('', 'API p50 ms', 'API p95 ms', 'raw p50 ms', 'raw p95 ms', 'raw/API p95');
  for (const [label, apiTimes, rawTimes] of results) {
    row(label, fmt(percentile(apiTimes, 50), 2), fmt(percentile(apiTimes, 95), 2), fmt(percentile(rawTimes, 50), 2), fmt(percentile(rawTimes, 95), 2), `${fmt(percentile(rawTimes, 95) / percentile(apiTimes, 95), 1)}×`);
  }

  // 5. A month of executions exported, against 3 days: memory must not grow with the range.
  process.stdout.write('\n');
  row('export, NDJSON', 'rows', 'seconds', 'rows/s', 'peak RSS MB');
  for (const days of [3, DAYS]) {
    const exportFrom = new Date(endMs - days * DAY_MS).toISOString();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const start = performance.now();
    const res = await fetch(`${server.url}/projects/${projectId}/export/workflow-executions?from=${exportFrom}&to=${to}`, { headers: { authorization: `Bearer ${key}` } });
    let lines = 0;
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const byte of value) if (byte === 10) lines++;
    }
    clearInterval(sampler);
    const seconds = (performance.now() - start) / 1000;
    row(`${days} days`, fmt(lines, 0), fmt(seconds, 1), fmt(lines / seconds, 0), fmt(peak / 2 ** 20, 0));
  }
  await server.close();
}
