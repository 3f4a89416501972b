/**
 * `flowtrace demo` as a user exploring Flowtrace meets it, against a running
 * `flowtrace start`: two projects with a week of traffic — more than a page
 * of Task History, every trigger event status, syncs that each belong to one
 * user and integration, agent runs that fail and last differently, provider
 * errors, failed jobs and their repeats, logs at every level — all of it
 * counted back by the query API; a second run that neither fails nor
 * duplicates; the same seed giving the same executions.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeline } from '@flowtrace/query-api';
import { ATTR_FLOWTRACE_DELIVERY_ATTEMPT, ATTR_FLOWTRACE_GUARDRAIL_ACTION, ATTR_FLOWTRACE_KIND, ATTR_GEN_AI_REQUEST_MODEL, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@flowtrace/instrumentation/semconv';
import { FAMILIES, planDemo, type DemoResult } from '../../cli/src/client/demo.js';
import { tempDir } from '../support/store.js';
import { FLOWTRACE_BIN, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const run = promisify(execFile);
const dir = tempDir('flowtrace-demo-');
let flowtrace: RunningFlowtrace;
/** The first run: about 20 workflow executions a day per project, enough for a second page of Task History. */
let first: DemoResult;
let firstStderr: string;
const SMALL = ['--scale', '20', '--seed', '7'];
const DAY = 86_400_000;

const demo = (args: string[]) =>
  run(process.execPath, [FLOWTRACE_BIN, 'demo', ...args], {
    env: { ...process.env, FLOWTRACE_ENDPOINT: flowtrace.otlpUrl, FLOWTRACE_API_URL: flowtrace.apiUrl, FLOWTRACE_ADMIN_TOKEN: flowtrace.adminToken! },
    maxBuffer: 16 * 1024 * 1024,
  });

