/**
 * The wire decoder against protobufjs's decode followed by the walk, the path
 * it replaces: for every request the old path accepts, the same rows and
 * rejections; for every one it refuses, an OtlpRequestError (the same message
 * when the request is well-formed but invalid); and nothing but an
 * OtlpRequestError for any bytes at all.
 */
import { describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode, context, trace, type Attributes } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ExportLogsServiceRequest, ExportTraceServiceRequest, OtlpRequestError, logsFromRequest, spansFromRequest, timeWindow } from '@flowtrace/collector';
import { logsFromProtobuf, spansFromProtobuf } from '../src/otlp/wire.js';
import { prng } from '../../test/support/prng.js';

const NOW = Date.now();
const NOW_NANOS = BigInt(NOW) * 1_000_000n;
const window = timeWindow({ ttlDays: 30, maxFutureSkewSeconds: 3600 }, NOW);
const RECEIVED = NOW_NANOS - 5_000_000_000n;

// ---------------------------------------------------------------------------
// The two paths, and what each made of a request.

type Outcome = { ok: true; rows: unknown[]; rejected: number; message: string; json: string } | { ok: false; error: unknown };

function outcome(decode: () => { rows: unknown[]; rejections: { count: number; message(noun: string): string } }): Outcome {
  try {
    const { rows, rejections } = decode();
    return { ok: true, rows, rejected: rejections.count, message: rejections.message('records'), json: JSON.stringify(rows) };
  } catch (error) {
    return { ok: false, error };
  }
}

const oldSpans = (bytes: Uint8Array, within = window) =>
  outcome(() => {
    let message: unknown;
    try {
      message = ExportTraceServiceRequest.decode(Buffer.from(bytes));
    } catch (err) {
      throw new OtlpRequestError(`malformed protobuf: ${(err as Error).message}`);
    }
    return spansFromRequest(message, 'protobuf', 'p1', within);
  });
const newSpans = (bytes: Uint8Array, within = window) => outcome(() => spansFromProtobuf(Buffer.from(bytes), 'p1', within));
const oldLogs = (bytes: Uint8Array, within = window) =>
  outcome(() => {
    let message: unknown;
    try {
      message = ExportLogsServiceRequest.decode(Buffer.from(bytes));
    } catch (err) {
      throw new OtlpRequestError(`malformed protobuf: ${(err as Error).message}`);
    }
    return logsFromRequest(message, 'protobuf', 'p1', within, RECEIVED);
  });
const newLogs = (bytes: Uint8Array, within = window) => outcome(() => logsFromProtobuf(Buffer.from(bytes), 'p1', within, RECEIVED));

const message = (o: Outcome) => (o.ok ? undefined : o.error instanceof Error ? o.error.message : String(o.error));
const isMalformed = (o: Outcome) => !o.ok && (message(o) ?? '').startsWith('malformed protobuf');

/**
 * The wire decoder's outcome is the old path's: the same rows (key order
 * included) and rejections, or an OtlpRequestError — with the same message when
 * the old path found the request well-formed but invalid.
 */
function expectSame(bytes: Uint8Array, signal: 'traces' | 'logs', within = window): Outcome {
  const [before, after] = signal === 'traces' ? [oldSpans(bytes, within), newSpans(bytes, within)] : [oldLogs(bytes, within), newLogs(bytes, within)];
  if (!after.ok) expect(after.error).toBeInstanceOf(OtlpRequestError);
  if (before.ok) {
    expect(message(after)).toBeUndefined();
    if (!after.ok) return after;
    expect(after.rows).toStrictEqual(before.rows);
    expect(after.json).toBe(before.json);
    expect([after.rejected, after.message]).toEqual([before.rejected, before.message]);
  } else if (isMalformed(before)) {
    expect(isMalformed(after), `old: ${message(before)}; new: ${message(after) ?? 'accepted'}`).toBe(true);
  } else {
    expect(message(after)).toBe(message(before));
  }
  return after;
}

// ---------------------------------------------------------------------------
// Requests from the official SDK and serializers.

const EVERY_KIND: Attributes = {
  'attr.string': 'hello "world" \u00e9\u4e16\ud83d\ude00',
  'attr.int': 42,
  'attr.negative': -7,
  'attr.big': 2 ** 53 - 1,
  'attr.double': 3.25,
  'attr.tiny': 5e-324,
  'attr.huge': 1e300,
  'attr.negzero': -0,
  'attr.inf': Infinity,
  'attr.ninf': -Infinity,
  'attr.bool': true,
  'attr.false': false,
  'attr.strings': ['a', 'b', '"quoted"'],
  'attr.ints': [1, -2, 3],
  'attr.doubles': [1.5, Infinity, -Infinity],
  'attr.bools': [true, false],
  'attr.empty': '',
  'attr.emptyList': [],
};

function sdkSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const spans: ReadableSpan[] = [];
  for (const [service, scopes] of [
    ['billing', ['scope-a', 'scope-b']],
    ['payments', ['scope-c']],
  ] as const) {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': 'i-1', 'host.cores': 2, 'process.pid': 1234, ratio: 0.5 }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    for (const scope of scopes) {
      const tracer = provider.getTracer(scope, '1.2.3');
      const root = tracer.startSpan('POST /workflows/:id/run', { kind: SpanKind.SERVER, attributes: EVERY_KIND });
      root.addEvent('workflow.started', { 'step.count': 3, 'step.names': ['a', 'b'] });
      root.addEvent('no attributes');
      root.addEvent('at a time', { x: 1 }, [1_700_000_000, 5]);
      const linked = tracer.startSpan('scheduler tick', { kind: SpanKind.PRODUCER });
      linked.end();
      const ctx = trace.setSpan(context.active(), root);
      const kinds = [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
      for (const [i, kind] of kinds.entries()) {
        const child = tracer.startSpan(
          `child ${i}`,
          { kind, links: i % 2 ? [{ context: linked.spanContext(), attributes: { 'link.reason': 'scheduled', 'link.n': i } }, { context: root.spanContext() }] : [] },
          ctx,
        );
        if (i === 1) child.setStatus({ code: SpanStatusCode.ERROR, message: 'HTTP 429 Too Many Requests' });
        if (i === 2) child.setStatus({ code: SpanStatusCode.OK });
        child.setAttribute('child.index', i);
        child.end();
      }
      root.end();
    }
  }
  spans.push(...exporter.getFinishedSpans());
  return spans;
}

