/**
 * The OTLP/HTTP receiver against the real embedded store: what it accepts, how
 * it answers, and that a rejected request stores nothing and leaves it serving.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { Projects, TABLES, type Store } from '@flowtrace/store';
import { ExportTraceServiceResponse, openCollector } from '@flowtrace/collector';
import { openTempStore } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';

const MAX_BODY = 256 * 1024;
let store: Store;
let url: string;
let key: string;
let projectId: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const opened = await openTempStore();
  store = opened.store;
  const projects = new Projects(store, { keyCacheMs: 0 });
  projectId = (await projects.createProject('collector-test')).id;
  key = (await projects.createApiKey(projectId, 'k')).key;
  const server = await listenApp((await openCollector({ store, projects, log: memoryLogger(), maxBodyBytes: MAX_BODY, ttlDays: 30, maxFutureSkewSeconds: 3600 })).app);
  url = server.url;
  cleanup = async () => {
    await server.close();
    await opened.dispose();
  };
});
afterAll(() => cleanup());

let spans: ReadableSpan[];
beforeEach(() => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('t');
  const root = tracer.startSpan('root', { kind: SpanKind.SERVER });
  root.end();
  tracer.startSpan('other').end();
  spans = exporter.getFinishedSpans();
});

const post = (path: string, body: string | Uint8Array, headers: Record<string, string>) =>
  fetch(`${url}${path}`, { method: 'POST', body, headers: { authorization: `Bearer ${key}`, ...headers } });
const json = { 'content-type': 'application/json' };
const proto = { 'content-type': 'application/x-protobuf' };
const countRows = async (table: string) =>
  Number((await store.select<{ n: string }>('test', `SELECT count() AS n FROM ${table} WHERE ProjectId = {projectId:String}`, { projectId }))[0]?.n);
const spanJson = (span: Record<string, unknown>) => ({
  resourceSpans: [{ scopeSpans: [{ spans: [{ name: 's', startTimeUnixNano: `${Date.now()}000000`, endTimeUnixNano: `${Date.now() + 1}000000`, ...span }] }] }],
});
const validIds = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };

describe('accepted requests', () => {
  it('stores protobuf spans and answers in protobuf, partial_success unset on full success', async () => {
    const before = await countRows(TABLES.traces);
    const res = await post('/v1/traces', ProtobufTraceSerializer.serializeRequest(spans)!, proto);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const body = new Uint8Array(await res.arrayBuffer());
    // The specification: a full success MUST NOT set partial_success; the message is empty.
    expect(Buffer.from(body).toString('hex')).toBe('');
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(body))).toEqual({});
    expect(await countRows(TABLES.traces)).toBe(before + 2);
  });

  it('takes deflate as it takes gzip', async () => {
    const before = await countRows(TABLES.traces);
    const res = await post('/v1/traces', deflateSync(ProtobufTraceSerializer.serializeRequest(spans)!), { ...proto, 'content-encoding': 'deflate' });
    expect(res.status).toBe(200);
    expect(await countRows(TABLES.traces)).toBe(before + 2);
  });

  it('stores gzip-compressed JSON and answers in JSON', async () => {
    const before = await countRows(TABLES.traces);
    const res = await post('/v1/traces', gzipSync(JsonTraceSerializer.serializeRequest(spans)!), { ...json, 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({});
    expect(await countRows(TABLES.traces)).toBe(before + 2);
  });

  it('stores protobuf logs', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const logger = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] }).getLogger('l');
    logger.emit({ body: 'one', eventName: 'e1' });
    logger.emit({ body: 'two' });
    const before = await countRows(TABLES.logs);
    const res = await post('/v1/logs', ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())!, proto);
    expect(res.status).toBe(200);
    expect(await countRows(TABLES.logs)).toBe(before + 2);
  });

  it('accepts int64 as numbers, a content type with parameters, and keeps lowerCamelCase fields', async () => {
    const body = spanJson({ ...validIds, spanId: 'b7ad6b7169203332', startTimeUnixNano: Date.now() * 1e6, endTimeUnixNano: Date.now() * 1e6 + 5 });
    const res = await post('/v1/traces', JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8' });
    expect(res.status).toBe(200);
  });

  it('rejects records outside the time window one by one, with partial_success counts', async () => {
    const before = await countRows(TABLES.traces);
    const now = `${Date.now()}000000`;
    const body = {
      resourceSpans: [{ scopeSpans: [{ spans: [
        { ...validIds, spanId: '1000000000000001', name: 'ok', startTimeUnixNano: now, endTimeUnixNano: now },
        { ...validIds, spanId: '1000000000000002', name: 'ancient', startTimeUnixNano: '1000000000', endTimeUnixNano: '2000000000' },
        { ...validIds, spanId: '1000000000000003', name: 'no time' },
      ] }] }],
    };
    const res = await post('/v1/traces', JSON.stringify(body), json);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
    expect(answer.partialSuccess.rejectedSpans).toBe(2);
    expect(answer.partialSuccess.errorMessage).toContain('older than the retention period');
    expect(answer.partialSuccess.errorMessage).toContain('has no timestamp');
    expect(await countRows(TABLES.traces)).toBe(before + 1);
  });
});

describe('rejected requests store nothing and the collector keeps serving', () => {
  let before: { traces: number; logs: number };
  beforeAll(async () => {
    before = { traces: await countRows(TABLES.traces), logs: await countRows(TABLES.logs) };
  });
  afterAll(async () => {
    expect(await countRows(TABLES.traces)).toBe(before.traces);
    expect(await countRows(TABLES.logs)).toBe(before.logs);
    const res = await post('/v1/traces', ProtobufTraceSerializer.serializeRequest(spans)!, proto);
    expect(res.status).toBe(200);
  });

  const expectStatus = async (res: Response, status: number, message: RegExp) => {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { code: number; message: string };
    expect(body.message).toMatch(message);
    expect(typeof body.code).toBe('number');
  };

  it('401 without a key, with an unknown key', async () => {
    const missing = await fetch(`${url}/v1/traces`, { method: 'POST', headers: json, body: '{}' });
    await expectStatus(missing, 401, /missing API key/);
    const unknown = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { ...json, authorization: 'Bearer ftk_nope' }, body: '{}' });
    await expectStatus(unknown, 401, /unknown or revoked API key/);
  });

  it('415 for another content type or content encoding', async () => {
    await expectStatus(await post('/v1/traces', 'hello', { 'content-type': 'text/plain' }), 415, /unsupported Content-Type "text\/plain"/);
    await expectStatus(await post('/v1/traces', '{}', { ...json, 'content-encoding': 'zstd' }), 415, /unsupported Content-Encoding "zstd"/);
    // Node's body reader could inflate brotli; the README promises gzip, deflate or none, and so does the collector.
    await expectStatus(await post('/v1/traces', '{}', { ...json, 'content-encoding': 'br' }), 415, /unsupported Content-Encoding "br"; send gzip, deflate or none/);
  });

  it('400 for truncated protobuf, answered as a protobuf Status', async () => {
    const bytes = ProtobufTraceSerializer.serializeRequest(spans)!;
    const res = await post('/v1/traces', bytes.subarray(0, bytes.length - 7), proto);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
    expect(text).toContain('malformed protobuf');
  });

  it('400 for invalid JSON and for corrupt gzip', async () => {
    await expectStatus(await post('/v1/traces', '{"resourceSpans": [', json), 400, /malformed JSON/);
    await expectStatus(await post('/v1/logs', Buffer.from('not gzip at all'), { ...json, 'content-encoding': 'gzip' }), 400, /unreadable request body/);
  });

  it('400 for the wrong shape, naming where', async () => {
    await expectStatus(await post('/v1/traces', JSON.stringify({ resourceSpans: {} }), json), 400, /^resourceSpans: expected an array/);
    const badKind = spanJson({ ...validIds, kind: 'SERVER-ish' });
    await expectStatus(await post('/v1/traces', JSON.stringify(badKind), json), 400, /spans\[0\]\.kind: expected an enum number/);
  });

  it('400 for spans without valid ids, even beside valid spans', async () => {
    const noSpanId = spanJson({ traceId: validIds.traceId });
    await expectStatus(await post('/v1/traces', JSON.stringify(noSpanId), json), 400, /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.spanId: is required/);
    const shortTrace = spanJson({ ...validIds, traceId: 'abcd' });
    await expectStatus(await post('/v1/traces', JSON.stringify(shortTrace), json), 400, /traceId: must be 16 bytes/);
    const zeros = spanJson({ ...validIds, spanId: '0000000000000000' });
    await expectStatus(await post('/v1/traces', JSON.stringify(zeros), json), 400, /spanId: must not be all zeros/);
    const mixed = { resourceSpans: [{ scopeSpans: [{ spans: [spanJson(validIds).resourceSpans[0]!.scopeSpans[0]!.spans[0], { name: 'no ids' }] }] }] };
    await expectStatus(await post('/v1/traces', JSON.stringify(mixed), json), 400, /spans\[1\]\.traceId: is required/);
    const badLog = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' }, traceId: 'zz' }] }] }] };
    await expectStatus(await post('/v1/logs', JSON.stringify(badLog), json), 400, /logRecords\[0\]\.traceId: expected a hex string/);
  });

  it('413 over the body limit, plain or as a gzip bomb', async () => {
    const big = Buffer.alloc(MAX_BODY + 1, 0x20);
    await expectStatus(await post('/v1/traces', big, json), 413, /exceeds 262144 bytes after decompression/);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(MAX_BODY);
    await expectStatus(await post('/v1/logs', bomb, { ...json, 'content-encoding': 'gzip' }), 413, /exceeds/);
  });

  it('404 for other paths', async () => {
    await expectStatus(await post('/v1/metrics', '{}', json), 404, /use POST \/v1\/traces or POST \/v1\/logs/);
  });
});

describe('ingestion and queries at the same time', () => {
  it('answers every request while reads run alongside', async () => {
    const before = await countRows(TABLES.traces);
    // 30 different requests (an identical one would be a retry, stored once).
    const bodies = Array.from({ length: 30 }, (_, i) => ProtobufTraceSerializer.serializeRequest(spans.map((s) => Object.assign(Object.create(s) as ReadableSpan, { name: `${s.name} ${i}` })))!);
    const writes = bodies.map((body) => post('/v1/traces', body, proto).then((r) => r.status));
    const reads = Array.from({ length: 30 }, () =>
      store.select<{ n: string }>('test', `SELECT count() AS n FROM ${TABLES.traceIdTs} WHERE ProjectId = {projectId:String}`, { projectId }),
    );
    const [statuses, counts] = await Promise.all([Promise.all(writes), Promise.all(reads)]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(counts).toHaveLength(30);
    expect(await countRows(TABLES.traces)).toBe(before + 60);
  });
});

describe('the collector’s own telemetry', () => {
  it('serves Prometheus metrics: requests by signal, transport and outcome, records, blocks, queue', async () => {
    const body = ProtobufTraceSerializer.serializeRequest(spans)!;
    expect((await post('/v1/traces', body, proto)).status).toBe(200);
    expect((await post('/v1/traces', body, proto)).status).toBe(200); // a retry: acknowledged, not stored again
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
    expect(value(/^flowtrace_collector_requests_total\{signal="traces",transport="http",outcome="stored"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^flowtrace_collector_requests_total\{signal="traces",transport="http",outcome="duplicate"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^flowtrace_collector_requests_total\{signal="traces",transport="http",outcome="unauthenticated"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^flowtrace_collector_accepted_records_total\{signal="traces"\} (\d+)/m)).toBeGreaterThanOrEqual(2);
    expect(value(/^flowtrace_sink_block_rows_count\{table="otel_traces"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^flowtrace_sink_insert_seconds_bucket\{le="0.005",table="otel_traces",outcome="ok"\} \d+/m);
    expect(text).toMatch(/^flowtrace_sink_queue_bytes 0$/m);
    expect(text).toMatch(/^flowtrace_spool_records 0$/m);
    expect(text).toMatch(/^flowtrace_process_resident_memory_bytes \d+/m);
  });
});

describe('backpressure', () => {
  it('refuses what exceeds FLOWTRACE_MAX_QUEUE_BYTES with 429 and Retry-After, and stores every request it accepted', async () => {
    const projects = new Projects(store, { keyCacheMs: 60_000 });
    const project = (await projects.createProject('backpressure')).id;
    const projectKey = (await projects.createApiKey(project, 'k')).key;
    const collector = await openCollector({ store, projects, log: memoryLogger(), maxBodyBytes: MAX_BODY, ttlDays: 30, maxFutureSkewSeconds: 3600, maxQueueBytes: 4096 });
    const server = await listenApp(collector.app);
    try {
      const bodies = Array.from({ length: 40 }, (_, i) =>
        ProtobufTraceSerializer.serializeRequest(spans.map((s) => Object.assign(Object.create(s) as ReadableSpan, { name: `bp ${i}` })))!,
      );
      const answers = await Promise.all(
        bodies.map((body) =>
          fetch(`${server.url}/v1/traces`, { method: 'POST', body, headers: { ...proto, authorization: `Bearer ${projectKey}` } }).then(async (r) => ({
            status: r.status,
            retryAfter: r.headers.get('retry-after'),
            text: r.status === 200 ? '' : new TextDecoder().decode(await r.arrayBuffer()),
          })),
        ),
      );
      const accepted = answers.filter((a) => a.status === 200).length;
      const refused = answers.filter((a) => a.status === 429);
      expect(accepted + refused.length).toBe(40);
      expect(accepted).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(r.retryAfter).toBe('1');
        expect(r.text).toMatch(/FLOWTRACE_MAX_QUEUE_BYTES=4096/);
      }
      const stored = await store.select<{ n: string }>('test', `SELECT count() AS n FROM ${TABLES.traces} WHERE ProjectId = {project:String}`, { project });
      expect(Number(stored[0]!.n)).toBe(accepted * 2);

      // Workato streams share the budget.
      const now = new Date().toISOString();
      const workato = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          fetch(`${server.url}/ingest/workato`, {
            method: 'POST',
            body: JSON.stringify({ id: `bp-job-${i}`, recipe_id: 1, status: 'succeeded', started_at: now, completed_at: now }),
            headers: { 'content-type': 'application/json', authorization: `Bearer ${projectKey}` },
          }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as { error?: { code: string; message: string } } })),
        ),
      );
      expect(workato.filter((a) => a.status === 200).length).toBeGreaterThan(0);
      const overloaded = workato.filter((a) => a.status === 429);
      expect(overloaded.length).toBeGreaterThan(0);
      expect(overloaded[0]).toMatchObject({ retryAfter: '1', body: { error: { code: 'overloaded', message: expect.stringMatching(/FLOWTRACE_MAX_QUEUE_BYTES=4096/) } } });
      expect(workato.length).toBe(10);
    } finally {
      await server.close();
      await collector.close();
    }
  });
});
