/**
 * Bad input, end to end through the OTLP/HTTP app on the real embedded store
 * (issue 11): each request is either refused with a 400 naming the field and
 * nothing of it stored, or stored with the same repair on both encodings —
 * never a 500, never half stored. Then the decoders alone: the same answer on
 * both encodings, and nothing but OtlpRequestError for mutated JSON.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { jobTraceId } from '@flowtrace/conventions';
import { Projects, TABLES, type Store } from '@flowtrace/store';
import { OtlpRequestError, logsFromProtobuf, logsFromRequest, openCollector, spansFromProtobuf, spansFromRequest, timeWindow } from '@flowtrace/collector';
import { openTempStore } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';
import { prng } from '../../test/support/prng.js';

let store: Store;
let url: string;
let key: string;
let projectId: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const opened = await openTempStore();
  store = opened.store;
  const projects = new Projects(store, { keyCacheMs: 0 });
  projectId = (await projects.createProject('bad-input')).id;
  key = (await projects.createApiKey(projectId, 'k')).key;
  const server = await listenApp((await openCollector({ store, projects, log: memoryLogger(), maxBodyBytes: 4 << 20, ttlDays: 30, maxFutureSkewSeconds: 3600 })).app);
  url = server.url;
  cleanup = async () => {
    await server.close();
    await opened.dispose();
  };
});
afterAll(() => cleanup());

// ---------------------------------------------------------------------------
// Requests and what the store holds.

type Encoding = 'json' | 'protobuf';
const CONTENT_TYPES: Record<Encoding, string> = { json: 'application/json', protobuf: 'application/x-protobuf' };

async function post(path: string, body: string | Uint8Array, encoding: Encoding) {
  const res = await fetch(`${url}${path}`, { method: 'POST', body, headers: { authorization: `Bearer ${key}`, 'content-type': CONTENT_TYPES[encoding] } });
  const bytes = Buffer.from(await res.arrayBuffer());
  // Errors are a google.rpc.Status: JSON, or protobuf whose message (field 2) is readable as text.
  return { status: res.status, text: encoding === 'json' ? bytes.toString('utf8') : bytes.toString('latin1') };
}

const rowCount = async (table: string) =>
  Number((await store.select<{ n: string }>('test', `SELECT count() AS n FROM ${table} WHERE ProjectId = {projectId:String}`, { projectId }))[0]?.n);
const stored = async () => ({ spans: await rowCount(TABLES.traces), logs: await rowCount(TABLES.logs) });

/** Posts a request the collector must refuse: 400 naming `message`, nothing stored, and the same again on a retry. */
async function expectRefused(path: string, body: string | Uint8Array, encoding: Encoding, message: string) {
  const before = await stored();
  for (let attempt = 0; attempt < 2; attempt++) {
    const answer = await post(path, body, encoding);
    expect(answer.status, answer.text).toBe(400);
    expect(answer.text).toContain(message);
  }
  expect(await stored()).toEqual(before);
}

const NOW_NANOS = BigInt(Date.now()) * 1_000_000n;
const hr = (nanos: bigint): [number, number] => [Number(nanos / 1_000_000_000n), Number(nanos % 1_000_000_000n)];
const randomHex = (bytes: number) => Buffer.from(Array.from({ length: bytes }, () => 1 + Math.floor(Math.random() * 255))).toString('hex');

/** Spans made with the official SDK, serialized by the official exporters' serializers (what real clients send). */
function sdkSpans(make: (tracer: ReturnType<BasicTracerProvider['getTracer']>) => void): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'bad-input' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  make(provider.getTracer('t'));
  return exporter.getFinishedSpans();
}

function sdkLogs(make: (logger: ReturnType<LoggerProvider['getLogger']>) => void): ReadableLogRecord[] {
  const exporter = new InMemoryLogRecordExporter();
  make(new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'bad-input' }), processors: [new SimpleLogRecordProcessor({ exporter })] }).getLogger('l'));
  return [...exporter.getFinishedLogRecords()];
}

const serializeSpans = (spans: ReadableSpan[], encoding: Encoding) =>
  encoding === 'json' ? JsonTraceSerializer.serializeRequest(spans)! : ProtobufTraceSerializer.serializeRequest(spans)!;
const serializeLogs = (records: ReadableLogRecord[], encoding: Encoding) =>
  encoding === 'json' ? JsonLogsSerializer.serializeRequest(records)! : ProtobufLogsSerializer.serializeRequest(records)!;

