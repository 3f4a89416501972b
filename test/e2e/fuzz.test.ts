/**
 * A fuzz test of the built collector (issue 11), bounded to run in CI: a few
 * thousand mutated OTLP/HTTP protobuf and JSON requests, Workato streams and
 * OTLP/gRPC calls against `flowtrace start`. Every answer is one the
 * specification allows, the process survives, nothing of a refused request
 * is stored, and its memory comes back near its baseline.
 *
 * Seeds are valid requests: spans and logs made with the official SDK and
 * encoded by the official serializers, and the Workato fixtures. Every
 * request carries a marker of its own (`fz-000123`, its index) in its span
 * names, log bodies, service names and Workato strings, so the store can be
 * searched for what each request left behind. Request n is a function of the
 * seed and n alone: the seed is printed, FLOWTRACE_FUZZ_SEED replays a run,
 * and the requests behind a failure are written to a directory (printed) to
 * be sent again.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Metadata, compressionAlgorithms, credentials, status as Status, type ServiceError } from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type IdGenerator, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TABLES, openStore } from '@flowtrace/store';
import {
  ATTR_FLOWTRACE_EXECUTION_ID,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_STEP_ID,
  ATTR_FLOWTRACE_TOOL_NAME,
  ATTR_FLOWTRACE_WORKFLOW_ID,
  FLOWTRACE_KIND,
} from '@flowtrace/conventions/semconv';
import { REPO_ROOT, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';
import { tempDir } from '../support/store.js';

// ---------------------------------------------------------------- the run

const SEED = (process.env.FLOWTRACE_FUZZ_SEED ? Number(process.env.FLOWTRACE_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31)) >>> 0;
/** Indices of each family of requests: protobuf and JSON over OTLP/HTTP, Workato streams, OTLP/gRPC. */
const FAMILIES = [
  { family: 'protobuf', from: 0, count: 1500 },
  { family: 'json', from: 1500, count: 1500 },
  { family: 'workato', from: 3000, count: 1000 },
  { family: 'grpc', from: 4000, count: 300 },
] as const;
type Family = (typeof FAMILIES)[number]['family'];
const CONCURRENCY = 6;
/** FLOWTRACE_MAX_BODY_BYTES and FLOWTRACE_WORKATO_MAX_BODY_BYTES: small, so that 413 is cheap to reach. */
const MAX_BODY = 256 * 1024;
/** How far the process's RSS may stay above its warmed-up baseline ~2 s after the run. */
const RSS_SLACK_BYTES = 300 * 1024 * 1024;
const HTTP_STATUSES = new Set([200, 400, 413, 415]);
const GRPC_CODES = new Set([Status.OK, Status.INVALID_ARGUMENT, Status.RESOURCE_EXHAUSTED, Status.UNAUTHENTICATED]);

const PLACEHOLDER = 'fz-XXXXXX';
const markerOf = (index: number) => `fz-${String(index).padStart(6, '0')}`;
const MARKER_PATTERN = 'fz-[0-9]{6}';
/** Every timestamp of the seeds is BASE_MS plus a few milliseconds (stored forever: FLOWTRACE_TTL_DAYS=0, as the Workato fixtures are from 2022). */
const BASE_MS = Date.UTC(2025, 5, 1, 12, 0, 0);
const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const LOGS = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

// ---------------------------------------------------------------- a seeded PRNG