function sdkLogs(): ReadableLogRecord[] {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'billing' }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('logs-scope', '0.0.1');
  const other = provider.getLogger('other-scope');
  const span = new BasicTracerProvider().getTracer('t').startSpan('with logs');
  const inSpan = trace.setSpan(context.active(), span);
  logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'Workflow execution failed', attributes: EVERY_KIND, eventName: 'workflow.failed', context: inSpan });
  logger.emit({ severityNumber: SeverityNumber.INFO, body: { status: 'SUCCEEDED', tasks: 3, ratio: 0.25, nested: { ok: true, list: [1, 'two', null, { deep: [] }] } } });
  logger.emit({ body: ['a', 1, 2.5, false, { k: 'v' }, [1, [2]]] });
  logger.emit({ body: new Uint8Array([0, 1, 2, 250, 255]), attributes: { 'event.name': 'from.attribute', nested: { a: { b: 1 } } } });
  logger.emit({ body: 42, severityNumber: SeverityNumber.FATAL4 });
  logger.emit({ body: 2.5, timestamp: 1_700_000_000_000 });
  logger.emit({ body: true, observedTimestamp: [1_768_400_000, 123] });
  other.emit({ body: '' });
  other.emit({});
  span.end();
  return [...exporter.getFinishedLogRecords()];
}

