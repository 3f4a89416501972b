import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { spanIdFor } from './ids.js';
import { ATTR_FLOWTRACE_SPAN_FRAGMENT } from './semconv.js';
import { toHrTime, type LogSpec, type TraceSpec } from './model.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './scope.js';

/**
 * TraceSpecs as OTLP/JSON export requests: the form in which the collector
 * stores executions it maps itself (Workato streams), so they pass the same
 * validation and become the same rows as anything an SDK exports. Span ids are
 * derived from each span's key; a fragment without an end is stored with a zero
 * duration and ATTR_FLOWTRACE_SPAN_FRAGMENT set, for readers to merge by span id.
 */
export function toOtlpJson(traces: TraceSpec[], looseLogs: LogSpec[], resource: Attributes): { traces: object; logs: object } {
  const resourceJson = { attributes: keyValues(resource) };
  const scope = { name: INSTRUMENTATION_NAME, version: INSTRUMENTATION_VERSION };
  const spans = traces.flatMap((t) =>
    t.spans.map((s) => ({
      traceId: t.traceId,
      spanId: spanIdFor(t.traceId, s.key),
      parentSpanId: s.parentKey === undefined ? (s.key === 'root' ? '' : spanIdFor(t.traceId, 'root')) : spanIdFor(t.traceId, s.parentKey),
      name: s.name,
      kind: s.kind + 1, // api SpanKind starts at INTERNAL = 0; OTLP at UNSPECIFIED = 0
      startTimeUnixNano: nanos(s.startTime),
      endTimeUnixNano: nanos(s.endTime ?? s.startTime),
      attributes: keyValues(s.endTime === undefined ? { ...s.attributes, [ATTR_FLOWTRACE_SPAN_FRAGMENT]: true } : s.attributes),
      events: (s.events ?? []).map((e) => ({ timeUnixNano: nanos(e.time), name: e.name, attributes: keyValues(e.attributes ?? {}) })),
      links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: keyValues(l.attributes ?? {}) })),
      status: s.status ? { code: s.status.code, message: s.status.message ?? '' } : undefined,
    })),
  );
  const logRecords = [
    ...traces.flatMap((t) => t.logs.map((log) => logJson(log, t.traceId, log.spanKey === undefined ? '' : spanIdFor(t.traceId, log.spanKey)))),
    ...looseLogs.map((log) => logJson(log, '', '')),
  ];
  return {
    traces: { resourceSpans: spans.length === 0 ? [] : [{ resource: resourceJson, scopeSpans: [{ scope, spans }] }] },
    logs: { resourceLogs: logRecords.length === 0 ? [] : [{ resource: resourceJson, scopeLogs: [{ scope, logRecords }] }] },
  };
}

function logJson(log: LogSpec, traceId: string, spanId: string) {
  return {
    timeUnixNano: nanos(log.time),
    severityNumber: log.severityNumber,
    severityText: log.severityText,
    eventName: log.eventName,
    body: { stringValue: log.body },
    attributes: keyValues(log.attributes),
    traceId,
    spanId,
  };
}

/** Epoch milliseconds (with fractions) as a decimal string of nanoseconds. */
function nanos(ms: number): string {
  const [seconds, nanoseconds] = toHrTime(ms);
  return (BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds)).toString();
}

function keyValues(attributes: Attributes) {
  return Object.entries(attributes)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => ({ key, value: anyValue(value as AttributeValue) }));
}

function anyValue(value: AttributeValue): object {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { arrayValue: { values: (value as unknown[]).filter((v) => v !== null && v !== undefined).map((v) => anyValue(v as AttributeValue)) } };
}
