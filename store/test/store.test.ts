import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminToken, Projects, TABLES, applyTtl, migrate, splitStatements, type Store } from '@flowtrace/store';
import { openTempStore } from '../../test/support/store.js';

let store: Store;
let dispose: () => Promise<void>;
let firstRun: string[];

beforeAll(async () => {
  const opened = await openTempStore();
  store = opened.store;
  dispose = opened.dispose;
  firstRun = opened.migrationsApplied;
});
afterAll(() => dispose());

describe('migrations', () => {
  it('applies every migration once, then nothing on an up-to-date store', async () => {
    expect(firstRun).toEqual([
      '0001_create_flowtrace_meta.sql',
      '0002_create_otel_traces.sql',
      '0003_create_otel_logs.sql',
      '0004_create_trace_id_lookup.sql',
      '0005_create_flowtrace_imports.sql',
      '0006_create_executions.sql',
      '0007_create_retention.sql',
      '0008_create_trace_records_and_dimension_counts.sql',
      '0009_recreate_trace_records_as_payloads.sql',
      '0010_recreate_event_logs_monthly_with_text_index.sql',
      '0011_disable_automatic_statistics.sql',
      '0012_create_ingest_tokens.sql',
      '0013_deduplicate_replayed_blocks.sql',
      '0014_merge_more_parts_at_once.sql',
      '0015_create_redaction_rules.sql',
      '0016_add_exporter_columns.sql',
      '0017_create_grafana_users.sql',
      '0018_create_alert_state.sql',
    ]);
    expect(await migrate(store)).toEqual([]);
    const recorded = await store.select<{ n: string }>('test', `SELECT count() AS n FROM ${TABLES.migrations}`);
    expect(Number(recorded[0]?.n)).toBe(18);
  });

  it('creates the clickhouseexporter tables with ProjectId leading the sort key', async () => {
    const tables = await store.select<{ name: string; sorting_key: string }>(
      'test',
      `SELECT name, sorting_key FROM system.tables WHERE database = currentDatabase() AND name IN ({names:Array(String)}) ORDER BY name`,
      { names: [TABLES.traces, TABLES.logs, TABLES.traceIdTs] },
    );
    expect(tables).toEqual([
      { name: 'otel_logs', sorting_key: 'ProjectId, ServiceName, TimestampTime, Timestamp' },
      { name: 'otel_traces', sorting_key: 'ProjectId, ServiceName, SpanName, toDateTime(Timestamp)' },
      { name: 'otel_traces_trace_id_ts', sorting_key: 'ProjectId, TraceId' },
    ]);
  });

  const DATA_TABLES = [
    TABLES.traces,
    TABLES.logs,
    TABLES.traceIdTs,
    TABLES.executions,
    TABLES.executionCounts,
    TABLES.executionCountsBy,
    TABLES.traceRecords,
    TABLES.eventLogs,
  ];
  it('keeps no column statistics: not computed by merges of the data tables, not loaded by statements', async () => {
    const tables = await store.select<{ name: string; engine_full: string }>(
      'test',
      `SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN ({names:Array(String)}) ORDER BY name`,
      { names: DATA_TABLES },
    );
    expect(tables).toHaveLength(DATA_TABLES.length);
    for (const t of tables) expect(t.engine_full, t.name).toContain("auto_statistics_types = ''");
    const [setting] = await store.select<{ value: string }>('test', `SELECT value FROM system.settings WHERE name = 'use_statistics'`);
    expect(setting?.value).toBe('0');
  });

  it('splits statements on line-ending semicolons and drops comment-only pieces', () => {
    expect(splitStatements('-- why\nCREATE TABLE a (x String);\n\n-- trailing comment\n')).toEqual(['-- why\nCREATE TABLE a (x String)']);
  });
});

describe('TTL', () => {
  const ttlOf = async (table: string) =>
    (await store.select<{ engine_full: string }>('test', `SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = {table:String}`, { table }))[0]?.engine_full ?? '';

  it('sets, changes and removes the TTL, and skips an unchanged value', async () => {
    expect(await ttlOf(TABLES.traces)).toContain('TTL toDateTime(Timestamp) + toIntervalDay(30)');
    expect(await applyTtl(store, 30)).toBe(false);
    expect(await applyTtl(store, 7)).toBe(true);
    expect(await ttlOf(TABLES.logs)).toContain('TTL TimestampTime + toIntervalDay(7)');
    expect(await applyTtl(store, 0)).toBe(true);
    expect(await ttlOf(TABLES.traceIdTs)).not.toContain('TTL');
  });
});

describe('projects and keys', () => {
  it('stores only a hash of a key, authenticates it, and refuses it once revoked', async () => {
    const projects = new Projects(store, { keyCacheMs: 60_000 });
    const project = await projects.createProject('Acme');
    const { info, key } = await projects.createApiKey(project.id, 'ci');
    const stored = await store.select<Record<string, unknown>>('test', `SELECT * FROM ${TABLES.apiKeys}`);
    expect(JSON.stringify(stored)).not.toContain(key);
    expect(info.prefix).toBe(key.slice(0, 12));

    expect(await projects.authenticate(key)).toEqual({ projectId: project.id, keyId: info.id });
    expect(await projects.authenticate(key + 'x')).toBeUndefined();
    expect(await projects.listApiKeys(project.id)).toEqual([info]);

    expect(await projects.revokeApiKey(project.id, info.id)).toBe(true);
    expect(await projects.authenticate(key)).toBeUndefined();
    const [listed] = await projects.listApiKeys(project.id);
    expect(listed?.revokedAt).not.toBeNull();
  });

  it('does not revoke a key through another project', async () => {
    const projects = new Projects(store, { keyCacheMs: 0 });
    const a = await projects.createProject('A');
    const b = await projects.createProject('B');
    const { info, key } = await projects.createApiKey(a.id, 'k');
    expect(await projects.revokeApiKey(b.id, info.id)).toBe(false);
    expect(await projects.authenticate(key)).toEqual({ projectId: a.id, keyId: info.id });
  });

  it('generates the admin token once and keeps only its hash', async () => {
    const first = await AdminToken.load(store, undefined);
    expect(first.generated).toMatch(/^fta_/);
    const second = await AdminToken.load(store, undefined);
    expect(second.generated).toBeUndefined();
    expect(second.matches(first.generated!)).toBe(true);
    expect(second.matches('fta_wrong')).toBe(false);
    const fromEnv = await AdminToken.load(store, 'from-env-secret');
    expect(fromEnv.matches('from-env-secret')).toBe(true);
    expect(fromEnv.matches(first.generated!)).toBe(false);
  });
});
