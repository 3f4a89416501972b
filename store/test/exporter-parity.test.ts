/**
 * Migration 0016: the tables have every column and index of the newest
 * clickhouseexporter layout, so SQL written for it runs here — on rows stored
 * before the migration as on rows stored after — while what Flowtrace itself
 * writes and reads (the collector's INSERT with its column list, the views,
 * `SELECT *`) is unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store, TABLES, loadMigrations, migrate, nanosToDateTime64, type LogRow, type SpanRow } from '@flowtrace/store';
import { LOG_COLUMNS, SPAN_COLUMNS, encodeLogs, encodeSpans } from '@flowtrace/collector';
import { tempDir } from '../../test/support/store.js';

// Its own file: chDB allows one data directory per process.
const dir = tempDir();
let store: Store;
/** The keys of `SELECT *` before 0016, per table. */
const starColumnsBefore: Record<string, string[]> = {};
let applied: string[];

const T0 = BigInt(Date.now() - 10 * 60_000) * 1_000_000n;
const at = (ms: number) => nanosToDateTime64(T0 + BigInt(ms) * 1_000_000n);
const K8S = {
  'k8s.cluster.name': 'eu-1',
  'k8s.container.name': 'runner',
  'k8s.deployment.name': 'workflow-runner',
  'k8s.namespace.name': 'flows',
  'k8s.node.name': 'node-7',
  'k8s.pod.name': 'workflow-runner-5d9f',
  'k8s.pod.uid': '0f5e8c1a-2b7d-4e6f-9a3b-c4d5e6f70812',
  'deployment.environment.name': 'prod',
};

function span(traceId: string, spanId: string, ms: number, name: string, attributes: Record<string, string>, resource: Record<string, string>): SpanRow {
  return {
    ProjectId: 'p1',
    Timestamp: at(ms),
    TraceId: traceId,
    SpanId: spanId,
    ParentSpanId: '',
    TraceState: '',
    SpanName: name,
    SpanKind: 'Client',
    ServiceName: 'workflow-runner',
    ResourceAttributes: resource,
    ScopeName: 'flowtrace',
    ScopeVersion: '0.1.0',
    SpanAttributes: attributes,
    Duration: '1500000',
    StatusCode: 'Error',
    StatusMessage: '',
    'Events.Timestamp': [],
    'Events.Name': [],
    'Events.Attributes': [],
    'Links.TraceId': [],
    'Links.SpanId': [],
    'Links.TraceState': [],
    'Links.Attributes': [],
  };
}

function log(traceId: string, ms: number, body: string, resource: Record<string, string>): LogRow {
  return {
    ProjectId: 'p1',
    Timestamp: at(ms),
    TraceId: traceId,
    SpanId: '1111111111111111',
    TraceFlags: 1,
    SeverityText: 'ERROR',
    SeverityNumber: 17,
    ServiceName: 'workflow-runner',
    Body: body,
    ResourceSchemaUrl: '',
    ResourceAttributes: resource,
    ScopeSchemaUrl: '',
    ScopeName: 'flowtrace',
    ScopeVersion: '0.1.0',
    ScopeAttributes: {},
    LogAttributes: { 'flowtrace.log.type': 'workflow' },
    EventName: 'step.failed',
  };
}

/** Stored the way the collector stores them: its encoders, its column lists, one INSERT each. */
async function storeRows(spans: SpanRow[], logs: LogRow[]): Promise<void> {
  await store.insertEncoded('test', TABLES.traces, SPAN_COLUMNS, 'JSONCompactEachRow', encodeSpans(spans));
  await store.insertEncoded('test', TABLES.logs, LOG_COLUMNS, 'JSONCompactEachRow', encodeLogs(logs));
}