/** A minimal protobuf writer, for what the serializers will not write. */
const pb = {
  varint(value: number): number[] {
    const out: number[] = [];
    let v = value;
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    return out;
  },
  len: (field: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([(field << 3) | 2, ...pb.varint(body.length)]), body]),
  str: (field: number, text: string | Buffer): Buffer => pb.len(field, typeof text === 'string' ? Buffer.from(text) : text),
  fixed64: (field: number, value: bigint): Buffer => {
    const b = Buffer.alloc(9);
    b[0] = (field << 3) | 1;
    b.writeBigUInt64LE(value, 1);
    return b;
  },
};

/**
 * `levels` arrayValues around a string: OTLP/JSON text (JSON.stringify cannot
 * write it that deep) and protobuf AnyValue bytes, both built without recursion.
 */
function deepValue(levels: number): { json: string; protobuf: Buffer } {
  const json = `${'{"arrayValue":{"values":['.repeat(levels)}{"stringValue":"leaf"}${']}}'.repeat(levels)}`;
  // Protobuf: every level's two length prefixes (ArrayValue in AnyValue.array_value = 5, AnyValue in values = 1), outermost first.
  const leaf = pb.str(1, 'leaf');
  const prefixes: Buffer[] = [];
  let size = leaf.length;
  for (let i = 0; i < levels; i++) {
    const inner = Buffer.from([0x0a, ...pb.varint(size)]);
    size += inner.length;
    const outer = Buffer.from([0x2a, ...pb.varint(size)]);
    size += outer.length;
    prefixes.push(inner, outer);
  }
  return { json, protobuf: Buffer.concat([...prefixes.reverse(), leaf]) };
}

/** `text` with the JSON string "DEEP" replaced by `json`. */
const withDeep = (text: string, json: string) => text.replace('"DEEP"', json);

function spanJson(fields: Record<string, unknown>, ids = { traceId: randomHex(16), spanId: randomHex(8) }) {
  return { ...ids, name: 's', startTimeUnixNano: NOW_NANOS.toString(), endTimeUnixNano: (NOW_NANOS + 1000n).toString(), ...fields };
}
const tracesJson = (...spans: unknown[]) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
const logsJson = (...logRecords: unknown[]) => JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords }] }] });

function spanProtobuf(fields: Buffer[] = [], start = NOW_NANOS): Buffer {
  return pb.len(2, Buffer.concat([pb.str(1, Buffer.from(randomHex(16), 'hex')), pb.str(2, Buffer.from(randomHex(8), 'hex')), pb.str(5, 's'), pb.fixed64(7, start), pb.fixed64(8, start + 1000n), ...fields]));
}
const tracesProtobuf = (...spans: Buffer[]) => pb.len(1, pb.len(2, Buffer.concat(spans)));
const logsProtobuf = (...records: Buffer[]) => pb.len(1, pb.len(2, Buffer.concat(records)));

const SPAN = 'resourceSpans[0].scopeSpans[0].spans';
const LOG = 'resourceLogs[0].scopeLogs[0].logRecords';
const AFTER_2262 = 'is after 2262-04-11, the latest time ClickHouse stores';

// ---------------------------------------------------------------------------