/** mulberry32, seeded from (run seed, request index): request n does not depend on any other. */
class Rng {
  #state: number;
  constructor(seed: number, stream: number) {
    let h = (seed ^ Math.imul(stream + 0x9e3779b9, 0x85ebca6b)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
    this.#state = (h ^ (h >>> 16)) >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(256)));
  }
  hex(n: number): string {
    return this.bytes(n).toString('hex');
  }
}

// ---------------------------------------------------------------- seeds: OTLP

/** Ids from a counter, recognisable in an encoded request (binary or hex) so each request gets fresh ones. */
function countingIds(ids: string[]): IdGenerator {
  let n = 0;
  const next = (prefix: string) => {
    const id = `${prefix}${(++n).toString(16).padStart(8, '0')}`;
    ids.push(id);
    return id;
  };
  return { generateTraceId: () => next('a5c3'.repeat(6)), generateSpanId: () => next('c35a'.repeat(2)) };
}

const at = (offsetMs: number) => BASE_MS + offsetMs;
const nanos = (offsetMs: number) => BigInt(at(offsetMs)) * 1_000_000n;

/** Attributes of every type an SDK span may carry. */
const EVERY_TYPE = {
  'fuzz.string': `${PLACEHOLDER} value`,
  'fuzz.empty': '',
  'fuzz.unicode': 'naïve 名前 🙂',
  'fuzz.int': 42,
  'fuzz.negative': -7,
  'fuzz.large_int': Number.MAX_SAFE_INTEGER,
  'fuzz.double': 3.25,
  'fuzz.bool': true,
  'fuzz.strings': ['a', `${PLACEHOLDER} b`, ''],
  'fuzz.ints': [1, 2, 3],
  'fuzz.doubles': [0.5, -1.5],
  'fuzz.bools': [true, false],
  'fuzz.no_values': [] as string[],
};

interface OtlpSeed {
  name: string;
  signal: 'traces' | 'logs';
  protobuf: Buffer;
  json: Buffer;
  /** The ids in the request (hex), replaced by fresh ones in each copy. */
  ids: string[];
  /** The timestamps in the request, in ns (fixed64 in protobuf). */
  times: bigint[];
}

function traceSeeds(): OtlpSeed[] {
  const ids: string[] = [];
  const idGenerator = countingIds(ids);
  const exporter = new InMemorySpanExporter();
  const resource = resourceFromAttributes({
    'service.name': `${PLACEHOLDER} svc`,
    'service.version': '1.4.2',
    'host.cpu.count': 2,
    'process.ratio': 0.5,
    'deployment.canary': false,
    'process.command_args': ['node', 'app.js'],
  });
  const tracer = new BasicTracerProvider({ resource, idGenerator, spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('fuzz', '1.0.0');
  const linked = { traceId: idGenerator.generateTraceId(), spanId: idGenerator.generateSpanId(), traceFlags: 1 };

  const root = tracer.startSpan(`${PLACEHOLDER} workflow execution`, {
    kind: SpanKind.SERVER,
    startTime: at(0),
    attributes: { [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.workflowExecution, [ATTR_FLOWTRACE_EXECUTION_ID]: `${PLACEHOLDER} exec`, [ATTR_FLOWTRACE_WORKFLOW_ID]: 'wf-fuzz' },
  });
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  const step = tracer.startSpan(
    `${PLACEHOLDER} step fetch`,
    { kind: SpanKind.CLIENT, startTime: at(10), attributes: { [ATTR_FLOWTRACE_STEP_ID]: 's1', ...EVERY_TYPE }, links: [{ context: linked, attributes: { 'link.reason': `${PLACEHOLDER} follows`, 'link.n': 1 } }] },
    parent,
  );
  step.addEvent(`${PLACEHOLDER} retry`, { 'retry.attempt': 2, 'retry.delay_ms': 12.5, 'retry.final': false, 'retry.codes': [502, 503] }, at(20));
  const error = new Error(`${PLACEHOLDER} upstream answered 502`);
  error.stack = `Error: ${PLACEHOLDER} upstream answered 502\n    at fetch (app.js:1:1)`;
  step.recordException(error, at(30));
  step.setStatus({ code: SpanStatusCode.ERROR, message: `${PLACEHOLDER} step failed` });
  step.end(at(40));
  const tool = tracer.startSpan(`${PLACEHOLDER} tool call`, { kind: SpanKind.INTERNAL, startTime: at(50), attributes: { [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.toolCall, [ATTR_FLOWTRACE_TOOL_NAME]: 'search' } }, parent);
  tool.setStatus({ code: SpanStatusCode.OK });
  tool.end(at(60));
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'a step failed' });
  root.end(at(100));
  const workflow = [...exporter.getFinishedSpans()];

  exporter.reset();
  const other = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': `${PLACEHOLDER} other` }), idGenerator, spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('other');
  other.startSpan(`${PLACEHOLDER} single`, { startTime: at(200) }).end(at(201));
  const single = [...exporter.getFinishedSpans()];

  const times = [0, 10, 20, 30, 40, 50, 60, 100, 200, 201].map(nanos);
  const seed = (name: string, spans: ReadableSpan[]): OtlpSeed => ({
    name,
    signal: 'traces',
    protobuf: Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
    json: Buffer.from(JsonTraceSerializer.serializeRequest(spans)!),
    ids,
    times,
  });
  return [seed('workflow', workflow), seed('workflow+single', [...workflow, ...single])];
}

function logSeeds(): OtlpSeed[] {
  const ids: string[] = [];
  const idGenerator = countingIds(ids);
  const exporter = new InMemoryLogRecordExporter();
  const resource = resourceFromAttributes({ 'service.name': `${PLACEHOLDER} svc`, 'host.cpu.count': 2, 'deployment.canary': true });
  const logger = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] }).getLogger('fuzz-logs', '1.0.0');
  const spanContext = { traceId: idGenerator.generateTraceId(), spanId: idGenerator.generateSpanId(), traceFlags: 1 };
  logger.emit({
    timestamp: at(5),
    observedTimestamp: at(6),
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: `${PLACEHOLDER} job line failed`,
    attributes: { ...EVERY_TYPE, 'fuzz.bytes': new Uint8Array([0, 1, 254, 255]), 'fuzz.map': { nested: { list: [1, 'two', 3.5, false] }, text: `${PLACEHOLDER} nested` } },
    context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
  });
  const line = [...exporter.getFinishedLogRecords()];
  logger.emit({
    timestamp: at(7),
    observedTimestamp: at(8),
    severityNumber: SeverityNumber.INFO,
    eventName: 'flowtrace.fuzz.event',
    body: { message: `${PLACEHOLDER} event`, count: 3, ratio: 0.25, ok: true, raw: new Uint8Array([7, 8]), items: [{ k: 'v' }, [1, [2, [3]]]] },
  });
  const pair = [...exporter.getFinishedLogRecords()];
  const times = [5, 6, 7, 8].map(nanos);
  const seed = (name: string, records: ReadableLogRecord[]): OtlpSeed => ({
    name,
    signal: 'logs',
    protobuf: Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!),
    json: Buffer.from(JsonLogsSerializer.serializeRequest(records)!),
    ids,
    times,
  });
  return [seed('log-line', line), seed('log-line+event', pair)];
}

const OTLP_SEEDS = [...traceSeeds(), ...logSeeds()];

/** Overwrites every occurrence of `from` in `buf` with `to` (the same length). */
function overwriteAll(buf: Buffer, from: Buffer, to: Buffer): void {
  for (let i = buf.indexOf(from); i !== -1; i = buf.indexOf(from, i + to.length)) to.copy(buf, i);
}

/** A copy of a seed with the request's marker and fresh ids: valid, and unlike every other request. */
function instantiate(seed: OtlpSeed, encoding: 'protobuf' | 'json', index: number, rng: Rng): Buffer {
  const body = Buffer.from(encoding === 'json' ? seed.json : seed.protobuf);
  overwriteAll(body, Buffer.from(PLACEHOLDER), Buffer.from(markerOf(index)));
  for (const id of seed.ids) {
    const fresh = rng.hex(id.length / 2);
    if (encoding === 'json') overwriteAll(body, Buffer.from(id), Buffer.from(fresh));
    else overwriteAll(body, Buffer.from(id, 'hex'), Buffer.from(fresh, 'hex'));
  }
  return body;
}

// ---------------------------------------------------------------- seeds: Workato

const WORKATO_DIR = join(REPO_ROOT, 'collector/test/fixtures/workato');
/**
 * A marker goes in front of every string value, also in JSON held in a string
 * (`log_message_str`), but dates stay dates and JSON held in a string stays JSON.
 */
