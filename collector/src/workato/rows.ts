import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, spanIdFor, type LogSpec, type SpanSpec, type TraceSpec } from '@flowtrace/conventions';
import { ATTR_FLOWTRACE_SPAN_FRAGMENT } from '@flowtrace/conventions/semconv';
import { nanosToDateTime64, type LogRow, type SpanRow } from '@flowtrace/store';
import { OtlpRequestError, type PathFn } from '../otlp/errors.js';
import { enumValue, idHex, int64Text, stringField, toUint64, wellFormed } from '../otlp/values.js';
import { Rejections, outsideWindow, storableTime, type TimeWindow } from '../otlp/window.js';
import { OutsideWindow } from './outside.js';

/** The resource every mapped Workato record is stored under. */
export const WORKATO_RESOURCE = { 'service.name': 'workato', 'telemetry.sdk.name': 'flowtrace-workato' };

/** OTLP's span kinds and status codes, as otel_traces stores them (api SpanKind starts at INTERNAL = 0, OTLP at UNSPECIFIED = 0). */
const SPAN_KINDS = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'] as const;
const STATUS_CODES = ['Unset', 'Ok', 'Error'] as const;

// Where a record would sit in the OTLP request toOtlpJson builds: rejections and errors name it the same way.
const SPANS_PATH = 'resourceSpans[0].scopeSpans[0].spans';
const LOGS_PATH = 'resourceLogs[0].scopeLogs[0].logRecords';
const MAX_UINT64 = 0xffff_ffff_ffff_ffffn;

export interface WorkatoRows {
  spans: SpanRow[];
  logs: LogRow[];
  rejections: { spans: Rejections; logs: Rejections };
  /** The rejected records that a wider window would keep, with their times (imports refuse their files whole). */
  outside: OutsideWindow;
}

/**
 * Mapped Workato traces and logs as otel_traces and otel_logs rows of
 * `projectId`, directly: the rows, rejections and errors are those of
 * `toOtlpJson` under WORKATO_RESOURCE read back by spansFromRequest and
 * logsFromRequest, without writing and reading OTLP/JSON in between. Logs of
 * the traces come first, then `logs`; a record outside `window` is rejected, a
 * log without a time takes `receivedNanos`.
 */
