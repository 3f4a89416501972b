import { TABLES, type Store } from '@flowtrace/store';
import { fmt, percentile, row, timeRuns } from './stats.js';

/**
 * Trace search (GET /projects/:id/traces) on the timeline's data set: a page
 * of 20, newest first, for each kind of condition, against the baseline of
 * one query over the whole range (GROUP BY TraceId, newest 20) — what a
 * search without its time windows would run — measured in the same run.
 */
export async function benchTraceSearch(store: Store, apiUrl: string, projectId: string, key: string): Promise<void> {
  const page = async (query: string) => {
    const res = await fetch(`${apiUrl}/projects/${projectId}/traces?limit=20${query}`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await res.json()) as { traces?: unknown[]; nextCursor?: string; error?: { message: string } };
    if (res.status !== 200 || !body.traces) throw new Error(`trace search ${query}: HTTP ${res.status} ${body.error?.message ?? ''}`);
    return body;
  };
  const baseline = await timeRuns(20, 2, (i) =>
    store.select(
      'bench.search.baseline',
      `SELECT TraceId, min(Timestamp) AS start, count() AS spans, countIf(StatusCode = 'Error') AS errors
       FROM ${TABLES.traces} WHERE ProjectId = {projectId:String} AND Duration > {d:UInt64}
       GROUP BY TraceId ORDER BY start DESC LIMIT 20`,
      // A different (always true) bound each run: the answer is not served from a cache.
      { projectId, d: i },
    ),
  );
  const base = percentile(baseline, 95);
  process.stdout.write('\nTrace search (a page of 20, newest first) on the same spans:\n');
  row('', 'p50 ms', 'p95 ms', 'p95 vs baseline');
  row('baseline: one GROUP BY TraceId over the range', fmt(percentile(baseline, 50), 2), fmt(base, 2), '1.00');
  const cases: Array<[string, (i: number) => string]> = [
    ['no condition', (i) => `&to=${new Date(Date.now() - i * 60_000).toISOString()}`],
    ['service', (i) => `&service=${['workflow-runner', 'actionkit', 'sync-worker'][i % 3]}&to=${new Date(Date.now() - i * 60_000).toISOString()}`],
    ['status=error', (i) => `&status=error&to=${new Date(Date.now() - i * 60_000).toISOString()}`],
    ['attribute (integration)', (i) => `&attribute=flowtrace.integration=${['salesforce', 'hubspot', 'slack', 'jira'][i % 4]}&to=${new Date(Date.now() - i * 60_000).toISOString()}`],
    ['minDuration=40ms', (i) => `&minDuration=40ms&to=${new Date(Date.now() - i * 60_000).toISOString()}`],
  ];
  for (const [label, query] of cases) {
    const times = await timeRuns(20, 2, (i) => page(query(i)));
    row(`GET …/traces, ${label}`, fmt(percentile(times, 50), 2), fmt(percentile(times, 95), 2), fmt(percentile(times, 95) / base, 3));
  }
  // Ten pages through the cursor, against ten baseline queries.
  const walk = await timeRuns(3, 1, async () => {
    let cursor = '';
    for (let p = 0; p < 10; p++) {
      const body = await page(cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
  });
  row('10 pages through nextCursor (vs 10 baselines)', fmt(percentile(walk, 50), 2), fmt(percentile(walk, 95), 2), fmt(percentile(walk, 95) / (10 * base), 3));
}
