/**
 * The shapes of rows as they are inserted (JSONEachRow). Column names are the
 * clickhouseexporter's; timestamps are strings of decimal seconds with nine
 * fractional digits ("1700000000.123456789"), which ClickHouse parses into
 * DateTime64(9) without losing nanoseconds.
 */
export interface SpanRow {
  ProjectId: string;
  Timestamp: string;
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Record<string, string>;
  /** Nanoseconds, as a decimal string (UInt64). */
  Duration: string;
  StatusCode: string;
  StatusMessage: string;
  'Events.Timestamp': string[];
  'Events.Name': string[];
  'Events.Attributes': Array<Record<string, string>>;
  'Links.TraceId': string[];
  'Links.SpanId': string[];
  'Links.TraceState': string[];
  'Links.Attributes': Array<Record<string, string>>;
}

export interface LogRow {
  ProjectId: string;
  Timestamp: string;
  TraceId: string;
  SpanId: string;
  TraceFlags: number;
  SeverityText: string;
  SeverityNumber: number;
  ServiceName: string;
  Body: string;
  ResourceSchemaUrl: string;
  ResourceAttributes: Record<string, string>;
  ScopeSchemaUrl: string;
  ScopeName: string;
  ScopeVersion: string;
  ScopeAttributes: Record<string, string>;
  LogAttributes: Record<string, string>;
  EventName: string;
}

/**
 * Formats nanoseconds since the epoch as the DateTime64(9) text rows carry.
 * The seconds are padded to 10 digits: ClickHouse reads shorter ones (times
 * before 1973-03-03) as a date, not as seconds since the epoch.
 */
export function nanosToDateTime64(nanos: bigint): string {
  const seconds = (nanos / 1_000_000_000n).toString().padStart(10, '0');
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, '0');
  return `${seconds}.${fraction}`;
}

/** Nanoseconds since the epoch of a row's DateTime64(9) text ("seconds.fraction"): the inverse of nanosToDateTime64. */
export function dateTime64ToNanos(text: string): bigint {
  const [seconds = '0', fraction = ''] = text.split('.');
  return BigInt(seconds) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9) || '0');
}