beforeAll(async () => {
  store = await Store.connect({ dataDir: dir.path });
  const all = loadMigrations();
  await migrate(store, all.filter((m) => m.version < 16));
  await storeRows(
    [span('a'.repeat(32), '1111111111111111', 0, 'POST Salesforce Create Record', { 'http.response.status_code': '429', 'user.id': 'u-1' }, { 'service.name': 'workflow-runner', 'service.version': '1.4.2' })],
    [log('a'.repeat(32), 1, 'Connection REFUSED by Salesforce', K8S)],
  );
  for (const table of [TABLES.traces, TABLES.logs]) {
    const [row] = await store.select<Record<string, unknown>>('test', `SELECT * FROM ${table} LIMIT 1`);
    starColumnsBefore[table] = Object.keys(row!);
  }
  applied = await migrate(store, all);
  await storeRows(
    [span('b'.repeat(32), '2222222222222222', 2, 'GET HubSpot Contacts', { 'http.response.status_code': '200', 'user.id': 'u-2' }, { 'service.name': 'workflow-runner', 'service.version': '1.5.0' })],
    [log('b'.repeat(32), 3, 'Token refresh failed for HubSpot', { ...K8S, 'k8s.namespace.name': 'sync', 'k8s.pod.name': 'sync-worker-1' })],
  );
});
afterAll(async () => {
  await store.close();
  dir.remove();
});

/**
 * The newest exporter's tables (opentelemetry-collector-contrib,
 * exporter/clickhouseexporter/internal/sqltemplates/traces_table.sql and
 * logs_table.sql), column by column: name, type, and how it is computed.
 */
const EXPORTER_COLUMNS: Record<string, Array<[string, string, string?]>> = {
  [TABLES.traces]: [
    ['Timestamp', 'DateTime64(9)'], ['TraceId', 'String'], ['SpanId', 'String'], ['ParentSpanId', 'String'], ['TraceState', 'String'],
    ['SpanName', 'LowCardinality(String)'], ['SpanKind', 'LowCardinality(String)'], ['ServiceName', 'LowCardinality(String)'],
    ['ResourceAttributes', 'Map(LowCardinality(String), String)'], ['ScopeName', 'String'], ['ScopeVersion', 'String'],
    ['SpanAttributes', 'Map(LowCardinality(String), String)'], ['Duration', 'UInt64'], ['StatusCode', 'LowCardinality(String)'], ['StatusMessage', 'String'],
    ['Events.Timestamp', 'Array(DateTime64(9))'], ['Events.Name', 'Array(LowCardinality(String))'], ['Events.Attributes', 'Array(Map(LowCardinality(String), String))'],
    ['Links.TraceId', 'Array(String)'], ['Links.SpanId', 'Array(String)'], ['Links.TraceState', 'Array(String)'], ['Links.Attributes', 'Array(Map(LowCardinality(String), String))'],
    ['ResourceAttributeItems', 'Array(String)', 'ALIAS'], ['SpanAttributeItems', 'Array(String)', 'ALIAS'],
  ],
  [TABLES.logs]: [
    ['Timestamp', 'DateTime64(9)'], ['TraceId', 'String'], ['SpanId', 'String'], ['TraceFlags', 'UInt8'], ['SeverityText', 'LowCardinality(String)'],
    ['SeverityNumber', 'UInt8'], ['ServiceName', 'LowCardinality(String)'], ['Body', 'String'], ['ResourceSchemaUrl', 'LowCardinality(String)'],
    ['ResourceAttributes', 'Map(LowCardinality(String), String)'], ['ScopeSchemaUrl', 'LowCardinality(String)'], ['ScopeName', 'String'],
    ['ScopeVersion', 'LowCardinality(String)'], ['ScopeAttributes', 'Map(LowCardinality(String), String)'], ['LogAttributes', 'Map(LowCardinality(String), String)'],
    ['EventName', 'String'],
    ...Object.keys(K8S).map((key): [string, string, string] => [`__otel_materialized_${key}`, 'LowCardinality(String)', 'MATERIALIZED']),
  ],
  [TABLES.traceIdTs]: [['TraceId', 'String'], ['Start', 'SimpleAggregateFunction(min, DateTime)'], ['End', 'SimpleAggregateFunction(max, DateTime)']],
};