export function workatoRows(traces: TraceSpec[], logs: LogSpec[], projectId: string, window: TimeWindow, receivedNanos: bigint): WorkatoRows {
  const resourceAttributes = attributeTexts(WORKATO_RESOURCE, () => 'resource.attributes');
  const serviceName = resourceAttributes['service.name'] ?? '';
  const out: WorkatoRows = { spans: [], logs: [], rejections: { spans: new Rejections(), logs: new Rejections() }, outside: new OutsideWindow() };
  const spanIds: Array<Map<string, string>> = [];
  let index = 0;
  for (const t of traces) {
    const ids = new Map<string, string>();
    spanIds.push(ids);
    for (const s of t.spans) {
      const i = index++;
      spanRow(t, s, ids, () => `${SPANS_PATH}[${i}]`);
    }
  }
  index = 0;
  const scopeAttributes: Record<string, string> = {};
  traces.forEach((t, ti) => {
    for (const log of t.logs) {
      const spanId = log.spanKey === undefined ? '' : spanIdOf(spanIds[ti]!, t.traceId, log.spanKey);
      const i = index++;
      logRow(log, t.traceId, spanId, () => `${LOGS_PATH}[${i}]`);
    }
  });
  for (const log of logs) {
    const i = index++;
    logRow(log, '', '', () => `${LOGS_PATH}[${i}]`);
  }
  return out;

  function spanRow(t: TraceSpec, s: SpanSpec, ids: Map<string, string>, path: PathFn): void {
    const traceId = idHex(t.traceId, 16, 'json', () => `${path()}.traceId`);
    const spanId = spanIdOf(ids, t.traceId, s.key);
    if (!traceId) throw new OtlpRequestError(`${path()}.traceId: is required`);
    const parentSpanId = s.parentKey === undefined ? (s.key === 'root' ? '' : spanIdOf(ids, t.traceId, 'root')) : spanIdOf(ids, t.traceId, s.parentKey);
    const start = nanos(s.startTime, () => `${path()}.startTimeUnixNano`);
    const end = nanos(s.endTime ?? s.startTime, () => `${path()}.endTimeUnixNano`);
    const row: SpanRow = {
      ProjectId: projectId,
      Timestamp: nanosToDateTime64(start),
      TraceId: traceId,
      SpanId: spanId,
      ParentSpanId: parentSpanId,
      TraceState: '',
      SpanName: stringField(s.name, () => `${path()}.name`),
      SpanKind: SPAN_KINDS[enumValue(s.kind + 1, [], () => `${path()}.kind`)] ?? 'Unspecified',
      ServiceName: serviceName,
      ResourceAttributes: resourceAttributes,
      ScopeName: INSTRUMENTATION_NAME,
      ScopeVersion: INSTRUMENTATION_VERSION,
      // A fragment (no end yet) is stored with a zero duration and marked, for readers to merge by span id.
      SpanAttributes: attributeTexts(s.endTime === undefined ? { ...s.attributes, [ATTR_FLOWTRACE_SPAN_FRAGMENT]: true } : s.attributes, () => `${path()}.attributes`),
      Duration: (end > start ? end - start : 0n).toString(),
      StatusCode: s.status ? (STATUS_CODES[enumValue(s.status.code, [], () => `${path()}.status.code`)] ?? 'Unset') : 'Unset',
      StatusMessage: s.status ? stringField(s.status.message ?? '', () => `${path()}.status.message`) : '',
      'Events.Timestamp': [],
      'Events.Name': [],
      'Events.Attributes': [],
      'Links.TraceId': [],
      'Links.SpanId': [],
      'Links.TraceState': [],
      'Links.Attributes': [],
    };
    (s.events ?? []).forEach((event, e) => {
      const ePath = () => `${path()}.events[${e}]`;
      row['Events.Timestamp'].push(nanosToDateTime64(nanos(event.time, () => `${ePath()}.timeUnixNano`) || start));
      row['Events.Name'].push(stringField(event.name, () => `${ePath()}.name`));
      row['Events.Attributes'].push(attributeTexts(event.attributes ?? {}, () => `${ePath()}.attributes`));
    });
    (s.links ?? []).forEach((link, l) => {
      const lPath = () => `${path()}.links[${l}]`;
      const linkTraceId = idHex(link.traceId, 16, 'json', () => `${lPath()}.traceId`);
      const linkSpanId = idHex(link.spanId, 8, 'json', () => `${lPath()}.spanId`);
      if (!linkTraceId || !linkSpanId) throw new OtlpRequestError(`${lPath()}: a link needs a traceId and a spanId`);
      row['Links.TraceId'].push(linkTraceId);
      row['Links.SpanId'].push(linkSpanId);
      row['Links.TraceState'].push('');
      row['Links.Attributes'].push(attributeTexts(link.attributes ?? {}, () => `${lPath()}.attributes`));
    });
    const outside = outsideWindow(start, window);
    if (outside) {
      out.rejections.spans.add(`${path()} (span ${spanId}): startTimeUnixNano ${outside}`);
      out.outside.note(start, window);
    } else if (end !== 0n && end < start) out.rejections.spans.add(`${path()} (span ${spanId}): endTimeUnixNano is before startTimeUnixNano`);
    else out.spans.push(row);
  }

  function logRow(log: LogSpec, traceId: string, spanId: string, path: PathFn): void {
    const time = nanos(log.time, () => `${path()}.timeUnixNano`) || receivedNanos;
    const severityNumber: unknown = log.severityNumber ?? 0;
    if (typeof severityNumber !== 'number' || !Number.isInteger(severityNumber) || severityNumber < 0 || severityNumber > 24) {
      throw new OtlpRequestError(`${path()}.severityNumber: expected an integer from 0 to 24, got ${JSON.stringify(severityNumber)}`);
    }
    const attributes = attributeTexts(log.attributes, () => `${path()}.attributes`);
    const row: LogRow = {
      ProjectId: projectId,
      Timestamp: nanosToDateTime64(time),
      TraceId: idHex(traceId, 16, 'json', () => `${path()}.traceId`),
      SpanId: spanId,
      TraceFlags: 0,
      SeverityText: stringField(log.severityText, () => `${path()}.severityText`),
      SeverityNumber: severityNumber,
      ServiceName: serviceName,
      Body: stringField(log.body, () => `${path()}.body`),
      ResourceSchemaUrl: '',
      ResourceAttributes: resourceAttributes,
      ScopeSchemaUrl: '',
      ScopeName: INSTRUMENTATION_NAME,
      ScopeVersion: INSTRUMENTATION_VERSION,
      ScopeAttributes: scopeAttributes,
      LogAttributes: attributes,
      EventName: stringField(log.eventName, () => `${path()}.eventName`) || (attributes['event.name'] ?? ''),
    };
    const outside = outsideWindow(time, window);
    if (outside) {
      out.rejections.logs.add(`${path()}: timestamp ${outside}`);
      out.outside.note(time, window);
    } else out.logs.push(row);
  }
}