const markStrings = (text: string) => text.replace(/(:\s*\\?")(?!\d{4}-\d\d-\d\d|[{[])/g, `$1${PLACEHOLDER} `);
const WORKATO_SEEDS = readdirSync(WORKATO_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => {
    const text = markStrings(readFileSync(join(WORKATO_DIR, file), 'utf8'));
    let strict: unknown;
    try {
      strict = JSON.parse(text);
    } catch {
      strict = undefined; // an export's trailing commas or zero-padded numbers: sent only as written
    }
    return { file, text, strict };
  });
const STRICT_WORKATO = WORKATO_SEEDS.filter((s) => s.strict !== undefined);

// ---------------------------------------------------------------- protobuf, by hand

const pb = {
  varint(value: number | bigint): Buffer {
    let v = BigInt(value);
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    return Buffer.from(out);
  },
  tag: (field: number, wire: number) => pb.varint((field << 3) | wire),
  len: (field: number, body: Buffer) => Buffer.concat([pb.tag(field, 2), pb.varint(body.length), body]),
  str: (field: number, text: string | Buffer) => pb.len(field, typeof text === 'string' ? Buffer.from(text) : text),
  uint: (field: number, value: number | bigint) => Buffer.concat([pb.tag(field, 0), pb.varint(value)]),
  fixed64(field: number, value: bigint): Buffer {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(value);
    return Buffer.concat([pb.tag(field, 1), b]);
  },
  attr: (key: string, anyValue: Buffer) => Buffer.concat([pb.str(1, key), pb.len(2, anyValue)]),
};

/** An AnyValue of arrayValues and kvlistValues `depth` deep around a string, built without recursion. */
function deepAnyValue(depth: number, rng: Rng): Buffer {
  const parts: Buffer[] = [pb.str(1, 'leaf')];
  let size = parts[0]!.length;
  const prefix = (...bytes: Buffer[]) => {
    const b = Buffer.concat(bytes);
    size += b.length;
    parts.push(b);
  };
  for (let i = 0; i < depth; i++) {
    if (rng.chance(0.5)) {
      prefix(pb.tag(1, 2), pb.varint(size)); // ArrayValue.values
      prefix(pb.tag(5, 2), pb.varint(size)); // AnyValue.array_value
    } else {
      prefix(pb.str(1, 'k'), pb.tag(2, 2), pb.varint(size)); // KeyValue { key, value }
      prefix(pb.tag(1, 2), pb.varint(size)); // KeyValueList.values
      prefix(pb.tag(6, 2), pb.varint(size)); // AnyValue.kvlist_value
    }
  }
  return Buffer.concat(parts.reverse());
}

/** A request of one span (or log) with a deeply nested attribute (or body), written by hand. */
function deepProtobuf(signal: 'traces' | 'logs', marker: string, depth: number, rng: Rng): Buffer {
  const deep = deepAnyValue(depth, rng);
  const resource = pb.len(1, pb.len(1, pb.attr('service.name', pb.str(1, `${marker} deep`))));
  if (signal === 'traces') {
    const span = Buffer.concat([pb.str(1, rng.bytes(16)), pb.str(2, rng.bytes(8)), pb.str(5, `${marker} deep span`), pb.uint(6, 1), pb.fixed64(7, nanos(0)), pb.fixed64(8, nanos(1)), pb.len(9, pb.attr('deep', deep))]);
    return pb.len(1, Buffer.concat([resource, pb.len(2, pb.len(2, span))]));
  }
  const record = Buffer.concat([pb.fixed64(1, nanos(0)), pb.uint(2, 9), pb.len(5, deep), pb.len(6, pb.attr('fuzz.marker', pb.str(1, `${marker} deep log`))), pb.fixed64(11, nanos(1))]);
  return pb.len(1, Buffer.concat([resource, pb.len(2, pb.len(2, record))]));
}

/** OTLP/JSON text of the same shape, nested `depth` deep. */
function deepJson(depth: number, rng: Rng): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    if (rng.chance(0.5)) {
      open.push('{"arrayValue":{"values":[');
      close.push(']}}');
    } else {
      open.push('{"kvlistValue":{"values":[{"key":"k","value":');
      close.push('}]}}');
    }
  }
  return `${open.join('')}{"stringValue":"leaf"}${close.reverse().join('')}`;
}

// ---------------------------------------------------------------- mutations

interface Mutated {
  body: Buffer;
  /** What was done, for the report. */
  mutation: string;
  /** The mutation keeps the request valid with its marker where it was: if accepted, the marker must be stored. */
  keeps: boolean;
}

const splice = (b: Buffer, at: number, remove: number, insert: Buffer) => Buffer.concat([b.subarray(0, at), insert, b.subarray(at + remove)]);

/** Mutations that know nothing of the format. */
function byteMutation(body: Buffer, rng: Rng): Mutated {
  const len = body.length;
  switch (rng.int(4)) {
    case 0: {
      const out = Buffer.from(body);
      const at: number[] = [];
      for (let k = rng.range(1, 8); k > 0 && len > 0; k--) {
        const i = rng.int(len);
        out[i] = out[i]! ^ rng.range(1, 255);
        at.push(i);
      }
      return { body: out, mutation: `flip@${at.join(',')}`, keeps: false };
    }
    case 1: {
      const cut = rng.int(len + 1);
      return { body: body.subarray(0, cut), mutation: `truncate@${cut}`, keeps: false };
    }
    case 2: {
      const from = rng.int(len + 1);
      const size = rng.range(1, Math.max(1, Math.min(len - from, 512)));
      const to = rng.int(len + 1);
      return { body: splice(body, to, 0, body.subarray(from, from + size)), mutation: `duplicate[${from}+${size}]@${to}`, keeps: false };
    }
    default: {
      const to = rng.int(len + 1);
      const inserted = rng.bytes(rng.range(1, 16));
      return { body: splice(body, to, 0, inserted), mutation: `insert(${inserted.toString('hex')})@${to}`, keeps: false };
    }
  }
}

/** One to three byte mutations, stacked. */
function byteMutations(body: Buffer, rng: Rng): Mutated {
  let out: Mutated = { body, mutation: '', keeps: false };
  const steps: string[] = [];
  for (let k = rng.chance(0.7) ? 1 : rng.range(2, 3); k > 0; k--) {
    out = byteMutation(out.body, rng);
    steps.push(out.mutation);
  }
  return { body: out.body, mutation: steps.join('+'), keeps: false };
}

const INVALID_UTF8 = [Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0x80]), Buffer.from([0xed, 0xa0, 0xbd]), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from([0xc0, 0xaf])];
const LONE_SURROGATES = ['\\ud83d', '\\udc00', '\\udfff\\ud800', '\\ud83d\\ud83d'];

/** Bytes inside the string right after the first marker (every seed string starts with one and goes on for a few characters). */
function afterMarker(body: Buffer, marker: string): number | undefined {
  const i = body.indexOf(marker);
  return i === -1 ? undefined : i + marker.length;
}

/** The request's content over the limit: the same message repeated (protobuf merges repeated fields). */
function repeatPast(body: Buffer, bytes: number): Buffer {
  return Buffer.concat(Array.from({ length: Math.ceil(bytes / Math.max(1, body.length)) + 1 }, () => body));
}

const HUGE_VARINTS = [
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]),
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0x07]),
  Buffer.from([0x81, 0x80, 0x80, 0x80, 0x00]),
];
/** ns values for a fixed64 time: past 2262 (DateTime64(9)'s end), its last ns, zero, one. */
const TIMES_OUT_OF_RANGE = [0xffffffffffffffffn, 1n << 63n, (1n << 63n) - 1n, 0n, 1n, 253402300800000000000n % (1n << 64n)];

