import { nanosToDateTime64, type LogRow } from '@flowtrace/store';
import { OtlpRequestError } from './errors.js';
import { Rejections, outsideWindow, type TimeWindow } from './window.js';
import { anyValueText, arrayField, attributeMap, idHex, objectField, stringField, toUint64, type Encoding } from './values.js';

export interface DecodedLogs {
  rows: LogRow[];
  rejections: Rejections;
}

/**
 * An ExportLogsServiceRequest (decoded protobuf or parsed OTLP/JSON) as otel_logs
 * rows of `projectId`. A record's time is its timeUnixNano, else its
 * observedTimeUnixNano, else the time it was received. Ids are optional on logs,
 * but present ones must be valid; a malformed request stores nothing.
 */
export function logsFromRequest(request: unknown, encoding: Encoding, projectId: string, window: TimeWindow, receivedNanos: bigint): DecodedLogs {
  const rows: LogRow[] = [];
  const rejections = new Rejections();
  const body = objectField(request, () => 'request') ?? {};
  const resourceLogs = arrayField(body.resourceLogs, () => 'resourceLogs');
  for (let r = 0; r < resourceLogs.length; r++) {
    const rPath = () => `resourceLogs[${r}]`;
    const rl = objectField(resourceLogs[r], rPath) ?? {};
    const resource = objectField(rl.resource, () => `${rPath()}.resource`);
    const resourceAttributes = attributeMap(resource?.attributes, encoding, () => `${rPath()}.resource.attributes`);
    const resourceSchemaUrl = stringField(rl.schemaUrl, () => `${rPath()}.schemaUrl`);
    const serviceName = resourceAttributes['service.name'] ?? '';
    const scopeLogs = arrayField(rl.scopeLogs, () => `${rPath()}.scopeLogs`);
    for (let s = 0; s < scopeLogs.length; s++) {
      const sPath = () => `${rPath()}.scopeLogs[${s}]`;
      const sl = objectField(scopeLogs[s], sPath) ?? {};
      const scope = objectField(sl.scope, () => `${sPath()}.scope`);
      const scopeName = stringField(scope?.name, () => `${sPath()}.scope.name`);
      const scopeVersion = stringField(scope?.version, () => `${sPath()}.scope.version`);
      const scopeAttributes = attributeMap(scope?.attributes, encoding, () => `${sPath()}.scope.attributes`);
      const scopeSchemaUrl = stringField(sl.schemaUrl, () => `${sPath()}.schemaUrl`);
      const records = arrayField(sl.logRecords, () => `${sPath()}.logRecords`);
      for (let i = 0; i < records.length; i++) {
        const path = () => `${sPath()}.logRecords[${i}]`;
        const record = objectField(records[i], path) ?? {};
        const time =
          toUint64(record.timeUnixNano, () => `${path()}.timeUnixNano`) ||
          toUint64(record.observedTimeUnixNano, () => `${path()}.observedTimeUnixNano`) ||
          receivedNanos;
        const severityNumber = record.severityNumber ?? 0;
        if (typeof severityNumber !== 'number' || !Number.isInteger(severityNumber) || severityNumber < 0 || severityNumber > 24) {
          throw new OtlpRequestError(`${path()}.severityNumber: expected an integer from 0 to 24, got ${JSON.stringify(severityNumber)}`);
        }
        const flags = record.flags ?? 0;
        if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0) {
          throw new OtlpRequestError(`${path()}.flags: expected an unsigned integer`);
        }
        const attributes = attributeMap(record.attributes, encoding, () => `${path()}.attributes`);
        const row: LogRow = {
          ProjectId: projectId,
          Timestamp: nanosToDateTime64(time),
          TraceId: idHex(record.traceId, 16, encoding, () => `${path()}.traceId`),
          SpanId: idHex(record.spanId, 8, encoding, () => `${path()}.spanId`),
          TraceFlags: flags & 0xff,
          SeverityText: stringField(record.severityText, () => `${path()}.severityText`),
          SeverityNumber: severityNumber,
          ServiceName: serviceName,
          Body: anyValueText(record.body, encoding, () => `${path()}.body`),
          ResourceSchemaUrl: resourceSchemaUrl,
          ResourceAttributes: resourceAttributes,
          ScopeSchemaUrl: scopeSchemaUrl,
          ScopeName: scopeName,
          ScopeVersion: scopeVersion,
          ScopeAttributes: scopeAttributes,
          LogAttributes: attributes,
          // Before LogRecord.event_name existed, SDKs sent the name as an attribute.
          EventName: stringField(record.eventName, () => `${path()}.eventName`) || (attributes['event.name'] ?? ''),
        };
        const outside = outsideWindow(time, window);
        if (outside) rejections.add(`${path()}: timestamp ${outside}`);
        else rows.push(row);
      }
    }
  }
  return { rows, rejections };
}
