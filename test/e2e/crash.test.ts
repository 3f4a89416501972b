/**
 * End to end, the crash test: four exporters send workflow executions and retry
 * the same bytes until they are acknowledged, while the process is killed
 * (SIGKILL) three times at random moments (once a quarter, a half and three
 * quarters of the requests are acknowledged) and started again on the same data.
 * At the end every acknowledged span is stored, Task History's items, its
 * `total` and the stats all count the executions sent, and no table — spans,
 * executions, their counts, trace records — holds anything twice.
 *
 * The moments, statuses and start times come from a seeded PRNG; the seed is
 * printed, and FLOWTRACE_CRASH_SEED replays it (the kill moments relative to
 * the requests still vary with the machine's speed).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  ATTR_FLOWTRACE_EXECUTION_ID,
  ATTR_FLOWTRACE_INTEGRATION,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_STATUS,
  ATTR_FLOWTRACE_STEP_ID,
  ATTR_FLOWTRACE_TASK_COUNT,
  ATTR_FLOWTRACE_WORKFLOW_ID,
  ATTR_USER_ID,
  FLOWTRACE_KIND,
} from '@flowtrace/conventions/semconv';
import { TABLES, openStore } from '@flowtrace/store';
import type { Timeline } from '@flowtrace/query-api';
import { tempDir } from '../support/store.js';
import { createProject, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';
import { prng } from '../support/prng.js';

const SENDERS = 4;
const REQUESTS_PER_SENDER = 60;
const EXECUTIONS_PER_REQUEST = 20;
const CHILDREN_PER_EXECUTION = 2;
const CRASHES = 3;
/** A crash comes this long after the senders start (again) against a running process. */
/** An exporter's pause before re-sending the same bytes. */
const RETRY_DELAY_MS = 100;

const SEED = process.env.FLOWTRACE_CRASH_SEED !== undefined ? Number(process.env.FLOWTRACE_CRASH_SEED) >>> 0 : randomBytes(4).readUInt32LE(0);
console.log(`crash test seed: ${SEED} (FLOWTRACE_CRASH_SEED=${SEED} replays it)`);

const random = prng(SEED);

/** A fixed admin token: every restart keeps it. */
const env = { FLOWTRACE_ADMIN_TOKEN: `crash-test-admin-${randomBytes(12).toString('hex')}` };

const dir = tempDir('flowtrace-e2e-crash-');
/** The process the senders talk to: replaced at every restart. */
let current: RunningFlowtrace | undefined;
/** The log (stderr) of every process started, in order. */
const processLogs: Array<() => string> = [];
/** FLOWTRACE_CRASH_KEEP=1 keeps the data directory, and the processes' logs beside it, to look into a failure. */
const KEEP = process.env.FLOWTRACE_CRASH_KEEP === '1';
afterAll(async () => {
  await current?.stop();
  if (KEEP) {
    writeFileSync(`${dir.path}.log`, processLogs.map((log, i) => `---- process ${i + 1}\n${log()}`).join('\n'));
    console.log(`seed ${SEED}: data directory kept at ${dir.path}, logs in ${dir.path}.log`);
  } else dir.remove();
});

async function start(): Promise<RunningFlowtrace> {
  const f = await startFlowtrace(dir.path, env);
  processLogs.push(f.stderr);
  return f;
}

type Project = { id: string; key: string };


async function getJson<T>(url: string, project: Project): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${project.key}` } });
  expect(res.status, `GET ${url}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

// ---------------------------------------------------------------- requests

const recorded = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'e2e-crash' }),
  spanProcessors: [new SimpleSpanProcessor(recorded)],
}).getTracer('e2e-crash', '1.0.0');

interface SentExecution {
  executionId: string;
  traceId: string;
  failed: boolean;
}

interface Request {
  body: Uint8Array;
  executions: SentExecution[];
}

