/**
 * The OTLP/gRPC receiver against the real embedded store, through the real
 * ingest pipeline: what it stores, the statuses it answers (per the OTLP
 * specification), and that gRPC and HTTP store the same rows for the same bytes.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Metadata, compressionAlgorithms, credentials, status as Status, type ServiceError } from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { Projects, StoreUnavailableError, TABLES, type Store } from '@flowtrace/store';
import {
  ClickHouseSink,
  DEFAULT_BLOCKS,
  DEFAULT_DEDUP,
  DEFAULT_MAX_QUEUE_BYTES,
  ExportLogsServiceRequest,
  ExportLogsServiceResponse,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  Admission,
  OverloadedError,
  createGrpcReceiver,
  createOtlpIngest,
  type GrpcReceiver,
  type OtlpIngest,
} from '@flowtrace/collector';
import { RETRY_INFO_TYPE_URL, RetryInfo, RpcStatus, STATUS_DETAILS_TRAILER } from '../src/grpc/status.js';
import { openTempStore } from '../../test/support/store.js';
import { memoryLogger } from '../../test/support/http.js';

const MAX_MESSAGE = 256 * 1024;
const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const LOGS = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

let store: Store;
let projects: Projects;
let sink: ClickHouseSink;
let ingest: OtlpIngest;
let receiver: GrpcReceiver;
let address: string;
const log = memoryLogger();
/** Projects whose every export fails with the given error, before the pipeline (the rest go through). */
const failing = new Map<string, Error>();
const keys: Record<'main' | 'overloaded' | 'storeDown' | 'bug' | 'overGrpc' | 'overHttp', { projectId: string; key: string }> = {} as never;
let plain: Client;
let gzip: Client;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const opened = await openTempStore(30);
  store = opened.store;
  projects = new Projects(store, { keyCacheMs: 0 });
  for (const name of ['main', 'overloaded', 'storeDown', 'bug', 'overGrpc', 'overHttp'] as const) {
    const projectId = (await projects.createProject(`grpc-${name}`)).id;
    keys[name] = { projectId, key: (await projects.createApiKey(projectId, 'k')).key };
  }
  failing.set(keys.overloaded.projectId, new OverloadedError('the collector is overloaded', 7));
  failing.set(keys.storeDown.projectId, new StoreUnavailableError('ClickHouse is unreachable (ECONNREFUSED)'));
  failing.set(keys.bug.projectId, new TypeError('cannot read properties of undefined'));
  sink = await ClickHouseSink.open({ store, log, blocks: DEFAULT_BLOCKS, maxQueueBytes: DEFAULT_MAX_QUEUE_BYTES, dedup: DEFAULT_DEDUP });
  ingest = createOtlpIngest({ sink, ttlDays: 30, maxFutureSkewSeconds: 3600 });
  const failingFirst: OtlpIngest = async (signal, projectId, body, encoding) => {
    const err = failing.get(projectId);
    if (err) throw err;
    return ingest(signal, projectId, body, encoding);
  };
  receiver = createGrpcReceiver({ ingest: failingFirst, projects, log, maxMessageBytes: MAX_MESSAGE });
  address = `127.0.0.1:${await receiver.listen('127.0.0.1', 0)}`;
  plain = new Client(address, credentials.createInsecure());
  gzip = new Client(address, credentials.createInsecure(), { 'grpc.default_compression_algorithm': compressionAlgorithms.gzip });
  cleanup = async () => {
    plain.close();
    gzip.close();
    await receiver.close(1000);
    await sink.close();
    await opened.dispose();
  };
});
afterAll(() => cleanup());

// ---------------------------------------------------------------- helpers

interface Answer {
  code: number;
  details: string;
  /** The response message, on OK. */
  response?: Buffer;
  /** The trailers, on an error. */
  trailers?: Metadata;
}

/** One unary call with the raw gRPC client: the request is bytes, the answer its exact status. */
function call(path: string, body: Uint8Array, options: { key?: string | null; client?: Client } = {}): Promise<Answer> {
  const metadata = new Metadata();
  const key = options.key === undefined ? keys.main.key : options.key;
  if (key !== null) metadata.set('authorization', `Bearer ${key}`);
  const client = options.client ?? plain;
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), metadata, {}, (err: ServiceError | null, response?: Buffer) => {
      if (err) resolve({ code: err.code, details: err.details, trailers: err.metadata });
      else resolve({ code: Status.OK, details: '', response: response! });
    });
  });
}