function protobufMutation(seed: OtlpSeed, index: number, rng: Rng): Mutated {
  const marker = markerOf(index);
  const body = instantiate(seed, 'protobuf', index, rng);
  const kind = rng.int(100);
  if (kind < 5) return { body, mutation: 'none', keeps: true };
  if (kind < 50) return byteMutations(body, rng);
  if (kind < 58) {
    const at = afterMarker(body, marker)!;
    const bad = rng.pick(INVALID_UTF8);
    return { body: splice(body, at, bad.length, bad), mutation: `invalid-utf8(${bad.toString('hex')})@${at}`, keeps: true };
  }
  if (kind < 66) {
    // A length prefix made huge: the top-level one, or the one of the string holding the marker.
    const huge = rng.pick(HUGE_VARINTS);
    if (rng.chance(0.3)) {
      let end = 1;
      while (body[end]! & 0x80) end++;
      return { body: splice(body, 1, end, huge), mutation: `huge-length(top,${huge.toString('hex')})`, keeps: false };
    }
    const at = body.indexOf(marker) - 1;
    return { body: splice(body, at, 1, huge), mutation: `huge-length(${huge.toString('hex')})@${at}`, keeps: false };
  }
  if (kind < 70) {
    // An unknown varint field with an overlong varint, somewhere.
    const at = rng.int(body.length + 1);
    const field = Buffer.concat([pb.tag(rng.range(16, 2000), 0), rng.pick(HUGE_VARINTS)]);
    return { body: splice(body, at, 0, field), mutation: `huge-varint(${field.toString('hex')})@${at}`, keeps: false };
  }
  if (kind < 78) {
    const time = rng.pick(seed.times);
    const value = rng.pick(TIMES_OUT_OF_RANGE);
    const from = Buffer.alloc(8);
    from.writeBigUInt64LE(time);
    const to = Buffer.alloc(8);
    to.writeBigUInt64LE(value);
    const out = Buffer.from(body);
    overwriteAll(out, from, to);
    return { body: out, mutation: `time(${time}→${value})`, keeps: false };
  }
  if (kind < 84) {
    const depth = rng.pick([1, 2, 29, 30, 31, 32, 64, 1000, 12000]);
    return { body: deepProtobuf(seed.signal, marker, depth, rng), mutation: `deep(${depth})`, keeps: true };
  }
  if (kind < 88) {
    const times = rng.range(2, 4);
    return { body: Buffer.concat(Array.from({ length: times }, () => body)), mutation: `repeated×${times}`, keeps: true };
  }
  if (kind < 92) return { body: repeatPast(body, MAX_BODY), mutation: 'over-limit', keeps: false };
  if (kind < 95) return { body: Buffer.alloc(0), mutation: 'empty', keeps: false };
  return { body: rng.bytes(rng.range(1, 2048)), mutation: 'random-bytes', keeps: false };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Slot {
  parent: Json[] | { [key: string]: Json };
  key: string | number;
}

/** Every place in a JSON document a value sits. */
function slots(doc: Json): Slot[] {
  const out: Slot[] = [];
  const stack: Json[] = [doc];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (Array.isArray(v)) v.forEach((child, i) => (out.push({ parent: v, key: i }), stack.push(child)));
    else if (v !== null && typeof v === 'object') for (const [k, child] of Object.entries(v)) out.push({ parent: v, key: k }), stack.push(child);
  }
  return out;
}
const setSlot = (s: Slot, value: Json) => ((s.parent as Record<string | number, Json>)[s.key] = value);

const WRONG_TYPES: Json[] = [null, true, false, 0, -1, 1.5, 'x', '', [], {}, [[]], { a: 1 }, [1, 'two']];
const OTLP_NUMBER_KEYS = new Set(['startTimeUnixNano', 'endTimeUnixNano', 'timeUnixNano', 'observedTimeUnixNano', 'intValue', 'doubleValue', 'kind', 'code', 'severityNumber', 'flags', 'droppedAttributesCount', 'droppedEventsCount', 'droppedLinksCount']);
const OUT_OF_RANGE: Json[] = ['99999999999999999999', '9223372036854775808', '9223372036854775807', '-9223372036854775809', '18446744073709551616', '-1', '1.5', '0x10', 'NaN', 'Infinity', ' 1', '1e3', 9223372036854775807, 1e21, 1e308, -1, 1.5, 2 ** 53 + 1, -0];
/** Number literals JSON.stringify cannot write. */
const RAW_NUMBERS = ['1e400', '-1e400', '123456789012345678901234567890', '9223372036854775808', '-0', '1.0e19', '0.000000000000000000000000001'];
const BAD_IDS: Json[] = ['', 'zz', '0'.repeat(32), '0'.repeat(16), 'ab'.repeat(15), 'ab'.repeat(17), 'AAECAwQFBgcICQoLDA0ODw==', 'g'.repeat(32), 123, null];

function jsonMutation(seed: OtlpSeed, index: number, rng: Rng): Mutated {
  const marker = markerOf(index);
  const body = instantiate(seed, 'json', index, rng);
  const kind = rng.int(100);
  if (kind < 5) return { body, mutation: 'none', keeps: true };
  if (kind < 35) return byteMutations(body, rng);
  if (kind < 42) {
    const at = afterMarker(body, marker)!;
    const s = rng.pick(LONE_SURROGATES);
    return { body: splice(body, at, 0, Buffer.from(s)), mutation: `surrogate(${s})@${at}`, keeps: true };
  }
  if (kind < 46) {
    const at = afterMarker(body, marker)!;
    const bad = rng.pick(INVALID_UTF8);
    return { body: splice(body, at, 0, bad), mutation: `invalid-utf8(${bad.toString('hex')})@${at}`, keeps: true };
  }
  const doc = JSON.parse(body.toString('utf8')) as Json;
  const all = slots(doc);
  const text = (mutation: string, keeps = false, raw?: string) => {
    let out = JSON.stringify(doc);
    if (raw !== undefined) out = out.replace('"__RAW__"', raw);
    return { body: Buffer.from(out), mutation, keeps };
  };
  if (kind < 54) {
    // Deep nesting in an attribute value or a log body.
    const values = all.filter((s) => s.key === 'value' || s.key === 'body');
    const slot = rng.pick(values);
    const depth = rng.pick([1, 2, 29, 30, 31, 100, 3000, 12000]);
    setSlot(slot, '__RAW__');
    return text(`deep(${depth})@${String(slot.key)}`, true, deepJson(depth, rng));
  }
  if (kind < 66) {
    const numeric = all.filter((s) => OTLP_NUMBER_KEYS.has(String(s.key)));
    const slot = rng.pick(numeric.length > 0 ? numeric : all);
    if (rng.chance(0.25)) {
      const raw = rng.pick(RAW_NUMBERS);
      setSlot(slot, '__RAW__');
      return text(`number(${String(slot.key)}=${raw})`, false, raw);
    }
    const value = rng.pick(OUT_OF_RANGE);
    setSlot(slot, value);
    return text(`number(${String(slot.key)}=${JSON.stringify(value)})`);
  }
  if (kind < 78) {
    const slot = rng.pick(all);
    const value = rng.pick(WRONG_TYPES);
    setSlot(slot, value);
    return text(`type(${String(slot.key)}=${JSON.stringify(value)})`);
  }
  if (kind < 84) {
    const objects = all.filter((s) => typeof s.key === 'string');
    const slot = rng.pick(objects);
    delete (slot.parent as Record<string, Json>)[slot.key];
    return text(`drop(${String(slot.key)})`);
  }
  if (kind < 88) {
    const idSlots = all.filter((s) => /^(traceId|spanId|parentSpanId)$/.test(String(s.key)));
    const slot = rng.pick(idSlots);
    const value = rng.pick(BAD_IDS);
    setSlot(slot, value);
    return text(`id(${String(slot.key)}=${JSON.stringify(value)})`);
  }
  if (kind < 91) {
    // The request's resources repeated: a few times (valid), or past the limit.
    const key = seed.signal === 'traces' ? 'resourceSpans' : 'resourceLogs';
    const list = (doc as Record<string, Json[]>)[key]!;
    const times = rng.chance(0.5) ? rng.range(2, 4) : Math.ceil(MAX_BODY / body.length) + 1;
    (doc as Record<string, Json>)[key] = Array.from({ length: times }, () => list).flat();
    return text(`repeated×${times}`, times <= 4);
  }
  const trivial = rng.pick(['', ' ', '{}', '[]', 'null', '0', '"x"', '{"resourceSpans":null}', '{"resourceLogs":[{}]}', '{"resourceSpans":[{"scopeSpans":[{"spans":[{}]}]}]}', '\ufeff{}', '{"a":'.repeat(5000)]);
  return { body: Buffer.from(trivial), mutation: `trivial(${JSON.stringify(trivial.slice(0, 40))})`, keeps: false };
}