describe('spansFromProtobuf', () => {
  it('reads what the official serializer writes as protobufjs + the walk do', () => {
    const spans = sdkSpans();
    const bytes = ProtobufTraceSerializer.serializeRequest(spans)!;
    const result = expectSame(bytes, 'traces');
    expect(result.ok && result.rows).toHaveLength(spans.length);
    // One request per span, too: each alone, every one in the window.
    for (const span of spans) expectSame(ProtobufTraceSerializer.serializeRequest([span])!, 'traces');
  });

  it('reads hand-built requests of every kind of value, span and problem as the old path does', () => {
    const rng = prng(1);
    let accepted = 0;
    let rejected = 0;
    for (let n = 0; n < 400; n++) {
      const bytes = ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(randomTraceRequest(rng, n % 4 === 0))).finish();
      const result = expectSame(bytes, 'traces');
      if (result.ok) {
        accepted++;
        rejected += result.rejected;
      }
    }
    // Both the happy path and the error paths were exercised.
    expect(accepted).toBeGreaterThan(250);
    expect(accepted).toBeLessThan(400);
    expect(rejected).toBeGreaterThan(50);
  });

  it('reads the wire as protobufjs does: repeats, member order, field order, unknown fields, invalid UTF-8', () => {
    for (const bytes of quirkyTraceRequests()) expectSame(bytes, 'traces');
  });

  it('nests values 30 arrays and kvlists deep and refuses deeper as the walk does, also past the 100 messages protobufjs reads', () => {
    // Request 0 > ResourceSpans 1 > ScopeSpans 2 > Span 3 > KeyValue 4 > AnyValue 5 > (ArrayValue > AnyValue)…
    const tooDeep = `resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value${'.arrayValue.values[0]'.repeat(30)}.arrayValue: values nest at most 30 arrays and kvlists deep`;
    for (const arrays of [30, 31, 47, 48, 400]) {
      let value: Bytes = pb.str(1, 'leaf');
      for (let i = 0; i < arrays; i++) value = pb.len(5, pb.len(1, value));
      const bytes = traceRequest(span({ attributes: [pb.len(9, pb.str(1, 'deep'), pb.len(2, value))] }));
      // Up to 47 arrays protobufjs reads the request (messages 99 deep) and the walk refuses it past 30;
      // from 48 on protobufjs calls it malformed, where the wire decoder stops reading at 30 and says why.
      const result = arrays <= 47 ? expectSame(bytes, 'traces') : newSpans(bytes);
      expect(result.ok).toBe(arrays <= 30);
      if (arrays > 30) expect(message(result)).toBe(tooDeep);
    }
    // kvlists count as arrays do; the limit leaves protobuf's 100 unreached wherever the value is (here an event's attribute, kvlists 3 messages each).
    let value: Bytes = pb.str(1, 'leaf');
    for (let i = 0; i < 30; i++) value = pb.len(6, pb.len(1, pb.str(1, 'k'), pb.len(2, value)));
    expect(expectSame(traceRequest(span({ extra: [pb.len(11, pb.len(3, kvBody('deep', value)))] })), 'traces').ok).toBe(true);
    value = pb.len(6, pb.len(1, pb.str(1, 'k'), pb.len(2, value)));
    expect(message(expectSame(traceRequest(span({ extra: [pb.len(11, pb.len(3, kvBody('deep', value)))] })), 'traces'))).toMatch(/^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.events\[0\]\.attributes\[0\]\.value(\.kvlistValue\.values\[0\]\.value){30}\.kvlistValue: values nest at most 30/);
  });

  it('formats times and durations as the old path does, to the last bit and at the edges of the window', () => {
    // Every time ClickHouse stores (DateTime64(9) ends at 2^63 - 1 ns); later ones are refused (the next test).
    const edges = [0n, 1n, 999_999_999n, 1_000_000_000n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 62n, 2n ** 63n - 2n, 2n ** 63n - 1n, NOW_NANOS];
    const rng = prng(3);
    const random = Array.from({ length: 200 }, () => BigInt.asUintN(63, (BigInt(Math.floor(rng() * 2 ** 32)) << 32n) | BigInt(Math.floor(rng() * 2 ** 32))));
    const times = [...edges, ...random];
    const spans = times.map((start, i) => span({ extra: [pb.fixed64(7, start), pb.fixed64(8, times[(i * 7 + 3) % times.length]!), pb.len(11, pb.fixed64(1, times[(i * 5 + 1) % times.length]!))] }));
    // Every time stored (a window beyond 64 bits), then windows whose bounds are the times around them.
    const everything = { earliestNanos: 1n, latestNanos: 2n ** 65n };
    const result = expectSame(traceRequest(...spans), 'traces', everything);
    expect(result.ok && result.rows.length + result.rejected).toBe(times.length);
    expect(result.ok && result.rows.length).toBeGreaterThan(times.length / 3);
    for (const bound of [...edges.slice(1), ...random.slice(0, 8)]) {
      for (const within of [{ earliestNanos: bound, latestNanos: 2n ** 64n - 1n }, { earliestNanos: 0n, latestNanos: bound }, { earliestNanos: bound - 1n, latestNanos: bound + 1n }, { earliestNanos: -5n, latestNanos: bound }]) {
        expectSame(traceRequest(...spans), 'traces', within);
        expectSame(Uint8Array.from(pb.len(1, pb.len(2, times.map((t) => pb.len(2, pb.fixed64(1, t), pb.fixed64(11, bound)))))), 'logs', within);
      }
    }
  });

  it('refuses a time after 2262 wherever it is, as the walk does', () => {
    const rng = prng(4);
    const late = [2n ** 63n, 2n ** 63n + 1n, 2n ** 64n - 1n, ...Array.from({ length: 20 }, () => 2n ** 63n + BigInt(Math.floor(rng() * 2 ** 53)) * 1024n)];
    const logs = (...fields: Bytes) => Uint8Array.from(pb.len(1, pb.len(2, pb.len(2, fields))));
    for (const t of late) {
      const where: Array<[Uint8Array, 'traces' | 'logs', string]> = [
        [traceRequest(span({ extra: [pb.fixed64(7, t)] })), 'traces', 'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano'],
        [traceRequest(span({ name: 'ok' }), span({ extra: [pb.fixed64(8, t)] })), 'traces', 'resourceSpans[0].scopeSpans[0].spans[1].endTimeUnixNano'],
        [traceRequest(span({ extra: [pb.len(11, pb.fixed64(1, START)), pb.len(11, pb.fixed64(1, t), pb.str(2, 'late'))] })), 'traces', 'resourceSpans[0].scopeSpans[0].spans[0].events[1].timeUnixNano'],
        [logs(pb.fixed64(1, t)), 'logs', 'resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano'],
        [logs(pb.fixed64(1, LOG_TIME), pb.fixed64(11, t)), 'logs', 'resourceLogs[0].scopeLogs[0].logRecords[0].observedTimeUnixNano'],
      ];
      for (const [bytes, signal, field] of where) expect(message(expectSame(bytes, signal))).toBe(`${field}: ${t} is after 2262-04-11, the latest time ClickHouse stores`);
    }
    // Before other problems of the span, as the walk finds them: the end before a bad parent id, after the ids.
    expect(message(expectSame(traceRequest(span({ extra: [pb.fixed64(8, 2n ** 63n), pb.str(4, Buffer.alloc(3, 1))] })), 'traces'))).toMatch(/endTimeUnixNano: 9223372036854775808 is after/);
    expect(message(expectSame(traceRequest(pb.len(2, pb.str(1, TRACE_ID), pb.fixed64(8, 2n ** 63n))), 'traces'))).toMatch(/spanId: is required/);
  });

  it('names the field of a malformed request', () => {
    const good = span({ name: 'ok' });
    const cases: Array<[Uint8Array, string]> = [
      [traceRequest(good, span({ extra: [pb.tag(5, 2), pb.varint(200)] })), 'resourceSpans[0].scopeSpans[0].spans[1].name: length 200 runs past the end of the message'],
      [traceRequest(good, span({ extra: [pb.tag(7, 0), [1]] })), 'resourceSpans[0].scopeSpans[0].spans[1].startTimeUnixNano: wire type 0, expected 1'],
      [traceRequest(span({ attributes: [pb.len(9, pb.str(1, 'k'), pb.len(2, [pb.tag(4, 1), [1, 2]]))] })), 'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.doubleValue: truncated'],
      [Buffer.from([0x0a, 0xff, 0xff, 0x01]), 'resourceSpans[0]: length 32767 runs past the end of the message'],
      [Buffer.from([0x00, 0x01]), 'invalid tag 0'],
      [Buffer.from([0x0b, 0x10, 0x01]), 'resourceSpans[0]: wire type 3, expected 2'],
      [Buffer.from([0x0a, 0x00, 0x5b, 0x10]), '<field 11>.<field 2>: truncated varint'],
    ];
    for (const [bytes, expected] of cases) {
      const result = newSpans(bytes);
      expect(result.ok).toBe(false);
      expect(message(result)).toMatch(/^malformed protobuf ExportTraceServiceRequest: /);
      expect(message(result)).toContain(expected);
    }
  });

  it('agrees with the old path on every truncation of a request', () => {
    const requests = [
      ProtobufTraceSerializer.serializeRequest(sdkSpans().slice(0, 6))!,
      ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(randomTraceRequest(prng(7), false))).finish(),
      ...quirkyTraceRequests().slice(0, 3),
    ];
    let accepted = 0;
    for (const bytes of requests) {
      for (let cut = 0; cut < bytes.length; cut++) {
        const prefix = bytes.subarray(0, cut);
        const before = oldSpans(prefix);
        const after = expectSame(prefix, 'traces');
        expect(after.ok).toBe(before.ok);
        if (after.ok) accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(requests.length);
  });

  it('throws nothing but OtlpRequestError for mutated requests', () => {
    const stats = mutationFuzz(
      [ProtobufTraceSerializer.serializeRequest(sdkSpans().slice(0, 4))!, ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(randomTraceRequest(prng(11), false))).finish()],
      3000,
      newSpans,
      oldSpans,
    );
    expect(stats.thrown + stats.accepted).toBe(3000);
    expect(stats.thrown).toBeGreaterThan(300);
  });
});