const grpcMetadata = (key: string) => {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${key}`);
  return metadata;
};

/** Finished spans of a small trace: a server root with attributes and an event, a failed client child with a link. */
function makeSpans(service = 'checkout'): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment': 'test' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('grpc-test', '1.2.3');
  const root = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'order.items': 3, 'order.paid': true } });
  root.addEvent('validated', { 'order.total': 12.5 });
  const child = tracer.startSpan('charge card', { kind: SpanKind.CLIENT, links: [{ context: root.spanContext(), attributes: { reason: 'retry' } }] }, trace.setSpan(context.active(), root));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  child.end();
  root.end();
  return exporter.getFinishedSpans();
}

/** Finished log records: one with an event name and attributes, one plain. */
async function makeLogs(service = 'checkout'): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': service }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('grpc-test', '1.2.3');
  const marker = Math.random().toString(36).slice(2);
  logger.emit({ body: `order placed ${marker}`, severityNumber: SeverityNumber.INFO, severityText: 'INFO', eventName: 'order.placed', attributes: { 'order.id': marker, count: 2 } });
  logger.emit({ body: `card declined ${marker}`, severityNumber: SeverityNumber.ERROR, severityText: 'ERROR' });
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

const traceBytes = (spans: ReadableSpan[]) => ProtobufTraceSerializer.serializeRequest(spans)!;
const logBytes = (records: ReadableLogRecord[]) => ProtobufLogsSerializer.serializeRequest(records)!;
const traceIdOf = (spans: ReadableSpan[]) => spans[0]!.spanContext().traceId;

const countSpans = async (traceId: string) =>
  Number((await store.select<{ n: string }>('test', `SELECT count() AS n FROM ${TABLES.traces} WHERE TraceId = {traceId:String}`, { traceId }))[0]?.n);
const countLogs = async (bodyLike: string) =>
  Number((await store.select<{ n: string }>('test', `SELECT count() AS n FROM ${TABLES.logs} WHERE Body LIKE {body:String}`, { body: `%${bodyLike}%` }))[0]?.n);
/** CompressionAlgorithm.GZIP, whose enum lives in a package the tests do not depend on. */
const GZIP = 'gzip' as NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>['compression'];
const exported = (send: (done: (result: ExportResult) => void) => void) => new Promise<ExportResult>((resolve) => send(resolve));

// ---------------------------------------------------------------- tests

describe('stored with the official OTLP/gRPC exporters', () => {
  it('stores spans', async () => {
    const spans = makeSpans();
    const exporter = new OTLPTraceExporter({ url: `http://${address}`, metadata: grpcMetadata(keys.main.key) });
    const result = await exported((done) => exporter.export(spans, done));
    await exporter.shutdown();
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const rows = await store.select<{ SpanName: string; SpanKind: string; ServiceName: string; StatusCode: string; StatusMessage: string; ProjectId: string }>(
      'test',
      `SELECT SpanName, SpanKind, ServiceName, StatusCode, StatusMessage, ProjectId FROM ${TABLES.traces} WHERE TraceId = {traceId:String} ORDER BY SpanName`,
      { traceId: traceIdOf(spans) },
    );
    expect(rows).toEqual([
      { SpanName: 'POST /orders', SpanKind: 'Server', ServiceName: 'checkout', StatusCode: 'Unset', StatusMessage: '', ProjectId: keys.main.projectId },
      { SpanName: 'charge card', SpanKind: 'Client', ServiceName: 'checkout', StatusCode: 'Error', StatusMessage: 'card declined', ProjectId: keys.main.projectId },
    ]);
  });

  it('stores logs', async () => {
    const records = await makeLogs();
    const marker = String(records[0]!.attributes['order.id']);
    const exporter = new OTLPLogExporter({ url: `http://${address}`, metadata: grpcMetadata(keys.main.key) });
    const result = await exported((done) => exporter.export(records, done));
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const rows = await store.select<{ Body: string; SeverityText: string; EventName: string; ProjectId: string }>(
      'test',
      `SELECT Body, SeverityText, EventName, ProjectId FROM ${TABLES.logs} WHERE Body LIKE {body:String} ORDER BY Body`,
      { body: `%${marker}` },
    );
    expect(rows).toEqual([
      { Body: `card declined ${marker}`, SeverityText: 'ERROR', EventName: '', ProjectId: keys.main.projectId },
      { Body: `order placed ${marker}`, SeverityText: 'INFO', EventName: 'order.placed', ProjectId: keys.main.projectId },
    ]);
  });

  it('stores gzip-compressed exports', async () => {
    const spans = makeSpans();
    const exporter = new OTLPTraceExporter({ url: `http://${address}`, metadata: grpcMetadata(keys.main.key), compression: GZIP });
    const result = await exported((done) => exporter.export(spans, done));
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(await countSpans(traceIdOf(spans))).toBe(2);

    const records = await makeLogs();
    const answer = await call(LOGS, logBytes(records), { client: gzip });
    expect(answer.code).toBe(Status.OK);
    expect(await countLogs(String(records[0]!.attributes['order.id']))).toBe(2);
  });
});