describe('times ClickHouse cannot store: 400 naming the field, nothing stored', () => {
  it.each(['json', 'protobuf'] as const)('a span ending at 2^63 ns, beside a valid span (%s)', async (encoding) => {
    const spans = sdkSpans((tracer) => {
      tracer.startSpan('valid').end();
      // A root span with a kind: the executions view reads its end (Timestamp + Duration).
      tracer.startSpan('ends in 2262', { startTime: hr(NOW_NANOS), attributes: { 'flowtrace.kind': 'workflow_execution' } }).end(hr(2n ** 63n));
    });
    await expectRefused('/v1/traces', serializeSpans(spans, encoding), encoding, `${SPAN}[1].endTimeUnixNano: 9223372036854775808 ${AFTER_2262}`);
  });

  it.each(['json', 'protobuf'] as const)('a span event after 2262 (%s)', async (encoding) => {
    const spans = sdkSpans((tracer) => {
      const span = tracer.startSpan('with a late event');
      span.addEvent('early', {}, hr(NOW_NANOS));
      span.addEvent('late', {}, hr(9_300_000_000_000_000_000n));
      span.end();
    });
    await expectRefused('/v1/traces', serializeSpans(spans, encoding), encoding, `${SPAN}[0].events[1].timeUnixNano: 9300000000000000000 ${AFTER_2262}`);
  });

  it('a start time after 2262, and the largest uint64, as JSON and protobuf', async () => {
    const late = 18_446_744_073_709_551_615n;
    await expectRefused('/v1/traces', tracesJson(spanJson({ startTimeUnixNano: late.toString() })), 'json', `${SPAN}[0].startTimeUnixNano: ${late} ${AFTER_2262}`);
    await expectRefused('/v1/traces', tracesProtobuf(spanProtobuf([pb.fixed64(7, late)])), 'protobuf', `${SPAN}[0].startTimeUnixNano: ${late} ${AFTER_2262}`);
  });

  it.each(['json', 'protobuf'] as const)('log times after 2262, observed or not (%s)', async (encoding) => {
    const late = hr(2n ** 63n + 5n);
    const records = sdkLogs((logger) => {
      logger.emit({ body: 'valid' });
      logger.emit({ body: 'late', timestamp: late });
    });
    await expectRefused('/v1/logs', serializeLogs(records, encoding), encoding, `${LOG}[1].timeUnixNano: 9223372036854775813 ${AFTER_2262}`);
    const observed = sdkLogs((logger) => logger.emit({ body: 'observed late', observedTimestamp: late }));
    await expectRefused('/v1/logs', serializeLogs(observed, encoding), encoding, `${LOG}[0].observedTimeUnixNano: 9223372036854775813 ${AFTER_2262}`);
  });

  it('keeps the last storable nanosecond, and answers a time merely past the clock skew with a partial success', async () => {
    const before = await stored();
    const last = 2n ** 63n - 1n;
    const kind = [{ key: 'flowtrace.kind', value: { stringValue: 'workflow_execution' } }];
    const edge = await post('/v1/traces', tracesJson(spanJson({ endTimeUnixNano: last.toString(), attributes: kind, events: [{ name: 'last', timeUnixNano: last.toString() }] })), 'json');
    expect(edge.status, edge.text).toBe(200);
    const future = await post('/v1/traces', tracesJson(spanJson({ startTimeUnixNano: '7258118400000000000', endTimeUnixNano: '7258118400000000001' })), 'json');
    expect(future.status).toBe(200);
    expect(JSON.parse(future.text)).toMatchObject({ partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('too far in the future') } });
    expect(await stored()).toEqual({ ...before, spans: before.spans + 1 });
  });
});

describe('values: 400 naming the field, nothing stored', () => {
  it('an intValue beyond int64 in OTLP/JSON, as a string or a number', async () => {
    const attributes = (value: unknown) => [{ key: 'ok', value: { intValue: '9223372036854775807' } }, { key: 'big', value: { intValue: value } }];
    for (const value of ['9223372036854775808', '-9223372036854775809', '9999999999999999999', 1e19, 2 ** 63]) {
      await expectRefused('/v1/traces', tracesJson(spanJson({ attributes: attributes(value) })), 'json', `${SPAN}[0].attributes[1].value.intValue: ${typeof value === 'string' ? value : BigInt(value)} does not fit in 64 bits`);
    }
    const inArray = { key: 'list', value: { arrayValue: { values: [{ intValue: '1' }, { intValue: '9223372036854775808' }] } } };
    await expectRefused('/v1/logs', logsJson({ body: { stringValue: 'x' }, attributes: [inArray] }), 'json', `${LOG}[0].attributes[0].value.arrayValue.values[1].intValue: 9223372036854775808 does not fit in 64 bits`);
  });

  it.each([31, 3000, 100_000])('arrayValue nested %i deep, as JSON and protobuf: no stack overflow', async (levels) => {
    const deep = deepValue(levels);
    const where = `${'.arrayValue.values[0]'.repeat(30)}.arrayValue: values nest at most 30 arrays and kvlists deep`;
    await expectRefused('/v1/logs', withDeep(logsJson({ body: 'DEEP' }), deep.json), 'json', `${LOG}[0].body${where}`);
    await expectRefused('/v1/logs', logsProtobuf(pb.len(2, pb.len(5, deep.protobuf))), 'protobuf', `${LOG}[0].body${where}`);
    await expectRefused('/v1/traces', withDeep(tracesJson(spanJson({ attributes: [{ key: 'deep', value: 'DEEP' }] })), deep.json), 'json', `${SPAN}[0].attributes[0].value${where}`);
    await expectRefused('/v1/traces', tracesProtobuf(spanProtobuf([pb.len(9, Buffer.concat([pb.str(1, 'deep'), pb.len(2, deep.protobuf)]))])), 'protobuf', `${SPAN}[0].attributes[0].value${where}`);
  });

  it('stores values nested 30 deep', async () => {
    const before = await stored();
    const deep = deepValue(30);
    expect((await post('/v1/logs', withDeep(logsJson({ body: 'DEEP' }), deep.json), 'json')).status).toBe(200);
    expect((await post('/v1/logs', logsProtobuf(pb.len(2, pb.len(5, deep.protobuf))), 'protobuf')).status).toBe(200);
    expect(await stored()).toEqual({ ...before, logs: before.logs + 2 });
  });
});

