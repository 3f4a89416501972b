import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterCatalog,
  ClusterDdlError,
  SHARDING_KEYS,
  Store,
  TABLES,
  clusterRuntimeStatement,
  clusterStatements,
  loadMigrations,
  migrationPlan,
  type ClusterContext,
} from '@flowtrace/store';
import { tempDir } from '../../test/support/store.js';

const CLUSTER = { cluster: 'flowtrace', database: 'flowtrace' };

/** A context whose catalog already holds what `setup` creates. */
function contextAfter(...setup: string[]): ClusterContext {
  const context: ClusterContext = { ...CLUSTER, file: '9999_test.sql', catalog: new ClusterCatalog() };
  for (const statement of setup) clusterStatements(statement, context);
  return context;
}

const SPANS = `CREATE TABLE IF NOT EXISTS otel_traces (
    ProjectId LowCardinality(String),
    TraceId String,
    Timestamp DateTime64(9)
) ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ProjectId, toDateTime(Timestamp))
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 10000`;

const EXECUTIONS = `CREATE TABLE IF NOT EXISTS flowtrace_executions (ProjectId String, TraceId String, Start DateTime64(9)) ENGINE = MergeTree ORDER BY (ProjectId, Start)`;
const COUNTS = `CREATE TABLE IF NOT EXISTS flowtrace_execution_counts (ProjectId String, Bucket DateTime, Executions SimpleAggregateFunction(sum, UInt64)) ENGINE = AggregatingMergeTree ORDER BY (ProjectId, Bucket)`;
const RECORDS = `CREATE TABLE flowtrace_trace_records (ProjectId String, TraceId String, Timestamp DateTime64(9)) ENGINE = MergeTree ORDER BY (ProjectId, TraceId)`;
const LOGS = `CREATE TABLE otel_logs (ProjectId String, TraceId String, Timestamp DateTime64(9)) ENGINE = MergeTree ORDER BY (ProjectId, Timestamp)`;

