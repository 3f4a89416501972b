/**
 * A project's Grafana user: the statements that make it, and — the embedded
 * engine having no access control — their row policies applied as the
 * engine's per-query row filter (`additional_table_filters`, table →
 * predicate), read from the very statements the generator emits: the
 * plugin's OTel-mode queries and every table the user may read return the
 * project's rows and never another project's, while the other project's
 * data is in the store.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GRAFANA_READABLE_TABLES,
  Projects,
  TABLES,
  createGrafanaUserStatements,
  dropGrafanaUserStatements,
  grafanaDatasourceUid,
  grafanaUserName,
  nanosToDateTime64,
  newGrafanaCredentials,
  rotateGrafanaUserStatements,
  type LogRow,
  type SpanRow,
  type Store,
} from '@flowtrace/store';
import { LOG_COLUMNS, SPAN_COLUMNS, encodeLogs, encodeSpans } from '@flowtrace/collector';
import { expandMacros } from '@flowtrace/alerting';
import { openTempStore } from '../../test/support/store.js';

const PROJECT = '3f2a9c4e-8b1d-4e6f-a7c2-5d9e0b1f2a3c';
const USER = 'flowtrace_grafana_3f2a9c4e8b1d4e6fa7c25d9e0b1f2a3c';
const CREDENTIALS = { salt: '00112233445566778899aabbccddeeff', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' };
const TARGET = { projectId: PROJECT, database: 'flowtrace' };

describe('the statements', () => {
  it('create: the user with its limits, its quota, a row policy per readable table, then the grants', () => {
    const policy = (table: string, column = 'ProjectId') =>
      `CREATE ROW POLICY OR REPLACE \`${USER}\` ON \`flowtrace\`.${table} FOR SELECT USING ${column} = '${PROJECT}' TO \`${USER}\``;
    const grant = (table: string) => `GRANT SELECT ON \`flowtrace\`.${table} TO \`${USER}\``;
    expect(createGrafanaUserStatements(TARGET, CREDENTIALS)).toEqual([
      `CREATE USER OR REPLACE \`${USER}\` IDENTIFIED WITH sha256_hash BY '${CREDENTIALS.sha256}' SALT '${CREDENTIALS.salt}' DEFAULT DATABASE \`flowtrace\` ` +
        `SETTINGS readonly = 1, max_execution_time = 60 MAX 300 CHANGEABLE_IN_READONLY, max_result_rows = 500000, result_overflow_mode = 'throw', max_memory_usage = 4000000000`,
      `CREATE QUOTA OR REPLACE \`${USER}\` FOR INTERVAL 1 minute MAX queries = 600, FOR INTERVAL 1 hour MAX execution_time = 3600 TO \`${USER}\``,
      policy('otel_traces'),
      policy('otel_logs'),
      policy('otel_traces_trace_id_ts'),
      policy('flowtrace_executions'),
      policy('flowtrace_execution_counts'),
      policy('flowtrace_execution_counts_by'),
      policy('flowtrace_trace_records'),
      policy('flowtrace_event_logs'),
      policy('flowtrace_projects', 'Id'),
      grant('otel_traces'),
      grant('otel_logs'),
      grant('otel_traces_trace_id_ts'),
      grant('flowtrace_executions'),
      grant('flowtrace_execution_counts'),
      grant('flowtrace_execution_counts_by'),
      grant('flowtrace_trace_records'),
      grant('flowtrace_event_logs'),
      grant('flowtrace_projects'),
    ]);
  });

  it('rotate: a new password, nothing else', () => {
    expect(rotateGrafanaUserStatements(TARGET, CREDENTIALS)).toEqual([
      `ALTER USER \`${USER}\` IDENTIFIED WITH sha256_hash BY '${CREDENTIALS.sha256}' SALT '${CREDENTIALS.salt}'`,
    ]);
  });

  it('remove: the user first, then its quota and row policies', () => {
    const policy = (table: string) => `DROP ROW POLICY IF EXISTS \`${USER}\` ON \`flowtrace\`.${table}`;
    expect(dropGrafanaUserStatements(TARGET)).toEqual([
      `DROP USER IF EXISTS \`${USER}\``,
      `DROP QUOTA IF EXISTS \`${USER}\``,
      policy('otel_traces'),
      policy('otel_logs'),
      policy('otel_traces_trace_id_ts'),
      policy('flowtrace_executions'),
      policy('flowtrace_execution_counts'),
      policy('flowtrace_execution_counts_by'),
      policy('flowtrace_trace_records'),
      policy('flowtrace_event_logs'),
      policy('flowtrace_projects'),
    ]);
  });

  it('on a cluster: every policy and grant also covers the shards’ local table, right after its Distributed table', () => {
    const cluster = { ...TARGET, cluster: true };
    const created = createGrafanaUserStatements(cluster, CREDENTIALS);
    const policies = created.filter((q) => q.startsWith('CREATE ROW POLICY'));
    const grants = created.filter((q) => q.startsWith('GRANT'));
    expect(policies).toHaveLength(18);
    expect(grants).toHaveLength(18);
    expect(policies.slice(0, 2)).toEqual([
      `CREATE ROW POLICY OR REPLACE \`${USER}\` ON \`flowtrace\`.otel_traces FOR SELECT USING ProjectId = '${PROJECT}' TO \`${USER}\``,
      `CREATE ROW POLICY OR REPLACE \`${USER}\` ON \`flowtrace\`.otel_traces_local FOR SELECT USING ProjectId = '${PROJECT}' TO \`${USER}\``,
    ]);
    expect(grants).toContain(`GRANT SELECT ON \`flowtrace\`.flowtrace_projects_local TO \`${USER}\``);
    const dropped = dropGrafanaUserStatements(cluster);
    expect(dropped).toContain(`DROP ROW POLICY IF EXISTS \`${USER}\` ON \`flowtrace\`.flowtrace_event_logs_local`);
    expect(dropped).toHaveLength(2 + 18);
    // One server: no local tables named.
    expect(createGrafanaUserStatements(TARGET, CREDENTIALS).some((q) => q.includes('_local'))).toBe(false);
  });

  it('names: the user from the project id; the datasource uid fits Grafana’s 40 characters', () => {
    expect(grafanaUserName(PROJECT)).toBe(USER);
    expect(grafanaDatasourceUid(PROJECT)).toBe(`ftc-${PROJECT}`);
    expect(grafanaDatasourceUid(PROJECT)).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
  });

  it('credentials: a random password, shown once; the server gets hex(SHA-256(password + salt))', () => {
    const a = newGrafanaCredentials();
    const b = newGrafanaCredentials();
    expect(a.password).toMatch(/^ftg_[A-Za-z0-9_-]{32}$/);
    expect(a.password).not.toBe(b.password);
    expect(a.salt).not.toBe(b.salt);
    expect(a.sha256).toBe(createHash('sha256').update(a.password + a.salt).digest('hex'));
    const text = [...createGrafanaUserStatements(TARGET, a), ...rotateGrafanaUserStatements(TARGET, a)].join('\n');
    expect(text).toContain(a.sha256);
    expect(text).not.toContain(a.password);
  });

  it('refuses what would not be a plain value: the project id, the database, the hash and the salt are checked', () => {
    const hostile = [`${PROJECT}' OR 1=1 --`, PROJECT.toUpperCase(), 'acme', ''];
    for (const projectId of hostile) {
      expect(() => createGrafanaUserStatements({ projectId, database: 'flowtrace' }, CREDENTIALS)).toThrow(/^projectId must be a project id \(a lowercase UUID\)/);
      expect(() => dropGrafanaUserStatements({ projectId, database: 'flowtrace' })).toThrow(/^projectId must be/);
    }
    for (const database of ['flow-trace', 'a;DROP TABLE otel_traces', '`x`', '']) {
      expect(() => createGrafanaUserStatements({ projectId: PROJECT, database }, CREDENTIALS)).toThrow(/^database must be a plain identifier/);
    }
    expect(() => rotateGrafanaUserStatements(TARGET, { ...CREDENTIALS, sha256: `${CREDENTIALS.sha256.slice(1)}'` })).toThrow(/password hash/);
    expect(() => rotateGrafanaUserStatements(TARGET, { ...CREDENTIALS, salt: "x' OR '1" })).toThrow(/salt/);
  });

  it('never grants a table that holds secrets or other projects’ settings', () => {
    const readable = GRAFANA_READABLE_TABLES.map((t) => t.table);
    const secret = [TABLES.apiKeys, TABLES.ingestTokens, TABLES.redactionRules, TABLES.imports, TABLES.settings, TABLES.migrations, TABLES.retention, TABLES.grafanaUsers];
    expect(readable.filter((table) => (secret as string[]).includes(table))).toEqual([]);
    const granted = createGrafanaUserStatements(TARGET, CREDENTIALS).flatMap((s) => /^GRANT SELECT ON `flowtrace`\.(\w+) TO /.exec(s)?.[1] ?? []);
    expect(granted).toEqual(readable);
  });
});

// ---------------------------------------------------------------------------
// Against the real engine

let store: Store;
let dispose: () => Promise<void>;
let acme: string;
let globex: string;
const SHARED_TRACE = 'f'.repeat(32);
const NOW = Date.now();
const T0 = BigInt(NOW - 5 * 60_000) * 1_000_000n;
const at = (ms: number) => nanosToDateTime64(T0 + BigInt(ms) * 1_000_000n);

/** One project's telemetry: the trace both projects send (same trace id), one of its own, and a log without a trace. Every name carries the project's mark. */
function telemetry(projectId: string, mark: string, hex: string): { spans: SpanRow[]; logs: LogRow[] } {
  const id = (n: number) => `${hex.repeat(15)}${n}`;
  const resource = { 'service.name': `${mark}-runner`, 'k8s.namespace.name': mark };
  const span = (traceId: string, spanId: string, parent: string, name: string, ms: number, attributes: Record<string, string>, extra: Partial<SpanRow> = {}): SpanRow => ({
    ProjectId: projectId, Timestamp: at(ms), TraceId: traceId, SpanId: spanId, ParentSpanId: parent, TraceState: '', SpanName: name, SpanKind: 'Server',
    ServiceName: `${mark}-runner`, ResourceAttributes: resource, ScopeName: 'flowtrace', ScopeVersion: '0.1.0', SpanAttributes: attributes, Duration: '250000000',
    StatusCode: 'Error', StatusMessage: `${mark} failed`, 'Events.Timestamp': [], 'Events.Name': [], 'Events.Attributes': [], 'Links.TraceId': [],
    'Links.SpanId': [], 'Links.TraceState': [], 'Links.Attributes': [], ...extra,
  });
  const log = (traceId: string, spanId: string, ms: number, body: string): LogRow => ({
    ProjectId: projectId, Timestamp: at(ms), TraceId: traceId, SpanId: spanId, TraceFlags: 1, SeverityText: 'ERROR', SeverityNumber: 17,
    ServiceName: `${mark}-runner`, Body: body, ResourceSchemaUrl: '', ResourceAttributes: resource, ScopeSchemaUrl: '', ScopeName: 'flowtrace',
    ScopeVersion: '0.1.0', ScopeAttributes: {}, LogAttributes: { 'flowtrace.log.type': 'workflow', 'user.id': `${mark}-user` }, EventName: 'step.failed',
  });
  const own = hex.repeat(32);
  return {
    spans: [
      span(SHARED_TRACE, id(1), '', `${mark} workflow execution`, 0, { 'flowtrace.kind': 'workflow_execution', 'flowtrace.status': 'FAILED', 'flowtrace.integration': `${mark}-crm`, 'flowtrace.workflow.id': `${mark}-wf` }),
      span(SHARED_TRACE, id(2), id(1), `${mark} step 1: Create Record`, 10, { 'http.response.status_code': '429' }, {
        ServiceName: `${mark}-connector`,
        'Events.Timestamp': [at(20)], 'Events.Name': [`${mark} exception`], 'Events.Attributes': [{ 'exception.type': 'RateLimitError' }],
        'Links.TraceId': [own], 'Links.SpanId': [id(3)], 'Links.TraceState': [''], 'Links.Attributes': [{ 'link.kind': `${mark}-trigger` }],
      }),
      span(own, id(3), '', `${mark} tool call`, 30, { 'flowtrace.kind': 'tool_call', 'flowtrace.tool.name': `${mark}-tool` }),
    ],
    logs: [log(SHARED_TRACE, id(2), 15, `${mark}: Salesforce answered 429`), log(own, id(3), 35, `${mark}: tool call done`), log('', '', 40, `${mark}: sync idle`)],
  };
}