describe('lone UTF-16 surrogates: stored as U+FFFD, the same on both encodings', () => {
  // What the SDK's attribute-length limit makes of an emoji cut in half.
  const CUT = 'abcd\ud83d';

  it.each(['json', 'protobuf'] as const)('in a span name, attribute keys and values, event and status (%s)', async (encoding) => {
    let traceId = '';
    const spans = sdkSpans((tracer) => {
      const span = tracer.startSpan(CUT, { attributes: { [CUT]: CUT, list: [CUT, 'ok'] } });
      span.addEvent(CUT, { e: CUT });
      span.setStatus({ code: 2, message: CUT });
      traceId = span.spanContext().traceId;
      span.end();
    });
    const answer = await post('/v1/traces', serializeSpans(spans, encoding), encoding);
    expect(answer.status, answer.text).toBe(200);
    const rows = await store.select<{ SpanName: string; SpanAttributes: Record<string, string>; StatusMessage: string; 'Events.Name': string[]; 'Events.Attributes': Array<Record<string, string>> }>(
      'test',
      `SELECT SpanName, SpanAttributes, StatusMessage, Events.Name, Events.Attributes FROM ${TABLES.traces} WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String}`,
      { projectId, traceId },
    );
    expect(rows).toEqual([
      {
        SpanName: 'abcd\uFFFD',
        SpanAttributes: { 'abcd\uFFFD': 'abcd\uFFFD', list: '["abcd\uFFFD","ok"]' },
        StatusMessage: 'abcd\uFFFD',
        'Events.Name': ['abcd\uFFFD'],
        'Events.Attributes': [{ e: 'abcd\uFFFD' }],
      },
    ]);
  });

  it.each(['json', 'protobuf'] as const)('in a log body and a resource attribute (%s)', async (encoding) => {
    const exporter = new InMemoryLogRecordExporter();
    const logger = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': CUT }), processors: [new SimpleLogRecordProcessor({ exporter })] }).getLogger(CUT);
    const marker = randomHex(8);
    logger.emit({ body: CUT, eventName: marker, attributes: { nested: { [CUT]: [CUT] } } });
    const answer = await post('/v1/logs', serializeLogs([...exporter.getFinishedLogRecords()], encoding), encoding);
    expect(answer.status, answer.text).toBe(200);
    const rows = await store.select<{ Body: string; ServiceName: string; ScopeName: string; LogAttributes: Record<string, string> }>(
      'test',
      `SELECT Body, ServiceName, ScopeName, LogAttributes FROM ${TABLES.logs} WHERE ProjectId = {projectId:String} AND EventName = {marker:String}`,
      { projectId, marker },
    );
    expect(rows).toEqual([{ Body: 'abcd\uFFFD', ServiceName: 'abcd\uFFFD', ScopeName: 'abcd\uFFFD', LogAttributes: { nested: '{"abcd\uFFFD":["abcd\uFFFD"]}' } }]);
  });

  it('in a Workato job posted to /ingest/workato', async () => {
    const job = JSON.parse(readFileSync(new URL('./fixtures/workato/01_job_history_success.json', import.meta.url), 'utf8')) as Record<string, unknown> & { context: Record<string, unknown> };
    const id = `j-surrogate-${randomHex(4)}`;
    const now = new Date().toISOString();
    Object.assign(job, { id, title: CUT, started_at: now, completed_at: now, lines: undefined });
    Object.assign(job.context, { recipe_name: CUT, job_id: id });
    const res = await fetch(`${url}/ingest/workato`, { method: 'POST', body: JSON.stringify(job), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: 0 });
    const rows = await store.select<{ SpanName: string; SpanAttributes: Record<string, string> }>(
      'test',
      `SELECT SpanName, SpanAttributes FROM ${TABLES.traces} WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String} AND ParentSpanId = ''`,
      { projectId, traceId: jobTraceId(id) },
    );
    expect(rows.map((r) => r.SpanName)).toEqual(['job abcd\uFFFD']);
    expect(Object.values(rows[0]!.SpanAttributes)).toContain('abcd\uFFFD');
    expect(JSON.stringify(rows)).not.toMatch(/\\ud83d/);
  });
});