describe('cluster DDL, statement by statement', () => {
  it('makes a table a replicated local table on every node and a Distributed table in front', () => {
    const context = contextAfter();
    expect(clusterStatements(`-- Spans.\n${SPANS}`, context)).toEqual([
      `-- Spans.
CREATE TABLE IF NOT EXISTS otel_traces_local ON CLUSTER flowtrace (
    ProjectId LowCardinality(String),
    TraceId String,
    Timestamp DateTime64(9)
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/otel_traces', '{replica}')
PARTITION BY toDate(Timestamp)
ORDER BY (ProjectId, toDateTime(Timestamp))
SETTINGS index_granularity = 8192, replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800`,
      `CREATE TABLE IF NOT EXISTS otel_traces ON CLUSTER flowtrace AS otel_traces_local
ENGINE = Distributed(flowtrace, flowtrace, otel_traces_local, cityHash64(ProjectId, TraceId))`,
    ]);
  });

  it("keeps a merging engine's parameters and shards a table read with FINAL by its row's identity", () => {
    const statement = `CREATE TABLE IF NOT EXISTS flowtrace_api_keys (Id String, ProjectId String, Version UInt64) ENGINE = ReplacingMergeTree(Version) ORDER BY (ProjectId, Id)`;
    expect(clusterStatements(statement, contextAfter())).toEqual([
      `CREATE TABLE IF NOT EXISTS flowtrace_api_keys_local ON CLUSTER flowtrace (Id String, ProjectId String, Version UInt64) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/flowtrace_api_keys', '{replica}', Version) ORDER BY (ProjectId, Id)`,
      `CREATE TABLE IF NOT EXISTS flowtrace_api_keys ON CLUSTER flowtrace AS flowtrace_api_keys_local
ENGINE = Distributed(flowtrace, flowtrace, flowtrace_api_keys_local, cityHash64(ProjectId))`,
    ]);
  });

  it('shards a table SHARDING_KEYS does not list by the leading column of its sort key', () => {
    const statement = `CREATE TABLE IF NOT EXISTS some_state (RuleId String, Fingerprint String, Version UInt64, Deleted UInt8) ENGINE = ReplacingMergeTree(Version, Deleted) ORDER BY (RuleId, Fingerprint)`;
    const [, front] = clusterStatements(statement, contextAfter());
    expect(front).toBe(`CREATE TABLE IF NOT EXISTS some_state ON CLUSTER flowtrace AS some_state_local
ENGINE = Distributed(flowtrace, flowtrace, some_state_local, cityHash64(RuleId))`);
    const plain = `CREATE TABLE IF NOT EXISTS some_log (At DateTime, Line String) ENGINE = MergeTree ORDER BY tuple()`;
    expect(clusterStatements(plain, contextAfter())[1]).toContain('Distributed(flowtrace, flowtrace, some_log_local, rand())');
  });

  it('attaches a view to the local tables: it reads the local source and writes the local target', () => {
    const context = contextAfter(SPANS, RECORDS);
    const view = `CREATE MATERIALIZED VIEW flowtrace_trace_records_spans_mv
TO flowtrace_trace_records
AS SELECT s.ProjectId AS ProjectId, s.TraceId AS TraceId, s.Timestamp AS Timestamp
FROM otel_traces AS s`;
    expect(clusterStatements(view, context)).toEqual([
      `CREATE MATERIALIZED VIEW flowtrace_trace_records_spans_mv ON CLUSTER flowtrace
TO flowtrace_trace_records_local
AS SELECT s.ProjectId AS ProjectId, s.TraceId AS TraceId, s.Timestamp AS Timestamp
FROM otel_traces_local AS s`,
    ]);
  });

  it('chains views through local tables (spans → executions → hourly counts)', () => {
    const context = contextAfter(SPANS, EXECUTIONS, COUNTS);
    const [executions] = clusterStatements(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS flowtrace_executions_mv TO flowtrace_executions AS SELECT ProjectId, TraceId, Timestamp AS Start FROM otel_traces WHERE TraceId != ''`,
      context,
    );
    const [counts] = clusterStatements(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS flowtrace_execution_counts_mv TO flowtrace_execution_counts AS SELECT ProjectId, toStartOfHour(Start) AS Bucket, count() AS Executions FROM flowtrace_executions ARRAY JOIN [1] AS one GROUP BY ProjectId, Bucket`,
      context,
    );
    expect(executions).toBe(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS flowtrace_executions_mv ON CLUSTER flowtrace TO flowtrace_executions_local AS SELECT ProjectId, TraceId, Timestamp AS Start FROM otel_traces_local WHERE TraceId != ''`,
    );
    expect(counts).toBe(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS flowtrace_execution_counts_mv ON CLUSTER flowtrace TO flowtrace_execution_counts_local AS SELECT ProjectId, toStartOfHour(Start) AS Bucket, count() AS Executions FROM flowtrace_executions_local ARRAY JOIN [1] AS one GROUP BY ProjectId, Bucket`,
    );
  });

  it('applies storage ALTERs to the local table, and column changes to the Distributed table too', () => {
    const context = contextAfter(SPANS);
    expect(clusterStatements(`ALTER TABLE otel_traces MODIFY SETTING non_replicated_deduplication_window = 10000`, context)).toEqual([
      `ALTER TABLE otel_traces_local ON CLUSTER flowtrace MODIFY SETTING replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800`,
    ]);
    expect(clusterStatements(`ALTER TABLE otel_traces MODIFY SETTING merge_selector_base = 20, auto_statistics_types = ''`, context)).toEqual([
      `ALTER TABLE otel_traces_local ON CLUSTER flowtrace MODIFY SETTING merge_selector_base = 20, auto_statistics_types = ''`,
    ]);
    const added = `ALTER TABLE otel_traces ADD COLUMN IF NOT EXISTS SpanAttributeItems Array(String) ALIAS mapKeys(SpanAttributes),
  ADD INDEX IF NOT EXISTS idx_items SpanAttributeItems TYPE bloom_filter(0.01) GRANULARITY 1`;
    expect(clusterStatements(added, context)).toEqual([
      `ALTER TABLE otel_traces_local ON CLUSTER flowtrace ADD COLUMN IF NOT EXISTS SpanAttributeItems Array(String) ALIAS mapKeys(SpanAttributes), ADD INDEX IF NOT EXISTS idx_items SpanAttributeItems TYPE bloom_filter(0.01) GRANULARITY 1`,
      `ALTER TABLE otel_traces ON CLUSTER flowtrace ADD COLUMN IF NOT EXISTS SpanAttributeItems Array(String) ALIAS mapKeys(SpanAttributes)`,
    ]);
    // A column leaves the Distributed table before the local tables lose it.
    expect(clusterStatements(`ALTER TABLE otel_traces DROP COLUMN IF EXISTS Old`, context)).toEqual([
      `ALTER TABLE otel_traces ON CLUSTER flowtrace DROP COLUMN IF EXISTS Old`,
      `ALTER TABLE otel_traces_local ON CLUSTER flowtrace DROP COLUMN IF EXISTS Old`,
    ]);
  });

  it('drops views once and tables twice (front and local), synchronously', () => {
    const context = contextAfter(SPANS, RECORDS, `CREATE MATERIALIZED VIEW v TO flowtrace_trace_records AS SELECT ProjectId, TraceId, Timestamp FROM otel_traces`);
    expect(clusterStatements('DROP VIEW IF EXISTS v', context)).toEqual(['DROP VIEW IF EXISTS v ON CLUSTER flowtrace SYNC']);
    expect(clusterStatements('DROP TABLE IF EXISTS flowtrace_trace_records', context)).toEqual([
      'DROP TABLE IF EXISTS flowtrace_trace_records ON CLUSTER flowtrace SYNC',
      'DROP TABLE IF EXISTS flowtrace_trace_records_local ON CLUSTER flowtrace SYNC',
    ]);
    expect(context.catalog.tables.has('flowtrace_trace_records')).toBe(false);
    expect(context.catalog.views.has('v')).toBe(false);
  });

  it('copies tables through the Distributed tables, shard by shard when both are sharded alike', () => {
    const context = contextAfter(SPANS, RECORDS, LOGS, COUNTS, EXECUTIONS);
    expect(clusterStatements(`INSERT INTO flowtrace_trace_records\nSELECT s.ProjectId, s.TraceId, s.Timestamp FROM otel_traces AS s`, context)).toEqual([
      `INSERT INTO flowtrace_trace_records\nSETTINGS parallel_distributed_insert_select = 2, distributed_foreground_insert = 1\nSELECT s.ProjectId, s.TraceId, s.Timestamp FROM otel_traces AS s`,
    ]);
    // Logs are sharded by another key: the rows are routed by the target's.
    expect(clusterStatements(`INSERT INTO flowtrace_trace_records SELECT ProjectId, TraceId, Timestamp FROM otel_logs WHERE TraceId != ''`, context)).toEqual([
      `INSERT INTO flowtrace_trace_records SETTINGS parallel_distributed_insert_select = 0, distributed_foreground_insert = 1\nSELECT ProjectId, TraceId, Timestamp FROM otel_logs WHERE TraceId != ''`,
    ]);
    expect(clusterStatements(`INSERT INTO flowtrace_execution_counts SELECT ProjectId, toStartOfHour(Start), count() FROM flowtrace_executions GROUP BY 1, 2`, context)[0]).toContain(
      'parallel_distributed_insert_select = 0',
    );
    expect(clusterStatements(`INSERT INTO otel_logs VALUES ('p', 't', now64(9))`, context)).toEqual([`INSERT INTO otel_logs VALUES ('p', 't', now64(9))`]);
  });

  it('runs OPTIMIZE, TRUNCATE and DELETE on every local table, and renames both tables', () => {
    const context = contextAfter(SPANS);
    expect(clusterStatements('OPTIMIZE TABLE otel_traces FINAL', context)).toEqual(['OPTIMIZE TABLE otel_traces_local ON CLUSTER flowtrace FINAL']);
    expect(clusterStatements('TRUNCATE TABLE IF EXISTS otel_traces', context)).toEqual(['TRUNCATE TABLE IF EXISTS otel_traces_local ON CLUSTER flowtrace']);
    expect(clusterStatements("DELETE FROM otel_traces WHERE ProjectId = 'p'", context)).toEqual(["DELETE FROM otel_traces_local ON CLUSTER flowtrace WHERE ProjectId = 'p'"]);
    expect(clusterStatements('RENAME TABLE otel_traces TO otel_spans', context)).toEqual([
      'DROP TABLE otel_traces ON CLUSTER flowtrace SYNC',
      'RENAME TABLE otel_traces_local TO otel_spans_local ON CLUSTER flowtrace',
      `CREATE TABLE otel_spans ON CLUSTER flowtrace AS otel_spans_local\nENGINE = Distributed(flowtrace, flowtrace, otel_spans_local, cityHash64(ProjectId, TraceId))`,
    ]);
  });
});