/** A span's id, derived from its trace and key once per trace. */
function spanIdOf(ids: Map<string, string>, traceId: string, key: string): string {
  let id = ids.get(key);
  if (id === undefined) ids.set(key, (id = spanIdFor(traceId, key)));
  return id;
}

/**
 * Epoch milliseconds as nanoseconds, rounded to the microsecond as the
 * instrumentation's toHrTime does for both of its outputs (the SDK and OTLP/JSON).
 */
function nanos(ms: number, path: PathFn): bigint {
  const seconds = Math.floor(ms / 1000);
  let micros = Math.round((ms - seconds * 1000) * 1000);
  if (micros >= 1_000_000) micros = 999_999;
  const value = BigInt(seconds) * 1_000_000_000n + BigInt(micros * 1000);
  // Before 1970, past 2554 or past 2262: refused with the decoder's own message.
  return storableTime(value >= 0n && value <= MAX_UINT64 ? value : toUint64(value.toString(), path), path);
}

/**
 * Attributes as the decoder's attributeMap renders their OTLP AnyValues:
 * strings as they are (lone surrogates, from a Workato field cut mid-emoji,
 * as U+FFFD), integers in 64-bit decimal, other numbers as JS prints them (±Inf
 * for infinities), booleans as true/false, arrays as JSON. Absent values are
 * left out, as toOtlpJson leaves them out.
 */
function attributeTexts(attributes: Attributes, path: PathFn): Record<string, string> {
  const map: Record<string, string> = {};
  let i = 0;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    const at = i++;
    map[wellFormed(key)] = valueText(value, () => `${path()}[${at}].value`);
  }
  return map;
}

function valueText(value: AttributeValue, path: PathFn): string {
  if (typeof value === 'string') return wellFormed(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? intText(value, () => `${path()}.intValue`) : doubleText(value, () => `${path()}.doubleValue`);
  return arrayJson(value, path);
}

/** An array value as the decoder's JSON: strings quoted, non-finite doubles as quoted text. */
function arrayJson(value: unknown, path: PathFn): string {
  if (!Array.isArray(value)) throw new TypeError(`${path()}: not an attribute value`);
  const parts: string[] = [];
  for (const v of value) {
    if (v === null || v === undefined) continue;
    const k = parts.length;
    const vPath = () => `${path()}.arrayValue.values[${k}]`;
    if (typeof v === 'string') parts.push(JSON.stringify(wellFormed(v)));
    else if (typeof v === 'boolean') parts.push(v ? 'true' : 'false');
    else if (typeof v === 'number' && Number.isInteger(v)) parts.push(intText(v, () => `${vPath()}.intValue`));
    else if (typeof v === 'number') {
      const text = doubleText(v, () => `${vPath()}.doubleValue`);
      parts.push(Number.isFinite(v) ? text : JSON.stringify(text));
    } else parts.push(arrayJson(v, vPath));
  }
  return `[${parts.join(',')}]`;
}

/** An integer as an OTLP intValue reads back: in decimal; one beyond 64 bits fails as it does there. */
function intText(value: number, path: PathFn): string {
  return Number.isSafeInteger(value) ? String(value) : int64Text(String(value), path);
}

function doubleText(value: number, path: PathFn): string {
  if (Number.isNaN(value)) throw new OtlpRequestError(`${path()}: expected a number`);
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