beforeAll(async () => {
  const opened = await openTempStore();
  store = opened.store;
  dispose = opened.dispose;
  const projects = new Projects(store, { keyCacheMs: 0 });
  acme = (await projects.createProject('acme')).id;
  globex = (await projects.createProject('globex')).id;
  for (const [projectId, mark, hex] of [[acme, 'acme', 'a'], [globex, 'globex', 'b']] as const) {
    const { spans, logs } = telemetry(projectId, mark, hex);
    await store.insertEncoded('test', TABLES.traces, SPAN_COLUMNS, 'JSONCompactEachRow', encodeSpans(spans));
    await store.insertEncoded('test', TABLES.logs, LOG_COLUMNS, 'JSONCompactEachRow', encodeLogs(logs));
  }
});
afterAll(() => dispose());

describe('every statement parses with the engine’s own parser', () => {
  it.each([
    ['create', createGrafanaUserStatements(TARGET, newGrafanaCredentials())],
    ['rotate', rotateGrafanaUserStatements(TARGET, newGrafanaCredentials())],
    ['remove', dropGrafanaUserStatements(TARGET)],
  ])('%s', async (_name, statements) => {
    for (const statement of statements) {
      const [row] = await store.select<{ formatted: string }>('test', 'SELECT formatQuery({statement:String}) AS formatted', { statement });
      // Backquotes the names need none of; otherwise the same statement.
      expect(row!.formatted).toBe(statement.replaceAll('`', ''));
    }
  });
});