describe('statements without a faithful cluster form are refused, naming the file and the statement', () => {
  const refused: Array<[string, string, RegExp]> = [
    ['an engine outside the MergeTree family', 'CREATE TABLE t (x UInt8) ENGINE = Memory', /engine Memory/],
    ['a table that is already replicated', "CREATE TABLE t (x UInt8) ENGINE = ReplicatedMergeTree('/p', 'r') ORDER BY x", /engine ReplicatedMergeTree/],
    ['CREATE TABLE … AS SELECT', 'CREATE TABLE t ENGINE = MergeTree ORDER BY x AS SELECT 1 AS x', /column list/],
    ['a view with an inner table', 'CREATE MATERIALIZED VIEW v ENGINE = MergeTree ORDER BY ProjectId AS SELECT ProjectId FROM otel_traces', /TO a table/],
    ['a view that joins', 'CREATE MATERIALIZED VIEW v TO flowtrace_trace_records AS SELECT s.ProjectId FROM otel_traces AS s JOIN otel_logs AS l ON s.TraceId = l.TraceId', /joins/],
    ['a view that reads a subquery', 'CREATE MATERIALIZED VIEW v TO flowtrace_trace_records AS SELECT ProjectId FROM (SELECT ProjectId FROM otel_traces)', /subquery/],
    ['a view that reads two tables', 'CREATE MATERIALIZED VIEW v TO flowtrace_trace_records AS SELECT ProjectId FROM otel_traces UNION ALL SELECT ProjectId FROM otel_logs', /more than one table/],
    ['a view that names a table in a condition', 'CREATE MATERIALIZED VIEW v TO flowtrace_trace_records AS SELECT ProjectId FROM otel_traces WHERE TraceId IN otel_logs', /outside its FROM/],
    ['columns qualified with the table name', 'CREATE MATERIALIZED VIEW v TO flowtrace_trace_records AS SELECT otel_traces.ProjectId FROM otel_traces', /alias/],
    ['a view writing to a table no statement created', 'CREATE MATERIALIZED VIEW v TO nowhere AS SELECT ProjectId FROM otel_traces', /nowhere/],
    ['a view reading a table no statement created', 'CREATE MATERIALIZED VIEW v TO flowtrace_trace_records AS SELECT ProjectId FROM elsewhere', /elsewhere/],
    ['a statement already ON CLUSTER', 'ALTER TABLE otel_traces ON CLUSTER c MODIFY SETTING x = 1', /ON CLUSTER/],
    ['an ALTER action it does not know', 'ALTER TABLE otel_traces MODIFY QUERY SELECT 1', /MODIFY QUERY/],
    ['an ALTER of a table no statement created', 'ALTER TABLE elsewhere ADD COLUMN x UInt8', /elsewhere/],
    ['a table in another database', 'CREATE TABLE other.t (x UInt8) ENGINE = MergeTree ORDER BY x', /database/],
    ['GRANT', 'GRANT SELECT ON otel_traces TO someone', /GRANT/],
    ['CREATE USER', "CREATE USER u IDENTIFIED BY 'x'", /CREATE USER/],
    ['SYSTEM', 'SYSTEM STOP MERGES otel_traces', /SYSTEM/],
  ];
  it.each(refused)('%s', (_what, statement, reason) => {
    const context = contextAfter(SPANS, RECORDS, LOGS);
    let error: unknown;
    try {
      clusterStatements(statement, context);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ClusterDdlError);
    const message = (error as Error).message;
    expect(message).toMatch(/^9999_test\.sql: no cluster form for this statement: /);
    expect(message).toMatch(reason);
    expect(message).toContain(statement.slice(0, 40));
  });

  it("refuses a view writing rows to a merging table whose key was not chosen to agree with the view's source", () => {
    const context = contextAfter(SPANS, `CREATE TABLE per_trace (TraceId String, ProjectId String, Version UInt64) ENGINE = ReplacingMergeTree(Version) ORDER BY TraceId`);
    expect(() => clusterStatements('CREATE MATERIALIZED VIEW v TO per_trace AS SELECT TraceId, ProjectId, 1 AS Version FROM otel_traces', context)).toThrow(
      /per_trace is a ReplacingMergeTree .* SHARDING_KEYS .* otel_traces's \(cityHash64\(ProjectId, TraceId\)\)/,
    );
  });
});

