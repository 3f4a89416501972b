/**
 * OTLP protobuf straight from the wire into rows: an ExportTraceServiceRequest
 * or ExportLogsServiceRequest is read field by field from the request's bytes,
 * with no message objects in between, into exactly the rows, rejections and
 * validation errors that decoding it with protobufjs and walking the result
 * (`spansFromRequest` / `logsFromRequest` with 'protobuf') gives; the parity
 * tests check that against the official serializers and protobufjs.
 *
 * It reads what protobufjs reads the way protobufjs reads it: a repeated field
 * appends, a singular one seen twice keeps the last (messages are replaced, not
 * merged), an AnyValue with several members set is what protobufjs's oneof
 * getter makes of it, invalid UTF-8 becomes U+FFFD, messages nest at most 100
 * deep, and unknown fields (groups too) are skipped. It is stricter where
 * protobufjs would read malformed bytes as something else: a known field with
 * the wrong wire type, a length past the end of its message, field number 0 and
 * an unterminated group are malformed. One difference the other way: a varint
 * of 6 to 9 bytes in a 32-bit field (which no serializer writes) is read as
 * protobuf specifies; protobufjs takes every varint over 5 bytes to be 10 long.
 *
 * The collector's own rules are the walk's, with its messages: times after
 * 2262 (window.ts) and values nested more than MAX_VALUE_DEPTH arrays and
 * kvlists (values.ts; the rest of such a value is skipped unread) are invalid.
 *
 * Every malformed request fails before any validation error, as with the walk,
 * which sees nothing until the whole request is decoded: validation errors are
 * collected in the walk's order and the first is thrown once the end is reached.
 * Field numbers are those of `proto/*.proto` (the OTLP v1 protos).
 */
import { nanosToDateTime64, type LogRow, type SpanRow } from '@flowtrace/store';
import { OtlpRequestError } from './errors.js';
import type { DecodedLogs } from './logs.js';
import type { DecodedSpans } from './traces.js';
import { MAX_VALUE_DEPTH, TOO_DEEP } from './values.js';
import { Rejections, afterLatest, outsideWindow, type TimeWindow } from './window.js';

type Attributes = Record<string, string>;

// Wire types.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const START_GROUP = 3;
const END_GROUP = 4;
const I32 = 5;

/** protobufjs's (and protoc's) limit on message nesting: the request is depth 0. */
const MAX_DEPTH = 100;

// Depths of the fixed part of the envelope, as protobufjs counts them.
const RESOURCE_DEPTH = 2;
const SCOPE_DEPTH = 3;
const RECORD_DEPTH = 3;

/** Each field's wire type, by field number (-1: none): a known field with another wire type is malformed. */
const REQUEST_FIELDS = [-1, LEN];
const ENVELOPE_FIELDS = [-1, LEN, LEN, LEN];
const RESOURCE_FIELDS = [-1, LEN, VARINT];
const SCOPE_FIELDS = [-1, LEN, LEN, LEN, VARINT];
const SPAN_FIELDS = [-1, LEN, LEN, LEN, LEN, LEN, VARINT, I64, I64, LEN, VARINT, LEN, VARINT, LEN, VARINT, LEN, I32];
const EVENT_FIELDS = [-1, I64, LEN, LEN, VARINT];
const LINK_FIELDS = [-1, LEN, LEN, LEN, LEN, VARINT, I32];
const STATUS_FIELDS = [-1, -1, LEN, VARINT];
const LOG_RECORD_FIELDS = [-1, I64, VARINT, LEN, -1, LEN, LEN, VARINT, I32, LEN, LEN, I64, LEN];
const KEY_VALUE_FIELDS = [-1, LEN, LEN];
const ANY_VALUE_FIELDS = [-1, LEN, VARINT, VARINT, I64, LEN, LEN, LEN];
const LIST_FIELDS = [-1, LEN];
const NO_FIELDS: readonly number[] = [];

const SPAN_KINDS = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'] as const;
const STATUS_CODES = ['Unset', 'Ok', 'Error'] as const;

/** Stands in for the resource and scope fields of a row until its ResourceSpans/ScopeSpans has been read to the end. */
const PENDING: Attributes = Object.freeze({}) as Attributes;

/**
 * A malformed request, thrown from where it was found and given the path to
 * it on the way out (each message adds its own segment).
 */
class Malformed extends Error {
  path = '';

  constructor(readonly reason: string) {
    super(reason);
  }
}

function within(err: unknown, segment: string): unknown {
  if (err instanceof Malformed) err.path = segment + err.path;
  return err;
}

function requestError(err: unknown, type: string): unknown {
  if (!(err instanceof Malformed)) return err;
  const path = err.path.startsWith('.') ? err.path.slice(1) : err.path;
  return new OtlpRequestError(`malformed protobuf ${type}: ${path ? `${path}: ` : ''}${err.reason}`);
}

/**
 * The decoders Buffer#toString(encoding, start, end) calls once it has checked
 * its arguments, as protobufjs calls utf8Slice: here, every range is already
 * within the buffer.
 */
interface Slices {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
}

/** A read position in a request's bytes. Every read is bounded by the end of the message it is in. */
class Wire {
  pos = 0;
  /** The low and high 32 bits of the last 64-bit value read. */
  lo = 0;
  hi = 0;
  /** The length of the last bytes field read by `bytes`. */
  size = 0;
  /** The validation error of the last AnyValue read, relative to it ('.doubleValue: expected a number'); '' when none. */
  invalid = '';

  constructor(readonly buf: Buffer & Slices) {}

  tag(end: number): number {
    const tag = this.varint32(end);
    if (tag < 8) throw new Malformed(`invalid tag ${tag} (field number 0)`);
    return tag;
  }