describe('the tables a Grafana user may read', () => {
  it('every table with a ProjectId column is readable or withheld on purpose, and each readable one has its policy column', async () => {
    const columns = await store.select<{ table: string; name: string }>(
      'test',
      `SELECT c.table AS table, c.name AS name FROM system.columns AS c INNER JOIN system.tables AS t ON t.database = c.database AND t.name = c.table
       WHERE c.database = currentDatabase() AND c.name IN ('ProjectId', 'Id') AND t.engine NOT IN ('MaterializedView', 'View')`,
    );
    const withProjectId = new Set(columns.filter((c) => c.name === 'ProjectId').map((c) => c.table));
    const readable = new Set<string>(GRAFANA_READABLE_TABLES.map((t) => t.table));
    // Kept from Grafana users: keys, per-project settings, the imports ledger, these users.
    const withheld = new Set<string>([TABLES.apiKeys, TABLES.imports, TABLES.retention, TABLES.redactionRules, TABLES.grafanaUsers]);
    const undecided = [...withProjectId].filter((table) => !readable.has(table) && !withheld.has(table));
    expect(undecided, 'a table with a ProjectId column: add it to GRAFANA_READABLE_TABLES (with a row policy) or to the withheld list here').toEqual([]);
    for (const { table, column } of GRAFANA_READABLE_TABLES) expect(columns).toContainEqual({ table, name: column });
  });
});

