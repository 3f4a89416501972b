/**
 * The ClickHouse sink against the real embedded store: group commit, a failed
 * block failing exactly its own requests, retries stored once (one sink, two
 * sinks on one store, a restart), backpressure, and the spool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TABLES, openStore, type Store } from '@flowtrace/store';
import {
  ClickHouseSink,
  CollectorMetrics,
  ExportLogsServiceRequest,
  ExportTraceServiceRequest,
  OverloadedError,
  logsFromRequest,
  requestToken,
  spansFromRequest,
  timeWindow,
  type Batch,
  type BlockOptions,
  type ClickHouseSinkOptions,
} from '@flowtrace/collector';
import { encodeLogs, encodeSpans } from '../src/sink/encode.js';
import { openTempStore, tempDir } from '../../test/support/store.js';
import { memoryLogger } from '../../test/support/http.js';

const WINDOW = timeWindow({ ttlDays: 30, maxFutureSkewSeconds: 3600 });
const BLOCKS: BlockOptions = { maxRows: 100_000, maxBytes: 64 << 20, lingerMs: 0, concurrency: 1 };

let temp: Awaited<ReturnType<typeof openTempStore>>;
/** The store in use: the spool test closes it and opens the same directory again. */
let store: Store;
const log = memoryLogger();
const sinks: ClickHouseSink[] = [];
const spoolDir = tempDir('flowtrace-sink-spool-');

beforeAll(async () => {
  temp = await openTempStore(30);
  store = temp.store;
});
afterAll(async () => {
  for (const sink of sinks) await sink.close().catch(() => {});
  await store.close();
  await temp.dispose();
  spoolDir.remove();
});

async function openSink(options: Partial<ClickHouseSinkOptions> = {}): Promise<ClickHouseSink> {
  const sink = await ClickHouseSink.open({
    store,
    log,
    blocks: BLOCKS,
    maxQueueBytes: 128 << 20,
    dedup: { windowMs: 15 * 60_000, refreshMs: 1000 },
    ...options,
  });
  sinks.push(sink);
  return sink;
}

// ---------------------------------------------------------------- requests made by the SDK

const spanExporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'sink-test' }),
  spanProcessors: [new SimpleSpanProcessor(spanExporter)],
}).getTracer('sink-test', '1.0.0');
const logExporter = new InMemoryLogRecordExporter();
const logger = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'sink-test' }),
  processors: [new SimpleLogRecordProcessor({ exporter: logExporter })],
}).getLogger('sink-test', '1.0.0');

interface Request {
  batch: Batch;
  /** The one trace the request's spans belong to. */
  traceId: string;
  rows: number;
}

/**
 * One export request of `spans` spans of one trace (a root and its children),
 * encoded by the SDK, decoded by the collector into the batch its ingest would
 * hand the sink. `name` names every span; `padding` makes rows larger.
 */
function request(projectId: string, spans: number, options: { name?: string; padding?: number; logs?: number } = {}): Request {
  spanExporter.reset();
  logExporter.reset();
  const name = options.name ?? 'op';
  const attributes = options.padding ? { padding: 'p'.repeat(options.padding) } : {};
  const root = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes });
  const inRoot = trace.setSpan(context.active(), root);
  for (let i = 1; i < spans; i++) tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes: { ...attributes, i } }, inRoot).end();
  for (let i = 0; i < (options.logs ?? 0); i++) logger.emit({ body: `${name} log ${i}`, severityNumber: SeverityNumber.INFO, severityText: 'INFO', context: inRoot });
  root.end();
  const traceBody = Buffer.from(ProtobufTraceSerializer.serializeRequest(spanExporter.getFinishedSpans())!);
  const rows = spansFromRequest(ExportTraceServiceRequest.decode(traceBody), 'protobuf', projectId, WINDOW).rows;
  let logRows: Batch['logs'] = [];
  if (options.logs) {
    const logBody = Buffer.from(ProtobufLogsSerializer.serializeRequest(logExporter.getFinishedLogRecords())!);
    logRows = logsFromRequest(ExportLogsServiceRequest.decode(logBody), 'protobuf', projectId, WINDOW, BigInt(Date.now()) * 1_000_000n).rows;
  }
  expect(rows).toHaveLength(spans);
  expect(logRows).toHaveLength(options.logs ?? 0);
  return {
    batch: { projectId, token: requestToken('traces', projectId, 'protobuf', traceBody), spans: rows, logs: logRows },
    traceId: root.spanContext().traceId,
    rows: spans,
  };
}

