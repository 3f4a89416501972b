import { nanosToDateTime64, type LogRow } from '@flowtrace/store';
import { OtlpRequestError } from './errors.js';
import { Rejections, outsideWindow, storableTime, type TimeWindow } from './window.js';
import { anyValueText, attributeMap, idHex, stringField, toUint64, type Encoding } from './values.js';
import { forEachRecord, type Envelope } from './walk.js';

const LOGS_ENVELOPE: Envelope = { resources: 'resourceLogs', scopes: 'scopeLogs', records: 'logRecords' };

export interface DecodedLogs {
  rows: LogRow[];
  rejections: Rejections;
}

/**
 * An ExportLogsServiceRequest (decoded protobuf or parsed OTLP/JSON) as otel_logs
 * rows of `projectId`. A record's time is its timeUnixNano, else its
 * observedTimeUnixNano, else the time it was received. Ids are optional on logs,
 * but present ones must be valid, and both times storable; a malformed request
 * stores nothing.
 */
export function logsFromRequest(request: unknown, encoding: Encoding, projectId: string, window: TimeWindow, receivedNanos: bigint): DecodedLogs {
  const rows: LogRow[] = [];
  const rejections = new Rejections();
  forEachRecord(request, LOGS_ENVELOPE, encoding, (record, context, path) => {
    // Both are checked, the observed time also when the record's own time is used.
    const recordTime = storableTime(toUint64(record.timeUnixNano, () => `${path()}.timeUnixNano`), () => `${path()}.timeUnixNano`);
    const observedTime = storableTime(toUint64(record.observedTimeUnixNano, () => `${path()}.observedTimeUnixNano`), () => `${path()}.observedTimeUnixNano`);
    const time = recordTime || observedTime || receivedNanos;
    const severityNumber = record.severityNumber ?? 0;
    if (typeof severityNumber !== 'number' || !Number.isInteger(severityNumber) || severityNumber < 0 || severityNumber > 24) {
      throw new OtlpRequestError(`${path()}.severityNumber: expected an integer from 0 to 24, got ${JSON.stringify(severityNumber)}`);
    }
    const flags = record.flags ?? 0;
    if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0) throw new OtlpRequestError(`${path()}.flags: expected an unsigned integer`);
    const attributes = attributeMap(record.attributes, encoding, () => `${path()}.attributes`);
    const row: LogRow = {
      ProjectId: projectId,
      Timestamp: nanosToDateTime64(time),
      TraceId: idHex(record.traceId, 16, encoding, () => `${path()}.traceId`),
      SpanId: idHex(record.spanId, 8, encoding, () => `${path()}.spanId`),
      TraceFlags: flags & 0xff,
      SeverityText: stringField(record.severityText, () => `${path()}.severityText`),
      SeverityNumber: severityNumber,
      ServiceName: context.serviceName,
      Body: anyValueText(record.body, encoding, () => `${path()}.body`),
      ResourceSchemaUrl: context.resourceSchemaUrl,
      ResourceAttributes: context.resourceAttributes,
      ScopeSchemaUrl: context.scopeSchemaUrl,
      ScopeName: context.scopeName,
      ScopeVersion: context.scopeVersion,
      ScopeAttributes: context.scopeAttributes,
      LogAttributes: attributes,
      // Before LogRecord.event_name existed, SDKs sent the name as an attribute.
      EventName: stringField(record.eventName, () => `${path()}.eventName`) || (attributes['event.name'] ?? ''),
    };
    const outside = outsideWindow(time, window);
    if (outside) rejections.add(`${path()}: timestamp ${outside}`);
    else rows.push(row);
  });
  return { rows, rejections };
}
