/**
 * The console offers filter values from its own lists (console/src/api/vocabulary.ts):
 * the query API, running on the real embedded store, must accept every one of
 * them, and refuse one it does not know (so that the check means something).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminToken, Projects } from '@flowtrace/store';
import { createQueryApp } from '@flowtrace/query-api';
import { openTempStore } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';
import {
  AGENT_RUN_STATUSES,
  LEVELS,
  LOG_TYPES,
  OVERVIEW_KINDS,
  SYNC_STATUSES,
  SYNC_TYPES,
  TOOL_CALL_STATUSES,
  TRIGGER_EVENT_STATUSES,
  WORKFLOW_STATUSES,
} from '../src/api/vocabulary.js';
import { LISTS } from '../src/pages/overview/links.js';

let opened: Awaited<ReturnType<typeof openTempStore>>;
let server: Awaited<ReturnType<typeof listenApp>>;
let base: string;
let key: string;

beforeAll(async () => {
  opened = await openTempStore();
  const projects = new Projects(opened.store, { keyCacheMs: 60_000 });
  const project = await projects.createProject('vocabulary');
  key = (await projects.createApiKey(project.id, 'console')).key;
  const app = createQueryApp({ store: opened.store, projects, adminToken: await AdminToken.load(opened.store, 'console-vocabulary-admin-token-0'), log: memoryLogger(), consoleDir: false });
  server = await listenApp(app);
  base = `${server.url}/projects/${project.id}`;
});

afterAll(async () => {
  await server?.close();
  await opened?.dispose();
});

const status = async (path: string, params: Record<string, string>) => {
  const res = await fetch(`${base}${path}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return res.status;
};

const FILTERS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['/event-logs', 'level', LEVELS],
  ['/event-logs', 'type', LOG_TYPES],
  ['/event-logs', 'syncType', SYNC_TYPES],
  ['/event-logs', 'syncStatus', SYNC_STATUSES],
  ['/task-history/workflow-executions', 'status', WORKFLOW_STATUSES],
  ['/actionkit/tool-calls', 'status', TOOL_CALL_STATUSES],
  ['/actionkit/trigger-events', 'status', TRIGGER_EVENT_STATUSES],
  ['/syncs', 'syncStatus', SYNC_STATUSES],
  ['/syncs/sync-1/runs', 'syncType', SYNC_TYPES],
  ['/agent-runs', 'status', AGENT_RUN_STATUSES],
  ['/stats/executions', 'kind', OVERVIEW_KINDS.map((k) => k.kind)],
];

describe('the console’s filter values', () => {
  it.each(FILTERS)('%s?%s= accepts each value the console offers, alone and all together', async (path, name, values) => {
    for (const value of values) expect(await status(path, { [name]: value }), `${name}=${value}`).toBe(200);
    if (name !== 'kind') expect(await status(path, { [name]: values.join(',') })).toBe(200);
    expect(await status(path, { [name]: 'NOT_A_VALUE' })).toBe(400);
  });

  it('the Overview’s groupings and failure filters are the API’s', async () => {
    for (const groupBy of ['integration', 'status', 'workflow', 'tool']) expect(await status('/stats/executions', { groupBy, interval: 'hour' }), groupBy).toBe(200);
    // Each list the Overview links to takes its "failed" filter and its date range.
    const endpoints: Record<string, string> = {
      workflow_execution: '/task-history/workflow-executions',
      tool_call: '/actionkit/tool-calls',
      trigger_event: '/actionkit/trigger-events',
      sync_run: '/syncs',
      agent_run: '/agent-runs',
    };
    expect(Object.keys(LISTS).sort()).toEqual(Object.keys(endpoints).sort());
    for (const [kind, list] of Object.entries(LISTS)) {
      const range = { [list.from]: '2026-01-01T00:00:00.000Z', [list.to]: '2026-01-02T00:00:00.000Z' };
      expect(await status(endpoints[kind]!, { ...range, ...list.failed, ...(list.integration ? { [list.integration]: 'salesforce' } : {}) }), kind).toBe(200);
    }
  });
});
