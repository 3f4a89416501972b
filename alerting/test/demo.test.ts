/**
 * Every rule's SQL — as Flowtrace evaluates it and as Grafana's provisioned
 * copy holds it — with its macros expanded the way the plugin's backend
 * expands them, against the embedded store loaded with `flowtrace demo` data
 * (sent through the OpenTelemetry SDK to the collector): it returns rows for
 * the demo's failures, and each row's link lists them in the query API.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminToken, Projects, type Store } from '@flowtrace/store';
import { openCollector } from '@flowtrace/collector';
import { createQueryApp } from '@flowtrace/query-api';
import { expandMacros, loadRules, renderLink, type AlertRule } from '@flowtrace/alerting';
import { runDemo, type DemoProject } from '../../cli/src/client/demo.js';
import { openTempStore } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';
import { GRAFANA_ALERTING_DIR, GRAFANA_FILES } from '../src/generate.js';

const ADMIN_TOKEN = 'alerting-demo-admin-token';
let store: Store;
let apiUrl: string;
let projects: DemoProject[];
let close: () => Promise<void>;
const now = new Date();
// One day of demo traffic (days: 1), ending now: all of it inside the two days read here.
const from = new Date(now.getTime() - 2 * 86_400_000);

beforeAll(async () => {
  const opened = await openTempStore(0);
  store = opened.store;
  const log = memoryLogger();
  const keys = new Projects(store, { keyCacheMs: 60_000 });
  const collector = await listenApp((await openCollector({ store, projects: keys, log, maxBodyBytes: 20 << 20, ttlDays: 0, maxFutureSkewSeconds: 3600 })).app);
  const api = await listenApp(createQueryApp({ store, projects: keys, adminToken: await AdminToken.load(store, ADMIN_TOKEN), log }));
  apiUrl = api.url;
  // 40 of each family per project: enough tool calls per integration for the error-rate rule's minimum of 5.
  projects = await runDemo({ endpoint: collector.url, apiUrl: api.url, adminToken: ADMIN_TOKEN, scale: 40, days: 1, progress: false });
  close = async () => {
    await Promise.all([collector.close(), api.close()]);
    await opened.dispose();
  };
});
afterAll(async () => close?.());

const grafanaSql = () => {
  const file = parse(readFileSync(join(GRAFANA_ALERTING_DIR, GRAFANA_FILES.rules), 'utf8')) as { groups: Array<{ rules: Array<{ uid: string; data: Array<{ refId: string; model: { rawSql?: string } }> }> }> };
  return new Map(file.groups.flatMap((g) => g.rules).map((r) => [r.uid, r.data.find((d) => d.refId === 'A')!.model.rawSql!]));
};

async function rowsOf(sql: string): Promise<Array<{ project: string; integration: string; value: number }>> {
  const rows = await store.select<{ project: string; integration: string; value: string | number }>('alerting.test', expandMacros(sql, { from, to: now, intervalSeconds: 60 }));
  return rows.map((r) => ({ project: r.project, integration: r.integration, value: Number(r.value) }));
}

/** The link's list, read with the project's key: its items and total. */
async function follow(rule: AlertRule, row: { project: string; integration: string }): Promise<{ items: unknown[]; total: number | undefined }> {
  const link = renderLink(apiUrl, rule.link!, { labels: row, from, to: now });
  const key = projects.find((p) => p.id === row.project)!.key;
  const res = await fetch(link, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status, `${link}: ${res.status}`).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  const items = Object.values(body).find(Array.isArray) as unknown[];
  return { items, total: typeof body.total === 'number' ? body.total : undefined };
}

describe("the rules' SQL on the demo's data", () => {
  it('returns rows labelled by a demo project and an integration for every rule, the same in the Grafana copy', async () => {
    const grafana = grafanaSql();
    const ids = new Set(projects.map((p) => p.id));
    for (const rule of loadRules().rules) {
      const rows = await rowsOf(rule.sql);
      expect(rows.length, rule.id).toBeGreaterThan(0);
      for (const row of rows) {
        expect(ids.has(row.project), `${rule.id}: ${row.project}`).toBe(true);
        expect(row.integration, rule.id).not.toBe('');
        expect(Number.isFinite(row.value), rule.id).toBe(true);
      }
      // A rule with a count fires on the demo's failures; the error rate on the integrations that fail more than 10%.
      expect(rows.some((r) => ('above' in rule.condition ? r.value > rule.condition.above : r.value < rule.condition.below)), rule.id).toBe(true);
      expect(await rowsOf(grafana.get(rule.id)!), `${rule.id} (Grafana copy)`).toEqual(rows);
    }
  });

  it('counts what Task History counts: the FAILED workflow executions of each project', async () => {
    const rule = loadRules().rules.find((r) => r.id === 'failed-workflow-executions')!;
    const rows = await rowsOf(rule.sql);
    for (const project of projects) {
      const res = await fetch(`${apiUrl}/projects/${project.id}/task-history/workflow-executions?status=FAILED&afterDate=${from.toISOString()}`, { headers: { authorization: `Bearer ${project.key}` } });
      const { total } = (await res.json()) as { total: number };
      expect(total).toBeGreaterThan(0);
      expect(rows.filter((r) => r.project === project.id).reduce((sum, r) => sum + r.value, 0)).toBe(total);
    }
  });

  it("links each row to its failing executions (or error logs) in the query API", async () => {
    for (const rule of loadRules().rules) {
      for (const row of await rowsOf(rule.sql)) {
        const { items, total } = await follow(rule, row);
        if (rule.id === 'tool-call-error-rate') {
          // The failed calls: a rate above 0 means at least one.
          if (row.value > 0) expect(total, `${rule.id} ${row.integration}`).toBeGreaterThan(0);
          continue;
        }
        expect(items.length, `${rule.id} ${row.integration}`).toBeGreaterThan(0);
        // Lists with a total count the same executions as the rule.
        if (total !== undefined) expect(total, `${rule.id} ${row.integration}`).toBe(row.value);
      }
    }
  });
});
