import { Projects, type Store } from '@flowtrace/store';
import { openCollector } from '@flowtrace/collector';
import { recipeJobTrace, toOtlpJson } from '@flowtrace/conventions';
import { fmt, row } from './stats.js';
import { listen, quietLog } from './support.js';

const JOBS = 2000;
const BATCH = 200;

/** A full-details Workato job with three lines, as the stream carries it. */
function job(i: number, startedAt: string) {
  const line = (n: number, adapter: string, operation: string) => ({
    recipe_line_number: n,
    adapter_name: adapter,
    adapter_operation: operation,
    input: { id: `rec-${i}` },
    output: { ok: true },
    mask_data: false,
    line_stat: { total: 0.0004 * (n + 1), details: [{ name: 'execute', count: 1, total: 0.0003 }] },
  });
  return {
    id: `j-bench-${i}`,
    master_job_id: `j-bench-${i}`,
    recipe_id: 3026581,
    title: 'Scheduler by Workato: new recurring event',
    status: i % 10 === 0 ? 'failed' : 'succeeded',
    started_at: startedAt,
    completed_at: startedAt,
    repeat_count: 0,
    action_count: 3,
    error: i % 10 === 0 ? 'Invalid Salesforce ID value(s) for: AccountId' : null,
    context: { user_id: 33359, recipe_name: 'Update customer contact details', recipe_path: 'Home/Functions' },
    lines: [line(0, 'clock', 'scheduled_event'), line(1, 'salesforce', 'search_records'), line(2, 'logger', 'log_message')],
  };
}

/**
 * Workato job streams through POST /ingest/workato, against the same executions
 * sent as OTLP/JSON to /v1/traces and /v1/logs: the cost of parsing and mapping
 * Workato's formats on top of the collector's own path.
 */
export async function benchWorkato(store: Store): Promise<void> {
  const projects = new Projects(store, { keyCacheMs: 60_000 });
  const projectId = (await projects.createProject('bench-workato')).id;
  const key = (await projects.createApiKey(projectId, 'bench')).key;
  const server = await listen((await openCollector({ store, projects, log: quietLog, maxBodyBytes: 64 << 20, ttlDays: 30, maxFutureSkewSeconds: 3600 })).app);
  const startedAt = new Date(Date.now() - 3_600_000).toISOString();
  const batches = Array.from({ length: JOBS / BATCH }, (_, b) => Array.from({ length: BATCH }, (_, i) => job(b * BATCH + i, startedAt)));
  const post = async (path: string, body: string, type: string) => {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': type, authorization: `Bearer ${key}` } });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };

  // Baseline: the same executions, already mapped, as OTLP/JSON.
  const otlp = batches.map((batch) =>
    toOtlpJson(
      batch.map((j) => recipeJobTrace({ jobId: `${j.id}-otlp`, recipeId: '3026581', recipeName: 'Update customer contact details', status: j.status, startedAt: Date.parse(startedAt), lines: j.lines.map((l) => ({ lineNumber: l.recipe_line_number, adapter: l.adapter_name, operation: l.adapter_operation, stats: { total: l.line_stat.total } })) })),
      [],
      { 'service.name': 'workato' },
    ),
  );
  let start = performance.now();
  for (const body of otlp) {
    await post('/v1/traces', JSON.stringify(body.traces), 'application/json');
    await post('/v1/logs', JSON.stringify(body.logs), 'application/json');
  }
  const baseline = JOBS / ((performance.now() - start) / 1000);

  start = performance.now();
  for (const batch of batches) await post('/ingest/workato', batch.map((j) => JSON.stringify(j)).join('\n'), 'application/x-ndjson');
  const workato = JOBS / ((performance.now() - start) / 1000);
  await server.close();

  process.stdout.write(`\nWorkato streams: ${JOBS} full-details jobs (3 lines each: 4 spans, 1–2 logs) in NDJSON batches of ${BATCH}\n`);
  row('', 'jobs/s', 'vs baseline');
  row('baseline: same traces as OTLP/JSON /v1/*', fmt(baseline, 0), '1.00');
  row('POST /ingest/workato (parse, map, store)', fmt(workato, 0), fmt(workato / baseline, 2));
}
