/**
 * Alerting in `flowtrace start`, end to end: the built command as a child
 * process, `flowtrace demo` as the source of failures, a local webhook
 * receiver, and the admin API as the window onto the evaluator's state.
 *
 * The rules are the shipped ones with a two-day window and `for: 0s` (the
 * demo spreads its failures over the last 23 hours), plus a rule with a
 * 20-second window whose failures the test sends itself, to see one resolve.
 * The demo is loaded with alerting off, so that the first evaluation sees all
 * of it (a rate evaluated on half-loaded data could fire and resolve).
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOtlpJson, workflowExecutionTrace } from '@flowtrace/conventions';
import { DEFAULT_RULES_PATH, type NotificationPayload } from '@flowtrace/alerting';
import { tempDir } from '../support/store.js';
import { FLOWTRACE_BIN, createProject, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';
import { eventually, startReceiver, type Receiver } from '../../alerting/test/receiver.js';

const run = promisify(execFile);
const ADMIN_TOKEN = 'alerting-e2e-admin-token-000000';
const SHIPPED = ['failed-workflow-executions', 'errored-syncs', 'trigger-delivery-failures', 'failed-credential-refreshes', 'tool-call-error-rate'];

interface RuleView {
  id: string;
  health: string;
  lastError: string | null;
  lastEvaluatedAt: string | null;
  instances: { firing: number; pending: number };
  definition: Record<string, unknown>;
}
interface InstanceView {
  ruleId: string;
  fingerprint: string;
  labels: Record<string, string>;
  state: string;
  episode: number;
  firedAt: string | null;
  resolvedAt: string | null;
}
interface NotificationView {
  id: string;
  ruleId: string;
  status: string;
  pending: boolean;
  createdAt: string;
  deliveries: Array<{ webhook: string; state: string; attempts: number; lastError: string | null; lastAttemptAt: string | null; nextAttemptAt: string | null; deliveredAt: string | null }>;
  payload: NotificationPayload;
}

const data = tempDir('flowtrace-alerting-');
const files = tempDir('flowtrace-alerting-rules-');
const rulesPath = join(files.path, 'rules.yaml');
let receiver: Receiver;
let flowtrace: RunningFlowtrace;
let env: Record<string, string>;
let demo: Array<{ id: string; key: string }>;
let outage: { id: string; key: string };

beforeAll(async () => {
  const shipped = parse(readFileSync(DEFAULT_RULES_PATH, 'utf8')) as { rules: Array<Record<string, unknown>> };
  const rules: Array<Record<string, unknown>> = shipped.rules.map((rule) => ({ ...rule, window: '2d', for: '0s' }));
  const failed = shipped.rules.find((r) => r.id === 'failed-workflow-executions')!;
  rules.push({ ...failed, id: 'recent-failures', title: 'Workflow executions FAILED in the last 20 seconds', window: '20s', for: '0s' });
  writeFileSync(rulesPath, stringify({ rules }));
  receiver = await startReceiver();
  env = { FLOWTRACE_ADMIN_TOKEN: ADMIN_TOKEN, FLOWTRACE_ALERT_RULES: rulesPath, FLOWTRACE_ALERT_WEBHOOK_URL: receiver.url, FLOWTRACE_ALERT_INTERVAL_SECONDS: '1' };
  const loader = await startFlowtrace(data.path, { ...env, FLOWTRACE_ALERTING: 'off' });
  try {
    const { stdout } = await run(process.execPath, [FLOWTRACE_BIN, 'demo', '--json', '--scale', '40', '--days', '1'], {
      env: { ...process.env, FLOWTRACE_ENDPOINT: loader.otlpUrl, FLOWTRACE_API_URL: loader.apiUrl, FLOWTRACE_ADMIN_TOKEN: ADMIN_TOKEN },
      maxBuffer: 16 << 20,
    });
    demo = (JSON.parse(stdout) as { projects: Array<{ id: string; key: string }> }).projects;
  } finally {
    expect(await loader.stop()).toBe(0);
  }
  flowtrace = await startFlowtrace(data.path, env);
}, 180_000);
afterAll(async () => {
  await flowtrace?.stop();
  await receiver?.close();
  data.remove();
  files.remove();
});

const admin = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${flowtrace.apiUrl}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};
const rules = async () => (await admin<{ rules: RuleView[] }>('/admin/alerts/rules')).rules;
const instances = async (query = '') => (await admin<{ instances: InstanceView[] }>(`/admin/alerts/state${query}`)).instances;
const notifications = async (query = '') => (await admin<{ notifications: NotificationView[] }>(`/admin/alerts/notifications${query}`)).notifications;

/** Waits until every rule has been evaluated `times` more times, each evaluation starting after this call. */
async function evaluations(times: number): Promise<void> {
  let mark = Date.now();
  for (let i = 0; i < times; i++) {
    const evaluated = await eventually(async () => {
      const all = await rules();
      const times = all.map((r) => (r.lastEvaluatedAt === null ? 0 : Date.parse(r.lastEvaluatedAt)));
      return times.every((t) => t > mark) ? Math.max(...times) : undefined;
    }, () => `the rules were not evaluated after ${new Date(mark).toISOString()}\n${flowtrace.stderr().slice(-3000)}`);
    mark = evaluated;
  }
}