async function api<T>(project: { id: string; key: string }, path: string): Promise<T> {
  const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}${path}`, { headers: { authorization: `Bearer ${project.key}` } });
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every item of a list, following nextLink. */
async function all<T>(project: { id: string; key: string }, path: string, name: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = `${flowtrace.apiUrl}/projects/${project.id}${path}`;
  while (next) {
    const res: Response = await fetch(next, { headers: { authorization: `Bearer ${project.key}` } });
    const body = (await res.json()) as Record<string, unknown> & { nextLink?: string };
    items.push(...(body[name] as T[]));
    next = body.nextLink;
  }
  return items;
}

/** Traces of a project with a span carrying `key=value`. */
const tracesWith = async (project: { id: string; key: string }, key: string, value: string | number) =>
  (await api<{ traces: unknown[] }>(project, `/traces?attribute=${encodeURIComponent(`${key}=${value}`)}&limit=5`)).traces.length;

beforeAll(async () => {
  flowtrace = await startFlowtrace(dir.path);
  const out = await demo(['--json', ...SMALL]);
  first = JSON.parse(out.stdout) as DemoResult;
  firstStderr = out.stderr;
});
afterAll(async () => {
  await flowtrace?.stop();
  dir.remove();
});

describe('flowtrace demo: a week of traffic', () => {
  it('creates two projects and sends them every family over the last 7 days; the query API counts every execution sent', async () => {
    expect(firstStderr).toMatch(/demo \[#+\]/);
    expect(first.problems).toEqual([]);
    expect(Date.parse(first.to) - Date.parse(first.from)).toBe(7 * DAY);
    expect(first.projects).toHaveLength(2);
    for (const project of first.projects) {
      expect(project).toMatchObject({ created: true, sent: true });
      for (const family of FAMILIES) expect(project.counts[family], `${project.name} ${family}`).toBeGreaterThan(0);
      expect(project.stored).toEqual(project.counts);
      const executions = Object.values(project.counts).reduce((a, b) => a + b, 0);
      expect(executions).toBeGreaterThan(500);
      expect(project.spans).toBeGreaterThan(executions);
      expect(project.logs).toBeGreaterThan(executions);
      // The trace printed for each family is readable with the project's key.
      expect(Object.keys(project.traces).sort()).toEqual([...FAMILIES].sort());
      for (const family of FAMILIES) {
        const t = await api<Timeline>(project, `/traces/${project.traces[family]}`);
        expect(t.spans[0]!.attributes[ATTR_FLOWTRACE_KIND], `${family} of ${project.name}`).toBe(family);
      }
    }
    // Each project's key reads its own traces only.
    const [a, b] = first.projects;
    const foreign = await fetch(`${flowtrace.apiUrl}/projects/${a!.id}/traces/${a!.traces.workflow_execution}`, { headers: { authorization: `Bearer ${b!.key}` } });
    expect(foreign.status).toBe(404);
  });

  it('Task History: a full page of 100, the rest behind nextLink, executions on every day of the week and mostly in working hours', async () => {
    const acme = first.projects[0]!;
    const page = await api<{ workflowExecutions: Array<{ id: string }>; total: number; nextLink?: string }>(acme, '/task-history/workflow-executions');
    expect(page.workflowExecutions).toHaveLength(100);
    expect(page.total).toBe(acme.counts.workflow_execution);
    expect(page.nextLink).toBeDefined();
    const executions = await all<{ id: string; status: string; dateStarted: string; runDuration: number }>(acme, '/task-history/workflow-executions', 'workflowExecutions');
    expect(executions).toHaveLength(page.total);
    expect(new Set(executions.map((e) => e.id)).size).toBe(page.total);
    expect(new Set(executions.map((e) => e.status))).toEqual(new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']));
    // Every day of the week has executions.
    const days = new Set(executions.map((e) => Math.floor((Date.parse(e.dateStarted) - Date.parse(first.from)) / DAY)));
    for (let d = 0; d < 7; d++) expect(days.has(d), `day ${d} of the week`).toBe(true);
    // Acme works 9:00 to 18:00 at UTC-5: far more executions then than at night (the last 12 hours left out: the demo's exemplars are there).
    const hours = executions.filter((e) => Date.parse(e.dateStarted) < Date.parse(first.to) - 12 * 3_600_000).map((e) => new Date(Date.parse(e.dateStarted) - 5 * 3_600_000).getUTCHours());
    const working = hours.filter((h) => h >= 9 && h < 18).length;
    const night = hours.filter((h) => h < 7).length;
    expect(working).toBeGreaterThan(3 * night);
    // Durations vary: heavy-tailed, not one constant.
    const durations = executions.map((e) => e.runDuration).sort((x, y) => x - y);
    expect(durations.at(-1)!).toBeGreaterThan(5 * durations[Math.floor(durations.length / 2)]!);
  });

  it('Monitoring → Triggers: every status the seeds name, with delivery failures retried', async () => {
    for (const project of first.projects) {
      for (const status of ['Success', 'Delivery Failures', 'Processing Failure', 'Queued']) {
        const { total } = await api<{ total: number }>(project, `/actionkit/trigger-events?status=${encodeURIComponent(status)}`);
        expect(total, `${project.name}: ${status}`).toBeGreaterThan(0);
      }
      expect(project.statuses.trigger_event).toMatchObject({ Success: expect.any(Number), 'Delivery Failures': expect.any(Number), 'Processing Failure': expect.any(Number), Queued: expect.any(Number) });
      // A delivery retried: a trace with a delivery's second attempt.
      expect(await tracesWith(project, ATTR_FLOWTRACE_DELIVERY_ATTEMPT, 2)).toBeGreaterThan(0);
    }
  });

  it('Managed Sync: each sync id belongs to one user and one integration, and runs again and again on its schedule', async () => {
    for (const project of first.projects) {
      const syncs = await all<{ syncId: string; userId: string; integration: string; pipeline: string; runs: number }>(project, '/syncs', 'syncs');
      expect(syncs.length).toBeGreaterThanOrEqual(3);
      for (const sync of syncs) {
        const runs = await all<{ userId: string; integration: string; syncType: string }>(project, `/syncs/${sync.syncId}/runs?limit=500`, 'runs');
        expect(runs).toHaveLength(sync.runs);
        expect(new Set(runs.map((r) => `${r.userId} ${r.integration}`)), sync.syncId).toEqual(new Set([`${sync.userId} ${sync.integration}`]));
      }
      // One sync per user, integration and pipeline.
      expect(new Set(syncs.map((s) => `${s.userId} ${s.integration} ${s.pipeline}`)).size).toBe(syncs.length);
      // An incremental sync every 1 to 6 hours: at least 28 runs in a week.
      expect(Math.max(...syncs.map((s) => s.runs))).toBeGreaterThanOrEqual(28);
      expect(Object.keys(project.statuses.sync_run!).sort()).toEqual(['ACTIVE', 'ERRORED', 'IDLE', 'RATE_LIMITED']);
    }
  });

  it('Agents: runs that succeed, fail, are blocked by a guardrail, time out; durations and models that vary', async () => {
    for (const project of first.projects) {
      const runs = await all<{ status: string; durationMs: number }>(project, '/agent-runs?limit=500', 'agentRuns');
      expect(runs).toHaveLength(project.counts.agent_run!);
      expect(new Set(runs.map((r) => r.status))).toEqual(new Set(['SUCCESS', 'FAILED', 'ERROR', 'TIMEOUT', 'CANCELLED']));
      expect(new Set(runs.map((r) => r.durationMs)).size).toBeGreaterThan(runs.length / 2);
      expect(await tracesWith(project, ATTR_FLOWTRACE_GUARDRAIL_ACTION, 'blocked')).toBeGreaterThan(0);
    }
    const models = new Set<string>();
    for (const project of first.projects) {
      for (const model of ['bedrock/claude-sonnet-4-6', 'bedrock/claude-haiku-4-5', 'openai/gpt-5.1']) if ((await tracesWith(project, ATTR_GEN_AI_REQUEST_MODEL, model)) > 0) models.add(model);
    }
    expect(models.size).toBe(3);
  });

  it('failures of every kind: provider 4xx, rate limits and 5xx, revoked credentials, failed Workato jobs repeated under their master, logs at every level', async () => {
    const [acme] = first.projects;
    for (const status of [400, 401, 404, 429, 500, 502, 503]) expect(await tracesWith(acme!, ATTR_HTTP_RESPONSE_STATUS_CODE, status), `HTTP ${status}`).toBeGreaterThan(0);
    for (const project of first.projects) {
      expect(project.statuses.credential_refresh!.FAILED).toBeGreaterThan(0);
      expect(project.statuses.tool_call!.FAILED).toBeGreaterThan(0);
      expect(project.statuses.workflow_execution!.FAILED).toBeGreaterThan(0);
      const failed = await all<{ jobId: string; masterJobId: string; parentJobId: string | null; callingJobId: string | null; isRepeat: boolean }>(project, '/workato/jobs?status=failed&limit=500', 'jobs');
      expect(failed.length).toBeGreaterThan(0);
      const repeat = failed.find((j) => j.isRepeat)!;
      expect(repeat.masterJobId).not.toBe(repeat.jobId);
      expect(repeat.parentJobId).not.toBeNull();
      const ofMaster = await all<{ jobId: string }>(project, `/workato/jobs?masterJobId=${repeat.masterJobId}`, 'jobs');
      expect(ofMaster.map((j) => j.jobId)).toContain(repeat.jobId);
      const called = await all<{ jobId: string }>(project, `/workato/jobs?callingJobId=${repeat.callingJobId}`, 'jobs');
      expect(called.map((j) => j.jobId)).toContain(repeat.jobId);
      for (const level of ['DEBUG', 'INFO', 'WARN', 'ERROR']) {
        const { logs } = await api<{ logs: unknown[] }>(project, `/event-logs?level=${level}&limit=1`);
        expect(logs, `${project.name}: a ${level} log`).toHaveLength(1);
      }
    }
  });

  it('names the missing admin token', async () => {
    const out = await run(process.execPath, [FLOWTRACE_BIN, 'demo'], { env: { ...process.env, FLOWTRACE_ADMIN_TOKEN: '' } }).catch((err: { code: number; stderr: string }) => err);
    expect((out as { code: number }).code).toBe(2);
    expect((out as { stderr: string }).stderr).toContain('FLOWTRACE_ADMIN_TOKEN (or --admin-token): the admin token is required');
  });

  it('refuses a seed or scale out of range, naming the option', async () => {
    for (const [args, message] of [
      [['--seed', 'x'], '--seed: must be a whole number from 0 to 4294967295 (got not a number)'],
      [['--scale', '0'], '--scale: must be a whole number from 1 to 2000 (got 0)'],
      [['--days', '31'], '--days: must be a whole number from 1 to 30 (got 31)'],
    ] as const) {
      const out = await demo([...args]).catch((err: { code: number; stderr: string }) => err);
      expect((out as { code: number }).code, args.join(' ')).toBe(2);
      expect((out as { stderr: string }).stderr).toContain(message);
    }
  });
});

describe('flowtrace demo run again', () => {
  it('finds the projects by name: a new key each, nothing sent, and says how to add a week', async () => {
    const again = JSON.parse((await demo(['--json', ...SMALL])).stdout) as DemoResult;
    expect(again.problems).toEqual([]);
    for (const [i, project] of again.projects.entries()) {
      expect(project).toMatchObject({ id: first.projects[i]!.id, name: first.projects[i]!.name, created: false, sent: false });
      expect(project.counts).toEqual({});
      expect(project.key).not.toBe(first.projects[i]!.key);
      // The newest trace of each family, readable with the new key.
      expect(Object.keys(project.traces).sort()).toEqual([...FAMILIES].sort());
      for (const traceId of Object.values(project.traces)) await api<Timeline>(project, `/traces/${traceId}`);
      const { total } = await api<{ total: number }>(project, '/task-history/workflow-executions');
      expect(total).toBe(first.projects[i]!.counts.workflow_execution);
    }
    const text = await demo(SMALL);
    expect(text.stdout).toContain('"Demo: Acme CRM automations" and "Demo: Globex AI agents" exist already and got nothing new');
    expect(text.stdout).toContain('flowtrace demo --append');
  });

  it('--append adds another week to them, with ids of its own, all counted', async () => {
    const appended = JSON.parse((await demo(['--json', '--append', ...SMALL])).stdout) as DemoResult;
    expect(appended.problems).toEqual([]);
    for (const [i, project] of appended.projects.entries()) {
      expect(project).toMatchObject({ id: first.projects[i]!.id, created: false, sent: true });
      expect(project.stored).toEqual(project.counts);
      expect(project.digest).not.toBe(first.projects[i]!.digest);
      const { total } = await api<{ total: number }>(project, '/task-history/workflow-executions');
      expect(total).toBe(first.projects[i]!.counts.workflow_execution! + project.counts.workflow_execution!);
      // The same syncs and subscriptions go on: none is made again, no sync doubled.
      expect(project.counts.trigger_subscription).toBe(0);
      const syncs = await all<{ userId: string; integration: string; pipeline: string }>(project, '/syncs', 'syncs');
      expect(new Set(syncs.map((s) => `${s.userId} ${s.integration} ${s.pipeline}`)).size).toBe(syncs.length);
    }
  });
});

describe('flowtrace demo --seed', () => {
  it('sends what the seed makes: the same executions with the same ids whenever it runs, others for another seed', () => {
    const sameSeed = planDemo({ scale: 20, seed: 7, now: Date.now() - 3.5 * DAY });
    for (const [i, tenant] of sameSeed.entries()) {
      expect(tenant.digest).toBe(first.projects[i]!.digest);
      expect(tenant.counts).toEqual(first.projects[i]!.counts);
      expect(tenant.traces).toEqual(first.projects[i]!.traces);
    }
    const otherSeed = planDemo({ scale: 20, seed: 8 });
    for (const [i, tenant] of otherSeed.entries()) expect(tenant.digest).not.toBe(first.projects[i]!.digest);
  });
});