// ---------------------------------------------------------------- Workato mutations

const DATE = /^\d{4}-\d\d-\d\d/;
const BAD_DATES: Json[] = ['not a date', '2022-13-45T25:61:00Z', '9999-12-31T23:59:59Z', '+275760-09-13T00:00:00.000Z', '2262-04-12T00:00:00Z', '1969-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '', 1e21, -1, null, {}, []];

function workatoRequest(index: number, rng: Rng): Mutated & { contentType: string } {
  const marker = markerOf(index);
  const shape = rng.pick(['object', 'object', 'array', 'ndjson'] as const);
  const seeds = shape === 'object' ? [rng.pick(WORKATO_SEEDS)] : Array.from({ length: rng.range(2, 5) }, () => rng.pick(STRICT_WORKATO));
  const mark = (text: string) => text.replaceAll(PLACEHOLDER, marker);
  const docs = seeds.map((s) => (s.strict === undefined ? undefined : (JSON.parse(mark(s.text)) as Json)));
  const write = (items: Json[]) =>
    shape === 'object' ? JSON.stringify(items[0] ?? null, null, 2) : shape === 'array' ? JSON.stringify(items) : items.map((i) => JSON.stringify(i)).join('\n') + '\n';
  const original = shape === 'object' ? mark(seeds[0]!.text) : write(docs as Json[]);
  const body = Buffer.from(original);
  const contentType = shape === 'ndjson' ? 'application/x-ndjson' : 'application/json';
  const result = (m: Mutated) => ({ ...m, mutation: `${shape}[${seeds.map((s) => s.file.slice(0, 2)).join(',')}] ${m.mutation}`, contentType });

  const kind = rng.int(100);
  const structured = docs.every((d) => d !== undefined);
  if (kind < 8) return result({ body, mutation: 'none', keeps: true });
  if (kind < 40 || (!structured && kind < 70)) return result(byteMutations(body, rng));
  if (kind < 46) {
    const at = afterMarker(body, marker)!;
    const s = rng.pick(LONE_SURROGATES);
    return result({ body: splice(body, at, 0, Buffer.from(s)), mutation: `surrogate(${s})@${at}`, keeps: true });
  }
  if (kind < 50) {
    const at = afterMarker(body, marker)!;
    const bad = rng.pick(INVALID_UTF8);
    return result({ body: splice(body, at, 0, bad), mutation: `invalid-utf8(${bad.toString('hex')})@${at}`, keeps: true });
  }
  if (kind < 54 && shape === 'object') {
    // What exports carry: trailing commas and zero-padded numbers, repaired.
    const repaired = rng.chance(0.5) ? original.replace(/("[^"]*"|\d)(\s*\n\s*)\}/, '$1,$2}') : original.replace(/(":\s*)([1-9]\d*)([,\n])/, (_m, before: string, digits: string, after: string) => `${before}00${digits}${after}`);
    return result({ body: Buffer.from(repaired), mutation: 'export-quirks', keeps: true });
  }
  if (!structured) return result({ body: Buffer.alloc(0), mutation: 'empty', keeps: false });
  const items = docs as Json[];
  const all = slots(items);
  if (all.length === 0) return result(byteMutations(body, rng));
  if (kind < 62) {
    const dates = all.filter((s) => typeof (s.parent as Record<string | number, Json>)[s.key] === 'string' && DATE.test((s.parent as Record<string | number, string>)[s.key]!));
    const slot = rng.pick(dates.length > 0 ? dates : all);
    const value = rng.pick(BAD_DATES);
    setSlot(slot, value);
    return result({ body: Buffer.from(write(items)), mutation: `date(${String(slot.key)}=${JSON.stringify(value)})`, keeps: false });
  }
  if (kind < 74) {
    const slot = rng.pick(all);
    const value = rng.pick(WRONG_TYPES);
    setSlot(slot, value);
    return result({ body: Buffer.from(write(items)), mutation: `type(${String(slot.key)}=${JSON.stringify(value)})`, keeps: false });
  }
  if (kind < 80) {
    const objects = all.filter((s) => typeof s.key === 'string');
    const slot = rng.pick(objects.length > 0 ? objects : all);
    if (typeof slot.key === 'string') delete (slot.parent as Record<string, Json>)[slot.key];
    else (slot.parent as Json[]).splice(slot.key, 1);
    return result({ body: Buffer.from(write(items)), mutation: `drop(${String(slot.key)})`, keeps: false });
  }
  if (kind < 86) {
    // A value nested deep: arrays or objects, in any field.
    const slot = rng.pick(all);
    const depth = rng.pick([31, 1000, 20000, 100000]);
    const deep = rng.chance(0.5) ? `${'['.repeat(depth)}"${marker} deep"${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}"${marker} deep"${'}'.repeat(depth)}`;
    setSlot(slot, '__DEEP__');
    return result({ body: Buffer.from(write(items).replace('"__DEEP__"', deep)), mutation: `deep(${depth})@${String(slot.key)}`, keeps: false });
  }
  if (kind < 90) {
    const times = rng.chance(0.6) ? rng.range(2, 20) : Math.ceil(MAX_BODY / body.length) + 1;
    const lines = Array.from({ length: times }, () => items.map((i) => JSON.stringify(i)).join('\n')).join('\n');
    return { body: Buffer.from(lines), mutation: `ndjson×${times}[${seeds.map((s) => s.file.slice(0, 2)).join(',')}]`, keeps: times <= 20, contentType: 'application/x-ndjson' };
  }
  const trivial = rng.pick(['', ' \n ', 'null', '[]', '[1,2]', '"x"', '[{}, 3]', '{}', '[[]]', '{"log":null}', '{"Log_Str":"{\\"id\\":"}', '\n\n{"a":1}\n[', '{"a":'.repeat(5000)]);
  return result({ body: Buffer.from(trivial), mutation: `trivial(${JSON.stringify(trivial.slice(0, 40))})`, keeps: false });
}

