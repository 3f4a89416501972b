/**
 * The committed Grafana provisioning and dashboards: they parse, they name no
 * datasource but the `${datasource}` variable, and every panel's SQL — with
 * its variables and Grafana's macros expanded the way Grafana and the
 * ClickHouse plugin expand them — runs against the real embedded store
 * loaded with `flowtrace demo` data and returns rows. The plugin's own OTel
 * mode SQL is run against the same data.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as otelSemconv from '@opentelemetry/semantic-conventions';
import { expandMacros, type VariableValue } from '@flowtrace/alerting';
import * as semconv from '@flowtrace/conventions/semconv';
import { TABLES, openStore, type Store } from '@flowtrace/store';
import { loadDemoData, type DemoData, type DemoProject } from '../../test/support/demo.js';
import { logsByTraceIdSql, logsPanelSql, traceByIdSql, traceSearchSql } from './pluginSql.js';

const GRAFANA = fileURLToPath(new URL('..', import.meta.url));
const DASHBOARDS = join(GRAFANA, 'dashboards');
const PROVISIONING = join(GRAFANA, 'provisioning');
const PLUGIN = 'grafana-clickhouse-datasource';
const UIDS = ['flowtrace-overview', 'flowtrace-event-logs', 'flowtrace-trace', 'flowtrace-actionkit', 'flowtrace-managed-sync', 'flowtrace-agents', 'flowtrace-workato'];
const FORMATS: Record<string, number> = { timeseries: 0, table: 1, logs: 2, traces: 3 };

interface Target {
  refId: string;
  datasource?: { type?: string; uid?: string };
  editorType?: string;
  queryType?: string;
  format?: number;
  rawSql?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
}
interface Variable {
  type: string;
  name: string;
  multi?: boolean;
  includeAll?: boolean;
  query?: string | { rawSql?: string };
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: Variable[] };
  panels: Panel[];
}

function files(dir: string, extensions: readonly string[]): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path, extensions) : extensions.some((e) => name.endsWith(e)) ? [path] : [];
    })
    .sort();
}

const dashboardFiles = files(DASHBOARDS, ['.json']);
const dashboards = dashboardFiles.map((path) => ({ path, dashboard: JSON.parse(readFileSync(path, 'utf8')) as Dashboard }));
const panelsOf = (d: Dashboard) => d.panels.filter((p) => p.type !== 'row');
const byUid = (uid: string) => dashboards.find((d) => d.dashboard.uid === uid)!.dashboard;
/** Panels that read one trace by the trace_id variable, whatever the time range. */
const readsOneTrace = (sql: string) => /TraceId = ft_trace_id/.test(sql);

