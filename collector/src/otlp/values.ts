import { OtlpRequestError, type PathFn } from './errors.js';

/**
 * Which wire format a message came from. Protobuf gives ids as bytes and 64-bit
 * integers as Long; OTLP/JSON gives ids as hex strings and 64-bit integers as
 * decimal strings or numbers. Everything after this module sees one shape.
 */
export type Encoding = 'protobuf' | 'json';

interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
  toString(): string;
}

/** An unsigned 64-bit nanosecond timestamp or counter; 0n when absent. */
export function toUint64(value: unknown, path: PathFn): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'string') {
    if (!/^\d{1,20}$/.test(value)) throw new OtlpRequestError(`${path()}: expected an unsigned integer, got ${JSON.stringify(value)}`);
    return checkUint64(BigInt(value), path);
  }
  if (typeof value === 'number') {
    // Nanosecond timestamps exceed 2^53: as a JSON number they arrive rounded to
    // a few hundred nanoseconds, which is accepted; senders wanting exact values
    // send strings, as proto3 JSON does.
    if (!Number.isInteger(value) || value < 0) throw new OtlpRequestError(`${path()}: expected an unsigned integer, got ${value}`);
    return checkUint64(BigInt(value), path);
  }
  if (isLong(value)) return BigInt.asUintN(64, (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0));
  throw new OtlpRequestError(`${path()}: expected an unsigned integer, got ${typeof value}`);
}

/**
 * A signed 64-bit integer (AnyValue.intValue), as its decimal text. One out of
 * range (OTLP/JSON can write any number) is refused, not wrapped.
 */
export function int64Text(value: unknown, path: PathFn): string {
  if (typeof value === 'string') {
    if (!/^-?\d{1,19}$/.test(value)) throw new OtlpRequestError(`${path()}: expected an integer, got ${JSON.stringify(value)}`);
    return checkInt64(BigInt(value), path).toString();
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new OtlpRequestError(`${path()}: expected an integer, got ${value}`);
    return Number.isSafeInteger(value) ? String(value) : checkInt64(BigInt(value), path).toString();
  }
  if (isLong(value)) return BigInt.asIntN(64, (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0)).toString();
  throw new OtlpRequestError(`${path()}: expected an integer, got ${typeof value}`);
}

function checkUint64(value: bigint, path: PathFn): bigint {
  if (value > 0xffff_ffff_ffff_ffffn) throw new OtlpRequestError(`${path()}: ${value} does not fit in 64 bits`);
  return value;
}

function checkInt64(value: bigint, path: PathFn): bigint {
  if (value > 0x7fff_ffff_ffff_ffffn || value < -0x8000_0000_0000_0000n) throw new OtlpRequestError(`${path()}: ${value} does not fit in 64 bits`);
  return value;
}

function isLong(value: unknown): value is LongLike {
  return typeof value === 'object' && value !== null && typeof (value as LongLike).low === 'number' && typeof (value as LongLike).high === 'number';
}

const HEX = /^[0-9a-fA-F]*$/;

/**
 * A trace or span id as lowercase hex. `bytes` is its required length; an absent
 * id gives '' and the caller decides whether that is allowed. An id of all zeros
 * is invalid per the specification, and reported as such.
 */
export function idHex(value: unknown, bytes: 8 | 16, encoding: Encoding, path: PathFn): string {
  let hex: string;
  if (value === undefined || value === null) return '';
  if (encoding === 'protobuf') {
    // protobufjs leaves an unset bytes field as a shared empty array.
    if (Array.isArray(value) && value.length === 0) return '';
    if (!(value instanceof Uint8Array)) throw new OtlpRequestError(`${path()}: expected bytes`);
    if (value.length === 0) return '';
    hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  } else {
    if (typeof value !== 'string') throw new OtlpRequestError(`${path()}: expected a hex string, got ${typeof value}`);
    if (value === '') return '';
    if (!HEX.test(value)) throw new OtlpRequestError(`${path()}: expected a hex string, got ${JSON.stringify(value.slice(0, 64))}`);
    hex = value.toLowerCase();
  }
  if (hex.length !== bytes * 2) {
    throw new OtlpRequestError(`${path()}: must be ${bytes} bytes (${bytes * 2} hex characters), got ${hex.length / 2} bytes`);
  }
  if (/^0+$/.test(hex)) throw new OtlpRequestError(`${path()}: must not be all zeros`);
  return hex;
}