describe('answers', () => {
  it('leaves partial_success unset on a full success', async () => {
    const answer = await call(TRACES, traceBytes(makeSpans()));
    expect(answer.code).toBe(Status.OK);
    expect(answer.response!.length).toBe(0);
    expect(ExportTraceServiceResponse.decode(answer.response!).toJSON()).toEqual({});
    const logs = await call(LOGS, logBytes(await makeLogs()));
    expect(logs.code).toBe(Status.OK);
    expect(logs.response!.length).toBe(0);
  });

  it('counts records older than the retention in partial_success and stores the others', async () => {
    const spans = makeSpans();
    const request = ExportTraceServiceRequest.decode(traceBytes(spans)).toJSON() as { resourceSpans: [{ scopeSpans: [{ spans: Array<Record<string, unknown>> }] }] };
    const first = request.resourceSpans[0].scopeSpans[0].spans;
    first.push({ ...first[0], spanId: Buffer.from('00000000000000aa', 'hex').toString('base64'), name: 'ancient', startTimeUnixNano: '1000000000', endTimeUnixNano: '2000000000' });
    const answer = await call(TRACES, ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish());
    expect(answer.code).toBe(Status.OK);
    const response = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(answer.response!), { longs: Number });
    expect(response).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('older than the retention period') } });
    expect(await countSpans(traceIdOf(spans))).toBe(2);

    const records = await makeLogs();
    const logs = ExportLogsServiceRequest.decode(logBytes(records)).toJSON() as { resourceLogs: [{ scopeLogs: [{ logRecords: Array<Record<string, unknown>> }] }] };
    Object.assign(logs.resourceLogs[0].scopeLogs[0].logRecords[1]!, { timeUnixNano: '1000000000', observedTimeUnixNano: '1000000000' });
    const logAnswer = await call(LOGS, ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(logs)).finish());
    expect(logAnswer.code).toBe(Status.OK);
    expect(ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(logAnswer.response!), { longs: Number })).toEqual({
      partialSuccess: { rejectedLogRecords: 1, errorMessage: expect.stringContaining('older than the retention period') },
    });
    expect(await countLogs(String(records[0]!.attributes['order.id']))).toBe(1);
  });
});

describe('refused calls store nothing', () => {
  it('UNAUTHENTICATED without a key or with an unknown one', async () => {
    const spans = makeSpans();
    const missing = await call(TRACES, traceBytes(spans), { key: null });
    expect(missing).toMatchObject({ code: Status.UNAUTHENTICATED, details: 'missing API key: send metadata authorization: Bearer <project key>' });
    const unknown = await call(TRACES, traceBytes(spans), { key: 'ftk_nope' });
    expect(unknown).toMatchObject({ code: Status.UNAUTHENTICATED, details: 'unknown or revoked API key' });
    const logs = await call(LOGS, logBytes(await makeLogs()), { key: 'ftk_nope' });
    expect(logs.code).toBe(Status.UNAUTHENTICATED);
    expect(await countSpans(traceIdOf(spans))).toBe(0);
  });

  it('INVALID_ARGUMENT naming the field for a malformed message', async () => {
    const spans = makeSpans();
    const request = ExportTraceServiceRequest.decode(traceBytes(spans)).toJSON() as { resourceSpans: [{ scopeSpans: [{ spans: Array<Record<string, unknown>> }] }] };
    request.resourceSpans[0].scopeSpans[0].spans[1]!.spanId = Buffer.from('abcd', 'hex').toString('base64');
    const answer = await call(TRACES, ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish());
    expect(answer).toMatchObject({ code: Status.INVALID_ARGUMENT, details: 'resourceSpans[0].scopeSpans[0].spans[1].spanId: must be 8 bytes (16 hex characters), got 2 bytes' });
    expect(await countSpans(traceIdOf(spans))).toBe(0);

    const garbage = await call(TRACES, Buffer.from([0x0a, 0xff, 0xff, 0x01]));
    expect(garbage.code).toBe(Status.INVALID_ARGUMENT);
    expect(garbage.details).toMatch(/^malformed protobuf ExportTraceServiceRequest: /);
  });

  it('RESOURCE_EXHAUSTED over the largest message, compressed or not', async () => {
    const big = makeSpans();
    const request = ExportTraceServiceRequest.decode(traceBytes(big)).toJSON() as { resourceSpans: [{ scopeSpans: [{ spans: Array<Record<string, unknown>> }] }] };
    request.resourceSpans[0].scopeSpans[0].spans[0]!.name = 'x'.repeat(MAX_MESSAGE);
    const bytes = ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish();
    const answer = await call(TRACES, bytes);
    expect(answer).toMatchObject({ code: Status.RESOURCE_EXHAUSTED, details: `Received message larger than max (${bytes.length} vs ${MAX_MESSAGE})` });
    // Small on the wire (gzip), too large once decompressed: refused while inflating.
    expect(gzipSync(bytes).length).toBeLessThan(MAX_MESSAGE / 10);
    const compressed = await call(TRACES, bytes, { client: gzip });
    expect(compressed).toMatchObject({ code: Status.RESOURCE_EXHAUSTED, details: `Received message that decompresses to a size larger than ${MAX_MESSAGE}` });
    expect(await countSpans(traceIdOf(big))).toBe(0);
    // ... and the receiver keeps serving.
    expect((await call(TRACES, traceBytes(makeSpans()))).code).toBe(Status.OK);
  });
});