const countOf = async (table: string, where: string, params: Record<string, unknown>) =>
  Number((await store.select<{ n: string }>('test', `SELECT count() AS n FROM ${table} WHERE ${where}`, params))[0]!.n);
const spansOfTrace = (traceId: string) => countOf(TABLES.traces, 'TraceId = {traceId:String}', { traceId });
const logsOfTrace = (traceId: string) => countOf(TABLES.logs, 'TraceId = {traceId:String}', { traceId });
const spansOfProject = (projectId: string) => countOf(TABLES.traces, 'ProjectId = {projectId:String}', { projectId });

/** count and sum of a histogram's series for the spans table. */
async function histogram(metric: { get(): Promise<{ values: Array<{ metricName?: string; labels: Record<string, unknown>; value: number }> }> }) {
  const { values } = await metric.get();
  const of = (suffix: string) => values.find((v) => v.metricName?.endsWith(suffix) && v.labels.table === TABLES.traces)?.value ?? 0;
  return { count: of('_count'), sum: of('_sum') };
}

const gauge = async (metric: { get(): Promise<{ values: Array<{ value: number }> }> }) => (await metric.get()).values[0]?.value ?? 0;

async function until(what: string, ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// ---------------------------------------------------------------- tests

describe('group commit', () => {
  it('stores 3 projects × 40 concurrent requests in fewer blocks than requests, answering each only once its rows are stored', async () => {
    const metrics = new CollectorMetrics({ processMetrics: false });
    const sink = await openSink({ metrics, blocks: { ...BLOCKS, concurrency: 1, lingerMs: 0 } });
    const projects = ['gc-a', 'gc-b', 'gc-c'];
    const requests = projects.flatMap((projectId, p) => Array.from({ length: 40 }, (_, i) => request(projectId, 1 + ((i * 7 + p * 3) % 20), { padding: (i % 5) * 200 })));

    const answers = await Promise.all(
      requests.map((r) =>
        sink.write(r.batch).then(async (result) => ({ result, storedWhenAnswered: await spansOfTrace(r.traceId), expected: r.rows })),
      ),
    );

    for (const a of answers) {
      expect(a.result).toEqual({ duplicate: false });
      expect(a.storedWhenAnswered).toBe(a.expected);
    }
    for (const projectId of projects) {
      const sent = requests.filter((r) => r.batch.projectId === projectId).reduce((sum, r) => sum + r.rows, 0);
      expect(await spansOfProject(projectId)).toBe(sent);
    }
    const blocks = await histogram(metrics.blockRequests);
    expect(blocks.sum).toBe(requests.length);
    expect(blocks.count).toBeGreaterThan(1);
    expect(blocks.count).toBeLessThan(requests.length);
    expect((await histogram(metrics.blockRows)).sum).toBe(requests.reduce((sum, r) => sum + r.rows, 0));
    expect(await gauge(metrics.queueBytes)).toBe(0);
  });

  it('fails only the request whose rows ClickHouse refuses: its block is tried again request by request', async () => {
    const ROWS = 4;
    // With one insert at a time, the first request is sent alone; the next six
    // gather meanwhile and are sent three by three (maxRows): the bad one shares a block.
    const sink = await openSink({ blocks: { ...BLOCKS, concurrency: 1, lingerMs: 0, maxRows: 3 * ROWS } });
    const projectId = 'failed-block';
    const good = Array.from({ length: 6 }, () => request(projectId, ROWS));
    const bad = request(projectId, ROWS);
    bad.batch.spans[1] = { ...bad.batch.spans[1]!, Timestamp: 'x' };
    const sent = [good[0]!, good[1]!, bad, good[2]!, good[3]!, good[4]!, good[5]!];

    const outcomes = await Promise.allSettled(sent.map((r) => sink.write(r.batch)));

    const rejected = sent.filter((_, i) => outcomes[i]!.status === 'rejected');
    expect(rejected).toEqual([bad]);
    const reason = (outcomes[2] as PromiseRejectedResult).reason as { type?: string };
    expect(reason).toBeInstanceOf(Error);
    expect(reason).not.toBeInstanceOf(OverloadedError);
    expect(reason.type).toMatch(/^CANNOT_PARSE/);
    expect(await spansOfTrace(bad.traceId)).toBe(0);
    for (const r of good) expect(await spansOfTrace(r.traceId)).toBe(ROWS);
    expect(await spansOfProject(projectId)).toBe(6 * ROWS);
    // The refused request is not remembered as stored: sent again (repaired), it is stored.
    const repaired = { ...bad.batch, spans: bad.batch.spans.map((span, i) => (i === 1 ? { ...span, Timestamp: bad.batch.spans[0]!.Timestamp } : span)) };
    expect(await sink.write(repaired)).toEqual({ duplicate: false });
    expect(await spansOfProject(projectId)).toBe(7 * ROWS);
  });
});

describe('retries are stored once', () => {
  it('the same batch written three times in a row', async () => {
    const sink = await openSink();
    const r = request('retry-seq', 5, { logs: 2 });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await sink.write(r.batch));
    expect(results).toEqual([{ duplicate: false }, { duplicate: true }, { duplicate: true }]);
    expect(await spansOfTrace(r.traceId)).toBe(5);
    expect(await logsOfTrace(r.traceId)).toBe(2);
  });

  it('the same batch written three times at once', async () => {
    const sink = await openSink();
    const r = request('retry-concurrent', 5, { logs: 2 });
    const results = await Promise.all([sink.write(r.batch), sink.write(r.batch), sink.write(r.batch)]);
    expect(results.filter((x) => !x.duplicate)).toHaveLength(1);
    expect(await spansOfTrace(r.traceId)).toBe(5);
    expect(await logsOfTrace(r.traceId)).toBe(2);
  });
});