/** Its skip indexes (the bloom-filter variant; the one for 26.2+ servers indexes the same columns with text indexes). */
const EXPORTER_INDEXES: Record<string, Array<[string, string, number]>> = {
  [TABLES.traces]: [
    ['idx_trace_id', 'bloom_filter(0.001)', 1], ['idx_res_attr_key', 'bloom_filter(0.01)', 1], ['idx_res_attr_value', 'bloom_filter(0.01)', 1],
    ['idx_span_attr_key', 'bloom_filter(0.01)', 1], ['idx_span_attr_value', 'bloom_filter(0.01)', 1], ['idx_duration', 'minmax', 1],
    ['idx_lower_span_name', 'tokenbf_v1(32768, 3, 0)', 8],
  ],
  [TABLES.logs]: [
    ['idx_trace_id', 'bloom_filter(0.001)', 1], ['idx_res_attr_key', 'bloom_filter(0.01)', 1], ['idx_res_attr_value', 'bloom_filter(0.01)', 1],
    ['idx_scope_attr_key', 'bloom_filter(0.01)', 1], ['idx_scope_attr_value', 'bloom_filter(0.01)', 1], ['idx_log_attr_key', 'bloom_filter(0.01)', 1],
    ['idx_log_attr_value', 'bloom_filter(0.01)', 1], ['idx_lower_body', 'tokenbf_v1(32768, 3, 0)', 8],
  ],
};

describe('the tables against the newest exporter layout', () => {
  it.each(Object.keys(EXPORTER_COLUMNS))('%s has every column of the exporter, with its type and kind', async (table) => {
    const columns = await store.select<{ name: string; type: string; default_kind: string }>(
      'test',
      'SELECT name, type, default_kind FROM system.columns WHERE database = currentDatabase() AND table = {table:String}',
      { table },
    );
    const ours = new Map(columns.map((c) => [c.name, [c.type, c.default_kind || undefined]]));
    const missing = EXPORTER_COLUMNS[table]!.filter(([name, type, kind]) => JSON.stringify(ours.get(name)) !== JSON.stringify([type, kind]));
    expect(missing).toEqual([]);
  });

  it.each(Object.keys(EXPORTER_INDEXES))('%s has every skip index of the exporter', async (table) => {
    const indexes = await store.select<{ name: string; type_full: string; granularity: string }>(
      'test',
      'SELECT name, type_full, granularity FROM system.data_skipping_indices WHERE database = currentDatabase() AND table = {table:String}',
      { table },
    );
    const ours = indexes.map((i) => [i.name, i.type_full, Number(i.granularity)]);
    expect(ours).toEqual(expect.arrayContaining(EXPORTER_INDEXES[table]!));
  });
});

