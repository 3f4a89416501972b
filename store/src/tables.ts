/**
 * Every table Flowtrace reads or writes. Code outside this package names tables
 * only through these constants, so SQL never splices a caller's string in as an
 * identifier.
 */
export const TABLES = {
  /** Spans, clickhouseexporter layout plus ProjectId. */
  traces: 'otel_traces',
  /** Log records, clickhouseexporter layout plus ProjectId. */
  logs: 'otel_logs',
  /** Per trace, the time range of its rows: read one trace without a scan. */
  traceIdTs: 'otel_traces_trace_id_ts',
  projects: 'flowtrace_projects',
  apiKeys: 'flowtrace_api_keys',
  settings: 'flowtrace_settings',
  migrations: 'flowtrace_migrations',
  imports: 'flowtrace_imports',
  /** Idempotency tokens of stored requests: a retry is acknowledged, not stored again. */
  ingestTokens: 'flowtrace_ingest_tokens',
  /** One row per execution (root span): lists and deep pages. */
  executions: 'flowtrace_executions',
  /** Hourly execution counts, failures and duration digests. */
  executionCounts: 'flowtrace_execution_counts',
  /** Spans and logs of a trace together, sorted by trace: a timeline in one read. */
  traceRecords: 'flowtrace_trace_records',
  /** Hourly execution counts per single dimension (stats, one-filter lists). */
  executionCountsBy: 'flowtrace_execution_counts_by',
  /** Log records with their filter fields as columns, by time. */
  eventLogs: 'flowtrace_event_logs',
  /** Per-project retention by age and by number of logs. */
  retention: 'flowtrace_retention',
  /** Per-project redaction patterns, applied by the collector before storage. */
  redactionRules: 'flowtrace_redaction_rules',
  /** Alert rules being evaluated, with their last evaluation (written by the one evaluating process). */
  alertRules: 'flowtrace_alert_rules',
  /** Alert instances (rule × label set): normal, pending or firing. */
  alertInstances: 'flowtrace_alert_instances',
  /** Alert notifications and their deliveries to webhooks: the outbox. */
  alertNotifications: 'flowtrace_alert_notifications',
  /** Per project, its read-only ClickHouse user for Grafana (the name and rotation time; never the password). */
  grafanaUsers: 'flowtrace_grafana_users',
} as const;

export type TableName = (typeof TABLES)[keyof typeof TABLES];

/** Tables whose rows expire after the configured TTL, with the expression the TTL is computed from. */
export const TTL_COLUMNS: ReadonlyArray<readonly [TableName, string]> = [
  [TABLES.traces, 'toDateTime(Timestamp)'],
  [TABLES.logs, 'TimestampTime'],
  [TABLES.traceIdTs, 'Start'],
  [TABLES.executions, 'toDateTime(Start)'],
  [TABLES.executionCounts, 'Bucket'],
  [TABLES.executionCountsBy, 'Bucket'],
  [TABLES.traceRecords, 'toDateTime(Timestamp)'],
  [TABLES.eventLogs, 'toDateTime(Timestamp)'],
];
