/**
 * The evaluator against the real embedded store, on a clock the test moves:
 * pending → firing after `for`, resolved when the failures leave the window,
 * one notification per change, nothing twice after a restart, and a restart
 * that finds a notification newer than its instance restores the instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminToken, Projects, TABLES, type Store } from '@flowtrace/store';
import { createQueryApp } from '@flowtrace/query-api';
import { Alerting, AlertRepository, fingerprint, notificationId, parseRules, step, type InstanceState, type NotificationPayload } from '@flowtrace/alerting';
import { openTempStore } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';
import { startReceiver, type Receiver } from './receiver.js';

const RULES = parseRules(
  `
rules:
  - id: failed
    title: Failed workflow executions
    sql: |
      SELECT ProjectId AS project, Integration AS integration, count() AS value
      FROM flowtrace_executions
      WHERE $__timeFilter(Start) AND Kind = 'workflow_execution' AND Status = 'FAILED'
      GROUP BY project, integration
    condition: { above: 0 }
    window: 10m
    for: 2m
    labels: { severity: critical }
    annotations: { summary: "{{ $value }} failed on {{ $labels.integration }}" }
    link: /projects/{{ $labels.project }}/task-history/workflow-executions?status=FAILED&integration={{ $labels.integration }}&afterDate={{ $from }}
  - id: broken
    title: A rule whose SQL does not run
    sql: SELECT NoSuchColumn AS value FROM flowtrace_executions WHERE $__timeFilter(Start)
    condition: { above: 0 }
    window: 10m
`,
  'evaluator-test-rules.yaml',
);

const MINUTE = 60_000;
let store: Store;
let dispose: () => Promise<void>;
let receiver: Receiver;
const log = memoryLogger();

beforeAll(async () => {
  ({ store, dispose } = await openTempStore());
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await dispose?.();
});

/** A FAILED workflow execution of a project, as the executions view would hold it. */
async function fail(project: string, integration: string, at: number): Promise<void> {
  const start = new Date(at).toISOString().replace('T', ' ').replace('Z', '');
  await store.insert('test', TABLES.executions, [
    { ProjectId: project, Kind: 'workflow_execution', Start: start, End: start, TraceId: `${project}-${at}`, Status: 'FAILED', StatusCode: 'Error', Failed: 1, Integration: integration },
  ]);
}

/** An evaluator on the test's clock, evaluating when told to. */
async function evaluator(clock: { now: number }, webhooks: string[] = []): Promise<Alerting> {
  return Alerting.start({ store, log, rules: RULES, webhooks, intervalMs: MINUTE, linkBase: 'https://flowtrace.example.com', now: () => clock.now, schedule: false, backoff: { initialMs: 10, factor: 2, maxMs: 50, jitter: 0 } });
}

async function notificationsOf(project: string): Promise<Array<{ Id: string; Status: string; Episode: number; Pending: number; Payload: string }>> {
  return store.select('test', `SELECT Id, Status, Episode, Pending, Payload FROM ${TABLES.alertNotifications} FINAL WHERE Labels['project'] = {project:String} ORDER BY CreatedAt, Status = 'resolved'`, { project });
}

const instanceOf = (alerting: Alerting, project: string) => alerting.instances().find((i) => i.ruleId === 'failed' && i.labels.project === project);