/** An enum field: protobuf gives a number; OTLP/JSON must too, and names are accepted as well. */
export function enumValue(value: unknown, names: readonly string[], path: PathFn): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    const index = names.indexOf(value);
    if (index >= 0) return index;
  }
  throw new OtlpRequestError(`${path()}: expected an enum number, got ${JSON.stringify(value)}`);
}

/**
 * A string field, with any lone UTF-16 surrogate (a `"\ud83d"` escape in
 * OTLP/JSON, from an emoji cut in half by an attribute-length limit) replaced by
 * U+FFFD: what protobuf gives for the same text, since its bytes must be UTF-8
 * and invalid UTF-8 decodes to U+FFFD. Every string of OTLP/JSON that reaches a
 * row passes here (names, keys, values, bodies, messages, resource and scope
 * fields); ClickHouse refuses the escape of a lone surrogate.
 */
export function stringField(value: unknown, path: PathFn): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new OtlpRequestError(`${path()}: expected a string, got ${typeof value}`);
  return wellFormed(value);
}

interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** `text` with lone surrogates replaced by U+FFFD (String#toWellFormed, ES2024: Node 20 has it, the ES2023 lib does not declare it). */
export function wellFormed(text: string): string {
  const s = text as unknown as WellFormedString;
  return s.isWellFormed() ? text : s.toWellFormed();
}

export function arrayField(value: unknown, path: PathFn): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpRequestError(`${path()}: expected an array, got ${typeof value}`);
  return value;
}

export function objectField(value: unknown, path: PathFn): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new OtlpRequestError(`${path()}: expected an object`);
  return value as Record<string, unknown>;
}

/**
 * Attributes as the clickhouseexporter stores them: a map of strings, each value
 * rendered as pcommon's AsString would (ints in decimal, bools as true/false,
 * bytes in base64, arrays and maps as JSON). A repeated key keeps its last value.
 */
export function attributeMap(value: unknown, encoding: Encoding, path: PathFn): Record<string, string> {
  const list = arrayField(value, path);
  const map: Record<string, string> = {};
  for (let i = 0; i < list.length; i++) {
    const kv = objectField(list[i], () => `${path()}[${i}]`);
    if (!kv) continue;
    const key = stringField(kv.key, () => `${path()}[${i}].key`);
    map[key] = anyValueText(kv.value, encoding, () => `${path()}[${i}].value`);
  }
  return map;
}

/**
 * How deep arrayValues and kvlistValues may nest in one AnyValue (an attribute
 * value, a log body): `[[1]]` is 2. Deeper is refused, on both encodings, and
 * read no further. At 30, protobuf's own limit (messages 100 deep, which
 * protobufjs and wire.ts keep) is never reached first, wherever the value is.
 */
export const MAX_VALUE_DEPTH = 30;
export const TOO_DEEP = `values nest at most ${MAX_VALUE_DEPTH} arrays and kvlists deep`;

/** An AnyValue as text: strings as they are, everything else as AsString renders it. */
export function anyValueText(value: unknown, encoding: Encoding, path: PathFn): string {
  const any = objectField(value, path);
  if (!any) return '';
  const kind = anyValueKind(any);
  if (kind === 'stringValue') return stringField(any.stringValue, path);
  if (kind === undefined) return '';
  return JSON_SCALAR_KINDS.has(kind) ? scalarText(any, kind, encoding, path) : jsonText(any, encoding, path, 0);
}

const ANY_VALUE_KINDS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] as const;
type AnyValueKind = (typeof ANY_VALUE_KINDS)[number];
const JSON_SCALAR_KINDS = new Set<AnyValueKind>(['boolValue', 'intValue', 'doubleValue', 'bytesValue']);