describe('logsFromProtobuf', () => {
  it('reads what the official serializer writes as protobufjs + the walk do', () => {
    const records = sdkLogs();
    const result = expectSame(ProtobufLogsSerializer.serializeRequest(records)!, 'logs');
    expect(result.ok && result.rows.length + result.rejected).toBe(records.length);
    for (const record of records) expectSame(ProtobufLogsSerializer.serializeRequest([record])!, 'logs');
  });

  it('reads hand-built requests of every kind of body, severity, flags and problem as the old path does', () => {
    const rng = prng(2);
    let accepted = 0;
    let rejected = 0;
    for (let n = 0; n < 400; n++) {
      const bytes = ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(randomLogsRequest(rng, n % 4 === 0))).finish();
      const result = expectSame(bytes, 'logs');
      if (result.ok) {
        accepted++;
        rejected += result.rejected;
      }
    }
    expect(accepted).toBeGreaterThan(250);
    expect(accepted).toBeLessThan(400);
    expect(rejected).toBeGreaterThan(20);
  });

  it('reads the wire as protobufjs does: repeats, member order, field order, unknown fields', () => {
    for (const bytes of quirkyLogsRequests()) expectSame(bytes, 'logs');
  });

  it('agrees with the old path on every truncation of a request', () => {
    const requests = [ProtobufLogsSerializer.serializeRequest(sdkLogs().slice(0, 4))!, ...quirkyLogsRequests().slice(0, 2)];
    for (const bytes of requests) {
      for (let cut = 0; cut < bytes.length; cut++) {
        const prefix = bytes.subarray(0, cut);
        expect(expectSame(prefix, 'logs').ok).toBe(oldLogs(prefix).ok);
      }
    }
  });

  it('throws nothing but OtlpRequestError for mutated requests', () => {
    const stats = mutationFuzz(
      [ProtobufLogsSerializer.serializeRequest(sdkLogs())!, ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(randomLogsRequest(prng(12), false))).finish()],
      3000,
      newLogs,
      oldLogs,
    );
    expect(stats.thrown + stats.accepted).toBe(3000);
    expect(stats.thrown).toBeGreaterThan(300);
  });
});

// ---------------------------------------------------------------------------
// Mutation fuzz.

/**
 * `count` mutants of the seeds (bytes flipped, set, dropped, inserted; a few
 * per mutant): the decoder throws OtlpRequestError or decodes. Where protobufjs
 * decodes a mutant too, the rows are the same.
 */
function mutationFuzz(seeds: Uint8Array[], count: number, decode: (b: Uint8Array) => Outcome, before: (b: Uint8Array) => Outcome) {
  const rng = prng(42);
  const stats = { thrown: 0, accepted: 0, bothAccepted: 0, same: 0 };
  for (let n = 0; n < count; n++) {
    const bytes = [...seeds[n % seeds.length]!];
    for (let m = 1 + Math.floor(rng() * 3); m > 0; m--) {
      const at = Math.floor(rng() * bytes.length);
      const op = rng();
      if (op < 0.5) bytes[at] = bytes[at]! ^ (1 << Math.floor(rng() * 8));
      else if (op < 0.7) bytes[at] = Math.floor(rng() * 256);
      else if (op < 0.85) bytes.splice(at, 1);
      else bytes.splice(at, 0, Math.floor(rng() * 256));
    }
    const mutant = Uint8Array.from(bytes);
    const after = decode(mutant);
    if (after.ok) stats.accepted++;
    else {
      expect(after.error).toBeInstanceOf(OtlpRequestError);
      stats.thrown++;
    }
    const old = before(mutant);
    if (after.ok && old.ok) {
      stats.bothAccepted++;
      if (after.json === old.json && after.message === old.message) stats.same++;
    }
  }
  // Every mutant both accept decodes to the same rows, but for the odd one with
  // a 6 to 9 byte varint in a 32-bit field, which protobufjs misreads (it takes
  // any varint of more than 5 bytes to be 10 long).
  expect(stats.same).toBeGreaterThanOrEqual(stats.bothAccepted * 0.99);
  expect(stats.bothAccepted).toBeGreaterThan(count / 10);
  return stats;
}

// ---------------------------------------------------------------------------
// Seeded random requests, as objects for protobufjs's fromObject.


type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const bytesOf = (rng: Rng, n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rng() * 256)));
const STRINGS = ['', 'a', 'hello world', 'quote " and \\ backslash', 'line\nbreak\ttab', '\u00e9t\u00e9', '\u4e16\u754c', '\ud83d\ude00 emoji', 'control \u0001\u001f', 'http.request.method', 'service.name', 'event.name', '__proto__', '0', '12'];
const INTS = ['0', '1', '-1', '42', '-7', '2147483647', '-2147483648', '4294967296', '9007199254740991', '9007199254740993', '-9007199254740993', '9223372036854775807', '-9223372036854775808', '1700000000000000000'];
const DOUBLES = [0, -0, 1.5, -2.25, 0.1, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 123456789.123, Infinity, -Infinity];