describe('runtime statements on a cluster', () => {
  it('runs DELETE and storage ALTERs on every local table, parameters untouched', () => {
    expect(clusterRuntimeStatement(`DELETE FROM ${TABLES.logs} WHERE ProjectId = {projectId:String} AND Timestamp < now()`, CLUSTER)).toBe(
      'DELETE FROM otel_logs_local ON CLUSTER flowtrace WHERE ProjectId = {projectId:String} AND Timestamp < now()',
    );
    expect(clusterRuntimeStatement(`ALTER TABLE ${TABLES.traces} MODIFY TTL toDateTime(Timestamp) + toIntervalDay(7) SETTINGS materialize_ttl_after_modify = 0`, CLUSTER)).toBe(
      'ALTER TABLE otel_traces_local ON CLUSTER flowtrace MODIFY TTL toDateTime(Timestamp) + toIntervalDay(7) SETTINGS materialize_ttl_after_modify = 0',
    );
    expect(clusterRuntimeStatement(`ALTER TABLE ${TABLES.eventLogs} REMOVE TTL SETTINGS materialize_ttl_after_modify = 0`, CLUSTER)).toBe(
      'ALTER TABLE flowtrace_event_logs_local ON CLUSTER flowtrace REMOVE TTL SETTINGS materialize_ttl_after_modify = 0',
    );
  });

  it('leaves reads, inserts, statements already ON CLUSTER and unknown tables alone', () => {
    for (const statement of [
      `SELECT count() FROM ${TABLES.traces} FINAL`,
      `INSERT INTO ${TABLES.executionCounts} SELECT * FROM ${TABLES.executionCounts}`,
      'DELETE FROM otel_traces_local ON CLUSTER flowtrace WHERE 1',
      'DELETE FROM somebody_elses WHERE 1',
      `CREATE TABLE IF NOT EXISTS ${TABLES.migrations} (Version UInt32) ENGINE = MergeTree ORDER BY Version`,
    ]) {
      expect(clusterRuntimeStatement(statement, CLUSTER)).toBe(statement);
    }
  });

  it('refuses a column change outside a migration', () => {
    expect(() => clusterRuntimeStatement(`ALTER TABLE ${TABLES.traces} ADD COLUMN X UInt8`, CLUSTER)).toThrow(/a column change belongs in a migration/);
  });
});

