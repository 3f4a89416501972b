import type { PathFn } from './errors.js';
import { arrayField, attributeMap, objectField, stringField, type Encoding } from './values.js';

/** What a record inherits from its ResourceSpans/ResourceLogs and ScopeSpans/ScopeLogs. */
export interface RecordContext {
  resourceAttributes: Record<string, string>;
  resourceSchemaUrl: string;
  /** The resource's service.name, '' when it has none. */
  serviceName: string;
  scopeName: string;
  scopeVersion: string;
  scopeAttributes: Record<string, string>;
  scopeSchemaUrl: string;
}

/** Field names of one signal's envelope: resourceSpans → scopeSpans → spans, or the logs equivalents. */
export interface Envelope {
  resources: 'resourceSpans' | 'resourceLogs';
  scopes: 'scopeSpans' | 'scopeLogs';
  records: 'spans' | 'logRecords';
}

/**
 * Visits every record of an export request with its resource and scope, and a
 * path to it for error messages. Resource and scope fields are read once per
 * resource and scope, not per record.
 */
export function forEachRecord(
  request: unknown,
  envelope: Envelope,
  encoding: Encoding,
  visit: (record: Record<string, unknown>, context: RecordContext, path: PathFn) => void,
): void {
  const body = objectField(request, () => 'request') ?? {};
  const resources = arrayField(body[envelope.resources], () => envelope.resources);
  for (let r = 0; r < resources.length; r++) {
    const rPath = () => `${envelope.resources}[${r}]`;
    const rs = objectField(resources[r], rPath) ?? {};
    const resource = objectField(rs.resource, () => `${rPath()}.resource`);
    const resourceAttributes = attributeMap(resource?.attributes, encoding, () => `${rPath()}.resource.attributes`);
    const resourceSchemaUrl = stringField(rs.schemaUrl, () => `${rPath()}.schemaUrl`);
    const scopes = arrayField(rs[envelope.scopes], () => `${rPath()}.${envelope.scopes}`);
    for (let s = 0; s < scopes.length; s++) {
      const sPath = () => `${rPath()}.${envelope.scopes}[${s}]`;
      const ss = objectField(scopes[s], sPath) ?? {};
      const scope = objectField(ss.scope, () => `${sPath()}.scope`);
      const context: RecordContext = {
        resourceAttributes,
        resourceSchemaUrl,
        serviceName: resourceAttributes['service.name'] ?? '',
        scopeName: stringField(scope?.name, () => `${sPath()}.scope.name`),
        scopeVersion: stringField(scope?.version, () => `${sPath()}.scope.version`),
        scopeAttributes: attributeMap(scope?.attributes, encoding, () => `${sPath()}.scope.attributes`),
        scopeSchemaUrl: stringField(ss.schemaUrl, () => `${sPath()}.schemaUrl`),
      };
      const records = arrayField(ss[envelope.records], () => `${sPath()}.${envelope.records}`);
      for (let i = 0; i < records.length; i++) {
        const path = () => `${sPath()}.${envelope.records}[${i}]`;
        visit(objectField(records[i], path) ?? {}, context, path);
      }
    }
  }
}