function randomAnyValue(rng: Rng, depth: number, invalid: boolean): Record<string, unknown> {
  const kind = Math.floor(rng() * (depth > 3 ? 6 : 9));
  switch (kind) {
    case 0:
    case 1:
      return { stringValue: pick(rng, STRINGS) };
    case 2:
      return { boolValue: rng() < 0.5 };
    case 3:
      return { intValue: pick(rng, INTS) };
    case 4:
      return { doubleValue: invalid && rng() < 0.3 ? NaN : pick(rng, DOUBLES) };
    case 5:
      return rng() < 0.5 ? { bytesValue: bytesOf(rng, Math.floor(rng() * 6)) } : {};
    case 6:
    case 7:
      return { arrayValue: { values: Array.from({ length: Math.floor(rng() * 4) }, () => randomAnyValue(rng, depth + 1, invalid)) } };
    default:
      return { kvlistValue: { values: Array.from({ length: Math.floor(rng() * 4) }, () => (rng() < 0.9 ? { key: pick(rng, STRINGS), value: randomAnyValue(rng, depth + 1, invalid) } : { key: pick(rng, STRINGS) })) } };
  }
}

function randomAttributes(rng: Rng, invalid: boolean, max = 5): Array<Record<string, unknown>> {
  return Array.from({ length: Math.floor(rng() * max) }, () => (rng() < 0.95 ? { key: pick(rng, STRINGS), value: randomAnyValue(rng, 0, invalid && rng() < 0.3) } : { key: pick(rng, STRINGS) }));
}

/** An id: valid mostly; when `invalid`, sometimes empty, the wrong length or all zeros. */
function randomId(rng: Rng, size: 8 | 16, invalid: boolean): Buffer {
  if (invalid) {
    const r = rng();
    if (r < 0.05) return Buffer.alloc(0);
    if (r < 0.1) return bytesOf(rng, size === 8 ? 16 : 8);
    if (r < 0.15) return Buffer.alloc(size);
  }
  const id = bytesOf(rng, size);
  id[0] = id[0]! | 1;
  return id;
}

/** A timestamp: in the window mostly; else zero, too old, too far ahead, or past 2^53. */
function randomTime(rng: Rng): string {
  const r = rng();
  if (r < 0.05) return '0';
  if (r < 0.08) return (NOW_NANOS - 40n * 86_400_000_000_000n).toString();
  if (r < 0.11) return (NOW_NANOS + 7_200_000_000_000n).toString();
  if (r < 0.13) return '1';
  return (NOW_NANOS - BigInt(Math.floor(rng() * 86_400_000_000)) * 1000n + BigInt(Math.floor(rng() * 1000))).toString();
}

function randomSpan(rng: Rng, invalid: boolean): Record<string, unknown> {
  const start = randomTime(rng);
  const end = rng() < 0.1 ? '0' : rng() < 0.1 ? (BigInt(start) > 5n ? BigInt(start) - 5n : 0n).toString() : (BigInt(start) + BigInt(Math.floor(rng() * 1e9))).toString();
  const span: Record<string, unknown> = {
    traceId: randomId(rng, 16, invalid && rng() < 0.3),
    spanId: randomId(rng, 8, invalid && rng() < 0.3),
    name: pick(rng, STRINGS),
    kind: pick(rng, [0, 1, 2, 3, 4, 5, 6, 9]),
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: randomAttributes(rng, invalid, 8),
    droppedAttributesCount: pick(rng, [0, 0, 3]),
    events: Array.from({ length: Math.floor(rng() * 3) }, () => ({
      timeUnixNano: rng() < 0.2 ? '0' : randomTime(rng),
      name: pick(rng, STRINGS),
      attributes: randomAttributes(rng, invalid, 3),
      droppedAttributesCount: pick(rng, [0, 1]),
    })),
    droppedEventsCount: pick(rng, [0, 2]),
    links: Array.from({ length: Math.floor(rng() * 3) }, () => ({
      traceId: randomId(rng, 16, invalid && rng() < 0.2),
      spanId: randomId(rng, 8, invalid && rng() < 0.2),
      traceState: pick(rng, ['', 'vendor=1']),
      attributes: randomAttributes(rng, invalid, 3),
      flags: pick(rng, [0, 1, 257]),
    })),
    flags: pick(rng, [0, 1, 0x301]),
  };
  if (rng() < 0.5) span.parentSpanId = randomId(rng, 8, invalid && rng() < 0.2);
  if (rng() < 0.4) span.traceState = pick(rng, ['', 'rojo=00f067aa0ba902b7', 'congo=t61rcWkgMzE']);
  if (rng() < 0.6) span.status = { code: pick(rng, [0, 1, 2, 2, 5]), message: pick(rng, STRINGS) };
  return span;
}

