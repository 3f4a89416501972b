import { nanosToDateTime64, type SpanRow } from '@flowtrace/store';
import { OtlpRequestError } from './errors.js';
import { Rejections, outsideWindow, storableTime, type TimeWindow } from './window.js';
import { arrayField, attributeMap, enumValue, idHex, objectField, stringField, toUint64, type Encoding } from './values.js';
import { forEachRecord, type Envelope } from './walk.js';

const TRACE_ENVELOPE: Envelope = { resources: 'resourceSpans', scopes: 'scopeSpans', records: 'spans' };
const SPAN_KINDS = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'] as const;
const SPAN_KIND_NAMES = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_CODES = ['Unset', 'Ok', 'Error'] as const;
const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

export interface DecodedSpans {
  rows: SpanRow[];
  rejections: Rejections;
}

/**
 * An ExportTraceServiceRequest (decoded protobuf or parsed OTLP/JSON) as
 * otel_traces rows of `projectId`. Throws OtlpRequestError — and so stores
 * nothing — for a malformed request, a span without valid ids or a time
 * ClickHouse cannot store; spans whose start falls outside `window` are left
 * out and counted as rejected.
 */
export function spansFromRequest(request: unknown, encoding: Encoding, projectId: string, window: TimeWindow): DecodedSpans {
  const rows: SpanRow[] = [];
  const rejections = new Rejections();
  forEachRecord(request, TRACE_ENVELOPE, encoding, (span, context, path) => {
    const traceId = idHex(span.traceId, 16, encoding, () => `${path()}.traceId`);
    const spanId = idHex(span.spanId, 8, encoding, () => `${path()}.spanId`);
    if (!traceId) throw new OtlpRequestError(`${path()}.traceId: is required`);
    if (!spanId) throw new OtlpRequestError(`${path()}.spanId: is required`);
    const start = storableTime(toUint64(span.startTimeUnixNano, () => `${path()}.startTimeUnixNano`), () => `${path()}.startTimeUnixNano`);
    const end = storableTime(toUint64(span.endTimeUnixNano, () => `${path()}.endTimeUnixNano`), () => `${path()}.endTimeUnixNano`);
    const status = objectField(span.status, () => `${path()}.status`);
    const row: SpanRow = {
      ProjectId: projectId,
      Timestamp: nanosToDateTime64(start),
      TraceId: traceId,
      SpanId: spanId,
      ParentSpanId: idHex(span.parentSpanId, 8, encoding, () => `${path()}.parentSpanId`),
      TraceState: stringField(span.traceState, () => `${path()}.traceState`),
      SpanName: stringField(span.name, () => `${path()}.name`),
      SpanKind: SPAN_KINDS[enumValue(span.kind, SPAN_KIND_NAMES, () => `${path()}.kind`)] ?? 'Unspecified',
      ServiceName: context.serviceName,
      ResourceAttributes: context.resourceAttributes,
      ScopeName: context.scopeName,
      ScopeVersion: context.scopeVersion,
      SpanAttributes: attributeMap(span.attributes, encoding, () => `${path()}.attributes`),
      Duration: (end > start ? end - start : 0n).toString(),
      StatusCode: STATUS_CODES[enumValue(status?.code, STATUS_CODE_NAMES, () => `${path()}.status.code`)] ?? 'Unset',
      StatusMessage: stringField(status?.message, () => `${path()}.status.message`),
      'Events.Timestamp': [],
      'Events.Name': [],
      'Events.Attributes': [],
      'Links.TraceId': [],
      'Links.SpanId': [],
      'Links.TraceState': [],
      'Links.Attributes': [],
    };
    const events = arrayField(span.events, () => `${path()}.events`);
    for (let e = 0; e < events.length; e++) {
      const ePath = () => `${path()}.events[${e}]`;
      const event = objectField(events[e], ePath) ?? {};
      const time = storableTime(toUint64(event.timeUnixNano, () => `${ePath()}.timeUnixNano`), () => `${ePath()}.timeUnixNano`);
      row['Events.Timestamp'].push(nanosToDateTime64(time || start));
      row['Events.Name'].push(stringField(event.name, () => `${ePath()}.name`));
      row['Events.Attributes'].push(attributeMap(event.attributes, encoding, () => `${ePath()}.attributes`));
    }
    const links = arrayField(span.links, () => `${path()}.links`);
    for (let l = 0; l < links.length; l++) {
      const lPath = () => `${path()}.links[${l}]`;
      const link = objectField(links[l], lPath) ?? {};
      const linkTraceId = idHex(link.traceId, 16, encoding, () => `${lPath()}.traceId`);
      const linkSpanId = idHex(link.spanId, 8, encoding, () => `${lPath()}.spanId`);
      if (!linkTraceId || !linkSpanId) throw new OtlpRequestError(`${lPath()}: a link needs a traceId and a spanId`);
      row['Links.TraceId'].push(linkTraceId);
      row['Links.SpanId'].push(linkSpanId);
      row['Links.TraceState'].push(stringField(link.traceState, () => `${lPath()}.traceState`));
      row['Links.Attributes'].push(attributeMap(link.attributes, encoding, () => `${lPath()}.attributes`));
    }
    const outside = outsideWindow(start, window);
    if (outside) rejections.add(`${path()} (span ${spanId}): startTimeUnixNano ${outside}`);
    else if (end !== 0n && end < start) rejections.add(`${path()} (span ${spanId}): endTimeUnixNano is before startTimeUnixNano`);
    else rows.push(row);
  });
  return { rows, rejections };
}