describe('isolation: the user’s row policies, applied as the per-query row filter', () => {
  /** table (database.table) → predicate, read from the generator's CREATE ROW POLICY statements. */
  let policies: Map<string, string>;
  beforeAll(() => {
    policies = new Map();
    for (const statement of createGrafanaUserStatements({ projectId: acme, database: 'default' }, newGrafanaCredentials())) {
      const policy = /^CREATE ROW POLICY OR REPLACE `\w+` ON `(\w+)`\.(\w+) FOR SELECT USING (.+) TO `\w+`$/.exec(statement);
      if (policy) policies.set(`${policy[1]}.${policy[2]}`, policy[3]!);
    }
  });

  const literal = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  /** What the server does for the user's queries: each read of a table filtered by the user's policy on it. */
  const asProjectUser = (sql: string) =>
    `${sql}\nSETTINGS additional_table_filters = {${[...policies].map(([table, predicate]) => `${literal(table)}: ${literal(predicate)}`).join(', ')}}`;
  const macros = (sql: string) =>
    expandMacros(sql, {
      from: new Date(NOW - 3_600_000),
      to: new Date(NOW + 60_000),
      intervalSeconds: 60,
      variables: { service: { all: true }, operation: { all: true }, status: { all: true }, search: { all: true }, min_duration: { all: true }, level_filter: { all: true } },
    });

  it('covers every readable table', () => {
    expect([...policies.keys()]).toEqual(GRAFANA_READABLE_TABLES.map((t) => `default.${t.table}`));
  });

  it.each(GRAFANA_READABLE_TABLES)('SELECT * FROM $table: the project’s rows, none of the other’s', async ({ table, column }) => {
    const everyone = await store.select<Record<string, unknown>>('test', `SELECT * FROM default.${table}`);
    expect(everyone.filter((row) => row[column] === globex).length).toBeGreaterThan(0);
    const rows = await store.select<Record<string, unknown>>('test', asProjectUser(`SELECT * FROM default.${table}`));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((row) => row[column] !== acme)).toEqual([]);
  });

  // The plugin's OTel-mode SQL (grafana/clickhouse-datasource, src/data/sqlGenerator.ts), as it generates it for
  // database "default", and queries of its bundled OTel dashboards (src/dashboards/otel-*.json).
  const PLUGIN: Record<string, string> = {
    'trace by id, with the trace id both projects sent':
      `WITH '${SHARED_TRACE}' as __gf_trace_id, (SELECT min(Start) FROM "default"."otel_traces_trace_id_ts" WHERE TraceId = __gf_trace_id) as __gf_trace_start, ` +
      `(SELECT max(End) + 1 FROM "default"."otel_traces_trace_id_ts" WHERE TraceId = __gf_trace_id) as __gf_trace_end ` +
      `SELECT "TraceId" as traceID, "SpanId" as spanID, "ParentSpanId" as parentSpanID, "ServiceName" as serviceName, "SpanName" as operationName, ` +
      `multiply(toUnixTimestamp64Nano("Timestamp"), 0.000001) as startTime, multiply("Duration", 0.000001) as duration, ` +
      `arrayMap(key -> map('key', key, 'value',"SpanAttributes"[key]), mapKeys("SpanAttributes")) as tags, ` +
      `arrayMap(key -> map('key', key, 'value',"ResourceAttributes"[key]), mapKeys("ResourceAttributes")) as serviceTags, ` +
      `if("StatusCode" IN ('Error', 'STATUS_CODE_ERROR'), 2, 0) as statusCode, ` +
      `arrayMap((name, timestamp, attributes) -> tuple(name, toString(toUnixTimestamp64Milli(timestamp)), arrayMap(key -> map('key', key, 'value', attributes[key]), mapKeys(attributes)))::Tuple(name String, timestamp String, fields Array(Map(String, String))), "Events".Name, "Events".Timestamp, "Events".Attributes) AS logs, ` +
      `arrayMap((traceID, spanID, attributes) -> tuple(traceID, spanID, arrayMap(key -> map('key', key, 'value', attributes[key]), mapKeys(attributes)))::Tuple(traceID String, spanID String, tags Array(Map(String, String))), "Links".TraceId, "Links".SpanId, "Links".Attributes) AS references, ` +
      `"SpanKind" as kind, "StatusMessage" as statusMessage, "ScopeName" as instrumentationLibraryName, "ScopeVersion" as instrumentationLibraryVersion, "TraceState" as traceState ` +
      `FROM "default"."otel_traces" WHERE traceID = __gf_trace_id AND "Timestamp" >= __gf_trace_start AND "Timestamp" <= __gf_trace_end`,
    'logs of a trace (the trace panel’s logs)':
      `SELECT Timestamp as "timestamp", Body as "body", SeverityText as "level", TraceId as "traceID", ResourceAttributes, ScopeAttributes, LogAttributes ` +
      `FROM "default"."otel_logs" WHERE ( TimestampTime >= $__fromTime AND TimestampTime <= $__toTime ) AND ( traceID = '${SHARED_TRACE}' ) ` +
      `ORDER BY (TimestampTime, timestamp) DESC LIMIT 1000`,
    'logs panel':
      `SELECT Timestamp as "timestamp", Body as "body", SeverityText as "level", TraceId as "traceID", ResourceAttributes, ScopeAttributes, LogAttributes ` +
      `FROM "default"."otel_logs" WHERE ( TimestampTime >= $__fromTime AND TimestampTime <= $__toTime ) ORDER BY (TimestampTime, timestamp) DESC LIMIT 1000`,
    'trace search':
      `SELECT "TraceId" as traceID, "ServiceName" as serviceName, "SpanName" as operationName, "Timestamp" as startTime, multiply("Duration", 0.000001) as duration ` +
      `FROM "default"."otel_traces" WHERE ( Timestamp >= $__fromTime AND Timestamp <= $__toTime ) AND ( ParentSpanId = '' ) AND ( Duration > 0 ) ` +
      `ORDER BY Timestamp DESC, Duration DESC LIMIT 1000`,
    'traces table (bundled traces explorer)':
      `SELECT TraceId, any(ServiceName) AS Service, any(SpanName) AS RootOperation, min(Timestamp) AS Time, max(Duration) AS Duration, count() AS Spans, ` +
      `anyIf(StatusCode, StatusCode IN ('Error', 'STATUS_CODE_ERROR')) AS Status FROM otel_traces WHERE $__timeFilter(Timestamp) ` +
      `AND $__conditionalAll(ServiceName IN ($service), $service) AND $__conditionalAll(SpanName IN ($operation), $operation) ` +
      `AND $__conditionalAll(StatusCode IN ($status), $status) GROUP BY TraceId ORDER BY Time DESC LIMIT 200`,
    'service map, a self-join on spans (bundled traces explorer)':
      `SELECT concat(parent.ServiceName, '-', child.ServiceName) AS id, parent.ServiceName AS source, child.ServiceName AS target, ` +
      `concat(toString(count()), ' calls') AS mainstat FROM otel_traces AS child INNER JOIN otel_traces AS parent ` +
      `ON child.ParentSpanId = parent.SpanId AND child.TraceId = parent.TraceId WHERE $__timeFilter(child.Timestamp) AND $__timeFilter(parent.Timestamp) ` +
      `AND parent.ServiceName != child.ServiceName GROUP BY source, target ORDER BY count() DESC LIMIT 50`,
    'service variable (bundled logs explorer)': `SELECT ServiceName FROM otel_logs WHERE $__timeFilter(Timestamp) GROUP BY ServiceName ORDER BY count() DESC LIMIT 10`,
  };

  it.each(Object.keys(PLUGIN))('%s: the project’s rows only', async (name) => {
    const sql = macros(PLUGIN[name]!);
    // Without the policies, the same SQL reads the other project's rows too (or pairs them with ours)…
    const everyone = JSON.stringify(await store.select('test', sql));
    expect(everyone).toContain('globex');
    // …as the project's user, none.
    const rows = await store.select<Record<string, unknown>>('test', asProjectUser(sql));
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).toContain('acme');
    expect(JSON.stringify(rows)).not.toMatch(/globex|bbbbbbbb/);
  });

  it('log volume by level (bundled logs explorer) counts the project’s logs only', async () => {
    const sql = macros(
      `SELECT toStartOfInterval(Timestamp, INTERVAL $__interval_s second) AS time, SeverityText AS metric, count() AS count FROM otel_logs ` +
        `WHERE $__timeFilter(Timestamp) AND $__conditionalAll(ServiceName IN ($service), $service) GROUP BY time, metric ORDER BY time`,
    );
    const total = (rows: Array<{ count: string }>) => rows.reduce((n, r) => n + Number(r.count), 0);
    expect(total(await store.select<{ count: string }>('test', sql))).toBe(6);
    expect(total(await store.select<{ count: string }>('test', asProjectUser(sql)))).toBe(3);
  });

  it('trace by id returns exactly the project’s spans of the trace both projects sent, with their events and links', async () => {
    const rows = await store.select<{ spanID: string; logs: Array<{ name: string }>; references: Array<{ traceID: string }> }>(
      'test',
      asProjectUser(macros(PLUGIN['trace by id, with the trace id both projects sent']!)),
    );
    expect(rows.map((r) => r.spanID).sort()).toEqual(['aaaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaaa2']);
    const step = rows.find((r) => r.spanID === 'aaaaaaaaaaaaaaa2')!;
    expect(step.logs.map((e) => e.name)).toEqual(['acme exception']);
    expect(step.references.map((l) => l.traceID)).toEqual(['a'.repeat(32)]);
  });
});
