import { AdminToken, Projects, TABLES, type Store } from '@flowtrace/store';
import { createQueryApp } from '@flowtrace/query-api';
import { fmt, percentile, row, timeRuns } from './stats.js';
import { listen, quietLog } from './support.js';
import { benchTraceSearch } from './search.js';

const SPANS_PER_TRACE = 10;

/**
 * Loads `spans` spans (10 per trace, over 7 days, generated inside ClickHouse),
 * then times the timeline endpoint against the baseline a table without the
 * lookup table would need: the same spans selected by TraceId alone; then
 * trace search on the same spans (search.ts).
 */
export async function benchTimeline(store: Store, spans: number): Promise<void> {
  const projects = new Projects(store, { keyCacheMs: 60_000 });
  const projectId = (await projects.createProject('bench-timeline')).id;
  const key = (await projects.createApiKey(projectId, 'bench')).key;
  const traces = Math.floor(spans / SPANS_PER_TRACE);
  const start = performance.now();
  await store.command(
    'bench.load',
    `INSERT INTO ${TABLES.traces} (ProjectId, Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName,
        ResourceAttributes, SpanAttributes, Duration, StatusCode, StatusMessage)
     SELECT {projectId:String},
            now64(9) - toIntervalMillisecond(intDiv(number, ${SPANS_PER_TRACE}) * intDiv(7 * 86400 * 1000, {traces:UInt64})) + toIntervalMillisecond(number % ${SPANS_PER_TRACE}),
            lower(hex(MD5(toString(intDiv(number, ${SPANS_PER_TRACE}))))),
            lower(substring(hex(MD5(toString(number))), 1, 16)),
            if(number % ${SPANS_PER_TRACE} = 0, '', lower(substring(hex(MD5(toString(number - number % ${SPANS_PER_TRACE}))), 1, 16))),
            ['workflow execution', 'step: Salesforce Create Record', 'step: Slack Send Message', 'POST https://api.hubspot.com'][1 + number % 4],
            if(number % ${SPANS_PER_TRACE} = 0, 'Server', 'Client'),
            ['workflow-runner', 'actionkit', 'sync-worker'][1 + intDiv(number, ${SPANS_PER_TRACE}) % 3],
            map('service.name', 'workflow-runner', 'deployment.environment', 'prod'),
            map('flowtrace.integration', ['salesforce', 'hubspot', 'slack', 'jira'][1 + number % 4], 'flowtrace.user_id', toString(number % 5000)),
            1000000 + number % 50000000,
            if(number % 17 = 0, 'Error', 'Ok'),
            ''
     FROM numbers({spans:UInt64})`,
    { projectId, traces, spans: traces * SPANS_PER_TRACE },
  );
  const loadSeconds = (performance.now() - start) / 1000;
  process.stdout.write(`\nTrace timeline: ${fmt(traces * SPANS_PER_TRACE, 0)} spans in ${fmt(traces, 0)} traces over 7 days, loaded in ${fmt(loadSeconds, 1)} s\n`);

  const server = await listen(createQueryApp({ store, projects, adminToken: await AdminToken.load(store, 'bench-admin-token-0000'), log: quietLog }));
  const pick = (i: number) => (i * 7919) % traces;
  const ids = await store.select<{ id: string }>(
    'bench.ids',
    `SELECT lower(hex(MD5(toString(n)))) AS id FROM (SELECT arrayJoin({ns:Array(UInt64)}) AS n)`,
    { ns: Array.from({ length: 203 }, (_, i) => pick(i)) },
  );
  // Traces 0–149 for the API, 150–202 for the baseline: none is read twice.
  const timeline = await timeRuns(140, 10, async (i) => {
    const res = await fetch(`${server.url}/projects/${projectId}/traces/${ids[i]!.id}`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await res.json()) as { spans: unknown[] };
    if (body.spans.length !== SPANS_PER_TRACE) throw new Error(`trace ${ids[i]!.id}: ${body.spans.length} spans`);
  });
  const baseline = await timeRuns(50, 3, (i) =>
    store.select('bench.baseline', `SELECT * FROM ${TABLES.traces} WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String}`, { projectId, traceId: ids[150 + i]!.id }),
  );
  row('', 'p50 ms', 'p95 ms', 'p95 vs baseline');
  row('baseline: SELECT by TraceId, no lookup table', fmt(percentile(baseline, 50), 2), fmt(percentile(baseline, 95), 2), '1.00');
  row('GET /projects/:id/traces/:traceId (HTTP)', fmt(percentile(timeline, 50), 2), fmt(percentile(timeline, 95), 2), fmt(percentile(timeline, 95) / percentile(baseline, 95), 3));
  await benchTraceSearch(store, server.url, projectId, key);
  await server.close();
}