function randomEnvelope(rng: Rng, records: 'spans' | 'logRecords', record: () => Record<string, unknown>, invalid: boolean) {
  const scopes = records === 'spans' ? 'scopeSpans' : 'scopeLogs';
  return Array.from({ length: 1 + Math.floor(rng() * 3) }, () => ({
    ...(rng() < 0.9 ? { resource: { attributes: [...(rng() < 0.8 ? [{ key: 'service.name', value: { stringValue: pick(rng, ['billing', 'payments', '']) } }] : []), ...randomAttributes(rng, invalid && rng() < 0.2, 4)], droppedAttributesCount: pick(rng, [0, 1]) } } : {}),
    ...(rng() < 0.5 ? { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' } : {}),
    [scopes]: Array.from({ length: Math.floor(rng() * 3) }, () => ({
      ...(rng() < 0.9 ? { scope: { name: pick(rng, STRINGS), version: pick(rng, ['', '1.2.3']), attributes: randomAttributes(rng, invalid && rng() < 0.2, 3), droppedAttributesCount: pick(rng, [0, 2]) } } : {}),
      ...(rng() < 0.5 ? { schemaUrl: 'https://example.com/scope-schema' } : {}),
      [records]: Array.from({ length: Math.floor(rng() * 6) }, record),
    })),
  }));
}

function randomTraceRequest(rng: Rng, invalid: boolean) {
  return { resourceSpans: randomEnvelope(rng, 'spans', () => randomSpan(rng, invalid && rng() < 0.3), invalid) };
}

function randomLogRecord(rng: Rng, invalid: boolean): Record<string, unknown> {
  const record: Record<string, unknown> = {
    severityNumber: invalid && rng() < 0.2 ? pick(rng, [25, -1, 1000]) : Math.floor(rng() * 25),
    severityText: pick(rng, ['', 'INFO', 'ERROR']),
    attributes: randomAttributes(rng, invalid, 6),
    droppedAttributesCount: pick(rng, [0, 4]),
    flags: pick(rng, [0, 1, 0x101, 0xffffffff]),
  };
  if (rng() < 0.8) record.body = randomAnyValue(rng, 0, invalid && rng() < 0.3);
  if (rng() < 0.8) record.timeUnixNano = randomTime(rng);
  if (rng() < 0.6) record.observedTimeUnixNano = randomTime(rng);
  if (rng() < 0.6) record.traceId = randomId(rng, 16, invalid && rng() < 0.3);
  if (rng() < 0.6) record.spanId = randomId(rng, 8, invalid && rng() < 0.3);
  if (rng() < 0.4) record.eventName = pick(rng, STRINGS);
  if (rng() < 0.2) (record.attributes as unknown[]).push({ key: 'event.name', value: { stringValue: 'from.attribute' } });
  return record;
}

function randomLogsRequest(rng: Rng, invalid: boolean) {
  return { resourceLogs: randomEnvelope(rng, 'logRecords', () => randomLogRecord(rng, invalid && rng() < 0.3), invalid) };
}

// ---------------------------------------------------------------------------
// Requests written byte by byte, for what fromObject cannot express.

type Bytes = Array<number | Bytes | Uint8Array>;

const flat = (parts: Bytes): number[] => parts.flatMap((p) => (typeof p === 'number' ? [p] : p instanceof Uint8Array ? [...p] : flat(p)));

/** A minimal protobuf writer. */
const pb = {
  varint(value: number | bigint): number[] {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    do {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v ? b | 0x80 : b);
    } while (v);
    return out;
  },
  tag: (field: number, type: number) => pb.varint(field * 8 + type),
  len: (field: number, ...parts: Bytes): number[] => {
    const body = flat(parts);
    return [...pb.tag(field, 2), ...pb.varint(body.length), ...body];
  },
  str: (field: number, s: string | Uint8Array) => pb.len(field, typeof s === 'string' ? Buffer.from(s, 'utf8') : s),
  int: (field: number, value: number | bigint) => [...pb.tag(field, 0), ...pb.varint(value)],
  fixed64: (field: number, value: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, value));
    return [...pb.tag(field, 1), ...b];
  },
  fixed32: (field: number, value: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value >>> 0);
    return [...pb.tag(field, 5), ...b];
  },
  double: (field: number, value: number) => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    return [...pb.tag(field, 1), ...b];
  },
};

/** Unknown fields of every wire type, groups (nested) included. */
const UNKNOWN: Bytes = [pb.int(90, 300), pb.fixed64(91, 1n), pb.str(92, 'x'), pb.fixed32(93, 7), [...pb.tag(94, 3), ...pb.int(1, 5), ...pb.tag(95, 3), ...pb.str(2, 'in'), ...pb.tag(95, 4), ...pb.tag(94, 4)]];

const TRACE_ID = Buffer.from('5b8efff798038103d269b633813fc60c', 'hex');
const SPAN_ID = Buffer.from('eee19b7ec3c1b174', 'hex');
const START = NOW_NANOS - 1_000_000_000n;

function span(fields: { name?: string; attributes?: Bytes; extra?: Bytes } = {}): number[] {
  return pb.len(2, pb.str(1, TRACE_ID), pb.str(2, SPAN_ID), pb.str(5, fields.name ?? 'span'), pb.fixed64(7, START), pb.fixed64(8, START + 5n), fields.attributes ?? [], fields.extra ?? []);
}

/** A request of one resource and scope holding `spans` (each as written by `span`, field 2 of ScopeSpans). */
function traceRequest(...spans: number[][]): Uint8Array {
  return Uint8Array.from(pb.len(1, pb.len(1, pb.len(1, pb.str(1, 'service.name'), pb.len(2, pb.str(1, 'svc')))), pb.len(2, pb.len(1, pb.str(1, 'scope')), spans)));
}

/** A KeyValue's fields, and a span attribute (Span field 9) of them. */
const kvBody = (key: string, value: Bytes): Bytes => [pb.str(1, key), pb.len(2, value)];
const kv = (key: string, value: Bytes) => pb.len(9, kvBody(key, value));