function anyValueKind(any: Record<string, unknown>): AnyValueKind | undefined {
  // protobufjs exposes the set member of a oneof as a virtual `value` property.
  const set = any.value;
  if (typeof set === 'string' && (ANY_VALUE_KINDS as readonly string[]).includes(set)) return set as AnyValueKind;
  for (const kind of ANY_VALUE_KINDS) if (Object.hasOwn(any, kind)) return kind;
  return undefined;
}

function scalarText(any: Record<string, unknown>, kind: AnyValueKind, encoding: Encoding, path: PathFn): string {
  switch (kind) {
    case 'boolValue':
      if (typeof any.boolValue !== 'boolean') throw new OtlpRequestError(`${path()}.boolValue: expected a boolean`);
      return any.boolValue ? 'true' : 'false';
    case 'intValue':
      return int64Text(any.intValue, () => `${path()}.intValue`);
    case 'doubleValue':
      return doubleText(any.doubleValue, () => `${path()}.doubleValue`);
    default:
      return bytesBase64(any.bytesValue, encoding, () => `${path()}.bytesValue`);
  }
}

function doubleText(value: unknown, path: PathFn): string {
  // OTLP/JSON may carry NaN and infinities as strings, as proto3 JSON does.
  if (value === 'NaN') return 'NaN';
  if (value === 'Infinity') return '+Inf';
  if (value === '-Infinity') return '-Inf';
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || Number.isNaN(n)) throw new OtlpRequestError(`${path()}: expected a number`);
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

function bytesBase64(value: unknown, encoding: Encoding, path: PathFn): string {
  if (encoding === 'protobuf') {
    if (!(value instanceof Uint8Array)) throw new OtlpRequestError(`${path()}: expected bytes`);
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  }
  // OTLP/JSON bytes (other than ids) are base64, as in proto3 JSON.
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) throw new OtlpRequestError(`${path()}: expected base64 text`);
  return value;
}

/** Nested values as JSON, 64-bit integers written exactly; `depth` arrays and kvlists hold `any`. */
function jsonText(any: Record<string, unknown>, encoding: Encoding, path: PathFn, depth: number): string {
  const kind = anyValueKind(any);
  switch (kind) {
    case undefined:
      return 'null';
    case 'stringValue':
      return JSON.stringify(stringField(any.stringValue, path));
    case 'boolValue':
    case 'intValue':
      return scalarText(any, kind, encoding, path);
    case 'doubleValue': {
      const text = scalarText(any, kind, encoding, path);
      return Number.isFinite(Number(text)) ? text : JSON.stringify(text);
    }
    case 'bytesValue':
      return JSON.stringify(scalarText(any, kind, encoding, path));
    case 'arrayValue': {
      if (depth >= MAX_VALUE_DEPTH) throw new OtlpRequestError(`${path()}.arrayValue: ${TOO_DEEP}`);
      const inner = objectField(any.arrayValue, () => `${path()}.arrayValue`);
      const values = arrayField(inner?.values, () => `${path()}.arrayValue.values`);
      return `[${values.map((v, i) => jsonText(objectField(v, () => `${path()}.arrayValue.values[${i}]`) ?? {}, encoding, () => `${path()}.arrayValue.values[${i}]`, depth + 1)).join(',')}]`;
    }
    case 'kvlistValue': {
      if (depth >= MAX_VALUE_DEPTH) throw new OtlpRequestError(`${path()}.kvlistValue: ${TOO_DEEP}`);
      const inner = objectField(any.kvlistValue, () => `${path()}.kvlistValue`);
      const values = arrayField(inner?.values, () => `${path()}.kvlistValue.values`);
      const parts = values.map((entry, i) => {
        const at = () => `${path()}.kvlistValue.values[${i}]`;
        const kv = objectField(entry, at) ?? {};
        return `${JSON.stringify(stringField(kv.key, at))}:${jsonText(objectField(kv.value, at) ?? {}, encoding, () => `${at()}.value`, depth + 1)}`;
      });
      return `{${parts.join(',')}}`;
    }
  }
}