describe('two sinks on one store (two collectors in front of one ClickHouse)', () => {
  const DEDUP = { windowMs: 15 * 60_000, refreshMs: 100 };
  const tokenStored = (token: string) => async () => (await countOf(TABLES.ingestTokens, 'Token = {token:String}', { token: `${token}.s` })) > 0;
  /** What an exporter's retry waits for at least: the token is stored, and the other sink has refreshed a few times since. */
  const afterRefresh = async (token: string) => {
    await until('the token to be stored', tokenStored(token));
    await new Promise((resolve) => setTimeout(resolve, 3 * DEDUP.refreshMs));
  };

  it('acknowledges a retry that reaches the other sink without storing it, both ways, and after a restart', async () => {
    const a = await openSink({ dedup: DEDUP });
    const b = await openSink({ dedup: DEDUP });
    const first = request('two-sinks', 3);
    const second = request('two-sinks', 4);

    expect(await a.write(first.batch)).toEqual({ duplicate: false });
    await afterRefresh(first.batch.token);
    expect(await b.write(first.batch)).toEqual({ duplicate: true });
    expect(await spansOfTrace(first.traceId)).toBe(3);

    expect(await b.write(second.batch)).toEqual({ duplicate: false });
    await afterRefresh(second.batch.token);
    expect(await a.write(second.batch)).toEqual({ duplicate: true });
    expect(await spansOfTrace(second.traceId)).toBe(4);

    // A restart: a new sink reads the stored tokens when it opens.
    await a.close();
    const c = await openSink({ dedup: DEDUP });
    expect(await c.write(first.batch)).toEqual({ duplicate: true });
    expect(await c.write(second.batch)).toEqual({ duplicate: true });
    expect(await spansOfTrace(first.traceId)).toBe(3);
    expect(await spansOfTrace(second.traceId)).toBe(4);
  });
});