// ---------------------------------------------------------------- requests

interface FuzzRequest {
  index: number;
  family: Family;
  /** /v1/traces, /v1/logs, /ingest/workato, or the gRPC method. */
  target: string;
  seed: string;
  mutation: string;
  body: Buffer;
  headers: Record<string, string>;
  /** The body as the collector reads it (after decompression), or undefined when it cannot be read. */
  plain: Buffer | undefined;
  keeps: boolean;
  grpc?: { compressed: boolean; authorization: string | undefined };
}

const CONTENT_TYPES = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** Content types and encodings, on top of the body's mutation: most requests are sent as exporters send them. */
function transport(req: FuzzRequest, rng: Rng, workato: boolean): void {
  if (!rng.chance(0.3)) return;
  const choice = rng.int(12);
  const note = (what: string): void => {
    req.mutation += ` | ${what}`;
  };
  switch (choice) {
    case 0:
    case 1:
      req.body = gzipSync(req.body);
      req.headers['content-encoding'] = 'gzip';
      return note('gzip');
    case 2:
      req.body = deflateSync(req.body);
      req.headers['content-encoding'] = 'deflate';
      return note('deflate');
    case 3: {
      // gzip of garbage, or garbage said to be gzip.
      const garbage = rng.bytes(rng.range(1, 4096));
      req.body = rng.chance(0.5) ? gzipSync(garbage) : Buffer.concat([Buffer.from([0x1f, 0x8b]), garbage]);
      req.plain = rng.chance(0.5) ? garbage : undefined;
      req.keeps = false;
      req.headers['content-encoding'] = 'gzip';
      return note('gzip-garbage');
    }
    case 4: {
      const gz = gzipSync(req.body);
      req.body = gz.subarray(0, rng.int(gz.length));
      req.keeps = false;
      req.headers['content-encoding'] = 'gzip';
      return note('gzip-truncated');
    }
    case 5: {
      // A bomb: small on the wire, over the limit once inflated.
      req.body = gzipSync(repeatPast(req.body, 2 * MAX_BODY));
      req.keeps = false;
      req.headers['content-encoding'] = 'gzip';
      return note('gzip-bomb');
    }
    case 6: {
      const encoding = rng.pick(['br', 'compress', 'zstd', 'gzip, br', 'x-gzip', 'GZIP']);
      req.headers['content-encoding'] = encoding;
      req.keeps = false;
      return note(`content-encoding:${encoding}`);
    }
    case 7:
      delete req.headers['content-type'];
      req.keeps = false;
      return note('no-content-type');
    default: {
      const type = rng.pick(
        workato
          ? ['application/xml', 'multipart/form-data', 'application/x-protobuf', 'text/plain', 'application/x-ndjson', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/html']
          : ['text/plain', 'application/xml', 'application/protobuf', 'application/json; charset=utf-8', 'application/x-protobuf; proto=x', 'APPLICATION/JSON', CONTENT_TYPES.json, CONTENT_TYPES.protobuf],
      );
      req.headers['content-type'] = type;
      req.keeps = false;
      return note(`content-type:${type}`);
    }
  }
}

/** Request `index` of the run: a pure function of the seed and the index. */
function build(index: number, key: string): FuzzRequest {
  const rng = new Rng(SEED, index);
  const family = FAMILIES.find((f) => index >= f.from && index < f.from + f.count)!.family;
  const auth = { authorization: `Bearer ${key}` };
  if (family === 'workato') {
    const m = workatoRequest(index, rng);
    const req: FuzzRequest = { index, family, target: '/ingest/workato', seed: 'workato', mutation: m.mutation, body: m.body, plain: m.body, keeps: m.keeps, headers: { ...auth, 'content-type': m.contentType } };
    transport(req, rng, true);
    return req;
  }
  const seed = rng.pick(OTLP_SEEDS);
  const encoding = family === 'json' ? 'json' : 'protobuf';
  const m = encoding === 'json' ? jsonMutation(seed, index, rng) : protobufMutation(seed, index, rng);
  const req: FuzzRequest = { index, family, target: `/v1/${seed.signal}`, seed: seed.name, mutation: m.mutation, body: m.body, plain: m.body, keeps: m.keeps, headers: { ...auth, 'content-type': CONTENT_TYPES[encoding] } };
  if (family === 'grpc') {
    req.target = seed.signal === 'traces' ? TRACES : LOGS;
    const compressed = rng.chance(0.25);
    let authorization: string | undefined = auth.authorization;
    if (rng.chance(0.05)) {
      authorization = rng.pick([undefined, `Bearer ${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`, `Basic ${key}`, 'Bearer ', key]);
      req.keeps = false;
      req.mutation += ` | authorization:${authorization === undefined ? 'none' : authorization.replace(key.slice(8), '…')}`;
    }
    if (compressed) req.mutation += ' | grpc-encoding:gzip';
    req.grpc = { compressed, authorization };
    return req;
  }
  transport(req, rng, false);
  return req;
}

// ---------------------------------------------------------------- sending

interface Outcome {
  index: number;
  family: Family;
  target: string;
  seed: string;
  mutation: string;
  /** HTTP status, gRPC code, or what went wrong on the client. */
  status: number | string;
  accepted: boolean;
  keeps: boolean;
  /** Markers in the body as read by the collector (what an accepted request may store). */
  markers: string[];
}

const markersIn = (plain: Buffer | undefined) => (plain === undefined ? [] : [...new Set(plain.toString('latin1').match(new RegExp(MARKER_PATTERN, 'g')) ?? [])]);

/** The body the collector reads: inflated when the request says so and it inflates. */
function readable(req: FuzzRequest): Buffer | undefined {
  const encoding = req.headers['content-encoding'];
  if (encoding === undefined) return req.plain;
  try {
    if (encoding === 'gzip') return gunzipSync(req.body);
    if (encoding === 'deflate') return inflateSync(req.body);
  } catch {
    return undefined;
  }
  return req.body; // an unsupported encoding: read as is, if at all
}

async function sendHttp(url: string, req: FuzzRequest): Promise<number | string> {
  try {
    const res = await fetch(`${url}${req.target}`, { method: 'POST', body: req.body, headers: req.headers, signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return `fetch failed: ${cause?.code ?? (err as Error).message}`;
  }
}

function sendGrpc(clients: { plain: Client; gzip: Client }, req: FuzzRequest): Promise<number> {
  const metadata = new Metadata();
  if (req.grpc!.authorization !== undefined) metadata.set('authorization', req.grpc!.authorization);
  const client = req.grpc!.compressed ? clients.gzip : clients.plain;
  return new Promise((resolve) => {
    client.makeUnaryRequest(req.target, (b: Buffer) => b, (b: Buffer) => b, req.body, metadata, { deadline: Date.now() + 30_000 }, (err: ServiceError | null) =>
      resolve(err ? err.code : Status.OK),
    );
  });
}

async function pool(indices: number[], concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < indices.length) await work(indices[next++]!);
    }),
  );
}

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)/.exec(line)![1]) * 1024;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const describeOutcome = (o: Outcome) => `#${o.index} ${o.family} ${o.target} ${o.seed} ${o.mutation} → ${o.status}`;