function quirkyTraceRequests(): Uint8Array[] {
  const attributes: Bytes = [
    // Oneof members: several set, repeated, in every order.
    pb.len(9, pb.str(1, 'multi.1'), pb.len(2, pb.str(1, 'first'), pb.int(3, 5))),
    pb.len(9, pb.str(1, 'multi.2'), pb.len(2, pb.int(3, 5), pb.str(1, 'second'), pb.int(3, 6))),
    pb.len(9, pb.str(1, 'multi.3'), pb.len(2, pb.double(4, NaN), pb.str(1, 'NaN is replaced'))),
    pb.len(9, pb.str(1, 'multi.4'), pb.len(2, pb.str(1, 'a'), pb.double(4, 1.5), pb.str(1, 'b'))),
    pb.len(9, pb.str(1, 'multi.5'), pb.len(2, pb.len(5, pb.len(1, pb.double(4, NaN))), pb.len(5, pb.len(1, pb.int(2, 1))))),
    pb.len(9, pb.str(1, 'multi.6'), pb.len(2, pb.len(6), pb.int(2, 0), pb.len(6, pb.len(1, pb.str(1, 'k'))))),
    // Values protobufjs reads its own way.
    kv('bool.big', pb.int(2, 2)),
    kv('bool.high', pb.int(2, 2n ** 32n)),
    kv('int.min', pb.int(3, -(2n ** 63n))),
    kv('int.max', pb.int(3, 2n ** 63n - 1n)),
    kv('int.neg', pb.int(3, -5)),
    kv('int.2^53', pb.int(3, 2n ** 53n + 1n)),
    kv('double.-0', pb.double(4, -0)),
    kv('double.inf', pb.double(4, Infinity)),
    kv('bytes.empty', pb.str(7, new Uint8Array())),
    kv('bytes', pb.str(7, Uint8Array.from([0, 255, 1, 254]))),
    kv('array.nested', pb.len(5, pb.len(1, pb.double(4, -Infinity)), pb.len(1), pb.len(1, pb.len(5)), pb.len(1, pb.len(6, pb.len(1, pb.str(1, 'x')))), pb.len(1, pb.str(7, Uint8Array.from([1]))))),
    kv('kvlist', pb.len(6, pb.len(1, pb.str(1, 'no value')), pb.len(1, pb.str(1, 'dup'), pb.len(2, pb.int(3, 1))), pb.len(1, pb.str(1, 'dup'), pb.len(2, pb.int(3, 2))), pb.len(1, pb.len(2, pb.str(1, 'no key'))))),
    kv('empty', []),
    pb.len(9, pb.str(1, 'no value')),
    pb.len(9, pb.len(2, pb.str(1, 'no key'))),
    pb.len(9, pb.str(1, 'value twice'), pb.len(2, pb.str(1, 'one')), pb.len(2, pb.int(3, 2))),
    pb.len(9, pb.str(1, 'key twice'), pb.str(1, 'key replaced'), pb.len(2, pb.str(1, 'v'))),
    kv('dup', pb.str(1, 'first')),
    kv('dup', pb.str(1, 'last')),
    kv('__proto__', pb.str(1, 'ignored by a plain object')),
    // Invalid UTF-8, as protobufjs (Buffer#utf8Slice) reads it.
    pb.len(9, pb.str(1, Uint8Array.from([0x6b, 0xff, 0xc3])), pb.len(2, pb.str(1, Uint8Array.from([0xe2, 0x82, 0x28, 0xf0, 0x90, 0x80, 0xed, 0xa0, 0x80, 0xc0, 0xaf])))),
    // Unknown fields within the AnyValue and KeyValue.
    pb.len(9, pb.str(1, 'unknown inside'), UNKNOWN, pb.len(2, UNKNOWN, pb.str(1, 'v'), UNKNOWN)),
  ];
  const everything = span({
    attributes,
    extra: [
      pb.str(5, 'name replaced'),
      pb.str(2, Buffer.from('0102030405060708', 'hex')),
      pb.str(4, new Uint8Array()),
      pb.int(6, 3),
      pb.int(6, -1),
      pb.int(10, 4),
      pb.int(12, 1),
      pb.int(14, 2),
      pb.fixed32(16, 0x301),
      pb.len(15, pb.int(3, 2), pb.str(2, 'first status')),
      pb.len(15, pb.str(2, 'status replaced: code back to unset'), pb.int(1, 9), UNKNOWN),
      pb.len(11, pb.str(2, 'event without time'), pb.len(3, pb.str(1, 'k'), pb.len(2, pb.int(2, 1))), UNKNOWN),
      pb.len(11, pb.fixed64(1, START + 1n), pb.str(2, 'event'), pb.int(4, 1)),
      pb.len(13, pb.str(1, TRACE_ID), pb.str(2, SPAN_ID), pb.str(3, 'a=b'), pb.len(4, pb.str(1, 'k')), pb.int(5, 1), pb.fixed32(6, 1), UNKNOWN),
      UNKNOWN,
      // The start time after the events that default to it.
      pb.fixed64(7, START + 10n),
    ],
  });
  const spanOf = (extra: Bytes) => pb.len(2, pb.str(1, TRACE_ID), pb.str(2, SPAN_ID), extra);
  const nan = pb.double(4, NaN);
  // kvlist { deep: [null, NaN] }
  const deepNaN = pb.len(6, pb.len(1, kvBody('deep', pb.len(5, pb.len(1), pb.len(1, nan)))));
  const badSpan = pb.len(2, pb.str(1, TRACE_ID), pb.str(2, Buffer.alloc(3, 1)));
  const badScopeSpans = pb.len(2, badSpan);
  const envelope = (...resourceSpans: Bytes) => Uint8Array.from(flat(resourceSpans));
  return [
    traceRequest(everything),
    // Resource, scope and schema URLs after the spans, resource and scope twice, unknown fields everywhere.
    envelope(
      UNKNOWN,
      pb.len(
        1,
        pb.len(2, spanOf([pb.fixed64(7, START)]), UNKNOWN, pb.len(1, pb.str(1, 'scope one')), pb.str(3, 'scope schema'), pb.len(1, pb.str(1, 'scope two'), pb.str(2, '2.0'), UNKNOWN), spanOf([pb.fixed64(7, START + 1n)])),
        pb.len(1, pb.len(1, pb.str(1, 'service.name'), pb.len(2, pb.str(1, 'first')))),
        UNKNOWN,
        pb.str(3, 'resource schema'),
        pb.len(1, pb.len(1, pb.str(1, 'service.name'), pb.len(2, pb.str(1, 'second'))), pb.int(2, 3), UNKNOWN),
        pb.len(2),
        pb.len(2, spanOf([pb.fixed64(7, START + 2n)])),
      ),
      pb.len(1),
      pb.len(1, pb.len(2, spanOf([pb.fixed64(7, START + 3n)]))),
    ),
    // Ids: all zeros, the wrong length, a link without a span id; times past 2^63 and the end before the start.
    traceRequest(pb.len(2, pb.str(1, Buffer.alloc(16)), pb.str(2, SPAN_ID))),
    traceRequest(pb.len(2, pb.str(1, TRACE_ID), pb.str(2, Buffer.alloc(7, 1)))),
    traceRequest(pb.len(2, pb.str(1, TRACE_ID))),
    traceRequest(pb.len(2, pb.str(2, SPAN_ID), pb.str(1, Buffer.alloc(3, 1)), pb.str(1, new Uint8Array()))),
    traceRequest(span({ extra: [pb.str(4, Buffer.alloc(8))] })),
    traceRequest(span({ extra: [pb.len(13, pb.str(1, TRACE_ID))] })),
    traceRequest(span({ extra: [pb.len(13, pb.str(2, Buffer.alloc(9, 1)))] })),
    traceRequest(span({ extra: [pb.fixed64(7, 2n ** 64n - 1n)] }), span({ extra: [pb.fixed64(7, START), pb.fixed64(8, START - 1n)] }), span({ extra: [pb.fixed64(7, 0n)] })),
    // Validation errors in the walk's order, not the wire's.
    traceRequest(span({ attributes: [kv('bad', nan)], extra: [pb.str(2, Buffer.alloc(3, 1))] })),
    traceRequest(span({ extra: [pb.len(13, pb.str(1, TRACE_ID)), pb.len(11, pb.len(3, kvBody('k', nan)))] })),
    envelope(pb.len(1, badScopeSpans, pb.len(1, kvBody('k', deepNaN)))),
    envelope(pb.len(1, pb.len(2, badSpan, pb.len(1, pb.len(3, kvBody('k', nan)))))),
    envelope(pb.len(1, badScopeSpans), pb.len(1, pb.len(1, pb.len(1, kvBody('k', nan))))),
    // A NaN in an earlier resource, replaced by a later one.
    envelope(pb.len(1, pb.len(1, pb.len(1, kvBody('k', nan))), pb.len(1), pb.len(2, spanOf([pb.fixed64(7, START)])))),
    new Uint8Array(),
  ];
}

