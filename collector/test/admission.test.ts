/**
 * The in-flight budget with bodies of unknown length. The OpenTelemetry JS
 * OTLP/HTTP exporters send chunked bodies, without Content-Length: such a body
 * used to count at the body limit (20 MiB × 36), so only one was admitted at a
 * time and every concurrent exporter got 429 and backed off. Now it counts a
 * small estimate until read, then its real size.
 */
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { Projects, TABLES, type Store } from '@flowtrace/store';
import { Admission, MEMORY_PER_BODY_BYTE, UNKNOWN_LENGTH_ESTIMATE, createCollectorApp, openCollector, type Collector, type OtlpIngest } from '@flowtrace/collector';
import { openTempStore } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';

const MiB = 2 ** 20;
const MAX_BODY = 20 * MiB;
const SENDERS = 8;

describe('Admission reservations', () => {
  it('resizes a share once the real size is known, refusing growth beyond the limit unless alone', () => {
    const budget = new Admission(100);
    const a = budget.acquire(10)!;
    const b = budget.acquire(10)!;
    expect(budget.inFlight).toBe(20);
    expect(a.resize(50)).toBe(true);
    expect(budget.inFlight).toBe(60);
    expect(b.resize(60)).toBe(false); // 50 + 60 > 100: b keeps its 10
    expect(budget.inFlight).toBe(60);
    expect(b.resize(5)).toBe(true); // shrinking always succeeds
    expect(budget.inFlight).toBe(55);
    a.release();
    a.release(); // idempotent
    expect(budget.inFlight).toBe(5);
    expect(b.resize(500)).toBe(true); // alone in flight: always admitted
    expect(budget.inFlight).toBe(500);
    b.release();
    expect(budget.inFlight).toBe(0);
    expect(b.resize(1)).toBe(false); // released: nothing to resize
    expect(budget.inFlight).toBe(0);
  });
});

let store: Store;
let projects: Projects;
let collector: Collector;
let url: string;
let key: string;
let projectId: string;
/** Ingest calls waiting for the gate, and the headers their requests came with. */
const waiting: Array<() => void> = [];
const seenContentLength: Array<string | undefined> = [];
let gateOpen = false;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const opened = await openTempStore(30);
  store = opened.store;
  projects = new Projects(store, { keyCacheMs: 0 });
  const options = { store, projects, log: memoryLogger(), maxBodyBytes: MAX_BODY, ttlDays: 30, maxFutureSkewSeconds: 3600 };
  collector = await openCollector(options);
  // Requests wait inside ingest until all senders are in flight together.
  const gated: OtlpIngest = async (...args) => {
    if (!gateOpen) await new Promise<void>((resolve) => waiting.push(resolve));
    return collector.ingest(...args);
  };
  // A budget for the 8 requests' real sizes (~100 KiB each at 36×), far below one body limit's worth (720 MiB).
  const budget = new Admission(SENDERS * UNKNOWN_LENGTH_ESTIMATE * MEMORY_PER_BODY_BYTE.protobuf * 2);
  // In front: a note of whether each request declared its length.
  const app = express();
  app.use((req, _res, next) => {
    seenContentLength.push(req.headers['content-length']);
    next();
  });
  app.use(createCollectorApp(options, gated, collector.metrics, collector.sink, budget));
  const server = await listenApp(app);
  url = server.url;
  projectId = (await projects.createProject('admission')).id;
  key = (await projects.createApiKey(projectId, 'k')).key;
  cleanup = async () => {
    await server.close();
    await collector.close();
    await opened.dispose();
  };
});
afterAll(() => cleanup());

/** One exporter's batch: a root and 499 children, as the SDK hands them to the exporter. */
function batch(n: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `sender-${n}` }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  }).getTracer('admission-test');
  const root = tracer.startSpan(`batch ${n}`, { kind: SpanKind.SERVER });
  const inRoot = trace.setSpan(context.active(), root);
  for (let i = 1; i < 500; i++) tracer.startSpan('step', { kind: SpanKind.CLIENT, attributes: { i, 'url.full': `https://api.example.com/v1/items/${i}` } }, inRoot).end();
  root.end();
  return memory.getFinishedSpans();
}

const exportWith = (exporter: OTLPTraceExporter, spans: ReadableSpan[]) => new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));

const metric = async (outcome: string) => {
  const text = await collector.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith('flowtrace_collector_requests_total{') && l.includes('transport="http"') && l.includes(`outcome="${outcome}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
};

describe('bodies of unknown length from the official OTLP/HTTP exporter', () => {
  it('are admitted together: 8 exporters in flight at once, none refused, every span stored', async () => {
    const exporters = Array.from({ length: SENDERS }, () => new OTLPTraceExporter({ url: `${url}/v1/traces`, headers: { authorization: `Bearer ${key}` } }));
    const results = exporters.map((exporter, i) => exportWith(exporter, batch(i)));
    // All eight wait in ingest at the same time: each was admitted while the others were in flight.
    const deadline = Date.now() + 30_000;
    while (waiting.length < SENDERS) {
      if (Date.now() > deadline) throw new Error(`only ${waiting.length} of ${SENDERS} requests admitted; ${await metric('overloaded')} refused as overloaded`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    gateOpen = true;
    waiting.splice(0).forEach((resolve) => resolve());
    const outcomes = await Promise.all(results);
    expect(outcomes.map((r) => r.code)).toEqual(Array(SENDERS).fill(ExportResultCode.SUCCESS));
    expect(await metric('overloaded')).toBe(0);
    // The case this is about: the exporter declared no length.
    expect(seenContentLength.slice(0, SENDERS)).toEqual(Array(SENDERS).fill(undefined));
    const [row] = await store.select<{ n: string }>('test', `SELECT count() AS n FROM ${TABLES.traces} WHERE ProjectId = {projectId:String}`, { projectId });
    expect(Number(row!.n)).toBe(SENDERS * 500);
    await Promise.all(exporters.map((e) => e.shutdown()));
  });

  it('a body that turns out larger than the budget allows is refused (429, Retry-After) while others are in flight, and admitted alone', async () => {
    gateOpen = false;
    // One small request held in flight...
    const held = fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [] }),
    });
    while (waiting.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
    // ...and a chunked body whose real size (4 MiB × 36) exceeds the whole budget.
    const big = Buffer.alloc(4 * MiB, 0x0a);
    const chunked = () =>
      fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-protobuf' },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(big);
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
    const refused = await chunked();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    gateOpen = true;
    waiting.splice(0).forEach((resolve) => resolve());
    expect((await held).status).toBe(200);
    // Alone in flight it is admitted (and read: a body of newlines is not valid protobuf, so 400, not 429).
    expect((await chunked()).status).toBe(400);
  });
});
