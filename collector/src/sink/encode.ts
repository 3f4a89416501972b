import { TABLES, type LogRow, type SpanRow } from '@flowtrace/store';

/**
 * Rows as JSONCompactEachRow lines: one JSON array per row, values in the
 * column order below. Chosen by measurement (README, "Write path"): of the
 * text formats the embedded engine takes, ClickHouse parsed it fastest for
 * these tables, and JSON.stringify writes it natively. Each request's rows are
 * encoded once, as it arrives; a block is the requests' texts joined.
 */
export const INSERT_FORMAT = 'JSONCompactEachRow';

export const SPAN_COLUMNS = [
  'ProjectId', 'Timestamp', 'TraceId', 'SpanId', 'ParentSpanId', 'TraceState', 'SpanName', 'SpanKind', 'ServiceName',
  'ResourceAttributes', 'ScopeName', 'ScopeVersion', 'SpanAttributes', 'Duration', 'StatusCode', 'StatusMessage',
  'Events.Timestamp', 'Events.Name', 'Events.Attributes', 'Links.TraceId', 'Links.SpanId', 'Links.TraceState', 'Links.Attributes',
] as const;

export const LOG_COLUMNS = [
  'ProjectId', 'Timestamp', 'TraceId', 'SpanId', 'TraceFlags', 'SeverityText', 'SeverityNumber', 'ServiceName', 'Body',
  'ResourceSchemaUrl', 'ResourceAttributes', 'ScopeSchemaUrl', 'ScopeName', 'ScopeVersion', 'ScopeAttributes', 'LogAttributes', 'EventName',
] as const;

/** The table each kind of encoded rows goes to: 's' spans, 'l' logs. */
export const ENCODED_TABLES = {
  s: { table: TABLES.traces, columns: SPAN_COLUMNS },
  l: { table: TABLES.logs, columns: LOG_COLUMNS },
} as const;

/**
 * The spans of a request share their resource's attribute map (one object per
 * resource): it is written out once per request, not once per span.
 */
class MapText {
  readonly #cache = new WeakMap<object, string>();

  of(map: Record<string, string>): string {
    let text = this.#cache.get(map);
    if (text === undefined) {
      text = JSON.stringify(map);
      this.#cache.set(map, text);
    }
    return text;
  }
}

const EMPTY_SPAN_LINKS_AND_EVENTS = '[],[],[],[],[],[],[]';

export function encodeSpans(rows: readonly SpanRow[]): string {
  const maps = new MapText();
  let out = '';
  for (const r of rows) {
    const nested =
      r['Events.Timestamp'].length === 0 && r['Links.TraceId'].length === 0
        ? EMPTY_SPAN_LINKS_AND_EVENTS
        : `${JSON.stringify(r['Events.Timestamp'])},${JSON.stringify(r['Events.Name'])},${JSON.stringify(r['Events.Attributes'])},` +
          `${JSON.stringify(r['Links.TraceId'])},${JSON.stringify(r['Links.SpanId'])},${JSON.stringify(r['Links.TraceState'])},${JSON.stringify(r['Links.Attributes'])}`;
    out +=
      `[${JSON.stringify(r.ProjectId)},"${r.Timestamp}","${r.TraceId}","${r.SpanId}","${r.ParentSpanId}",${JSON.stringify(r.TraceState)},` +
      `${JSON.stringify(r.SpanName)},"${r.SpanKind}",${JSON.stringify(r.ServiceName)},${maps.of(r.ResourceAttributes)},` +
      `${JSON.stringify(r.ScopeName)},${JSON.stringify(r.ScopeVersion)},${JSON.stringify(r.SpanAttributes)},"${r.Duration}",` +
      `"${r.StatusCode}",${JSON.stringify(r.StatusMessage)},${nested}]\n`;
  }
  return out;
}

export function encodeLogs(rows: readonly LogRow[]): string {
  const maps = new MapText();
  let out = '';
  for (const r of rows) {
    out +=
      `[${JSON.stringify(r.ProjectId)},"${r.Timestamp}","${r.TraceId}","${r.SpanId}",${r.TraceFlags},${JSON.stringify(r.SeverityText)},` +
      `${r.SeverityNumber},${JSON.stringify(r.ServiceName)},${JSON.stringify(r.Body)},${JSON.stringify(r.ResourceSchemaUrl)},` +
      `${maps.of(r.ResourceAttributes)},${JSON.stringify(r.ScopeSchemaUrl)},${JSON.stringify(r.ScopeName)},${JSON.stringify(r.ScopeVersion)},` +
      `${maps.of(r.ScopeAttributes)},${JSON.stringify(r.LogAttributes)},${JSON.stringify(r.EventName)}]\n`;
  }
  return out;
}