describe('provisioning files', () => {
  it('parse, every one', () => {
    const yamlFiles = files(PROVISIONING, ['.yaml', '.yml']);
    expect(yamlFiles.map((f) => relative(GRAFANA, f))).toEqual(expect.arrayContaining(['provisioning/datasources/flowtrace.yaml', 'provisioning/dashboards/flowtrace.yaml']));
    for (const file of yamlFiles) expect(() => parseYaml(readFileSync(file, 'utf8')), file).not.toThrow();
  });

  it('provision the ClickHouse datasource with a fixed uid, in OTel mode on our tables, its connection from the environment', () => {
    const config = parseYaml(readFileSync(join(PROVISIONING, 'datasources/flowtrace.yaml'), 'utf8')) as {
      apiVersion: number;
      datasources: Array<{ uid: string; type: string; jsonData: Record<string, unknown> & { logs: Record<string, unknown>; traces: Record<string, unknown> }; secureJsonData: Record<string, string> }>;
    };
    expect(config.apiVersion).toBe(1);
    expect(config.datasources).toHaveLength(1);
    const [ds] = config.datasources;
    expect(ds!.uid).toBe('flowtrace-clickhouse');
    expect(ds!.type).toBe(PLUGIN);
    const { jsonData } = ds!;
    expect(jsonData).toMatchObject({ host: '$CLICKHOUSE_GRAFANA_HOST', port: '$CLICKHOUSE_GRAFANA_PORT', protocol: 'http', username: '$CLICKHOUSE_GRAFANA_USER' });
    expect(ds!.secureJsonData.password).toBe('$CLICKHOUSE_GRAFANA_PASSWORD');
    expect(jsonData.logs).toMatchObject({ otelEnabled: true, otelVersion: '1.29.0', defaultTable: TABLES.logs });
    expect(jsonData.traces).toMatchObject({ otelEnabled: true, otelVersion: '1.29.0', defaultTable: TABLES.traces, durationUnit: 'nanoseconds', traceEventsColumnPrefix: 'Events', traceLinksColumnPrefix: 'Links' });
    expect(`${jsonData.traces.defaultTable as string}${jsonData.traces.traceTimestampTableSuffix as string}`).toBe(TABLES.traceIdTs);
    // Every variable Grafana expands is documented, with its default.
    const readme = readFileSync(join(GRAFANA, 'README.md'), 'utf8');
    const expanded: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === 'string') expanded.push(...[...value.matchAll(/\$\{?([A-Za-z_]\w*)/g)].map((m) => m[1]!));
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect(config);
    const variables = [...new Set(expanded)];
    expect(variables.sort()).toEqual(['CLICKHOUSE_GRAFANA_DATABASE', 'CLICKHOUSE_GRAFANA_HOST', 'CLICKHOUSE_GRAFANA_PASSWORD', 'CLICKHOUSE_GRAFANA_PORT', 'CLICKHOUSE_GRAFANA_USER']);
    for (const variable of variables) expect(readme, `grafana/README.md documents ${variable}`).toMatch(new RegExp(`\\| \`${variable}\` \\|`));
  });

  it('load the committed dashboards from where docker-compose mounts them, into a Flowtrace folder', () => {
    const config = parseYaml(readFileSync(join(PROVISIONING, 'dashboards/flowtrace.yaml'), 'utf8')) as { providers: Array<{ type: string; folder: string; options: { path: string } }> };
    expect(config.providers).toHaveLength(1);
    expect(config.providers[0]).toMatchObject({ type: 'file', folder: 'Flowtrace', options: { path: '/var/lib/grafana/dashboards' } });
  });
});