describe('one instance, from pending to firing to resolved', () => {
  it('waits `for` before firing, notifies each change once, keeps its state across a restart, and resolves when the failures age out', async () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const clock = { now: t0 };
    await fail('p-life', 'salesforce', t0 - 30_000);
    let alerting = await evaluator(clock);

    let results = await alerting.evaluate();
    expect(results.find((r) => r.ruleId === 'failed')).toMatchObject({ health: 'ok', instances: 1, notifications: [] });
    expect(instanceOf(alerting, 'p-life')).toMatchObject({ state: 'pending', activeAt: t0, episode: 0, value: 1 });

    clock.now = t0 + MINUTE;
    expect((await alerting.evaluate()).flatMap((r) => r.notifications)).toEqual([]);

    clock.now = t0 + 2 * MINUTE;
    results = await alerting.evaluate();
    const [firing] = results.flatMap((r) => r.notifications);
    expect(results.flatMap((r) => r.notifications)).toHaveLength(1);
    const labels = { severity: 'critical', project: 'p-life', integration: 'salesforce' };
    expect(firing!.payload).toEqual({
      version: '1',
      id: notificationId('failed', fingerprint('failed', { project: 'p-life', integration: 'salesforce' }), 1, 'firing'),
      status: 'firing',
      rule: { id: 'failed', title: 'Failed workflow executions' },
      labels,
      annotations: { summary: '1 failed on salesforce' },
      startsAt: new Date(t0 + 2 * MINUTE).toISOString(),
      endsAt: null,
      value: 1,
      link: `https://flowtrace.example.com/projects/p-life/task-history/workflow-executions?status=FAILED&integration=salesforce&afterDate=${encodeURIComponent(new Date(t0 - 8 * MINUTE).toISOString())}`,
      fingerprint: fingerprint('failed', { project: 'p-life', integration: 'salesforce' }),
    } satisfies NotificationPayload);

    clock.now = t0 + 3 * MINUTE;
    expect((await alerting.evaluate()).flatMap((r) => r.notifications)).toEqual([]);
    await alerting.stop();

    // A restart: the same state, nothing notified again.
    alerting = await evaluator(clock);
    expect(instanceOf(alerting, 'p-life')).toMatchObject({ state: 'firing', episode: 1, firedAt: t0 + 2 * MINUTE });
    clock.now = t0 + 4 * MINUTE;
    expect((await alerting.evaluate()).flatMap((r) => r.notifications)).toEqual([]);

    // The failure leaves the 10-minute window: resolved, once.
    clock.now = t0 + 11 * MINUTE;
    const resolved = (await alerting.evaluate()).flatMap((r) => r.notifications);
    expect(resolved.map((n) => [n.status, n.episode, n.payload.endsAt, n.payload.value])).toEqual([['resolved', 1, new Date(t0 + 11 * MINUTE).toISOString(), null]]);
    clock.now = t0 + 12 * MINUTE;
    expect((await alerting.evaluate()).flatMap((r) => r.notifications)).toEqual([]);
    expect(instanceOf(alerting, 'p-life')).toMatchObject({ state: 'normal', episode: 1, resolvedAt: t0 + 11 * MINUTE });

    // It fails again: a second episode, with ids of its own.
    await fail('p-life', 'salesforce', t0 + 12 * MINUTE);
    clock.now = t0 + 13 * MINUTE;
    await alerting.evaluate();
    clock.now = t0 + 15 * MINUTE;
    const again = (await alerting.evaluate()).flatMap((r) => r.notifications);
    expect(again.map((n) => [n.status, n.episode])).toEqual([['firing', 2]]);
    await alerting.stop();

    // The outbox holds the three, once each; without a webhook nothing awaits delivery.
    const stored = await notificationsOf('p-life');
    expect(stored.map((n) => [n.Status, Number(n.Episode), Number(n.Pending)])).toEqual([['firing', 1, 0], ['resolved', 1, 0], ['firing', 2, 0]]);
    expect(new Set(stored.map((n) => n.Id)).size).toBe(3);
  });

  it('records a rule whose SQL fails as unhealthy, and goes on evaluating the others', async () => {
    const alerting = await evaluator({ now: Date.now() });
    const results = await alerting.evaluate();
    await alerting.stop();
    expect(results.find((r) => r.ruleId === 'failed')!.health).toBe('ok');
    const broken = results.find((r) => r.ruleId === 'broken')!;
    expect(broken.health).toBe('error');
    expect(broken.error).toMatch(/NoSuchColumn/);
    const [row] = await store.select<{ Health: string; LastError: string }>('test', `SELECT Health, LastError FROM ${TABLES.alertRules} FINAL WHERE RuleId = 'broken'`);
    expect(row!.Health).toBe('error');
    expect(row!.LastError).toMatch(/NoSuchColumn/);
  });

  it('posts each change to the webhook with its id as Idempotency-Key', async () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const clock = { now: t0 };
    await fail('p-hook', 'hubspot', t0 - 1000);
    const alerting = await evaluator(clock, [receiver.url]);
    await alerting.evaluate();
    clock.now = t0 + 2 * MINUTE;
    const [firing] = (await alerting.evaluate()).flatMap((r) => r.notifications);
    await receiver.waitFor((r) => r.some((x) => x.body.id === firing!.id), 'the firing notification was not posted');
    clock.now = t0 + 11 * MINUTE;
    const [resolved] = (await alerting.evaluate()).flatMap((r) => r.notifications);
    await receiver.waitFor((r) => r.some((x) => x.body.id === resolved!.id), 'the resolved notification was not posted');
    await alerting.stop();
    const mine = receiver.received.filter((r) => r.body.labels.project === 'p-hook');
    expect(mine.map((r) => [r.body.status, r.idempotencyKey === r.body.id])).toEqual([['firing', true], ['resolved', true]]);
    const stored = await notificationsOf('p-hook');
    expect(stored.map((n) => Number(n.Pending))).toEqual([0, 0]);
  });
});