describe('failures', () => {
  /** The google.rpc.Status of the grpc-status-details-bin trailer, with the delay of its RetryInfo. */
  const statusDetails = (answer: Answer) => {
    const trailer = answer.trailers?.get(STATUS_DETAILS_TRAILER)[0];
    expect(Buffer.isBuffer(trailer)).toBe(true);
    const status = RpcStatus.toObject(RpcStatus.decode(trailer as Buffer)) as { code: number; message: string; details: Array<{ typeUrl: string; value: Uint8Array }> };
    expect(status.details.map((any) => any.typeUrl)).toEqual([RETRY_INFO_TYPE_URL]);
    const retryInfo = RetryInfo.toObject(RetryInfo.decode(status.details[0]!.value), { longs: Number }) as { retryDelay: { seconds: number } };
    return { code: status.code, message: status.message, retryDelaySeconds: retryInfo.retryDelay.seconds };
  };

  it('UNAVAILABLE with RetryInfo when the collector is overloaded', async () => {
    const answer = await call(TRACES, traceBytes(makeSpans()), { key: keys.overloaded.key });
    expect(answer).toMatchObject({ code: Status.UNAVAILABLE, details: 'the collector is overloaded' });
    expect(statusDetails(answer)).toEqual({ code: Status.UNAVAILABLE, message: 'the collector is overloaded', retryDelaySeconds: 7 });
  });

  it('UNAVAILABLE with RetryInfo over the in-flight budget it shares with OTLP/HTTP, and stores what it admitted', async () => {
    const budget = new Admission(1);
    const tight = createGrpcReceiver({ ingest, projects, log, maxMessageBytes: MAX_MESSAGE, admission: budget });
    const client = new Client(`127.0.0.1:${await tight.listen('127.0.0.1', 0)}`, credentials.createInsecure());
    try {
      const batches = Array.from({ length: 12 }, (_, i) => makeSpans(`budget-${i}`));
      const answers = await Promise.all(batches.map((spans) => call(TRACES, traceBytes(spans), { key: keys.main.key, client })));
      const refused = answers.filter((a) => a.code === Status.UNAVAILABLE);
      expect(refused.length).toBeGreaterThan(0);
      expect(answers.filter((a) => a.code === Status.OK).length + refused.length).toBe(12);
      expect(statusDetails(refused[0]!)).toMatchObject({ code: Status.UNAVAILABLE, retryDelaySeconds: 1 });
      expect(refused[0]!.details).toMatch(/FLOWTRACE_MAX_QUEUE_BYTES=1/);
      for (const [i, spans] of batches.entries()) expect(await countSpans(traceIdOf(spans))).toBe(answers[i]!.code === Status.OK ? 2 : 0);
      expect(budget.inFlight).toBe(0);
    } finally {
      client.close();
      await tight.close(1000);
    }
  });

  it('UNAVAILABLE with RetryInfo when the store is unreachable', async () => {
    const answer = await call(LOGS, logBytes(await makeLogs()), { key: keys.storeDown.key });
    expect(answer).toMatchObject({ code: Status.UNAVAILABLE, details: 'storage is unavailable; retry later' });
    expect(statusDetails(answer)).toEqual({ code: Status.UNAVAILABLE, message: 'storage is unavailable; retry later', retryDelaySeconds: 5 });
  });

  it('INTERNAL with a generic message for anything else, the error in the log', async () => {
    const answer = await call(TRACES, traceBytes(makeSpans()), { key: keys.bug.key });
    expect(answer).toMatchObject({ code: Status.INTERNAL, details: 'internal error; the request was not stored' });
    expect(answer.trailers?.get(STATUS_DETAILS_TRAILER)).toEqual([]);
    const entry = log.entries.find((e) => e.level === 'error');
    expect(entry?.fields).toMatchObject({ method: TRACES, error: expect.stringContaining('TypeError: cannot read properties of undefined') });
  });
});