  /** A varint's low 32 bits, unsigned: what protobufjs's uint32() gives (int32 is this | 0). */
  varint32(end: number): number {
    const pos = this.pos;
    if (pos < end) {
      const b = this.buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    return this.varint32Long(end);
  }

  private varint32Long(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new Malformed('truncated varint');
      const b = buf[pos++]!;
      if (i < 5) value |= (b & 0x7f) << (7 * i);
      if (b < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw new Malformed('varint longer than 10 bytes');
  }

  /** A 64-bit varint into lo and hi, as protobufjs's int64() reads it. */
  varint64(end: number): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new Malformed('truncated varint');
      const b = buf[pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x7f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new Malformed('varint longer than 10 bytes');
  }

  fixed64(end: number): void {
    const pos = this.advance(8, end);
    const buf = this.buf;
    this.lo = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
    this.hi = (buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 24)) >>> 0;
  }

  fixed32(end: number): number {
    const pos = this.advance(4, end);
    const buf = this.buf;
    return (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
  }

  double(end: number): number {
    return this.buf.readDoubleLE(this.advance(8, end));
  }

  /** Moves past `n` bytes; returns where they start. */
  advance(n: number, end: number): number {
    const pos = this.pos;
    if (pos + n > end) throw new Malformed(`truncated: ${n} bytes needed, ${end - pos} left`);
    this.pos = pos + n;
    return pos;
  }

  /** Reads a length prefix; returns where the field it prefixes ends, leaving pos at its start. */
  lengthEnd(end: number): number {
    const length = this.varint32(end);
    const fieldEnd = this.pos + length;
    if (fieldEnd > end) throw new Malformed(`length ${length} runs past the end of the message (${end - this.pos} bytes left)`);
    return fieldEnd;
  }

  string(end: number): string {
    const fieldEnd = this.lengthEnd(end);
    const start = this.pos;
    this.pos = fieldEnd;
    const size = fieldEnd - start;
    if (size === 0) return '';
    if (size > CACHED_BYTES) return this.buf.utf8Slice(start, fieldEnd);
    return cached(this.buf, start, size, 0);
  }

  /** A bytes field: returns where it starts and sets `size`; pos moves past it. */
  bytes(end: number): number {
    const fieldEnd = this.lengthEnd(end);
    const start = this.pos;
    this.size = fieldEnd - start;
    this.pos = fieldEnd;
    return start;
  }

  /**
   * Skips a field that is not read: one of `fields` (checking its wire type) or
   * an unknown one, as protobufjs's skipType does (groups too, nested no deeper
   * than messages may be).
   */
  skip(tag: number, end: number, depth: number, fields: readonly number[]): void {
    const field = tag >>> 3;
    const type = tag & 7;
    const expected = field < fields.length ? fields[field]! : -1;
    if (expected >= 0 && expected !== type) throw new Malformed(`wire type ${type}, expected ${expected}`);
    try {
      switch (type) {
        case VARINT:
          this.varint32(end);
          return;
        case I64:
          this.advance(8, end);
          return;
        case LEN:
          this.pos = this.lengthEnd(end);
          return;
        case START_GROUP:
          for (;;) {
            const inner = this.varint32(end);
            if ((inner & 7) === END_GROUP) {
              if (inner >>> 3 !== field) throw new Malformed(`group ended by field ${inner >>> 3}`);
              return;
            }
            if (depth + 1 > MAX_DEPTH) throw new Malformed('maximum nesting depth exceeded');
            this.skip(inner, end, depth + 1, NO_FIELDS);
          }
        case I32:
          this.advance(4, end);
          return;
        default:
          throw new Malformed(`invalid wire type ${type}`);
      }
    } catch (err) {
      throw within(err, `.<field ${field}>`);
    }
  }
}

// Telemetry repeats itself: attribute keys above all, many values (methods,
// hosts, statuses, span names), and the trace and parent ids of the spans of a
// trace. Short strings and ids are kept by their bytes in a direct-mapped table
// shared by all requests, so that a repeated one is one string, decoded (and,
// as a key, internalized) once rather than once per record: less to decode,
// and rows that hold less memory.
const CACHED_BYTES = 64;
const CACHE_SLOTS = 1024;
const HEX = 0x80;
const cacheBytes = new Uint8Array(CACHE_SLOTS * CACHED_BYTES);
/** The size of each slot's bytes, | HEX for an id's hex; 0 for none. */
const cacheSizes = new Uint8Array(CACHE_SLOTS);
const cacheStrings: string[] = new Array<string>(CACHE_SLOTS).fill('');

/** The text of the `size` (1…CACHED_BYTES) bytes at `start`: UTF-8, or `HEX` for an id's hex. */
function cached(buf: Buffer & Slices, start: number, size: number, kind: 0 | typeof HEX): string {
  let hash = size | kind;
  for (let i = start; i < start + size; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
  const slot = (hash ^ (hash >>> 16)) & (CACHE_SLOTS - 1);
  const at = slot * CACHED_BYTES;
  if (cacheSizes[slot] === (size | kind)) {
    let i = 0;
    while (i < size && cacheBytes[at + i] === buf[start + i]) i++;
    if (i === size) return cacheStrings[slot]!;
  }
  const text = kind === HEX ? buf.hexSlice(start, start + size) : buf.utf8Slice(start, start + size);
  for (let i = 0; i < size; i++) cacheBytes[at + i] = buf[start + i]!;
  cacheSizes[slot] = size | kind;
  cacheStrings[slot] = text;
  return text;
}

/** A trace or span id's problem as the walk reports it (after the field's path), or '' when it is valid or absent. */
function idProblem(buf: Buffer, at: number, size: number, bytes: 8 | 16): string {
  if (size === 0) return '';
  if (size !== bytes) return `: must be ${bytes} bytes (${bytes * 2} hex characters), got ${size} bytes`;
  for (let i = at; i < at + size; i++) if (buf[i] !== 0) return '';
  return ': must not be all zeros';
}

/** An id as lowercase hex ('' when empty), once checked by idProblem (so 8 or 16 bytes). */
function hex(buf: Buffer & Slices, at: number, size: number): string {
  return size === 0 ? '' : cached(buf, at, size, HEX);
}

// 64-bit times come as their two 32-bit halves, hi and lo; BigInts only where a
// double cannot hold a value exactly.

function nanos(hi: number, lo: number): bigint {
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

const PADDING = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000', '000000000', '0000000000'];

/**
 * nanosToDateTime64 of hi·2^32 + lo, without BigInts: a long division by 10^9
 * in base 2^16, whose every step is exact in a double (each dividend is under
 * 2^46, each quotient under 2^16, so no floor is off by one).
 */
function dateTime64(hi: number, lo: number): string {
  const q1 = Math.floor(hi / 1e9);
  let x = (hi - q1 * 1e9) * 65536 + (lo >>> 16);
  const q2 = Math.floor(x / 1e9);
  x = (x - q2 * 1e9) * 65536 + (lo & 0xffff);
  const q3 = Math.floor(x / 1e9);
  const fraction = String(x - q3 * 1e9);
  const seconds = String(q1 * 4294967296 + q2 * 65536 + q3);
  return `${seconds.length < 10 ? PADDING[10 - seconds.length]! : ''}${seconds}.${PADDING[9 - fraction.length]!}${fraction}`;
}

/** A time's problem as the walk reports it (after the field's path): '' when ClickHouse can store it (under 2^63). */
function timeProblem(hi: number, lo: number): string {
  return hi > 0x7fffffff ? `: ${afterLatest(nanos(hi, lo))}` : '';
}

/** Whether the uint64 a is less than the uint64 b. */
const less = (aHi: number, aLo: number, bHi: number, bLo: number) => aHi < bHi || (aHi === bHi && aLo < bLo);

/** end - start in decimal when end is after start, else '0' (the row's Duration). */
function duration(startHi: number, startLo: number, endHi: number, endLo: number): string {
  if (!less(startHi, startLo, endHi, endLo)) return '0';
  let hi = endHi - startHi;
  let lo = endLo - startLo;
  if (lo < 0) {
    lo += 4294967296;
    hi--;
  }
  return hi < 0x200000 ? String(hi * 4294967296 + lo) : (nanos(endHi, endLo) - nanos(startHi, startLo)).toString();
}

/** A uint64 bound's halves; undefined when it is not a uint64. */
function halves(n: bigint): [number, number] | undefined {
  return n >= 0n && n <= 0xffff_ffff_ffff_ffffn ? [Number(n >> 32n), Number(n & 0xffff_ffffn)] : undefined;
}

/** AnyValue.int_value as decimal text, exactly (doubles hold it when it is under 2^53). */
function int64Text(hi: number, lo: number): string {
  const high = hi | 0;
  if (high >= -0x200000 && high < 0x200000) return String(high * 4294967296 + lo);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}

// AnyValue. `level` is how many arrays and kvlists the value is in: inside one
// it is rendered as JSON; at the top (an attribute, a log body) strings are
// themselves and an empty value is ''. An array or kvlist at MAX_VALUE_DEPTH is
// invalid and skipped unread, so a value nested thousands deep costs no stack.
// See anyValueText in values.ts.

const NO_VALUE = 0;

/** One AnyValue as text; its validation error, relative to it, is left in `w.invalid`. */
function anyValue(w: Wire, end: number, depth: number, level: number): string {
  if (depth > MAX_DEPTH) throw new Malformed('maximum nesting depth exceeded');
  const nested = level > 0;
  // protobufjs sets a property per member read and its oneof getter answers
  // the last-added one: the member whose first occurrence came last, with the
  // value of its last occurrence.
  let seen = 0;
  let member = NO_VALUE;
  let text = nested ? 'null' : '';
  let invalid = '';
  let tag = 0;
  try {
    while (w.pos < end) {
      tag = 0;
      tag = w.tag(end);
      let value: string;
      let problem = '';
      switch (tag) {
        case 0x0a: {
          const s = w.string(end);
          value = nested ? JSON.stringify(s) : s;
          break;
        }
        case 0x10:
          value = w.varint32(end) !== 0 ? 'true' : 'false';
          break;
        case 0x18:
          w.varint64(end);
          value = int64Text(w.hi, w.lo);
          break;
        case 0x21: {
          const n = w.double(end);
          if (n === Infinity) value = nested ? '"+Inf"' : '+Inf';
          else if (n === -Infinity) value = nested ? '"-Inf"' : '-Inf';
          else if (Number.isNaN(n)) {
            value = '';
            problem = '.doubleValue: expected a number';
          } else value = String(n);
          break;
        }
        case 0x2a:
          if (level >= MAX_VALUE_DEPTH) {
            w.pos = w.lengthEnd(end);
            value = '';
            problem = `.arrayValue: ${TOO_DEEP}`;
            break;
          }
          value = arrayValue(w, w.lengthEnd(end), depth + 1, level + 1);
          if (w.invalid) problem = `.arrayValue${w.invalid}`;
          break;
        case 0x32:
          if (level >= MAX_VALUE_DEPTH) {
            w.pos = w.lengthEnd(end);
            value = '';
            problem = `.kvlistValue: ${TOO_DEEP}`;
            break;
          }
          value = kvlistValue(w, w.lengthEnd(end), depth + 1, level + 1);
          if (w.invalid) problem = `.kvlistValue${w.invalid}`;
          break;
        case 0x3a: {
          const at = w.bytes(end);
          const base64 = w.buf.base64Slice(at, at + w.size);
          value = nested ? `"${base64}"` : base64;
          break;
        }
        default:
          w.skip(tag, end, depth, ANY_VALUE_FIELDS);
          continue;
      }
      const field = tag >>> 3;
      if ((seen & (1 << field)) === 0) {
        seen |= 1 << field;
        member = field;
      } else if (member !== field) continue;
      text = value;
      invalid = problem;
    }
  } catch (err) {
    throw within(err, tag >>> 3 >= 1 && tag >>> 3 <= 7 ? ANY_VALUE_MEMBERS[tag >>> 3]! : '');
  }
  w.invalid = invalid;
  return text;
}

const ANY_VALUE_MEMBERS = ['', '.stringValue', '.boolValue', '.intValue', '.doubleValue', '.arrayValue', '.kvlistValue', '.bytesValue'];

/** The values of an ArrayValue, each at `level`. */
function arrayValue(w: Wire, end: number, depth: number, level: number): string {
  if (depth > MAX_DEPTH) throw new Malformed('maximum nesting depth exceeded');
  let json = '[';
  let n = 0;
  let invalid = '';
  let tag = 0;
  try {
    while (w.pos < end) {
      tag = 0;
      tag = w.tag(end);
      if (tag === 0x0a) {
        const value = anyValue(w, w.lengthEnd(end), depth + 1, level);
        if (w.invalid && !invalid) invalid = `.values[${n}]${w.invalid}`;
        json += n === 0 ? value : `,${value}`;
        n++;
      } else w.skip(tag, end, depth, LIST_FIELDS);
    }
  } catch (err) {
    throw within(err, tag >>> 3 === 1 ? `.values[${n}]` : '');
  }
  w.invalid = invalid;
  return `${json}]`;
}

/** The entries of a KeyValueList, their values at `level`. */
function kvlistValue(w: Wire, end: number, depth: number, level: number): string {
  if (depth > MAX_DEPTH) throw new Malformed('maximum nesting depth exceeded');
  let json = '{';
  let n = 0;
  let invalid = '';
  let tag = 0;
  try {
    while (w.pos < end) {
      tag = 0;
      tag = w.tag(end);
      if (tag === 0x0a) {
        const entry = kvlistEntry(w, w.lengthEnd(end), depth + 1, level);
        if (w.invalid && !invalid) invalid = `.values[${n}]${w.invalid}`;
        json += n === 0 ? entry : `,${entry}`;
        n++;
      } else w.skip(tag, end, depth, LIST_FIELDS);
    }
  } catch (err) {
    throw within(err, tag >>> 3 === 1 ? `.values[${n}]` : '');
  }
  w.invalid = invalid;
  return `${json}}`;
}

/** A KeyValue of a kvlist as `"key":value`. */
function kvlistEntry(w: Wire, end: number, depth: number, level: number): string {
  if (depth > MAX_DEPTH) throw new Malformed('maximum nesting depth exceeded');
  let key = '';
  let value = 'null';
  let invalid = '';
  let tag = 0;
  try {
    while (w.pos < end) {
      tag = 0;
      tag = w.tag(end);
      if (tag === 0x0a) key = w.string(end);
      else if (tag === 0x12) {
        value = anyValue(w, w.lengthEnd(end), depth + 1, level);
        invalid = w.invalid ? `.value${w.invalid}` : '';
      } else w.skip(tag, end, depth, KEY_VALUE_FIELDS);
    }
  } catch (err) {
    throw within(err, KEY_VALUE_MEMBERS[tag >>> 3] ?? '');
  }
  w.invalid = invalid;
  return `${JSON.stringify(key)}:${value}`;
}

const KEY_VALUE_MEMBERS = ['', '.key', '.value'];

/** One KeyValue of an attributes list into `map` (a repeated key keeps its last value); returns its validation error, relative to it. */
function attribute(w: Wire, end: number, depth: number, map: Attributes): string {
  let key = '';
  let value = '';
  let invalid = '';
  let tag = 0;
  try {
    while (w.pos < end) {
      tag = 0;
      tag = w.tag(end);
      if (tag === 0x0a) key = w.string(end);
      else if (tag === 0x12) {
        value = anyValue(w, w.lengthEnd(end), depth + 1, 0);
        invalid = w.invalid ? `.value${w.invalid}` : '';
      } else w.skip(tag, end, depth, KEY_VALUE_FIELDS);
    }
  } catch (err) {
    throw within(err, KEY_VALUE_MEMBERS[tag >>> 3] ?? '');
  }
  map[key] = value;
  return invalid;
}

/** What a record takes from its Resource and InstrumentationScope, and the first validation error in them. */
interface Context {
  attributes: Attributes;
  name: string;
  version: string;
  /** Relative to the Resource or InstrumentationScope ('.attributes[2].value.doubleValue: …'). */
  invalid: string;
}

/** A Resource (attributes = 1) or an InstrumentationScope (name = 1, version = 2, attributes = 3). */
function context(w: Wire, end: number, depth: number, isScope: boolean): Context {
  const found: Context = { attributes: {}, name: '', version: '', invalid: '' };
  const attributesTag = isScope ? 0x1a : 0x0a;
  const droppedTag = isScope ? 0x20 : 0x10;
  let n = 0;
  let tag = 0;
  try {
    while (w.pos < end) {
      tag = 0;
      tag = w.tag(end);
      if (tag === attributesTag) {
        const invalid = attribute(w, w.lengthEnd(end), depth + 1, found.attributes);
        if (invalid && !found.invalid) found.invalid = `.attributes[${n}]${invalid}`;
        n++;
      } else if (isScope && tag === 0x0a) found.name = w.string(end);
      else if (isScope && tag === 0x12) found.version = w.string(end);
      else w.skip(tag, end, depth, isScope ? SCOPE_FIELDS : RESOURCE_FIELDS);
    }
  } catch (err) {
    const field = tag >>> 3;
    throw within(err, field === attributesTag >>> 3 ? `.attributes[${n}]` : field === droppedTag >>> 3 ? '.droppedAttributesCount' : isScope && field === 1 ? '.name' : isScope && field === 2 ? '.version' : '');
  }
  return found;
}

/** One signal's rows as the envelope (resources → scopes → records) is read. */
abstract class Decoding<Row> {
  readonly rows: Row[] = [];
  readonly rejections = new Rejections();

  /** The window's bounds in halves (see `outside`); 0, 0, 0, 0 and `exact` false when one is not a uint64. */
  readonly #earliestHi: number = 0;
  readonly #earliestLo: number = 0;
  readonly #latestHi: number = 0;
  readonly #latestLo: number = 0;
  readonly #exact: boolean = false;

  constructor(
    readonly type: string,
    readonly names: { resources: string; scopes: string; records: string },
    readonly projectId: string,
    readonly window: TimeWindow,
  ) {
    const earliest = halves(window.earliestNanos);
    const latest = halves(window.latestNanos);
    if (earliest && latest) {
      [this.#earliestHi, this.#earliestLo] = earliest;
      [this.#latestHi, this.#latestLo] = latest;
      this.#exact = true;
    }
  }

  /** outsideWindow for the time hi·2^32 + lo, with BigInts only for a time outside. */
  protected outside(hi: number, lo: number): string | undefined {
    if (this.#exact && (hi !== 0 || lo !== 0) && !less(hi, lo, this.#earliestHi, this.#earliestLo) && !less(this.#latestHi, this.#latestLo, hi, lo)) return undefined;
    return outsideWindow(nanos(hi, lo), this.window);
  }

  /**
   * Reads record `i` of a scope, whose records are at `records`
   * ('resourceSpans[0].scopeSpans[1].spans'); rows and rejections are added
   * here. Returns its validation error, with its path, or ''.
   */
  abstract record(w: Wire, end: number, records: string, i: number): string;

  /** Fills in the scope fields of the rows from `first` on, read at the end of their ScopeSpans/ScopeLogs. */
  abstract scopeRead(first: number, scope: Context, schemaUrl: string): void;

  /** Fills in the resource fields of the rows from `first` on, read at the end of their ResourceSpans/ResourceLogs. */
  abstract resourceRead(first: number, resource: Context, schemaUrl: string): void;

  /** Reads the whole request; throws OtlpRequestError when it is malformed or a record is invalid. */
  read(body: Buffer & Slices): void {
    const w = new Wire(body);
    const end = body.length;
    let invalid = '';
    let r = 0;
    let tag = 0;
    try {
      while (w.pos < end) {
        tag = 0;
        tag = w.tag(end);
        if (tag === 0x0a) {
          const found = this.resource(w, w.lengthEnd(end), r);
          if (!invalid) invalid = found;
          r++;
        } else w.skip(tag, end, 0, REQUEST_FIELDS);
      }
    } catch (err) {
      throw requestError(within(err, tag >>> 3 === 1 ? `${this.names.resources}[${r}]` : ''), this.type);
    }
    if (invalid) throw new OtlpRequestError(invalid);
  }

  private resource(w: Wire, end: number, r: number): string {
    const first = this.rows.length;
    let resource: Context | undefined;
    let schemaUrl = '';
    let scopesInvalid = '';
    let s = 0;
    let tag = 0;
    try {
      while (w.pos < end) {
        tag = 0;
        tag = w.tag(end);
        if (tag === 0x12) {
          const invalid = this.scope(w, w.lengthEnd(end), r, s);
          if (!scopesInvalid) scopesInvalid = invalid;
          s++;
        } else if (tag === 0x0a) resource = context(w, w.lengthEnd(end), RESOURCE_DEPTH, false);
        else if (tag === 0x1a) schemaUrl = w.string(end);
        else w.skip(tag, end, 1, ENVELOPE_FIELDS);
      }
    } catch (err) {
      throw within(err, envelopeSegment(tag, '.resource', `.${this.names.scopes}[${s}]`));
    }
    resource ??= { attributes: {}, name: '', version: '', invalid: '' };
    this.resourceRead(first, resource, schemaUrl);
    return resource.invalid ? `${this.names.resources}[${r}].resource${resource.invalid}` : scopesInvalid;
  }

  private scope(w: Wire, end: number, r: number, s: number): string {
    const first = this.rows.length;
    const path = `${this.names.resources}[${r}].${this.names.scopes}[${s}]`;
    const records = `${path}.${this.names.records}`;
    let scope: Context | undefined;
    let schemaUrl = '';
    let recordsInvalid = '';
    let i = 0;
    let tag = 0;
    try {
      while (w.pos < end) {
        tag = 0;
        tag = w.tag(end);
        if (tag === 0x12) {
          const invalid = this.record(w, w.lengthEnd(end), records, i);
          if (!recordsInvalid) recordsInvalid = invalid;
          i++;
        } else if (tag === 0x0a) scope = context(w, w.lengthEnd(end), SCOPE_DEPTH, true);
        else if (tag === 0x1a) schemaUrl = w.string(end);
        else w.skip(tag, end, 2, ENVELOPE_FIELDS);
      }
    } catch (err) {
      throw within(err, envelopeSegment(tag, '.scope', `.${this.names.records}[${i}]`));
    }
    scope ??= { attributes: {}, name: '', version: '', invalid: '' };
    this.scopeRead(first, scope, schemaUrl);
    return scope.invalid ? `${path}.scope${scope.invalid}` : recordsInvalid;
  }
}

function envelopeSegment(tag: number, field1: string, field2: string): string {
  const field = tag >>> 3;
  return field === 1 ? field1 : field === 2 ? field2 : field === 3 ? '.schemaUrl' : '';
}

const SPAN_MEMBERS: Record<number, string> = {
  1: '.traceId',
  2: '.spanId',
  3: '.traceState',
  4: '.parentSpanId',
  5: '.name',
  6: '.kind',
  7: '.startTimeUnixNano',
  8: '.endTimeUnixNano',
  10: '.droppedAttributesCount',
  12: '.droppedEventsCount',
  14: '.droppedLinksCount',
  15: '.status',
  16: '.flags',
};

class SpanDecoding extends Decoding<SpanRow> {
  constructor(projectId: string, window: TimeWindow) {
    super('ExportTraceServiceRequest', { resources: 'resourceSpans', scopes: 'scopeSpans', records: 'spans' }, projectId, window);
  }

  override scopeRead(first: number, scope: Context): void {
    const rows = this.rows;
    for (let i = first; i < rows.length; i++) {
      const row = rows[i]!;
      row.ScopeName = scope.name;
      row.ScopeVersion = scope.version;
    }
  }

  override resourceRead(first: number, resource: Context): void {
    const rows = this.rows;
    const serviceName = resource.attributes['service.name'] ?? '';
    for (let i = first; i < rows.length; i++) {
      const row = rows[i]!;
      row.ResourceAttributes = resource.attributes;
      row.ServiceName = serviceName;
    }
  }

  override record(w: Wire, end: number, records: string, i: number): string {
    const buf = w.buf;
    let traceIdAt = 0;
    let traceIdSize = 0;
    let spanIdAt = 0;
    let spanIdSize = 0;
    let parentAt = 0;
    let parentSize = 0;
    let traceState = '';
    let name = '';
    let kind = 0;
    let startHi = 0;
    let startLo = 0;
    let endHi = 0;
    let endLo = 0;
    let statusCode = 0;
    let statusMessage = '';
    const attributes: Attributes = {};
    let attributesInvalid = '';
    let attributeCount = 0;
    let events: SpanEvent[] | undefined;
    let eventsInvalid = '';
    let links: SpanLink[] | undefined;
    let linksInvalid = '';
    let tag = 0;
    try {
      while (w.pos < end) {
        tag = 0;
        tag = w.tag(end);
        switch (tag) {
          case 0x0a:
            traceIdAt = w.bytes(end);
            traceIdSize = w.size;
            break;
          case 0x12:
            spanIdAt = w.bytes(end);
            spanIdSize = w.size;
            break;
          case 0x1a:
            traceState = w.string(end);
            break;
          case 0x22:
            parentAt = w.bytes(end);
            parentSize = w.size;
            break;
          case 0x2a:
            name = w.string(end);
            break;
          case 0x30:
            kind = w.varint32(end) | 0;
            break;
          case 0x39:
            w.fixed64(end);
            startHi = w.hi;
            startLo = w.lo;
            break;
          case 0x41:
            w.fixed64(end);
            endHi = w.hi;
            endLo = w.lo;
            break;
          case 0x4a: {
            const invalid = attribute(w, w.lengthEnd(end), RECORD_DEPTH + 1, attributes);
            if (invalid && !attributesInvalid) attributesInvalid = `.attributes[${attributeCount}]${invalid}`;
            attributeCount++;
            break;
          }
          case 0x5a: {
            const e = event(w, w.lengthEnd(end));
            events ??= [];
            if (e.invalid && !eventsInvalid) eventsInvalid = `.events[${events.length}]${e.invalid}`;
            events.push(e);
            break;
          }
          case 0x6a: {
            const l = link(w, w.lengthEnd(end));
            links ??= [];
            if (l.invalid && !linksInvalid) linksInvalid = `.links[${links.length}]${l.invalid}`;
            links.push(l);
            break;
          }
          case 0x7a:
            statusMessage = status(w, w.lengthEnd(end));
            statusCode = w.lo;
            break;
          case 0x50:
          case 0x60:
          case 0x70:
            w.varint32(end);
            break;
          case 0x85:
            w.advance(4, end);
            break;
          default:
            w.skip(tag, end, RECORD_DEPTH, SPAN_FIELDS);
        }
      }
    } catch (err) {
      const field = tag >>> 3;
      throw within(err, field === 9 ? `.attributes[${attributeCount}]` : field === 11 ? `.events[${events?.length ?? 0}]` : field === 13 ? `.links[${links?.length ?? 0}]` : (SPAN_MEMBERS[field] ?? ''));
    }

    // The walk's checks, in its order.
    let problem = idProblem(buf, traceIdAt, traceIdSize, 16);
    if (problem) return `${records}[${i}].traceId${problem}`;
    problem = idProblem(buf, spanIdAt, spanIdSize, 8);
    if (problem) return `${records}[${i}].spanId${problem}`;
    if (traceIdSize === 0) return `${records}[${i}].traceId: is required`;
    if (spanIdSize === 0) return `${records}[${i}].spanId: is required`;
    problem = timeProblem(startHi, startLo);
    if (problem) return `${records}[${i}].startTimeUnixNano${problem}`;
    problem = timeProblem(endHi, endLo);
    if (problem) return `${records}[${i}].endTimeUnixNano${problem}`;
    problem = idProblem(buf, parentAt, parentSize, 8);
    if (problem) return `${records}[${i}].parentSpanId${problem}`;
    problem = attributesInvalid || eventsInvalid || linksInvalid;
    if (problem) return `${records}[${i}]${problem}`;

    const spanId = hex(buf, spanIdAt, 8);
    const outside = this.outside(startHi, startLo);
    if (outside) {
      this.rejections.add(`${records}[${i}] (span ${spanId}): startTimeUnixNano ${outside}`);
      return '';
    }
    if ((endHi !== 0 || endLo !== 0) && less(endHi, endLo, startHi, startLo)) {
      this.rejections.add(`${records}[${i}] (span ${spanId}): endTimeUnixNano is before startTimeUnixNano`);
      return '';
    }
    const timestamp = dateTime64(startHi, startLo);
    if (events) for (const e of events) if (e.time === '') e.time = timestamp;
    this.rows.push({
      ProjectId: this.projectId,
      Timestamp: timestamp,
      TraceId: hex(buf, traceIdAt, 16),
      SpanId: spanId,
      ParentSpanId: hex(buf, parentAt, parentSize),
      TraceState: traceState,
      SpanName: name,
      SpanKind: SPAN_KINDS[kind] ?? 'Unspecified',
      ServiceName: '',
      ResourceAttributes: PENDING,
      ScopeName: '',
      ScopeVersion: '',
      SpanAttributes: attributes,
      Duration: duration(startHi, startLo, endHi, endLo),
      StatusCode: STATUS_CODES[statusCode] ?? 'Unset',
      StatusMessage: statusMessage,
      // Arrays of exactly their length: rows are held until stored.
      'Events.Timestamp': events ? events.map(eventTime) : [],
      'Events.Name': events ? events.map(eventName) : [],
      'Events.Attributes': events ? events.map(eventAttributes) : [],
      'Links.TraceId': links ? links.map(linkTraceId) : [],
      'Links.SpanId': links ? links.map(linkSpanId) : [],
      'Links.TraceState': links ? links.map(linkTraceState) : [],
      'Links.Attributes': links ? links.map(linkAttributes) : [],
    });
    return '';
  }
}

/** A Span.Event as read; `time` is '' when it has none (the span's start, filled in by the span). */
interface SpanEvent {
  time: string;
  name: string;
  attributes: Attributes;
  /** Relative to the event. */
  invalid: string;
}

const eventTime = (e: SpanEvent) => e.time;
const eventName = (e: SpanEvent) => e.name;
const eventAttributes = (e: SpanEvent) => e.attributes;

/** Span.Event: time_unix_nano = 1, name = 2, attributes = 3, dropped_attributes_count = 4. */
function event(w: Wire, end: number): SpanEvent {
  let hi = 0;
  let lo = 0;
  let name = '';
  const attributes: Attributes = {};
  let invalid = '';
  let n = 0;
  let tag = 0;
  try {
    while (w.pos < end) {
      tag = 0;
      tag = w.tag(end);
      switch (tag) {
        case 0x09:
          w.fixed64(end);
          hi = w.hi;
          lo = w.lo;
          break;
        case 0x12:
          name = w.string(end);
          break;
        case 0x1a: {
          const problem = attribute(w, w.lengthEnd(end), RECORD_DEPTH + 2, attributes);
          if (problem && !invalid) invalid = `.attributes[${n}]${problem}`;
          n++;
          break;
        }
        default:
          w.skip(tag, end, RECORD_DEPTH + 1, EVENT_FIELDS);
      }
    }
  } catch (err) {
    const field = tag >>> 3;
    throw within(err, field === 1 ? '.timeUnixNano' : field === 2 ? '.name' : field === 3 ? `.attributes[${n}]` : field === 4 ? '.droppedAttributesCount' : '');
  }
  // The walk's checks, in its order.
  const late = timeProblem(hi, lo);
  if (late) return { time: '', name, attributes, invalid: `.timeUnixNano${late}` };
  return { time: hi === 0 && lo === 0 ? '' : dateTime64(hi, lo), name, attributes, invalid };
}

/** A Span.Link as read; its ids are '' when it is invalid. */
interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
  /** Relative to the link. */
  invalid: string;
}

const linkTraceId = (l: SpanLink) => l.traceId;
const linkSpanId = (l: SpanLink) => l.spanId;
const linkTraceState = (l: SpanLink) => l.traceState;
const linkAttributes = (l: SpanLink) => l.attributes;

/** Span.Link: trace_id = 1, span_id = 2, trace_state = 3, attributes = 4, dropped_attributes_count = 5, flags = 6. */
function link(w: Wire, end: number): SpanLink {
  const buf = w.buf;
  let traceIdAt = 0;
  let traceIdSize = 0;
  let spanIdAt = 0;
  let spanIdSize = 0;
  let traceState = '';
  const attributes: Attributes = {};
  let attributesInvalid = '';
  let n = 0;
  let tag = 0;
  try {
    while (w.pos < end) {
      tag = 0;
      tag = w.tag(end);
      switch (tag) {
        case 0x0a:
          traceIdAt = w.bytes(end);
          traceIdSize = w.size;
          break;
        case 0x12:
          spanIdAt = w.bytes(end);
          spanIdSize = w.size;
          break;
        case 0x1a:
          traceState = w.string(end);
          break;
        case 0x22: {
          const problem = attribute(w, w.lengthEnd(end), RECORD_DEPTH + 2, attributes);
          if (problem && !attributesInvalid) attributesInvalid = `.attributes[${n}]${problem}`;
          n++;
          break;
        }
        default:
          w.skip(tag, end, RECORD_DEPTH + 1, LINK_FIELDS);
      }
    }
  } catch (err) {
    const field = tag >>> 3;
    throw within(err, LINK_MEMBERS[field] ?? (field === 4 ? `.attributes[${n}]` : ''));
  }
  // The walk's checks, in its order.
  const traceIdProblem = idProblem(buf, traceIdAt, traceIdSize, 16);
  const spanIdProblem = idProblem(buf, spanIdAt, spanIdSize, 8);
  const invalid = traceIdProblem
    ? `.traceId${traceIdProblem}`
    : spanIdProblem
      ? `.spanId${spanIdProblem}`
      : traceIdSize === 0 || spanIdSize === 0
        ? ': a link needs a traceId and a spanId'
        : attributesInvalid;
  return invalid
    ? { traceId: '', spanId: '', traceState, attributes, invalid }
    : { traceId: hex(buf, traceIdAt, traceIdSize), spanId: hex(buf, spanIdAt, spanIdSize), traceState, attributes, invalid };
}

const LINK_MEMBERS: Record<number, string> = { 1: '.traceId', 2: '.spanId', 3: '.traceState', 5: '.droppedAttributesCount', 6: '.flags' };

/** Status: message = 2, code = 3 (1 is reserved). Returns the message; the code is left in `w.lo`. */
function status(w: Wire, end: number): string {
  let message = '';
  let code = 0;
  let tag = 0;
  try {
    while (w.pos < end) {
      tag = 0;
      tag = w.tag(end);
      if (tag === 0x12) message = w.string(end);
      else if (tag === 0x18) code = w.varint32(end) | 0;
      else w.skip(tag, end, RECORD_DEPTH + 1, STATUS_FIELDS);
    }
  } catch (err) {
    throw within(err, tag >>> 3 === 2 ? '.message' : tag >>> 3 === 3 ? '.code' : '');
  }
  w.lo = code;
  return message;
}

const LOG_RECORD_MEMBERS: Record<number, string> = {
  1: '.timeUnixNano',
  2: '.severityNumber',
  3: '.severityText',
  5: '.body',
  7: '.droppedAttributesCount',
  8: '.flags',
  9: '.traceId',
  10: '.spanId',
  11: '.observedTimeUnixNano',
  12: '.eventName',
};

class LogDecoding extends Decoding<LogRow> {
  /** A record without a time has the time the request was received. */
  readonly #received: string;
  readonly #receivedOutside: string | undefined;

  constructor(projectId: string, window: TimeWindow, receivedNanos: bigint) {
    super('ExportLogsServiceRequest', { resources: 'resourceLogs', scopes: 'scopeLogs', records: 'logRecords' }, projectId, window);
    this.#received = nanosToDateTime64(receivedNanos);
    this.#receivedOutside = outsideWindow(receivedNanos, window);
  }

  override scopeRead(first: number, scope: Context, schemaUrl: string): void {
    const rows = this.rows;
    for (let i = first; i < rows.length; i++) {
      const row = rows[i]!;
      row.ScopeSchemaUrl = schemaUrl;
      row.ScopeName = scope.name;
      row.ScopeVersion = scope.version;
      row.ScopeAttributes = scope.attributes;
    }
  }

  override resourceRead(first: number, resource: Context, schemaUrl: string): void {
    const rows = this.rows;
    const serviceName = resource.attributes['service.name'] ?? '';
    for (let i = first; i < rows.length; i++) {
      const row = rows[i]!;
      row.ServiceName = serviceName;
      row.ResourceSchemaUrl = schemaUrl;
      row.ResourceAttributes = resource.attributes;
    }
  }

  override record(w: Wire, end: number, records: string, i: number): string {
    const buf = w.buf;
    let timeHi = 0;
    let timeLo = 0;
    let observedHi = 0;
    let observedLo = 0;
    let severityNumber = 0;
    let severityText = '';
    let body = '';
    let bodyInvalid = '';
    const attributes: Attributes = {};
    let attributesInvalid = '';
    let attributeCount = 0;
    let flags = 0;
    let traceIdAt = 0;
    let traceIdSize = 0;
    let spanIdAt = 0;
    let spanIdSize = 0;
    let eventName = '';
    let tag = 0;
    try {
      while (w.pos < end) {
        tag = 0;
        tag = w.tag(end);
        switch (tag) {
          case 0x09:
            w.fixed64(end);
            timeHi = w.hi;
            timeLo = w.lo;
            break;
          case 0x10:
            severityNumber = w.varint32(end) | 0;
            break;
          case 0x1a:
            severityText = w.string(end);
            break;
          case 0x2a:
            body = anyValue(w, w.lengthEnd(end), RECORD_DEPTH + 1, 0);
            bodyInvalid = w.invalid;
            break;
          case 0x32: {
            const invalid = attribute(w, w.lengthEnd(end), RECORD_DEPTH + 1, attributes);
            if (invalid && !attributesInvalid) attributesInvalid = `.attributes[${attributeCount}]${invalid}`;
            attributeCount++;
            break;
          }
          case 0x38:
            w.varint32(end);
            break;
          case 0x45:
            flags = w.fixed32(end);
            break;
          case 0x4a:
            traceIdAt = w.bytes(end);
            traceIdSize = w.size;
            break;
          case 0x52:
            spanIdAt = w.bytes(end);
            spanIdSize = w.size;
            break;
          case 0x59:
            w.fixed64(end);
            observedHi = w.hi;
            observedLo = w.lo;
            break;
          case 0x62:
            eventName = w.string(end);
            break;
          default:
            w.skip(tag, end, RECORD_DEPTH, LOG_RECORD_FIELDS);
        }
      }
    } catch (err) {
      const field = tag >>> 3;
      throw within(err, field === 6 ? `.attributes[${attributeCount}]` : (LOG_RECORD_MEMBERS[field] ?? ''));
    }

    // The walk's checks, in its order.
    let late = timeProblem(timeHi, timeLo);
    if (late) return `${records}[${i}].timeUnixNano${late}`;
    late = timeProblem(observedHi, observedLo);
    if (late) return `${records}[${i}].observedTimeUnixNano${late}`;
    if (severityNumber < 0 || severityNumber > 24) return `${records}[${i}].severityNumber: expected an integer from 0 to 24, got ${severityNumber}`;
    if (attributesInvalid) return `${records}[${i}]${attributesInvalid}`;
    let problem = idProblem(buf, traceIdAt, traceIdSize, 16);
    if (problem) return `${records}[${i}].traceId${problem}`;
    problem = idProblem(buf, spanIdAt, spanIdSize, 8);
    if (problem) return `${records}[${i}].spanId${problem}`;
    if (bodyInvalid) return `${records}[${i}].body${bodyInvalid}`;

    // The record's time, else its observed time, else the time it was received.
    let timestamp = this.#received;
    let outside = this.#receivedOutside;
    if (timeHi !== 0 || timeLo !== 0) {
      outside = this.outside(timeHi, timeLo);
      timestamp = outside ? '' : dateTime64(timeHi, timeLo);
    } else if (observedHi !== 0 || observedLo !== 0) {
      outside = this.outside(observedHi, observedLo);
      timestamp = outside ? '' : dateTime64(observedHi, observedLo);
    }
    if (outside) {
      this.rejections.add(`${records}[${i}]: timestamp ${outside}`);
      return '';
    }
    this.rows.push({
      ProjectId: this.projectId,
      Timestamp: timestamp,
      TraceId: hex(buf, traceIdAt, traceIdSize),
      SpanId: hex(buf, spanIdAt, spanIdSize),
      TraceFlags: flags & 0xff,
      SeverityText: severityText,
      SeverityNumber: severityNumber,
      ServiceName: '',
      Body: body,
      ResourceSchemaUrl: '',
      ResourceAttributes: PENDING,
      ScopeSchemaUrl: '',
      ScopeName: '',
      ScopeVersion: '',
      ScopeAttributes: PENDING,
      LogAttributes: attributes,
      // Before LogRecord.event_name existed, SDKs sent the name as an attribute.
      EventName: eventName || (attributes['event.name'] ?? ''),
    });
    return '';
  }
}

const asBuffer = (body: Uint8Array): Buffer & Slices => (Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)) as Buffer & Slices;

/**
 * An OTLP protobuf ExportTraceServiceRequest as otel_traces rows of
 * `projectId`: what `spansFromRequest(ExportTraceServiceRequest.decode(body),
 * 'protobuf', …)` gives, read straight from the bytes. Throws OtlpRequestError
 * for a malformed request or a span without valid ids.
 */
export function spansFromProtobuf(body: Buffer, projectId: string, window: TimeWindow): DecodedSpans {
  const decoding = new SpanDecoding(projectId, window);
  decoding.read(asBuffer(body));
  return { rows: decoding.rows, rejections: decoding.rejections };
}

/**
 * An OTLP protobuf ExportLogsServiceRequest as otel_logs rows of `projectId`:
 * what `logsFromRequest(ExportLogsServiceRequest.decode(body), 'protobuf', …)`
 * gives, read straight from the bytes.
 */
export function logsFromProtobuf(body: Buffer, projectId: string, window: TimeWindow, receivedNanos: bigint): DecodedLogs {
  const decoding = new LogDecoding(projectId, window, receivedNanos);
  decoding.read(asBuffer(body));
  return { rows: decoding.rows, rejections: decoding.rejections };
}