/** A FAILED workflow execution of `project` that ended just now, sent as OTLP/JSON. */
async function failNow(project: { key: string }, integration: string): Promise<void> {
  const now = Date.now();
  const spec = workflowExecutionTrace({ executionId: randomUUID(), workflowId: 'wf-outage', userId: 'user-outage', integration, status: 'FAILED', startedAt: now - 200, endedAt: now, error: 'HTTP 500 from the provider' });
  const { traces } = toOtlpJson([spec], [], { 'service.name': 'alerting-e2e' });
  const res = await fetch(`${flowtrace.otlpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${project.key}` }, body: JSON.stringify(traces) });
  expect(res.status).toBe(200);
}

const accepted = () => receiver.accepted();
const acceptedIds = () => accepted().map((n) => n.id);

describe('alerting in flowtrace start', () => {
  it("posts one firing notification per failing instance of the demo, with its labels and a link to the failing executions", { timeout: 180_000 }, async () => {
    expect(flowtrace.stdout()).toMatch(/Alerting {3}6 rules from .*rules\.yaml; posted to 1 webhook/);
    // Three evaluations of every rule.
    await evaluations(3);
    const firing = (await instances('?state=firing')).filter((i) => SHIPPED.includes(i.ruleId));
    await receiver.waitFor(() => firing.every((i) => accepted().some((n) => n.fingerprint === i.fingerprint)), 'a firing instance was not notified');

    // Each rule fires on the demo's failures.
    expect(new Set(firing.map((i) => i.ruleId))).toEqual(new Set(SHIPPED));
    // Exactly one firing notification per firing instance, none for anything else, no id twice.
    const firingNotes = accepted().filter((n) => n.status === 'firing' && SHIPPED.includes(n.rule.id));
    expect(firingNotes.map((n) => n.fingerprint).sort()).toEqual(firing.map((i) => i.fingerprint).sort());
    expect(new Set(acceptedIds()).size).toBe(acceptedIds().length);
    expect(accepted().filter((n) => n.status === 'resolved')).toEqual([]);

    // The failed-workflow instances are the project × integration pairs Flowtrace's own counts show failures for.
    const expected: string[] = [];
    for (const project of demo) {
      const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}/stats/executions?kind=workflow_execution&groupBy=integration&interval=day&from=${new Date(Date.now() - 3 * 86_400_000).toISOString()}`, { headers: { authorization: `Bearer ${project.key}` } });
      const { buckets } = (await res.json()) as { buckets: Array<{ group: string; failures: number }> };
      for (const group of new Set(buckets.filter((b) => b.failures > 0).map((b) => b.group))) expected.push(`${project.id}/${group}`);
    }
    expect(firingNotes.filter((n) => n.rule.id === 'failed-workflow-executions').map((n) => `${n.labels.project}/${n.labels.integration}`).sort()).toEqual(expected.sort());

    for (const note of firingNotes) {
      const project = demo.find((p) => p.id === note.labels.project)!;
      expect(project, JSON.stringify(note.labels)).toBeDefined();
      expect(note).toMatchObject({ version: '1', status: 'firing', endsAt: null, labels: { severity: expect.stringMatching(/^(critical|warning)$/), project: project.id, integration: expect.any(String) } });
      expect(note.annotations.summary).toContain(note.labels.integration);
      // The link lists the failing executions (or their error logs), readable with the project's key.
      expect(note.link!.startsWith(`${flowtrace.apiUrl}/projects/${project.id}/`)).toBe(true);
      const res = await fetch(note.link!, { headers: { authorization: `Bearer ${project.key}` } });
      expect(res.status, note.link!).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect((Object.values(body).find(Array.isArray) as unknown[]).length, note.link!).toBeGreaterThan(0);
      if (note.rule.id === 'failed-workflow-executions' || note.rule.id === 'trigger-delivery-failures') {
        expect(body.total as number, note.link!).toBeGreaterThanOrEqual(note.value!);
      }
    }
    // The receiver got each notification's id as its Idempotency-Key.
    expect(receiver.received.every((r) => r.idempotencyKey === r.body.id)).toBe(true);
  });

  it('retries with backoff while the webhook answers 503, delivers once it is back, and resolves once the failure ages out', { timeout: 180_000 }, async () => {
    outage = await createProject(flowtrace, 'alerting outage', ADMIN_TOKEN);
    receiver.answer(503);
    await failNow(outage, 'pipedrive');
    // Two rules fire on it (the 2-day and the 20-second window); the webhook gets their notifications in order, the first retried.
    const isPipedrive = (n: NotificationPayload) => n.labels.project === outage.id && n.labels.integration === 'pipedrive';
    const isRecent = (n: NotificationPayload) => n.rule.id === 'recent-failures' && isPipedrive(n);
    await receiver.waitFor((r) => r.filter((x) => isPipedrive(x.body) && x.status === 503).length >= 2, 'the firing notification was not retried');
    const firingId = receiver.received.find((r) => isPipedrive(r.body))!.body.id;
    // The admin API shows it pending, with its attempts and the webhook's answer.
    const waiting = (await notifications('?pending=true')).find((n) => n.id === firingId)!;
    expect(waiting.deliveries[0]).toMatchObject({ state: 'pending', lastError: 'HTTP 503 Service Unavailable' });
    const { attempts, lastAttemptAt, nextAttemptAt } = waiting.deliveries[0]!;
    expect(attempts).toBeGreaterThanOrEqual(2);
    // Exponential backoff: the n-th failed attempt (which started at lastAttemptAt and took the
    // receiver's answer, well under a second) sets the next 1 s × 2^(n-1), ±20%, after its answer.
    const delay = Date.parse(nextAttemptAt!) - Date.parse(lastAttemptAt!);
    expect(delay).toBeGreaterThanOrEqual(0.8 * 1000 * 2 ** (attempts - 1));
    expect(delay).toBeLessThanOrEqual(1.2 * 1000 * 2 ** (attempts - 1) + 1000);

    receiver.answer(200);
    await receiver.waitFor(() => accepted().some((n) => n.id === firingId) && accepted().some((n) => isRecent(n)), 'the firing notifications were not delivered once the webhook was back');
    // 20 seconds later the failure has left the window: one resolved notification.
    await receiver.waitFor(() => accepted().some((n) => isRecent(n) && n.status === 'resolved'), 'the instance did not resolve');
    await evaluations(2);
    const mine = accepted().filter(isRecent);
    expect(mine.map((n) => n.status)).toEqual(['firing', 'resolved']);
    expect(mine[1]!.fingerprint).toBe(mine[0]!.fingerprint);
    expect(mine[1]!.startsAt).toBe(mine[0]!.startsAt);
    expect(Date.parse(mine[1]!.endsAt!)).toBeGreaterThan(Date.parse(mine[1]!.startsAt));
    const [instance] = await instances('?ruleId=recent-failures');
    expect(instance).toMatchObject({ fingerprint: mine[0]!.fingerprint, state: 'normal', episode: 1, resolvedAt: mine[1]!.endsAt });
    const delivered = (await notifications()).find((n) => n.id === firingId)!;
    expect(delivered.pending).toBe(false);
    expect(delivered.deliveries[0]).toMatchObject({ state: 'delivered', lastError: null });
    expect(delivered.deliveries[0]!.attempts).toBe(receiver.received.filter((r) => r.body.id === firingId).length);
  });

  it('after a restart, delivers what was still pending once, keeps the state, and notifies nothing twice', { timeout: 180_000 }, async () => {
    receiver.answer(503);
    await failNow(outage, 'zoho');
    const isZoho = (n: NotificationPayload) => n.labels.project === outage.id && n.labels.integration === 'zoho';
    await receiver.waitFor((r) => r.some((x) => isZoho(x.body)), 'the zoho failure was not attempted');
    const before = await eventually(async () => {
      const firing = (await instances('?state=firing')).filter((i) => i.ruleId !== 'recent-failures');
      return firing.some((i) => i.ruleId === 'failed-workflow-executions' && i.labels.integration === 'zoho') ? firing : undefined;
    }, () => 'the zoho failure did not fire');
    const code = await flowtrace.stop();
    expect(code).toBe(0);
    const pendingIds = new Set(receiver.received.filter((r) => isZoho(r.body)).map((r) => r.body.id));
    expect(pendingIds.size).toBeGreaterThan(0);
    for (const id of pendingIds) expect(acceptedIds()).not.toContain(id);

    receiver.answer(200);
    flowtrace = await startFlowtrace(data.path, env);
    await receiver.waitFor(() => [...pendingIds].every((id) => acceptedIds().includes(id)), 'the notifications pending at the stop were not delivered after the restart');
    await evaluations(3);
    // The same firing instances, fired at the same time, and no id delivered twice.
    const after = (await instances('?state=firing')).filter((i) => i.ruleId !== 'recent-failures');
    const firedAt = (list: InstanceView[]) => Object.fromEntries(list.map((i) => [`${i.ruleId}/${i.fingerprint}`, [i.firedAt, i.episode]]));
    expect(firedAt(after)).toEqual(firedAt(before));
    expect(new Set(acceptedIds()).size).toBe(acceptedIds().length);
    // One firing notification per firing instance, ever.
    for (const instance of after) expect(accepted().filter((n) => n.fingerprint === instance.fingerprint && n.status === 'firing'), instance.fingerprint).toHaveLength(1);
  });

  it('shows the rules, their instances and the notifications through the admin API only', { timeout: 60_000 }, async () => {
    const all = await rules();
    expect(all.map((r) => r.id).sort()).toEqual([...SHIPPED, 'recent-failures'].sort());
    for (const rule of all) {
      expect(rule, rule.id).toMatchObject({ health: 'ok', lastError: null, definition: { window: rule.id === 'recent-failures' ? '20s' : '2d', for: '0s', interval: '1s' } });
    }
    expect(all.find((r) => r.id === 'failed-workflow-executions')!.instances.firing).toBeGreaterThan(0);
    const firing = await instances('?state=firing');
    expect(firing.every((i) => i.state === 'firing' && i.episode === 1 && i.firedAt !== null)).toBe(true);
    const latest = await notifications('?limit=5');
    expect(latest).toHaveLength(5);
    const created = latest.map((n) => Date.parse(n.createdAt));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    // The webhook shown without its path, which may hold a secret.
    expect(latest.every((n) => n.deliveries.length === 1 && n.deliveries[0]!.webhook === receiver.url.replace(/\/hooks.*/, '/…'))).toBe(true);
    expect(latest.every((n) => n.payload.id === n.id)).toBe(true);
    for (const path of ['/admin/alerts/rules', '/admin/alerts/state', '/admin/alerts/notifications']) {
      const res = await fetch(`${flowtrace.apiUrl}${path}`, { headers: { authorization: `Bearer ${demo[0]!.key}` } });
      expect(res.status, path).toBe(401);
    }
    const bad = await fetch(`${flowtrace.apiUrl}/admin/alerts/state?state=burning`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('state');
  });
});

describe('the rules file and the switch', () => {
  it('stops the start on a bad rules file, naming the file, the rule and the field, before the data directory is touched', { timeout: 60_000 }, async () => {
    const bad = join(files.path, 'bad.yaml');
    writeFileSync(bad, 'rules:\n  - id: failed\n    title: Failed\n    sql: SELECT 1 AS value\n    condition: { over: 0 }\n    window: 15m\n');
    const fresh = join(files.path, 'never-created');
    const child = spawn(process.execPath, [FLOWTRACE_BIN, 'start'], { env: { ...process.env, FLOWTRACE_DATA_DIR: fresh, FLOWTRACE_ALERT_RULES: bad, FLOWTRACE_HOST: '127.0.0.1', FLOWTRACE_OTLP_HTTP_PORT: '0', FLOWTRACE_OTLP_GRPC_PORT: '0', FLOWTRACE_API_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain(`FLOWTRACE_ALERT_RULES: alert rules file ${bad}:`);
    expect(stderr).toContain('rules[0] (id "failed"): condition: must be { above: N } or { below: N }');
    expect(existsSync(fresh)).toBe(false);
  });

  it('evaluates nothing with FLOWTRACE_ALERTING=off', { timeout: 60_000 }, async () => {
    const dir = tempDir('flowtrace-alerting-off-');
    const off = await startFlowtrace(dir.path, { FLOWTRACE_ADMIN_TOKEN: ADMIN_TOKEN, FLOWTRACE_ALERTING: 'off', FLOWTRACE_ALERT_WEBHOOK_URL: receiver.url });
    try {
      expect(off.stdout()).not.toContain('Alerting');
      const res = await fetch(`${off.apiUrl}/admin/alerts/rules`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(await res.json()).toEqual({ rules: [] });
    } finally {
      await off.stop();
      dir.remove();
    }
  });
});