describe('dashboards', () => {
  it('have the fixed uids, once each, and a current schema', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([...UIDS].sort());
    for (const { path, dashboard } of dashboards) {
      expect(dashboard.schemaVersion, path).toBeGreaterThanOrEqual(39);
      const titles = panelsOf(dashboard).map((p) => p.title);
      expect(new Set(titles).size, `${dashboard.uid}: panel titles are unique`).toBe(titles.length);
    }
  });

  it('name no datasource but the ${datasource} variable', () => {
    const wrong: string[] = [];
    const walk = (value: unknown, where: string): void => {
      if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${where}[${i}]`));
      if (value === null || typeof value !== 'object') return;
      for (const [key, v] of Object.entries(value)) {
        if (key === 'datasource' && typeof v === 'object' && v !== null) {
          const { type, uid } = v as { type?: string; uid?: string };
          // Grafana's built-in annotations are the one other datasource a dashboard carries.
          if (!(type === PLUGIN && uid === '${datasource}') && !(type === 'grafana' && uid === '-- Grafana --')) wrong.push(`${where}.datasource = ${JSON.stringify(v)}`);
        }
        if (key === 'datasource' && typeof v === 'string') wrong.push(`${where}.datasource = ${JSON.stringify(v)}`);
        walk(v, `${where}.${key}`);
      }
    };
    for (const { dashboard } of dashboards) {
      walk(dashboard, dashboard.uid);
      expect(JSON.stringify(dashboard), dashboard.uid).not.toContain('flowtrace-clickhouse');
      for (const panel of panelsOf(dashboard)) expect(panel.datasource, `${dashboard.uid} / ${panel.title}`).toEqual({ type: PLUGIN, uid: '${datasource}' });
    }
    expect(wrong).toEqual([]);
  });

  it('have the datasource, project, integration and user variables', () => {
    for (const { dashboard } of dashboards) {
      const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
      expect(vars.get('datasource'), dashboard.uid).toMatchObject({ type: 'datasource', query: PLUGIN });
      expect(vars.get('project'), dashboard.uid).toMatchObject({ type: 'query' });
      expect((vars.get('project')!.query as { rawSql: string }).rawSql).toContain(`FROM ${TABLES.projects} FINAL`);
      for (const name of ['integration', 'user']) expect(vars.get(name), `${dashboard.uid} $${name}`).toMatchObject({ type: 'query', multi: true, includeAll: true });
    }
    expect(byUid('flowtrace-trace').templating.list.find((v) => v.name === 'trace_id')).toMatchObject({ type: 'textbox' });
    expect(byUid('flowtrace-event-logs').templating.list.find((v) => v.name === 'trace_id')).toMatchObject({ type: 'textbox' });
  });

  it('give every panel a raw SQL target scoped to the project, with the format of its panel and Grafana macros', () => {
    for (const { dashboard } of dashboards) {
      const variables = new Set(dashboard.templating.list.map((v) => v.name));
      for (const panel of panelsOf(dashboard)) {
        const where = `${dashboard.uid} / ${panel.title}`;
        expect(panel.targets?.length, where).toBe(1);
        const [target] = panel.targets!;
        expect(target, where).toMatchObject({ editorType: 'sql', datasource: { type: PLUGIN, uid: '${datasource}' } });
        expect(target!.format, where).toBe(FORMATS[target!.queryType!]);
        if (panel.type === 'logs' || panel.type === 'traces') expect(target!.queryType, where).toBe(panel.type);
        const sql = target!.rawSql!;
        expect(sql, where).toContain('ProjectId = ${project:singlequote}');
        // A trace is read by its id over its own time range; everything else over the dashboard's.
        if (!readsOneTrace(sql)) expect(sql, where).toMatch(/\$__timeFilter\(|\$__fromTime/);
        for (const [, name] of sql.matchAll(/\$\{?(?!__)(\w+)/g)) expect([...variables], `${where} uses $${name}`).toContain(name);
      }
    }
  });

  it('read only attributes Flowtrace’s instrumentation names (semconv.ts, or a stable OpenTelemetry name)', () => {
    const known = new Set([semconv, otelSemconv].flatMap((module) => Object.values(module).filter((v): v is string => typeof v === 'string')));
    const unknown: string[] = [];
    for (const { dashboard } of dashboards) {
      const sqls = [...panelsOf(dashboard).map((p) => p.targets![0]!.rawSql!), ...dashboard.templating.list.map((v) => (typeof v.query === 'object' ? (v.query.rawSql ?? '') : ''))];
      for (const sql of sqls) {
        for (const [, name] of sql.matchAll(/Attributes\['([^']+)'\]/g)) if (!known.has(name!)) unknown.push(`${dashboard.uid}: ${name}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});

describe('dashboard and plugin SQL on demo data', () => {
  let demo: DemoData;
  let store: Store;
  let project: DemoProject;
  let other: DemoProject;
  let from: Date;
  let to: Date;

  beforeAll(async () => {
    from = new Date(Date.now() - 25 * 3_600_000);
    demo = await loadDemoData();
    to = new Date(Date.now() + 10 * 60_000);
    ({ store } = await openStore({ dataDir: demo.dataDir, ttlDays: 0 }));
    [project, other] = demo.projects as [DemoProject, DemoProject];
  });
  afterAll(async () => {
    await store?.close();
    demo?.remove();
  });

  const ALL = { all: true } as const;
  /** The variables with every multi-value one at "All" and the textboxes blank. */
  const allOf = (): Record<string, VariableValue> => ({ project: project.id, integration: ALL, user: ALL, level: ALL, type: ALL, trace_id: '', search: '' });
  const run = (sql: string, variables: Record<string, VariableValue>) =>
    store.select<Record<string, unknown>>('grafana.test', expandMacros(sql, { from, to, intervalSeconds: 600, variables }));
  const panelQueries = (variables: (d: Dashboard) => Record<string, VariableValue>) =>
    dashboards.flatMap(({ dashboard }) => panelsOf(dashboard).map((panel) => ({ where: `${dashboard.title} / ${panel.title}`, sql: panel.targets![0]!.rawSql!, variables: variables(dashboard) })));
  /** The Trace dashboard shows the demo's workflow execution; the others any trace. */
  const traceFor = (d: Dashboard): Record<string, VariableValue> => (d.uid === 'flowtrace-trace' ? { trace_id: project.traces.workflow_execution! } : {});

  it('fills every variable', async () => {
    const empty: string[] = [];
    for (const { dashboard } of dashboards) {
      for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
        const rows = await run((variable.query as { rawSql: string }).rawSql, allOf());
        if (rows.length === 0) empty.push(`${dashboard.title} $${variable.name}`);
      }
    }
    expect(empty, 'variables without values').toEqual([]);
  });

  it('returns rows for every panel, with the demo project chosen and the other variables at All', async () => {
    const empty: string[] = [];
    for (const q of panelQueries((d) => ({ ...allOf(), ...traceFor(d) }))) {
      const rows = await run(q.sql, q.variables).catch((err: Error) => {
        throw new Error(`${q.where}: ${err.message}`);
      });
      if (rows.length === 0) empty.push(q.where);
    }
    expect(empty, 'panels that returned no rows').toEqual([]);
  });

  it('runs every panel with one value, or several, chosen in each variable', async () => {
    const [integration, user] = await Promise.all([
      store.select<{ v: string }>('grafana.test', `SELECT Integration AS v FROM ${TABLES.executions} WHERE ProjectId = {p:String} AND Integration != '' LIMIT 2`, { p: project.id }),
      store.select<{ v: string }>('grafana.test', `SELECT UserId AS v FROM ${TABLES.executions} WHERE ProjectId = {p:String} AND UserId != '' LIMIT 1`, { p: project.id }),
    ]);
    const chosen = { project: project.id, integration: integration.map((r) => r.v), user: user[0]!.v, level: ['ERROR', 'WARN'], type: 'ActionKit', trace_id: project.traces.trigger_event!, search: "fail'ed" };
    let withRows = 0;
    for (const q of panelQueries((d) => ({ ...chosen, ...traceFor(d) }))) {
      const rows = await run(q.sql, q.variables).catch((err: Error) => {
        throw new Error(`${q.where}: ${err.message}`);
      });
      if (rows.length > 0) withRows++;
    }
    // Narrowed this far, many panels are empty; the trace's own panels are not.
    expect(withRows).toBeGreaterThanOrEqual(3);
  });

  it('narrows every panel to the project: another project’s data never shows, an unknown project shows nothing', async () => {
    const shown: string[] = [];
    const isZero = (v: unknown) => v === null || v === 0 || v === '0' || v === '' || (Array.isArray(v) && v.length === 0);
    for (const q of panelQueries((d) => ({ ...allOf(), ...traceFor(d), project: 'no-such-project' }))) {
      const rows = await run(q.sql, q.variables);
      // An aggregate without GROUP BY answers one row of zeros.
      if (rows.some((row) => !Object.values(row).every(isZero))) shown.push(q.where);
    }
    expect(shown, 'panels that showed data of no project').toEqual([]);
    // The Trace dashboard asked for project A's trace within project B shows nothing of it.
    const trace = panelsOf(byUid('flowtrace-trace')).filter((p) => readsOneTrace(p.targets![0]!.rawSql!));
    expect(trace.map((p) => p.title)).toEqual(['Trace', 'Logs of the trace']);
    for (const panel of trace) {
      expect(await run(panel.targets![0]!.rawSql!, { ...allOf(), project: other.id, trace_id: project.traces.workflow_execution! }), panel.title).toEqual([]);
    }
  });

  it('shows one trace as the plugin shapes it: every span with its tags, events and links, and every log', async () => {
    const traceId = project.traces.workflow_execution!;
    const [spans] = await store.select<{ n: string; roots: string }>('grafana.test', `SELECT count() AS n, countIf(ParentSpanId = '') AS roots FROM ${TABLES.traces} WHERE TraceId = {t:String}`, { t: traceId });
    const [logs] = await store.select<{ n: string }>('grafana.test', `SELECT count() AS n FROM ${TABLES.logs} WHERE TraceId = {t:String}`, { t: traceId });
    const panels = panelsOf(byUid('flowtrace-trace'));
    const sqlOf = (title: string) => panels.find((p) => p.title === title)!.targets![0]!.rawSql!;
    // Pasted with spaces and in capitals, as ids are copied from elsewhere.
    const variables = { ...allOf(), trace_id: ` ${traceId.toUpperCase()} ` };
    const rows = await run(sqlOf('Trace'), variables);
    expect(rows).toHaveLength(Number(spans!.n));
    expect(Object.keys(rows[0]!)).toEqual([
      'traceID', 'spanID', 'parentSpanID', 'serviceName', 'operationName', 'startTime', 'duration', 'tags', 'serviceTags', 'statusCode',
      'logs', 'references', 'kind', 'statusMessage', 'instrumentationLibraryName', 'instrumentationLibraryVersion', 'traceState',
    ]);
    expect(rows.filter((r) => r.parentSpanID === '')).toHaveLength(Number(spans!.roots));
    const root = rows.find((r) => r.parentSpanID === '')!;
    expect(root.tags).toEqual(expect.arrayContaining([{ key: 'flowtrace.kind', value: 'workflow_execution' }]));
    expect(root.references).toEqual([expect.objectContaining({ traceID: expect.stringMatching(/^[0-9a-f]{32}$/), tags: [{ key: 'flowtrace.link', value: 'trigger' }] })]);
    const traceLogs = await run(sqlOf('Logs of the trace'), variables);
    expect(traceLogs).toHaveLength(Number(logs!.n));
    expect(traceLogs.every((l) => l.traceID === traceId)).toBe(true);

    // Event Logs with the trace id filled in: that trace's logs only.
    const eventLogs = panelsOf(byUid('flowtrace-event-logs')).find((p) => p.type === 'logs')!;
    const filtered = await run(eventLogs.targets![0]!.rawSql!, { ...allOf(), trace_id: traceId });
    expect(filtered.length).toBe(Number(logs!.n));
    expect(filtered.every((l) => l.traceID === traceId)).toBe(true);
  });

  it("runs the plugin's own OTel-mode SQL on our tables: trace by id, logs by trace id, logs panel, trace search", async () => {
    // A sync run that was rate limited: its warnings are span events too.
    const [limited] = await store.select<{ t: string }>(
      'grafana.test',
      `SELECT TraceId AS t FROM ${TABLES.traces} WHERE ProjectId = {p:String} AND has(Events.Name, 'SYNC_RUN_RATE_LIMITED') LIMIT 1`,
      { p: project.id },
    );
    const traceId = limited!.t;
    const [counts] = await store.select<{ spans: string; logs: string }>(
      'grafana.test',
      `SELECT (SELECT count() FROM ${TABLES.traces} WHERE TraceId = {t:String}) AS spans, (SELECT count() FROM ${TABLES.logs} WHERE TraceId = {t:String}) AS logs`,
      { t: traceId },
    );
    expect(Number(counts!.spans)).toBeGreaterThan(0);
    expect(Number(counts!.logs)).toBeGreaterThan(0);

    const spans = await store.select<Record<string, unknown>>('grafana.test', traceByIdSql(traceId));
    expect(spans).toHaveLength(Number(counts!.spans));
    expect(spans.every((s) => s.traceID === traceId)).toBe(true);
    // The trace view lists span events under "logs".
    expect(spans.flatMap((s) => s.logs as Array<{ name: string }>).map((e) => e.name)).toContain('SYNC_RUN_RATE_LIMITED');

    const logs = await store.select<Record<string, unknown>>('grafana.test', logsByTraceIdSql(traceId));
    expect(logs).toHaveLength(Number(counts!.logs));
    expect(Object.keys(logs[0]!)).toEqual(['timestamp', 'body', 'level', 'traceID', 'ResourceAttributes', 'ScopeAttributes', 'LogAttributes']);

    const range = { from, to, intervalSeconds: 600 };
    const panel = await store.select<Record<string, unknown>>('grafana.test', expandMacros(logsPanelSql(), range));
    expect(panel.length).toBeGreaterThan(0);
    expect(panel.length).toBeLessThanOrEqual(1000);

    const search = await store.select<{ traceID: string }>('grafana.test', expandMacros(traceSearchSql(), range));
    expect(search.map((r) => r.traceID)).toEqual(expect.arrayContaining([project.traces.workflow_execution, other.traces.workflow_execution]));
  });
});