/** One export request of 20 workflow executions (a root and two steps each), all started within the last hour. */
function exportRequest(sender: number, index: number, now: number): Request {
  recorded.reset();
  const executions: SentExecution[] = [];
  for (let e = 0; e < EXECUTIONS_PER_REQUEST; e++) {
    const executionId = `exec-s${sender}-r${String(index).padStart(3, '0')}-e${String(e).padStart(2, '0')}`;
    const failed = random() < 0.15;
    const startMs = now - 55 * 60_000 + Math.floor(random() * 50 * 60_000);
    const root = tracer.startSpan('workflow execution', {
      kind: SpanKind.SERVER,
      startTime: startMs,
      attributes: {
        [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.workflowExecution,
        [ATTR_FLOWTRACE_EXECUTION_ID]: executionId,
        [ATTR_FLOWTRACE_WORKFLOW_ID]: `wf-${Math.floor(random() * 5)}`,
        [ATTR_USER_ID]: `user-${Math.floor(random() * 50)}`,
        [ATTR_FLOWTRACE_INTEGRATION]: ['salesforce', 'hubspot', 'slack'][Math.floor(random() * 3)]!,
        [ATTR_FLOWTRACE_STATUS]: failed ? 'FAILED' : 'SUCCEEDED',
        [ATTR_FLOWTRACE_TASK_COUNT]: 1 + Math.floor(random() * 10),
      },
    });
    for (let c = 0; c < CHILDREN_PER_EXECUTION; c++) {
      const step = tracer.startSpan(`step ${c}`, { kind: SpanKind.CLIENT, startTime: startMs + 10 + c * 100, attributes: { [ATTR_FLOWTRACE_STEP_ID]: `s${c}` } }, trace.setSpan(context.active(), root));
      step.end(startMs + 90 + c * 100);
    }
    root.setStatus(failed ? { code: SpanStatusCode.ERROR, message: 'step failed' } : { code: SpanStatusCode.OK });
    root.end(startMs + 300);
    executions.push({ executionId, traceId: root.spanContext().traceId, failed });
  }
  return { body: ProtobufTraceSerializer.serializeRequest(recorded.getFinishedSpans())!, executions };
}

// ---------------------------------------------------------------- senders

interface SenderLog {
  acknowledged: number;
  /** Attempts answered otherwise than 200, by status or error code. */
  failures: Record<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Like an exporter: each request POSTed until it is answered 200, the same bytes every time, to whichever process runs now. */
async function sender(project: Project, requests: Request[], log: SenderLog): Promise<void> {
  for (const request of requests) {
    for (;;) {
      let outcome: string;
      try {
        const res = await fetch(`${current!.otlpUrl}/v1/traces`, {
          method: 'POST',
          body: request.body,
          headers: { authorization: `Bearer ${project.key}`, 'content-type': 'application/x-protobuf' },
          signal: AbortSignal.timeout(15_000),
        });
        await res.arrayBuffer();
        if (res.status === 200) break;
        outcome = String(res.status);
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause;
        outcome = cause?.code ?? (err as Error).name;
      }
      log.failures[outcome] = (log.failures[outcome] ?? 0) + 1;
      await sleep(RETRY_DELAY_MS);
    }
    log.acknowledged++;
  }
}

// ---------------------------------------------------------------- test

/** How many blocks a restarted process found written down and not yet stored (from its log), for the report. */
function blocksReplayed(f: RunningFlowtrace): number {
  const line = f.stderr().split('\n').find((l) => l.includes('inserting again the blocks'));
  return Number((line && /"blocks":(\d+)/.exec(line)?.[1]) ?? 0);
}

interface TaskHistoryPage {
  workflowExecutions: Array<{ id: string; status: string }>;
  total: number;
  nextLink?: string;
}

interface Figures {
  rows: string;
  distinct: string;
}

describe('SIGKILL at random moments under concurrent senders with retries', () => {
  it('stores every acknowledged span once, and every count and total equals the executions stored', { timeout: 150_000 }, async () => {
    current = await start();
    const project = await createProject(current, 'crash', env.FLOWTRACE_ADMIN_TOKEN);

    const now = Date.now();
    const requests = Array.from({ length: SENDERS }, (_, s) => Array.from({ length: REQUESTS_PER_SENDER }, (_, r) => exportRequest(s, r, now)));
    const sent = requests.flat().flatMap((r) => r.executions);
    const executions = sent.length;
    const failed = sent.filter((e) => e.failed).length;
    const spans = executions * (1 + CHILDREN_PER_EXECUTION);

    const logs: SenderLog[] = requests.map(() => ({ acknowledged: 0, failures: {} }));
    const senders = Promise.all(requests.map((list, s) => sender(project, list, logs[s]!)));
    const acknowledgedNow = () => logs.reduce((n, l) => n + l.acknowledged, 0);

    const crashes: string[] = [];
    const total = SENDERS * REQUESTS_PER_SENDER;
    for (let crash = 1; crash <= CRASHES; crash++) {
      // Each kill comes at a random moment once the senders are past a share of their requests
      // (a quarter, a half, three quarters), so that no kill comes after they are done.
      while (acknowledgedNow() < (total * crash) / (CRASHES + 1)) await sleep(10);
      const afterMs = Math.floor(random() * 250);
      await sleep(afterMs);
      const acknowledged = acknowledgedNow();
      // A kill after the senders are done would test nothing.
      expect(acknowledged, `crash ${crash}: requests still to send`).toBeLessThan(total);
      const killed = current;
      process.kill(killed.pid, 'SIGKILL');
      await killed.stop(); // resolves once the process is gone
      current = await start();
      crashes.push(`#${crash} after ${afterMs} ms (${acknowledged} requests acknowledged, ${blocksReplayed(current)} blocks under way inserted again)`);
    }
    await senders;
    console.log(`seed ${SEED}: crashes ${crashes.join(', ')}; failed attempts per sender: ${JSON.stringify(logs.map((l) => l.failures))}`);
    expect(logs.map((l) => l.acknowledged)).toEqual(requests.map(() => REQUESTS_PER_SENDER));

    // Task History, walked to its end.
    const listed: string[] = [];
    const totals = new Set<number>();
    let next: string | undefined = `${current.apiUrl}/projects/${project.id}/task-history/workflow-executions?limit=100`;
    while (next !== undefined) {
      const page: TaskHistoryPage = await getJson<TaskHistoryPage>(next, project);
      totals.add(page.total);
      listed.push(...page.workflowExecutions.map((e) => e.id));
      next = page.nextLink;
    }
    const listedIds = new Set(listed);
    const missing = sent.filter((e) => !listedIds.has(e.executionId)).map((e) => e.executionId);
    const history = { items: listed.length, distinct: listedIds.size, totals: [...totals], missing: missing.slice(0, 10) };
    console.log(`seed ${SEED}: Task History ${JSON.stringify({ ...history, missing: missing.length })}`);
    // Soft: the tables are still read, so that a failure reports every figure.
    expect.soft(history).toEqual({
      items: executions,
      distinct: executions,
      totals: [executions],
      missing: [],
    });

    // Stats by day, over the days around the executions.
    const from = new Date(now - 2 * 86_400_000).toISOString();
    const to = new Date(now + 86_400_000).toISOString();
    const stats = await getJson<{ totals: { executions: number; failures: number } }>(
      `${current.apiUrl}/projects/${project.id}/stats/executions?interval=day&from=${from}&to=${to}`,
      project,
    );
    console.log(`seed ${SEED}: stats totals ${JSON.stringify(stats.totals)}`);
    expect.soft(stats.totals).toEqual({ executions, failures: failed });

    // A few timelines: each span once.
    for (const e of [sent[0]!, sent[Math.floor(executions / 2)]!, sent[executions - 1]!]) {
      const timeline = await getJson<Timeline>(`${current.apiUrl}/projects/${project.id}/traces/${e.traceId}`, project);
      expect.soft(timeline.spans.map((s) => s.name).sort(), `timeline of ${e.executionId}`).toEqual(['step 0', 'step 1', 'workflow execution']);
    }

    // The tables themselves, once the process is gone.
    expect(await current.stop()).toBe(0);
    current = undefined;
    const walDir = join(dir.path, 'flowtrace-wal');
    const walLeft = existsSync(walDir) ? readdirSync(walDir) : [];
    const { store } = await openStore({ dataDir: dir.path, ttlDays: 30 });
    try {
      const params = { projectId: project.id };
      const one = async <T>(sql: string): Promise<T> => (await store.select<T>('test.crash', sql, params))[0]!;
      const exec = await one<Figures>(`SELECT count() AS rows, uniqExact(TraceId, SpanId) AS distinct FROM ${TABLES.executions} WHERE ProjectId = {projectId:String}`);
      const counts = await one<{ executions: string; failures: string }>(
        `SELECT sum(Executions) AS executions, sum(Failures) AS failures FROM ${TABLES.executionCounts} WHERE ProjectId = {projectId:String}`,
      );
      const countsBy = await one<{ executions: string; failures: string }>(
        `SELECT sum(Executions) AS executions, sum(Failures) AS failures FROM ${TABLES.executionCountsBy} WHERE ProjectId = {projectId:String} AND Dimension = ''`,
      );
      const traces = await one<Figures>(`SELECT count() AS rows, uniqExact(TraceId, SpanId) AS distinct FROM ${TABLES.traces} WHERE ProjectId = {projectId:String}`);
      const records = await one<Figures>(
        `SELECT count() AS rows, uniqExact(TraceId, JSONExtractString(Payload, 'SpanId')) AS distinct FROM ${TABLES.traceRecords} WHERE ProjectId = {projectId:String} AND Record = 'span'`,
      );
      const traceIds = await one<{ traces: string }>(`SELECT uniqExact(TraceId) AS traces FROM ${TABLES.traceIdTs} WHERE ProjectId = {projectId:String}`);
      const figures = {
        executions: [Number(exec.rows), Number(exec.distinct)],
        executionCounts: [Number(counts.executions), Number(counts.failures)],
        executionCountsBy: [Number(countsBy.executions), Number(countsBy.failures)],
        spans: [Number(traces.rows), Number(traces.distinct)],
        traceRecords: [Number(records.rows), Number(records.distinct)],
        traceIdTs: Number(traceIds.traces),
      };
      console.log(`seed ${SEED}: sent ${executions} executions (${failed} failed), ${spans} spans; stored ${JSON.stringify(figures)}; WAL files left after stop: ${walLeft.length}`);
      expect(figures).toEqual({
        executions: [executions, executions],
        executionCounts: [executions, failed],
        executionCountsBy: [executions, failed],
        spans: [spans, spans],
        traceRecords: [spans, spans],
        traceIdTs: executions,
      });
    } finally {
      await store.close();
    }
  });
});