describe('SQL written for the newest exporter layout', () => {
  it('finds spans by key=value items, of rows stored before 0016 and after', async () => {
    const rows = await store.select<{ SpanId: string; items: string[]; resource: string[] }>(
      'test',
      `SELECT SpanId, SpanAttributeItems AS items, ResourceAttributeItems AS resource FROM otel_traces
       WHERE hasAny(SpanAttributeItems, ['http.response.status_code=429', 'user.id=u-2']) ORDER BY SpanId`,
    );
    expect(rows).toEqual([
      { SpanId: '1111111111111111', items: ['http.response.status_code=429', 'user.id=u-1'], resource: ['service.name=workflow-runner', 'service.version=1.4.2'] },
      { SpanId: '2222222222222222', items: ['http.response.status_code=200', 'user.id=u-2'], resource: ['service.name=workflow-runner', 'service.version=1.5.0'] },
    ]);
    const [byResource] = await store.select<{ n: string }>('test', `SELECT count() AS n FROM otel_traces WHERE has(ResourceAttributeItems, 'service.version=1.4.2')`);
    expect(byResource!.n).toBe('1');
  });

  it('filters logs on the materialized resource columns, for rows stored before 0016 and after', async () => {
    const rows = await store.select<Record<string, string>>(
      'test',
      `SELECT Body, ${Object.keys(K8S).map((key) => `\`__otel_materialized_${key}\``).join(', ')} FROM otel_logs
       WHERE \`__otel_materialized_deployment.environment.name\` = 'prod' ORDER BY Timestamp`,
    );
    expect(rows).toEqual([
      { Body: 'Connection REFUSED by Salesforce', ...Object.fromEntries(Object.entries(K8S).map(([key, value]) => [`__otel_materialized_${key}`, value])) },
      {
        Body: 'Token refresh failed for HubSpot',
        ...Object.fromEntries(Object.entries({ ...K8S, 'k8s.namespace.name': 'sync', 'k8s.pod.name': 'sync-worker-1' }).map(([key, value]) => [`__otel_materialized_${key}`, value])),
      },
    ]);
    const [ns] = await store.select<{ bodies: string[] }>(
      'test',
      "SELECT groupArray(Body) AS bodies FROM otel_logs WHERE `__otel_materialized_k8s.namespace.name` = 'sync'",
    );
    expect(ns!.bodies).toEqual(['Token refresh failed for HubSpot']);
  });

  it('searches lower-cased span names and bodies by token (the idx_lower_* indexes)', async () => {
    const [spans] = await store.select<{ names: string[] }>('test', "SELECT groupArray(SpanName) AS names FROM otel_traces WHERE hasToken(lower(SpanName), 'salesforce')");
    expect(spans!.names).toEqual(['POST Salesforce Create Record']);
    const [logs] = await store.select<{ bodies: string[] }>('test', "SELECT groupArray(Body) AS bodies FROM otel_logs WHERE hasToken(lower(Body), 'refused')");
    expect(logs!.bodies).toEqual(['Connection REFUSED by Salesforce']);
  });
});

describe('what Flowtrace writes and reads is unchanged', () => {
  it('applied 0016 on a store that had data, and the collector’s inserts (explicit column lists) still work', async () => {
    expect(applied[0]).toBe('0016_add_exporter_columns.sql');
    const [counts] = await store.select<{ spans: string; logs: string }>(
      'test',
      `SELECT (SELECT count() FROM ${TABLES.traces}) AS spans, (SELECT count() FROM ${TABLES.logs}) AS logs`,
    );
    expect(counts).toEqual({ spans: '2', logs: '2' });
  });

  it('the views still copy every new row (trace records, event logs, trace lookup)', async () => {
    const [counts] = await store.select<{ records: string; events: string; lookup: string }>(
      'test',
      `SELECT (SELECT count() FROM ${TABLES.traceRecords}) AS records, (SELECT count() FROM ${TABLES.eventLogs}) AS events,
              (SELECT uniqExact(TraceId) FROM ${TABLES.traceIdTs}) AS lookup`,
    );
    // Two spans and two logs (all with a trace), two log events, two traces (each from its span and its log).
    expect(counts).toEqual({ records: '4', events: '2', lookup: '2' });
  });

  it.each([TABLES.traces, TABLES.logs])('SELECT * from %s returns the columns it returned before 0016', async (table) => {
    const rows = await store.select<Record<string, unknown>>('test', `SELECT * FROM ${table} ORDER BY Timestamp`);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(Object.keys(row)).toEqual(starColumnsBefore[table]);
  });

  it('running 0016 again changes nothing (every statement is idempotent)', async () => {
    const [parity] = loadMigrations().filter((m) => m.version === 16);
    for (const statement of parity!.statements) await store.command('test', statement);
    const [indexes] = await store.select<{ n: string }>(
      'test',
      "SELECT count() AS n FROM system.data_skipping_indices WHERE database = currentDatabase() AND table = 'otel_logs' AND name IN ('idx_body', 'idx_lower_body')",
    );
    expect(indexes!.n).toBe('1');
    expect(await migrate(store)).toEqual([]);
  });
});