// ---------------------------------------------------------------- the run, once

const dir = tempDir('flowtrace-e2e-fuzz-');
let flowtrace: RunningFlowtrace | undefined;
const outcomes: Outcome[] = [];
const warmUp: Outcome[] = [];
const rss = { baseline: 0, after: 0 };
/** ms from the start of the run to the end of each phase. */
const phases = { started: 0, warmedUp: 0, fuzzed: 0 };
let aliveAfter = false;
let validAfter: number | string = 'not sent';
let exitCode: number | null | undefined;
let stored = new Set<string>();
let key = '';
/** The server's own log lines of level error. */
let serverErrors: string[] = [];
const DUMP_DIR = join(tmpdir(), `flowtrace-fuzz-${SEED}`);

afterAll(async () => {
  if (flowtrace && exitCode === undefined) await flowtrace.stop();
  dir.remove();
});

beforeAll(async () => {
  console.log(`fuzz seed ${SEED} (replay with FLOWTRACE_FUZZ_SEED=${SEED})`);
  const started = Date.now();
  const running = await startFlowtrace(dir.path, {
    FLOWTRACE_MAX_BODY_BYTES: String(MAX_BODY),
    FLOWTRACE_WORKATO_MAX_BODY_BYTES: String(MAX_BODY),
    FLOWTRACE_TTL_DAYS: '0',
    FLOWTRACE_LOG_LEVEL: 'warn',
  });
  flowtrace = running;
  phases.started = Date.now() - started;
  const admin = { authorization: `Bearer ${running.adminToken}`, 'content-type': 'application/json' };
  const project = (await (await fetch(`${running.apiUrl}/admin/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'fuzz' }) })).json()) as { id: string };
  key = ((await (await fetch(`${running.apiUrl}/admin/projects/${project.id}/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'fuzz' }) })).json()) as { key: string }).key;
  const clients = {
    plain: new Client(running.otlpGrpcAddress, credentials.createInsecure()),
    gzip: new Client(running.otlpGrpcAddress, credentials.createInsecure(), { 'grpc.default_compression_algorithm': compressionAlgorithms.gzip }),
  };

  const record = (req: FuzzRequest, status: number | string, into: Outcome[]) => {
    const accepted = status === 200 || (req.family === 'grpc' && status === Status.OK);
    into.push({ index: req.index, family: req.family, target: req.target, seed: req.seed, mutation: req.mutation, status, accepted, keeps: req.keeps, markers: accepted ? markersIn(readable(req)) : [] });
  };
  const send = async (req: FuzzRequest, into: Outcome[]) => record(req, req.grpc ? await sendGrpc(clients, req) : await sendHttp(running.otlpUrl, req), into);

  try {
    // Warm-up: every seed as it is, over every transport (markers from 900000 on).
    let warm = 900_000;
    const valid = (family: Family, seed: OtlpSeed, encoding: 'protobuf' | 'json'): FuzzRequest => {
      const index = warm++;
      const body = instantiate(seed, encoding, index, new Rng(SEED, index));
      const grpc = family === 'grpc';
      return {
        index,
        family,
        target: grpc ? (seed.signal === 'traces' ? TRACES : LOGS) : `/v1/${seed.signal}`,
        seed: seed.name,
        mutation: 'none',
        body,
        plain: body,
        keeps: true,
        headers: { authorization: `Bearer ${key}`, 'content-type': CONTENT_TYPES[encoding] },
        ...(grpc ? { grpc: { compressed: false, authorization: `Bearer ${key}` } } : {}),
      };
    };
    const warmRequests: FuzzRequest[] = [];
    for (let round = 0; round < 3; round++) {
      for (const seed of OTLP_SEEDS) warmRequests.push(valid('protobuf', seed, 'protobuf'), valid('json', seed, 'json'), valid('grpc', seed, 'protobuf'));
    }
    for (const seed of WORKATO_SEEDS) {
      const index = warm++;
      const body = Buffer.from(seed.text.replaceAll(PLACEHOLDER, markerOf(index)));
      warmRequests.push({ index, family: 'workato', target: '/ingest/workato', seed: seed.file, mutation: 'none', body, plain: body, keeps: true, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
    }
    await pool(warmRequests.map((_, i) => i), CONCURRENCY, (i) => send(warmRequests[i]!, warmUp));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    rss.baseline = rssBytes(running.pid);
    phases.warmedUp = Date.now() - started;

    // The fuzz: every family, interleaved.
    const indices = FAMILIES.flatMap((f) => Array.from({ length: f.count }, (_, i) => f.from + i));
    const order = indices.map((index) => ({ index, at: new Rng(SEED ^ 0x5bd1e995, index).next() })).sort((a, b) => a.at - b.at).map((x) => x.index);
    await pool(order, CONCURRENCY, async (index) => {
      let req: FuzzRequest;
      try {
        req = build(index, key);
      } catch (err) {
        // A bug of this test, not of the collector: reported as an outcome that fails the status checks.
        const family = FAMILIES.find((f) => index >= f.from && index < f.from + f.count)!.family;
        outcomes.push({ index, family, target: '?', seed: '?', mutation: '?', status: `test harness failed: ${(err as Error).stack}`, accepted: false, keeps: false, markers: [] });
        return;
      }
      await send(req, outcomes);
    });
    outcomes.sort((a, b) => a.index - b.index);
    phases.fuzzed = Date.now() - started;

    await new Promise((resolve) => setTimeout(resolve, 2000));
    aliveAfter = alive(running.pid);
    if (aliveAfter) {
      rss.after = rssBytes(running.pid);
      const after: Outcome[] = [];
      await send(valid('protobuf', OTLP_SEEDS[0]!, 'protobuf'), after);
      warmUp.push(...after);
      validAfter = after[0]!.status;
    }
  } finally {
    clients.plain.close();
    clients.gzip.close();
    exitCode = await running.stop();
    serverErrors = running
      .stderr()
      .split('\n')
      .filter((line) => /"level":"(error|fatal)"/.test(line));
  }

  // One process per data directory: the store is opened once flowtrace has exited.
  const { store } = await openStore({ dataDir: dir.path, ttlDays: 0 });
  try {
    const traces = `concat(SpanName, '\\n', ServiceName, '\\n', StatusMessage, '\\n', toJSONString(ResourceAttributes), '\\n', toJSONString(SpanAttributes), '\\n', toJSONString(Events.Name), '\\n', toJSONString(Events.Attributes), '\\n', toJSONString(Links.Attributes))`;
    const logs = `concat(Body, '\\n', ServiceName, '\\n', EventName, '\\n', toJSONString(ResourceAttributes), '\\n', toJSONString(LogAttributes), '\\n', toJSONString(ScopeAttributes))`;
    for (const [table, text] of [[TABLES.traces, traces], [TABLES.logs, logs]] as const) {
      const rows = await store.select<{ marker: string }>(
        'test.fuzz',
        `SELECT DISTINCT arrayJoin(extractAll(${text}, '${MARKER_PATTERN}')) AS marker FROM ${table} WHERE ProjectId = {projectId:String}`,
        { projectId: project.id },
      );
      for (const r of rows) stored.add(r.marker);
    }
  } finally {
    await store.close();
  }

  printFigures(Date.now() - started);
}, 300_000);