describe('a Workato event nested 20,000 levels deep (found by the fuzz test: 500, stack overflow)', () => {
  it('is a 400 naming the event, and nothing of its batch is stored', async () => {
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    const before = await stored();
    for (const body of [
      `{"event":"user_login","user":{"id":1},"timestamp":${deep}}`,
      `[{"event":"user_login","user":{"id":"fine"},"timestamp":"${new Date().toISOString()}"},{"event":"user_login","user":{"id":${deep}},"timestamp":"${new Date().toISOString()}"}]`,
    ]) {
      const res = await fetch(`${url}/ingest/workato`, { method: 'POST', body, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^event \d: nested deeper than 64 levels/);
    }
    expect(await stored()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------
// The decoders alone.

const window = timeWindow({ ttlDays: 30, maxFutureSkewSeconds: 3600 });

describe('the decoders', () => {
  it('give the same answer for a request on both encodings', () => {
    const late = 2n ** 63n;
    const cases: Array<{ json: string; protobuf: Buffer; signal: 'traces' | 'logs' }> = [
      { signal: 'traces', json: tracesJson(spanJson({ endTimeUnixNano: late.toString() })), protobuf: tracesProtobuf(spanProtobuf([pb.fixed64(8, late)])) },
      { signal: 'traces', json: tracesJson(spanJson({ events: [{ timeUnixNano: late.toString() }] })), protobuf: tracesProtobuf(spanProtobuf([pb.len(11, pb.fixed64(1, late))])) },
      { signal: 'logs', json: logsJson({ observedTimeUnixNano: late.toString() }), protobuf: logsProtobuf(pb.len(2, pb.fixed64(11, late))) },
      { signal: 'logs', json: withDeep(logsJson({ body: 'DEEP' }), deepValue(40).json), protobuf: logsProtobuf(pb.len(2, pb.len(5, deepValue(40).protobuf))) },
      { signal: 'logs', json: logsJson({ timeUnixNano: NOW_NANOS.toString(), body: { stringValue: 'abcd\ud800' } }), protobuf: logsProtobuf(pb.len(2, Buffer.concat([pb.fixed64(1, NOW_NANOS), pb.len(5, pb.str(1, Buffer.from('abcd\ud800')))]))) },
    ];
    for (const c of cases) {
      const decode = (encoding: Encoding) => {
        try {
          const decoded =
            c.signal === 'traces'
              ? encoding === 'json' ? spansFromRequest(JSON.parse(c.json), 'json', 'p', window) : spansFromProtobuf(c.protobuf, 'p', window)
              : encoding === 'json' ? logsFromRequest(JSON.parse(c.json), 'json', 'p', window, NOW_NANOS) : logsFromProtobuf(c.protobuf, 'p', window, NOW_NANOS);
          return { rows: decoded.rows.map((r) => ({ ...r, TraceId: '', SpanId: '' })) };
        } catch (err) {
          expect(err).toBeInstanceOf(OtlpRequestError);
          return { error: (err as Error).message };
        }
      };
      expect(decode('protobuf')).toEqual(decode('json'));
    }
  });

  it('throw nothing but OtlpRequestError for mutated OTLP/JSON', () => {
    const spans = sdkSpans((tracer) => {
      const span = tracer.startSpan('root', { attributes: { s: 'x', n: 1, d: 1.5, b: true, strings: ['a', 'b'], ints: [1, 2] } });
      span.addEvent('e', { k: 'v' });
      span.addLink({ context: span.spanContext(), attributes: { l: 1 } });
      span.setStatus({ code: 2, message: 'failed' });
      span.end();
      tracer.startSpan('child').end();
    });
    const records = sdkLogs((logger) => {
      logger.emit({ body: { nested: [1, 'two', { three: true }] }, severityNumber: 9, attributes: { k: 'v' }, eventName: 'e' });
      logger.emit({ body: 'text', timestamp: hr(NOW_NANOS) });
      logger.emit({ body: new Uint8Array([1, 2, 250]), observedTimestamp: hr(NOW_NANOS), attributes: { big: 2 ** 60 } });
    });
    const seeds = [
      { signal: 'traces' as const, value: JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8')) as unknown },
      { signal: 'logs' as const, value: JSON.parse(Buffer.from(JsonLogsSerializer.serializeRequest(records)!).toString('utf8')) as unknown },
    ];
    const rng = prng(7);
    const outcomes = { accepted: 0, refused: 0 };
    for (let n = 0; n < 4000; n++) {
      const seed = seeds[n % seeds.length]!;
      const mutant = structuredClone(seed.value);
      for (let m = 1 + Math.floor(rng() * 3); m > 0; m--) mutate(mutant, rng);
      try {
        const { rows } = seed.signal === 'traces' ? spansFromRequest(mutant, 'json', 'p', window) : logsFromRequest(mutant, 'json', 'p', window, NOW_NANOS);
        // Every string that reached a row is well-formed (JSON.stringify escapes only lone surrogates).
        expect(JSON.stringify(rows)).not.toMatch(/\\ud[89a-f]/);
        outcomes.accepted++;
      } catch (err) {
        if (!(err instanceof OtlpRequestError)) throw new Error(`${String(err)} for ${JSON.stringify(mutant).slice(0, 2000)}`);
        outcomes.refused++;
      }
    }
    expect(outcomes.accepted).toBeGreaterThan(400);
    expect(outcomes.refused).toBeGreaterThan(400);
  });
});

// ---------------------------------------------------------------------------
// Mutations of parsed OTLP/JSON.


/** Values of every JSON type, and the edges of what OTLP/JSON fields hold. */
const REPLACEMENTS: unknown[] = [
  null, true, false, 0, -1, 1.5, 1e300, -1e300, 2 ** 63, 2 ** 64, Number.MAX_SAFE_INTEGER + 2, '', 'x', '0', '-1', '1.5', 'NaN', 'Infinity',
  '9223372036854775807', '9223372036854775808', '18446744073709551615', '18446744073709551616', '-9223372036854775809', '1e3', ' 1', '0x10',
  'abcd\ud800', '\udc00', 'zz', '0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', '00000000000000000000000000000000',
  'SPAN_KIND_SERVER', 'STATUS_CODE_ERROR', 'stringValue', 'arrayValue', 'kvlistValue', '__proto__', 'constructor',
  [], [null], [1, 'a'], [{}], {}, { low: 1, high: 2 }, { stringValue: 1 }, { intValue: {} }, { arrayValue: null }, { arrayValue: { values: {} } },
  { kvlistValue: { values: [{ key: 1 }] } }, { kvlistValue: { values: [null, { value: { boolValue: 'yes' } }] } }, { bytesValue: '!!' }, { doubleValue: [] },
  { key: '__proto__', value: { stringValue: 'x' } }, { key: 'k', value: { value: 'intValue' } }, { key: 'abcd\ud800', value: { stringValue: '\udfff' } },
  JSON.parse(deepValue(200).json),
];
const KEYS = ['resourceSpans', 'resourceLogs', 'scopeSpans', 'scopeLogs', 'spans', 'logRecords', 'resource', 'scope', 'attributes', 'events', 'links', 'status', 'body', 'value', 'values', 'key', '__proto__'];

/** One change somewhere in `root`: a value replaced, a key dropped or added, an array emptied or grown. */
function mutate(root: unknown, rng: () => number): void {
  const containers: Array<Record<string, unknown> | unknown[]> = [];
  const visit = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    containers.push(node as Record<string, unknown> | unknown[]);
    for (const child of Object.values(node)) visit(child);
  };
  visit(root);
  const target = containers[Math.floor(rng() * containers.length)];
  if (!target) return;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const replacement = () => structuredClone(pick(REPLACEMENTS));
  const keys = Object.keys(target);
  const op = rng();
  if (Array.isArray(target)) {
    if (op < 0.5 && target.length > 0) target[Math.floor(rng() * target.length)] = replacement();
    else if (op < 0.7) target.push(target.length > 0 && rng() < 0.5 ? structuredClone(pick(target)) : replacement());
    else target.length = 0;
  } else if (op < 0.6 && keys.length > 0) {
    target[pick(keys)] = replacement();
  } else if (op < 0.8 && keys.length > 0) {
    delete target[pick(keys)];
  } else {
    Object.defineProperty(target, pick(KEYS), { value: replacement(), enumerable: true, configurable: true, writable: true });
  }
}