describe('backpressure', () => {
  it('refuses a request while the queue is over its limit, stores nothing of it, and takes requests again once it drains', async () => {
    const sink = await openSink({ maxQueueBytes: 1 });
    const inFlight = request('backpressure', 3);
    const refused = request('backpressure', 3);
    const stored = sink.write(inFlight.batch);
    const error = await sink.write(refused.batch).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(OverloadedError);
    expect((error as OverloadedError).retryAfterSeconds).toBeGreaterThan(0);
    expect(await stored).toEqual({ duplicate: false });
    expect(await spansOfTrace(refused.traceId)).toBe(0);
    // Not remembered as stored either: sent again, it is stored.
    expect(await sink.write(refused.batch)).toEqual({ duplicate: false });
    expect(await spansOfTrace(refused.traceId)).toBe(3);
    expect(await spansOfTrace(inFlight.traceId)).toBe(3);
  });

  it('keeps the queue within its limit plus one request while 50 writers hammer it', async () => {
    const LIMIT = 1 << 20;
    const metrics = new CollectorMetrics({ processMetrics: false });
    const sink = await openSink({ metrics, maxQueueBytes: LIMIT });
    const projectId = 'hammer';
    let largest = 0;
    let highest = 0;
    let refused = 0;
    let accepted = 0;
    let acceptedRows = 0;
    const otherErrors: unknown[] = [];
    const sample = (bytes: number) => (highest = Math.max(highest, bytes));
    const timer = setInterval(() => void gauge(metrics.queueBytes).then(sample), 1);

    const writer = async (w: number) => {
      for (let n = 0; n < 4; ) {
        const r = request(projectId, 20 + ((w * 13 + n * 7) % 30), { padding: 500 });
        largest = Math.max(largest, encodeSpans(r.batch.spans).length);
        for (;;) {
          const writing = sink.write(r.batch);
          sample(sink.queuedBytes);
          sample(await gauge(metrics.queueBytes));
          try {
            await writing;
            accepted++;
            acceptedRows += r.rows;
            n++;
            break;
          } catch (err) {
            if (!(err instanceof OverloadedError)) {
              otherErrors.push(err);
              return;
            }
            refused++;
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: 50 }, (_, w) => writer(w)));
    } finally {
      clearInterval(timer);
    }

    expect(otherErrors).toEqual([]);
    expect(accepted).toBe(200);
    expect(refused).toBeGreaterThan(0);
    expect(highest).toBeGreaterThan(0);
    expect(highest).toBeLessThanOrEqual(LIMIT + largest);
    expect(await spansOfProject(projectId)).toBe(acceptedRows);
    expect(await gauge(metrics.queueBytes)).toBe(0);
  });
});

describe('with a spool', () => {
  const SPOOL = { dir: spoolDir.path, maxBytes: 256 << 20 };
  const PROJECT = 'spooled';
  const SPANS = 3;
  /** The batch numbers stored so far, each with how many of its spans. */
  const stored = async () =>
    store.select<{ seq: string; n: string }>(
      'test',
      `SELECT SpanName AS seq, count() AS n FROM ${TABLES.traces} WHERE ProjectId = {projectId:String} GROUP BY seq ORDER BY toUInt32(seq)`,
      { projectId: PROJECT },
    );
  /** What is stored must be the first batches sent, each whole: the spool stores in order. */
  const expectPrefix = async () => {
    const rows = await stored();
    expect(rows).toEqual(rows.map((_, i) => ({ seq: String(i), n: String(SPANS) })));
    return rows.length;
  };

  it('acknowledges from the spool while the store is away; after a restart stores every batch once, in order', async () => {
    const batches = Array.from({ length: 50 }, (_, i) => request(PROJECT, SPANS, { name: String(i) }));
    const first = new CollectorMetrics({ processMetrics: false });
    const sink = await openSink({ metrics: first, spool: SPOOL });

    // The store is up: batches are acknowledged once spooled and stored in the order sent.
    for (const r of batches.slice(0, 25)) {
      expect(await sink.write(r.batch)).toEqual({ duplicate: false });
      await expectPrefix();
    }
    await until('the first 25 batches to be stored', async () => (await expectPrefix()) === 25);
    await until('their tokens to be recorded', async () => (await countOf(TABLES.ingestTokens, `Token IN {tokens:Array(String)}`, { tokens: batches.slice(0, 25).map((r) => `${r.batch.token}.s`) })) === 25);

    // The store goes away: batches are still acknowledged, from the spool.
    await store.close();
    for (const r of batches.slice(25)) expect(await sink.write(r.batch)).toEqual({ duplicate: false });
    // A retry of a batch still in the spool is spooled again; the drain stores it once.
    expect(await sink.write(batches[30]!.batch)).toEqual({ duplicate: false });
    expect(await gauge(first.spoolRecords)).toBeGreaterThanOrEqual(26);
    await sink.close();

    // A restart on the same store and spool: the spooled batches are stored.
    store = (await openStore({ dataDir: temp.store.location, ttlDays: 30 })).store;
    expect(await expectPrefix()).toBe(25);
    const second = new CollectorMetrics({ processMetrics: false });
    const reopened = await openSink({ metrics: second, spool: SPOOL });
    await until('the spool to be drained', async () => (await expectPrefix()) === 50 && (await gauge(second.spoolRecords)) === 0);
    expect(await gauge(second.spoolBytes)).toBe(0);
    expect(await spansOfProject(PROJECT)).toBe(50 * SPANS);
    // Every batch is known as stored: a late retry is acknowledged without storing it.
    expect(await reopened.write(batches[49]!.batch)).toEqual({ duplicate: true });
    expect(await reopened.write(batches[0]!.batch)).toEqual({ duplicate: true });
    expect(await spansOfProject(PROJECT)).toBe(50 * SPANS);
  });
});
