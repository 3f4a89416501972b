/**
 * The SQL Grafana's ClickHouse plugin generates in OTel mode, reproduced
 * character for character from its generator so that tests can run it against
 * Flowtrace's tables: grafana/clickhouse-datasource at commit 1d04063a31fb,
 * src/data/sqlGenerator.ts (generateTraceIdQuery, generateLogsQuery,
 * generateTraceSearchQuery), with the columns of the OTel 1.29.0 maps in
 * src/otel.ts, the builder defaults of
 * src/components/queryBuilder/defaultQueryOptions.ts, and the trace-to-logs
 * link of src/data/utils.ts; the datasource settings are those of
 * grafana/provisioning/datasources/flowtrace.yaml (OTel 1.29.0, nanosecond
 * durations, Events/Links prefixes, nested columns not flattened, the
 * `_trace_id_ts` lookup table present).
 *
 * None of it filters by project: the plugin knows nothing of ProjectId.
 */

const table = (database: string, name: string) => `"${database}"."${name}"`;
/** sqlGenerator's attrsToFields for Map columns. */
const attrsToFields = (expr: string) => `arrayMap(key -> map('key', key, 'value', ${expr}[key]), mapKeys(${expr}))`;

/** Explore's trace view of one trace ("View trace" on a trace id). */
export function traceByIdSql(traceId: string, database = 'default'): string {
  const select = [
    '"TraceId" as traceID',
    '"SpanId" as spanID',
    '"ParentSpanId" as parentSpanID',
    '"ServiceName" as serviceName',
    '"SpanName" as operationName',
    'multiply(toUnixTimestamp64Nano("Timestamp"), 0.000001) as startTime',
    'multiply("Duration", 0.000001) as duration',
    `arrayMap(key -> map('key', key, 'value',"SpanAttributes"[key]), mapKeys("SpanAttributes")) as tags`,
    `arrayMap(key -> map('key', key, 'value',"ResourceAttributes"[key]), mapKeys("ResourceAttributes")) as serviceTags`,
    `if("StatusCode" IN ('Error', 'STATUS_CODE_ERROR'), 2, 0) as statusCode`,
    [
      'arrayMap((name, timestamp, attributes) -> tuple(name, toString(toUnixTimestamp64Milli(timestamp)),',
      `${attrsToFields('attributes')})::Tuple(name String, timestamp String, fields Array(Map(String, String))),`,
      '"Events".Name, "Events".Timestamp,',
      '"Events".Attributes) AS logs',
    ].join(' '),
    [
      `arrayMap((traceID, spanID, attributes) -> tuple(traceID, spanID, ${attrsToFields('attributes')})::Tuple(traceID String, spanID String, tags Array(Map(String, String))),`,
      '"Links".TraceId, "Links".SpanId,',
      '"Links".Attributes) AS references',
    ].join(' '),
    '"SpanKind" as kind',
    '"StatusMessage" as statusMessage',
    '"TraceState" as traceState',
  ].join(', ');
  const lookup = table(database, 'otel_traces_trace_id_ts');
  return [
    'WITH',
    `'${traceId}' as __gf_trace_id,`,
    `(SELECT min(Start) FROM ${lookup} WHERE TraceId = __gf_trace_id) as __gf_trace_start,`,
    `(SELECT max(End) + 1 FROM ${lookup} WHERE TraceId = __gf_trace_id) as __gf_trace_end`,
    'SELECT',
    select,
    'FROM',
    table(database, 'otel_traces'),
    'WHERE',
    'traceID = __gf_trace_id',
    'AND',
    '"Timestamp" >= __gf_trace_start',
    'AND',
    '"Timestamp" <= __gf_trace_end',
  ].join(' ');
}

const LOG_COLUMNS = 'Timestamp as "timestamp", Body as "body", SeverityText as "level", TraceId as "traceID", ResourceAttributes, ScopeAttributes, LogAttributes';

/**
 * The logs of one trace ("View logs" on a trace id), as the builder generates
 * it once the link's `${__value.raw}` holds the trace id.
 */
export function logsByTraceIdSql(traceId: string, database = 'default'): string {
  return `SELECT ${LOG_COLUMNS} FROM ${table(database, 'otel_logs')} WHERE ( traceID = '${traceId}' ) ORDER BY timestamp ASC`;
}

/** A new Logs query of the builder in OTel mode: the logs of the time range, newest first (Grafana macros unexpanded). */
export function logsPanelSql(database = 'default'): string {
  return `SELECT ${LOG_COLUMNS} FROM ${table(database, 'otel_logs')} WHERE ( TimestampTime >= $__fromTime AND TimestampTime <= $__toTime ) ORDER BY (TimestampTime, timestamp) DESC LIMIT 1000`;
}

/** A new Traces query of the builder in OTel mode: the root spans of the time range (Grafana macros unexpanded). */
export function traceSearchSql(database = 'default'): string {
  return [
    `SELECT "TraceId" as traceID, "ServiceName" as serviceName, "SpanName" as operationName, "Timestamp" as startTime, multiply("Duration", 0.000001) as duration`,
    `FROM ${table(database, 'otel_traces')} WHERE ( Timestamp >= $__fromTime AND Timestamp <= $__toTime ) AND ( ParentSpanId = '' ) AND ( Duration > 0 )`,
    'ORDER BY Timestamp DESC, Duration DESC LIMIT 1000',
  ].join(' ');
}