describe('gRPC and HTTP store the same rows for the same request', () => {
  const rowsOf = (table: string, projectId: string, orderBy: string) =>
    store.select<Record<string, unknown>>('test', `SELECT * EXCEPT ProjectId FROM ${table} WHERE ProjectId = {projectId:String} ORDER BY ${orderBy}`, { projectId });

  it('spans', async () => {
    const bytes = traceBytes(makeSpans('parity'));
    expect((await call(TRACES, bytes, { key: keys.overGrpc.key })).code).toBe(Status.OK);
    await ingest('traces', keys.overHttp.projectId, Buffer.from(bytes), 'protobuf');
    const overGrpc = await rowsOf(TABLES.traces, keys.overGrpc.projectId, 'SpanId');
    expect(overGrpc).toHaveLength(2);
    expect(overGrpc[0]).toMatchObject({ ServiceName: 'parity' });
    expect(await rowsOf(TABLES.traces, keys.overHttp.projectId, 'SpanId')).toEqual(overGrpc);
  });

  it('logs', async () => {
    const bytes = logBytes(await makeLogs('parity'));
    expect((await call(LOGS, bytes, { key: keys.overGrpc.key, client: gzip })).code).toBe(Status.OK);
    await ingest('logs', keys.overHttp.projectId, Buffer.from(bytes), 'protobuf');
    const overGrpc = await rowsOf(TABLES.logs, keys.overGrpc.projectId, 'Body');
    expect(overGrpc).toHaveLength(2);
    expect(await rowsOf(TABLES.logs, keys.overHttp.projectId, 'Body')).toEqual(overGrpc);
  });
});

describe('close', () => {
  /** A receiver whose ingest waits for `release` (or forever) once a call is in it. */
  async function gatedReceiver(wait: Promise<void>) {
    let entered!: () => void;
    const inIngest = new Promise<void>((resolve) => (entered = resolve));
    const gated = createGrpcReceiver({
      ingest: async (...args) => {
        entered();
        await wait;
        return ingest(...args);
      },
      projects,
      log,
      maxMessageBytes: MAX_MESSAGE,
    });
    const client = new Client(`127.0.0.1:${await gated.listen('127.0.0.1', 0)}`, credentials.createInsecure());
    return { gated, client, inIngest };
  }

  it('lets calls in flight finish and refuses new ones with UNAVAILABLE', async () => {
    let release!: () => void;
    const { gated, client, inIngest } = await gatedReceiver(new Promise((resolve) => (release = resolve)));
    const spans = makeSpans();
    const inFlight = call(TRACES, traceBytes(spans), { client });
    await inIngest;
    const closed = gated.close(30_000);
    const late = await call(TRACES, traceBytes(makeSpans()), { client });
    expect(late.code).toBe(Status.UNAVAILABLE);
    release();
    expect((await inFlight).code).toBe(Status.OK);
    await closed;
    client.close();
    expect(await countSpans(traceIdOf(spans))).toBe(2);
  });

  it('cuts the calls still in flight when the grace period is over', async () => {
    const { gated, client, inIngest } = await gatedReceiver(new Promise(() => {}));
    const inFlight = call(TRACES, traceBytes(makeSpans()), { client });
    await inIngest;
    await gated.close(100);
    const answer = await inFlight;
    client.close();
    // CANCELLED: an exporter retries it (OTLP lists it among the retryable codes).
    expect(answer).toMatchObject({ code: Status.CANCELLED, details: 'Call cancelled' });
  });
});