const LOG_TIME = NOW_NANOS - 2_000_000_000n;

function quirkyLogsRequests(): Uint8Array[] {
  const record = (...fields: Bytes) => pb.len(2, fields);
  const logs = (...records: number[][]) => Uint8Array.from(pb.len(1, pb.len(2, records, pb.len(1, pb.str(1, 'scope'), pb.str(2, '1'), pb.len(3, pb.str(1, 'k'), pb.len(2, pb.int(3, 1)))), pb.str(3, 'scope schema')), pb.len(1, pb.len(1, pb.str(1, 'service.name'), pb.len(2, pb.str(1, 'svc')))), pb.str(3, 'resource schema')));
  return [
    logs(
      record(pb.fixed64(1, LOG_TIME), pb.int(2, 9), pb.str(3, 'INFO'), pb.len(5, pb.str(1, 'body')), pb.len(6, pb.str(1, 'event.name'), pb.len(2, pb.str(1, 'attr event'))), pb.fixed32(8, 0x1ff), pb.str(9, TRACE_ID), pb.str(10, SPAN_ID), UNKNOWN, pb.int(4, 1)),
      record(pb.fixed64(11, LOG_TIME), pb.len(5, pb.str(1, 'replaced')), pb.len(5, pb.len(6, pb.len(1, pb.str(1, 'a'), pb.len(2, pb.double(4, Infinity))))), pb.str(12, 'event'), pb.int(7, 3)),
      record(pb.len(5, pb.int(3, 5), pb.str(1, 'x'), pb.int(3, 6)), pb.int(2, 24)),
      record(pb.len(5), pb.fixed64(1, 0n), pb.fixed64(11, 0n), pb.str(9, new Uint8Array())),
      record(pb.len(5, pb.double(4, NaN)), pb.len(5, pb.str(7, Uint8Array.from([1, 2, 3])))),
      record(pb.fixed64(1, NOW_NANOS - 40n * 86_400_000_000_000n)),
      record(pb.fixed64(1, NOW_NANOS + 7_200_000_000_000n)),
      record(pb.len(6, pb.str(1, Uint8Array.from([0xff, 0xfe])), pb.len(2, pb.str(1, Uint8Array.from([0xc3]))))),
    ),
    logs(record(pb.int(2, 25))),
    logs(record(pb.int(2, -1))),
    logs(record(pb.len(5, pb.double(4, NaN)), pb.str(9, Buffer.alloc(3, 1)), pb.int(2, 30))),
    logs(record(pb.len(5, pb.len(5, pb.len(1, pb.double(4, NaN)))), pb.str(10, Buffer.alloc(8)))),
    logs(record(pb.len(5, pb.len(5, pb.len(1, pb.double(4, NaN)))))),
    logs(record(pb.str(10, Buffer.alloc(8)), pb.len(6, pb.str(1, 'k'), pb.len(2, pb.double(4, NaN))))),
  ];
}