function printFigures(ms: number): void {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(`${o.family} ${o.status}`, (counts.get(`${o.family} ${o.status}`) ?? 0) + 1);
  const table = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `  ${k}: ${n}`);
  const s = (t: number) => `${(t / 1000).toFixed(1)} s`;
  const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
  console.log(
    [
      `fuzz seed ${SEED}: ${outcomes.length} requests (+${warmUp.length} valid), concurrency ${CONCURRENCY}; started ${s(phases.started)}, warmed up ${s(phases.warmedUp)}, fuzzed ${s(phases.fuzzed)}, store read ${s(ms)}`,
      ...table,
      `RSS baseline ${mib(rss.baseline)}, ~2 s after the run ${mib(rss.after)}`,
      `alive after the run: ${aliveAfter}, a valid request after it: ${validAfter}, exit code: ${exitCode}`,
      `markers stored: ${stored.size}`,
      `server log, level error: ${serverErrors.length} lines${serverErrors.length > 0 ? `, written to ${join(DUMP_DIR, 'flowtrace-errors.log')}; the first: ${serverErrors[0]!.slice(0, 1000)}` : ''}`,
    ].join('\n'),
  );
  if (serverErrors.length > 0) {
    mkdirSync(DUMP_DIR, { recursive: true });
    writeFileSync(join(DUMP_DIR, 'flowtrace-errors.log'), serverErrors.join('\n'));
  }
}

/** Writes the requests behind a failure to DUMP_DIR (body and headers), to be sent again; returns their descriptions. */
function dump(failures: Outcome[]): string[] {
  if (failures.length === 0) return [];
  mkdirSync(DUMP_DIR, { recursive: true });
  for (const o of failures.slice(0, 50)) {
    if (o.index >= 900_000) continue;
    const req = build(o.index, key);
    writeFileSync(join(DUMP_DIR, `${o.index}.body`), req.body);
    writeFileSync(join(DUMP_DIR, `${o.index}.json`), JSON.stringify({ seed: SEED, index: o.index, target: req.target, headers: { ...req.headers, authorization: 'Bearer <key>' }, mutation: req.mutation, grpc: req.grpc && { ...req.grpc, authorization: req.grpc.authorization && '<…>' }, status: o.status }, null, 2));
  }
  console.log(`requests behind the failure in ${DUMP_DIR}`);
  return failures.map(describeOutcome);
}

// ---------------------------------------------------------------- the answers

describe(`the collector under fuzzed input (FLOWTRACE_FUZZ_SEED=${SEED})`, () => {
  it('accepts every seed as it is, on every transport', () => {
    expect(warmUp.filter((o) => !o.accepted).map(describeOutcome)).toEqual([]);
  });

  it('answers every mutated OTLP/HTTP and Workato request 200, 400, 413 or 415', () => {
    const http = outcomes.filter((o) => o.family !== 'grpc');
    expect(http.length).toBe(FAMILIES.filter((f) => f.family !== 'grpc').reduce((n, f) => n + f.count, 0));
    expect(dump(http.filter((o) => typeof o.status !== 'number' || !HTTP_STATUSES.has(o.status)))).toEqual([]);
  });

  it('answers every mutated OTLP/gRPC call OK, INVALID_ARGUMENT, RESOURCE_EXHAUSTED or UNAUTHENTICATED', () => {
    const grpc = outcomes.filter((o) => o.family === 'grpc');
    expect(grpc.length).toBe(FAMILIES.find((f) => f.family === 'grpc')!.count);
    expect(dump(grpc.filter((o) => typeof o.status !== 'number' || !GRPC_CODES.has(o.status)))).toEqual([]);
  });

  it('is still running after the run and stores a valid request', () => {
    expect({ aliveAfter, validAfter }).toEqual({ aliveAfter: true, validAfter: 200 });
  });

  it('then shuts down cleanly', () => {
    expect(exitCode).toBe(0);
  });

  it('stores nothing of a refused request', () => {
    // A stored marker must be in the body of an accepted request (a mutation may have turned one marker into another).
    const acceptedMarkers = new Set([...outcomes, ...warmUp].filter((o) => o.accepted).flatMap((o) => o.markers));
    const leaked = [...stored].filter((m) => !acceptedMarkers.has(m)).sort();
    const byMarker = new Map(outcomes.map((o) => [markerOf(o.index), o]));
    expect(dump(leaked.map((m) => byMarker.get(m)).filter((o): o is Outcome => o !== undefined)), `stored markers of refused requests: ${leaked.join(', ')}`).toEqual([]);
    expect(leaked).toEqual([]);
  });

  it('stores the marker of every accepted request whose mutation kept it', () => {
    const missing = [...warmUp, ...outcomes].filter((o) => o.accepted && o.keeps && !stored.has(markerOf(o.index)));
    expect(dump(missing)).toEqual([]);
  });

  it(`comes back within ${RSS_SLACK_BYTES / 1048576} MiB of its warmed-up memory (RSS)`, () => {
    expect(rss.baseline).toBeGreaterThan(0);
    expect(rss.after).toBeGreaterThan(0);
    expect(rss.after).toBeLessThan(rss.baseline + RSS_SLACK_BYTES);
  });
});
