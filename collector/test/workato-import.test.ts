/**
 * POST /ingest/workato/import (what `flowtrace import workato` sends) against
 * the real embedded store: a file is imported whole or not at all, a refused
 * file is neither stored nor recorded in the ledger, refusals are counted per
 * reason with the times of the records, and the project's own retention by
 * age narrows what an import keeps.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Projects, Retention, TABLES, type Store } from '@flowtrace/store';
import { openCollector, type ImportResult } from '@flowtrace/collector';
import { ATTR_FLOWTRACE_JOB_ID } from '@flowtrace/conventions/semconv';
import { openTempStore } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';

const DAY = 86_400_000;
let store: Store;
let retention: Retention;
let url: string;
let projectId: string;
let key: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const opened = await openTempStore(30);
  store = opened.store;
  const projects = new Projects(store, { keyCacheMs: 60_000 });
  const log = memoryLogger();
  retention = new Retention(store, log);
  projectId = (await projects.createProject('import')).id;
  key = (await projects.createApiKey(projectId, 'import')).key;
  const collector = await openCollector({ store, projects, log, maxBodyBytes: 1 << 20, ttlDays: 30, maxFutureSkewSeconds: 3600, retention });
  const server = await listenApp(collector.app);
  url = server.url;
  cleanup = async () => {
    await server.close();
    await collector.close();
    await opened.dispose();
  };
});
afterAll(() => cleanup?.());

/** A Workato job (status only: one span and one log) started at `at`. */
const job = (id: string, at: number) => JSON.stringify({ id, recipe_id: 9, status: 'succeeded', started_at: new Date(at).toISOString(), completed_at: new Date(at + 1000).toISOString() });
const file = (path: string, text: string) => ({ path, sha256: createHash('sha256').update(text).digest('hex'), text });

async function post(path: string, body: unknown): Promise<{ status: number; body: ImportResult & { imported: unknown } }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as ImportResult };
}

async function recorded(source: string, files: Array<{ path: string; sha256: string }>): Promise<string[]> {
  const { body } = await post('/ingest/workato/import/check', { source, files: files.map(({ path, sha256 }) => ({ path, sha256 })) });
  return (body.imported as unknown as string[]).sort();
}

/** Spans and logs stored for jobs of these ids. */
async function storedOf(ids: string[]): Promise<number> {
  const [row] = await store.select<{ n: string }>(
    'test',
    `SELECT (SELECT count() FROM ${TABLES.traces} WHERE ProjectId = {projectId:String} AND SpanAttributes[{job:String}] IN {ids:Array(String)})
          + (SELECT count() FROM ${TABLES.logs} WHERE ProjectId = {projectId:String} AND LogAttributes[{job:String}] IN {ids:Array(String)}) AS n`,
    { projectId, ids, job: ATTR_FLOWTRACE_JOB_ID },
  );
  return Number(row!.n);
}

describe('an import against 30 days of retention', () => {
  it('refuses a file with an old record whole, counts why per reason, stores and records only the others', async () => {
    const now = Date.now();
    const mixed = file('1/jobs/9/mixed.json', `${job('j-2022', Date.parse('2022-03-04T10:00:00Z'))}\n${job('j-yesterday', now - DAY)}\n`);
    const ahead = file('1/jobs/9/ahead.json', job('j-2030', Date.parse('2030-01-01T00:00:00Z')));
    const recent = file('1/jobs/9/recent.json', job('j-recent', now - 2 * DAY));
    const { status, body } = await post('/ingest/workato/import', { source: 'mixed', files: [mixed, ahead, recent] });
    expect(status).toBe(200);

    expect(body.imported).toEqual([{ path: recent.path, items: 1 }]);
    expect(body.refused).toEqual([
      { path: mixed.path, reason: 'older_than_retention', records: 4 },
      { path: ahead.path, reason: 'ahead_of_clock', records: 2 },
    ]);
    expect(body.refusals).toEqual([
      { reason: 'older_than_retention', records: 2, files: 1, oldest: '2022-03-04T10:00:00.000Z', newest: '2022-03-04T10:00:01.000Z' },
      { reason: 'ahead_of_clock', records: 2, files: 1, oldest: '2030-01-01T00:00:00.000Z', newest: '2030-01-01T00:00:01.000Z' },
      // j-yesterday is within the 30 days, but its file is not imported.
      { reason: 'same_file', records: 2, files: 1 },
    ]);
    expect(body.rejected).toBe(6);
    expect({ spans: body.spans, logs: body.logs }).toEqual({ spans: 1, logs: 1 });
    expect(body.limits).toMatchObject({ projectId, ttlDays: 30, maxFutureSkewSeconds: 3600, projectRetention: null });
    expect(Math.abs(Date.parse(body.limits.earliest!) - (now - 30 * DAY))).toBeLessThan(60_000);

    expect(await recorded('mixed', [mixed, ahead, recent])).toEqual([recent.path]);
    expect(await storedOf(['j-2022', 'j-yesterday', 'j-2030'])).toBe(0);
    expect(await storedOf(['j-recent'])).toBe(2);
  });

  it("narrows to the project's retention by age, and imports once it covers the records", async () => {
    const tenDaysAgo = file('1/jobs/9/ten-days.json', job('j-ten-days', Date.now() - 10 * DAY));
    await retention.set(projectId, { plan: 'trial', maxAgeDays: 7, maxLogs: 50_000 });
    const refused = await post('/ingest/workato/import', { source: 'policy', files: [tenDaysAgo] });
    expect(refused.body.imported).toEqual([]);
    expect(refused.body.refused).toEqual([{ path: tenDaysAgo.path, reason: 'older_than_retention', records: 2 }]);
    expect(refused.body.limits.projectRetention).toEqual({ plan: 'trial', maxAgeDays: 7, maxLogs: 50_000 });
    expect(Math.abs(Date.parse(refused.body.limits.earliest!) - (Date.now() - 7 * DAY))).toBeLessThan(60_000);
    expect(await recorded('policy', [tenDaysAgo])).toEqual([]);

    await retention.set(projectId, { plan: 'custom', maxAgeDays: 14, maxLogs: 0 });
    const imported = await post('/ingest/workato/import', { source: 'policy', files: [tenDaysAgo] });
    expect(imported.body.imported).toEqual([{ path: tenDaysAgo.path, items: 1 }]);
    expect(imported.body.refusals).toEqual([]);
    expect(await recorded('policy', [tenDaysAgo])).toEqual([tenDaysAgo.path]);
    expect(await storedOf(['j-ten-days'])).toBe(2);
  });
});