describe('the cluster form of every migration', () => {
  let store: Store;
  let remove: () => void;
  const migrations = loadMigrations();
  const plan = migrationPlan(migrations, CLUSTER);
  const generated = [...plan.ledger, ...plan.migrations.flatMap((m) => m.statements)];
  /** Every table any migration creates, and the ledger. */
  const tables = new Set([TABLES.migrations, ...migrations.flatMap((m) => m.statements.flatMap((s) => /CREATE TABLE (?:IF NOT EXISTS )?(\w+)/.exec(s)?.[1] ?? []))]);

  beforeAll(async () => {
    const dir = tempDir();
    remove = dir.remove;
    store = await Store.connect({ dataDir: dir.path });
  });
  afterAll(async () => {
    await store.close();
    remove();
  });

  /** The statement as the engine's parser reads it (formatQuery): parsing is the check. */
  async function formatted(statement: string): Promise<string> {
    const [row] = await store.select<{ f: string }>('test.cluster.format', 'SELECT formatQuery({q:String}) AS f', { q: statement });
    return row!.f;
  }

  it('parses every generated statement with the real engine', async () => {
    expect(generated.length).toBeGreaterThan(100);
    for (const statement of generated) {
      await expect(formatted(statement), statement).resolves.toMatch(/\S/);
    }
  });

  it('gives every table a Replicated engine ON CLUSTER and a Distributed table with its key, the ledger included', async () => {
    const locals = new Map<string, string>();
    const fronts = new Map<string, string>();
    for (const statement of generated) {
      const text = await formatted(statement);
      const local = /^CREATE TABLE (?:IF NOT EXISTS )?(\w+)_local ON CLUSTER flowtrace\n[\s\S]*\nENGINE = (Replicated\w*MergeTree)\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/(\w+)', '\{replica\}'/.exec(text);
      const front = /^CREATE TABLE (?:IF NOT EXISTS )?(\w+) ON CLUSTER flowtrace AS (\w+)\nENGINE = Distributed\(flowtrace, flowtrace, (\w+), (.+)\)$/.exec(text);
      if (text.startsWith('CREATE TABLE')) expect(local ?? front, text).not.toBeNull();
      if (local) {
        expect(local[3]).toBe(local[1]);
        locals.set(local[1]!, local[2]!);
      }
      if (front) {
        expect([front[2], front[3]]).toEqual([`${front[1]}_local`, `${front[1]}_local`]);
        fronts.set(front[1]!, front[4]!);
      }
    }
    expect([...locals.keys()].sort()).toEqual([...tables].sort());
    expect([...fronts.keys()].sort()).toEqual([...tables].sort());
    for (const [table, key] of fronts) {
      if (SHARDING_KEYS[table] !== undefined) expect(await formatted(`SELECT ${key}`)).toBe(await formatted(`SELECT ${SHARDING_KEYS[table]}`));
    }
    expect(plan.ledger.join('\n')).toMatch(/flowtrace_migrations_local ON CLUSTER flowtrace[\s\S]*ReplicatedReplacingMergeTree/);
  });

  it('attaches every view ON CLUSTER to local tables only: it reads a *_local table and writes to a *_local table', async () => {
    let views = 0;
    for (const statement of generated) {
      const text = await formatted(statement);
      if (!text.startsWith('CREATE MATERIALIZED VIEW')) continue;
      views++;
      expect(text).toMatch(/^CREATE MATERIALIZED VIEW (?:IF NOT EXISTS )?\w+ ON CLUSTER flowtrace TO (\w+)_local\n/);
      const select = text.slice(text.indexOf('\nAS '));
      expect(select).toMatch(/\nFROM \w+_local\b/);
      for (const table of tables) {
        // Every mention of a table inside the view is of its local table.
        expect(select.match(new RegExp(`\\b${table}\\b(?!_local)`, 'g')) ?? [], `${table} in ${text}`).toEqual([]);
      }
    }
    expect(views).toBeGreaterThanOrEqual(8);
  });

  it('runs every other statement ON CLUSTER, and copies tables through the Distributed tables', async () => {
    for (const statement of generated) {
      const text = await formatted(statement);
      if (text.startsWith('INSERT INTO')) {
        expect(text).toMatch(/^INSERT INTO (\w+)\nSETTINGS parallel_distributed_insert_select = [02], distributed_foreground_insert = 1\n/);
        expect(text).not.toMatch(/_local/);
      } else {
        expect(text, text).toMatch(/ ON CLUSTER flowtrace\b/);
      }
      if (text.startsWith('ALTER TABLE')) {
        // Storage changes go to the local tables; only column changes reach a Distributed table.
        const alter = /^ALTER TABLE (\w+) ON CLUSTER flowtrace\n([\s\S]*)$/.exec(text);
        if (!alter![1]!.endsWith('_local')) expect(alter![2]).not.toMatch(/\b(SETTING|INDEX|TTL|PROJECTION)\b/);
      }
    }
  });

  it('builds, without replication, as a schema whose views carry a span and a log through every local table', async () => {
    // The engine here has no Keeper and no cluster: the local tables are made
    // with the non-replicated engine and the Distributed tables left out. What
    // this checks is the wiring of the views between local tables.
    for (const statement of generated) {
      const local = declustered(statement);
      if (local) await store.command('test.cluster.build', local);
    }
    const project = 'p-1';
    await store.command(
      'test.cluster.span',
      `INSERT INTO otel_traces_local (ProjectId, Timestamp, TraceId, SpanId, ParentSpanId, SpanName, ServiceName, SpanAttributes, Duration, StatusCode)
       VALUES ({project:String}, now64(9), 'trace-1', 'span-1', '', 'run workflow', 'svc', {attributes:Map(String, String)}, 1500000000, 'Error')`,
      { project, attributes: { 'flowtrace.kind': 'workflow_execution', 'flowtrace.integration': 'slack' } },
    );
    await store.command(
      'test.cluster.log',
      `INSERT INTO otel_logs_local (ProjectId, Timestamp, TraceId, SpanId, SeverityText, SeverityNumber, ServiceName, Body, EventName)
       VALUES ({project:String}, now64(9), 'trace-1', 'span-1', 'ERROR', 17, 'svc', 'step failed', 'workflow.step.failed')`,
      { project },
    );
    const counts: Record<string, number> = {};
    // FINAL where the engine merges rows: a background merge may or may not have run.
    const merging = new Set(['otel_traces_trace_id_ts', 'flowtrace_execution_counts', 'flowtrace_execution_counts_by', 'flowtrace_event_logs']);
    for (const table of ['otel_traces', 'otel_logs', 'otel_traces_trace_id_ts', 'flowtrace_executions', 'flowtrace_execution_counts', 'flowtrace_execution_counts_by', 'flowtrace_trace_records', 'flowtrace_event_logs']) {
      const [row] = await store.select<{ n: string }>('test.cluster.count', `SELECT count() AS n FROM ${table}_local${merging.has(table) ? ' FINAL' : ''} WHERE ProjectId = {project:String}`, { project });
      counts[table] = Number(row!.n);
    }
    expect(counts).toEqual({
      otel_traces: 1,
      otel_logs: 1,
      // The span's and the log's time ranges, merged into the trace's.
      otel_traces_trace_id_ts: 1,
      flowtrace_executions: 1,
      flowtrace_execution_counts: 1,
      // One row for all executions of the kind, one per dimension.
      flowtrace_execution_counts_by: 6,
      flowtrace_trace_records: 2,
      flowtrace_event_logs: 1,
    });
    const views = await store.select<{ name: string; create_table_query: string }>(
      'test.cluster.views',
      `SELECT name, create_table_query FROM system.tables WHERE database = currentDatabase() AND engine = 'MaterializedView'`,
    );
    expect(views.length).toBeGreaterThanOrEqual(8);
    for (const view of views) {
      expect(view.create_table_query).toMatch(/ TO \w+\.\w+_local\b/);
      expect(view.create_table_query).toMatch(/ FROM \w+\.\w+_local\b/);
    }
  });

});

/**
 * A generated statement as the embedded engine can run it: the local tables
 * with the non-replicated engine, no ON CLUSTER; undefined for what needs a
 * cluster (Distributed tables, and statements that read or change them).
 */
function declustered(statement: string): string | undefined {
  const body = statement.replace(/^(?:\s*--[^\n]*\n)*/, '');
  if (/ENGINE = Distributed\(/.test(body) || /^INSERT\b/.test(body)) return undefined;
  if (/^(?:ALTER TABLE|DROP TABLE(?: IF EXISTS)?) (\w+)/.exec(body)?.[1]?.endsWith('_local') === false) return undefined;
  return body.replaceAll(' ON CLUSTER flowtrace', '').replace(/Replicated(\w*MergeTree)\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\w+', '\{replica\}'(?:, )?/, '$1(');
}