describe('a restart after a crash between the two writes', () => {
  it('restores an instance from a firing notification written without its state, and sends nothing again', async () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const labels = { project: 'p-crash', integration: 'jira' };
    const fp = fingerprint('failed', labels);
    const id = notificationId('failed', fp, 1, 'firing');
    const payload: NotificationPayload = { version: '1', id, status: 'firing', rule: { id: 'failed', title: 'Failed workflow executions' }, labels: { severity: 'critical', ...labels }, annotations: {}, startsAt: new Date(t0).toISOString(), endsAt: null, value: 2, link: null, fingerprint: fp };
    // The notification reached the outbox; the process died before the instance's row.
    await new AlertRepository(store).saveNotifications([{ id, ruleId: 'failed', fingerprint: fp, labels, episode: 1, status: 'firing', payload, createdAt: t0, deliveries: [], version: 1 }]);
    await fail('p-crash', 'jira', t0 - 1000);
    const clock = { now: t0 + MINUTE };
    const alerting = await evaluator(clock);
    expect(instanceOf(alerting, 'p-crash')).toMatchObject({ state: 'firing', episode: 1, firedAt: t0 });
    expect((await alerting.evaluate()).flatMap((r) => r.notifications).filter((n) => n.labels.project === 'p-crash')).toEqual([]);
    await alerting.stop();
    expect((await notificationsOf('p-crash')).map((n) => n.Id)).toEqual([id]);
    const [row] = await store.select<{ State: string; Episode: number }>('test', `SELECT State, Episode FROM ${TABLES.alertInstances} FINAL WHERE Fingerprint = {fp:String}`, { fp });
    expect(row).toEqual({ State: 'firing', Episode: 1 });
  });
});

describe('the admin API', () => {
  it('shows the rules, the instances and the notifications from the store alone, as its schemas document them', async () => {
    // A query API given nothing but the store, as in another process than the evaluator's.
    const token = 'alerting-admin-token-0000';
    const api = await listenApp(createQueryApp({ store, projects: new Projects(store, { keyCacheMs: 60_000 }), adminToken: await AdminToken.load(store, token), log, checkResponses: true }));
    const get = async (path: string) => {
      const res = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
      return res.json() as Promise<Record<string, Array<Record<string, unknown>>>>;
    };
    try {
      const { rules } = await get('/admin/alerts/rules');
      expect(rules!.map((r) => [r.id, r.health])).toEqual([['broken', 'error'], ['failed', 'ok']]);
      expect(rules!.find((r) => r.id === 'failed')).toMatchObject({ source: 'evaluator-test-rules.yaml', lastError: null, definition: { window: '10m', for: '2m', interval: '1m', condition: { above: 0 } } });
      const { instances } = await get('/admin/alerts/state?ruleId=failed');
      const crash = instances!.find((i) => (i.labels as Record<string, string>).project === 'p-crash');
      expect(crash).toMatchObject({ state: 'firing', episode: 1, labels: { project: 'p-crash', integration: 'jira' } });
      expect(instances!.map((i) => i.state)).toEqual([...instances!.map((i) => i.state)].sort((a, b) => ['firing', 'pending', 'normal'].indexOf(a as string) - ['firing', 'pending', 'normal'].indexOf(b as string)));
      const { notifications } = await get('/admin/alerts/notifications?status=resolved');
      expect(notifications!.length).toBeGreaterThan(0);
      expect(notifications!.every((n) => n.status === 'resolved' && (n.payload as NotificationPayload).id === n.id)).toBe(true);
      const hooked = notifications!.find((n) => (n.payload as NotificationPayload).labels.project === 'p-hook')!;
      expect(hooked).toMatchObject({ pending: false, deliveries: [{ state: 'delivered', attempts: 1, lastError: null }] });
    } finally {
      await api.close();
    }
  });
});

describe('the state machine', () => {
  const base: InstanceState = { ruleId: 'r', fingerprint: 'f', labels: {}, state: 'normal', episode: 0, value: null, activeAt: null, firedAt: null, resolvedAt: null, lastEvaluatedAt: 0, version: 0 };

  it('fires at once with for 0s, and a pending instance that clears goes back to normal without a notification', () => {
    expect(step(base, { value: 3, met: true }, 0, 1000)).toMatchObject({ change: 'firing', next: { state: 'firing', episode: 1, firedAt: 1000, activeAt: 1000 } });
    const pending = step(base, { value: 3, met: true }, 5000, 1000);
    expect(pending).toMatchObject({ next: { state: 'pending', activeAt: 1000 }, dirty: true });
    expect(pending.change).toBeUndefined();
    const cleared = step(pending.next, { value: 0, met: false }, 5000, 2000);
    expect(cleared).toMatchObject({ next: { state: 'normal', activeAt: null, episode: 0 }, dirty: true });
    expect(cleared.change).toBeUndefined();
    // A normal instance that stays normal is not written again.
    expect(step(cleared.next, { value: 0, met: false }, 5000, 3000).dirty).toBe(false);
  });

  it('resolves a firing instance whose row is gone, and changes the episode only when it fires', () => {
    const firing = step(base, { value: 1, met: true }, 0, 1000).next;
    expect(step(firing, { value: 2, met: true }, 0, 2000)).toMatchObject({ next: { state: 'firing', episode: 1, value: 2 }, dirty: true });
    expect(step(firing, undefined, 0, 3000)).toMatchObject({ change: 'resolved', next: { state: 'normal', episode: 1, resolvedAt: 3000, value: null } });
  });
});
