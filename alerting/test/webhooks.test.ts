/**
 * Delivery to webhooks against a local receiver and the real embedded store:
 * retries with backoff while the receiver is down (503 or closed), delivered
 * once it is back, in order, once; a 4xx is not retried and does not hold up
 * the rest; a bounded queue; and a restart that resumes the outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES, type Store } from '@flowtrace/store';
import { AlertRepository, DEFAULT_BACKOFF, Dispatcher, backoffDelay, webhookTargets, type NotificationRecord } from '@flowtrace/alerting';
import { openTempStore } from '../../test/support/store.js';
import { memoryLogger } from '../../test/support/http.js';
import { eventually, startReceiver, type Receiver } from './receiver.js';

let store: Store;
let dispose: () => Promise<void>;
let repository: AlertRepository;
let receiver: Receiver;
const log = memoryLogger();
const FAST = { initialMs: 20, factor: 2, maxMs: 200, jitter: 0 };

beforeAll(async () => {
  ({ store, dispose } = await openTempStore());
  repository = new AlertRepository(store);
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await dispose?.();
});

let sequence = 0;
/** A notification as the evaluator makes it, stored in the outbox with the dispatcher's deliveries. */
async function notification(dispatcher: Dispatcher, status: 'firing' | 'resolved' = 'firing'): Promise<NotificationRecord> {
  const id = `n-${++sequence}-${status}`;
  const record: NotificationRecord = {
    id,
    ruleId: 'r',
    fingerprint: `f-${sequence}`,
    labels: { project: 'p' },
    episode: 1,
    status,
    payload: { version: '1', id, status, rule: { id: 'r', title: 'R' }, labels: { project: 'p' }, annotations: {}, startsAt: new Date().toISOString(), endsAt: null, value: 1, link: null, fingerprint: `f-${sequence}` },
    createdAt: Date.now(),
    deliveries: dispatcher.newDeliveries(),
    version: 1,
  };
  await repository.saveNotifications([record]);
  return record;
}

async function stored(id: string) {
  const [row] = await store.select<{ Pending: number; Deliveries: string }>('test', `SELECT Pending, Deliveries FROM ${TABLES.alertNotifications} FINAL WHERE Id = {id:String}`, { id });
  return { pending: Number(row!.Pending) === 1, deliveries: JSON.parse(row!.Deliveries) as Array<{ state: string; attempts: number; lastError: string | null; target: string }> };
}

const answeredFor = (id: string) => receiver.received.filter((r) => r.body.id === id).map((r) => r.status);

describe('backoff', () => {
  it('doubles from 1 s up to 5 minutes, within ±20%', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 9, 10, 30].map((n) => backoffDelay(n, DEFAULT_BACKOFF, middle))).toEqual([1000, 2000, 4000, 8000, 256_000, 300_000, 300_000]);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0)).toBe(3200);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 1)).toBe(4800);
    expect(backoffDelay(20, DEFAULT_BACKOFF, () => 1)).toBe(300_000);
  });
});

describe('delivery', () => {
  it('retries while the webhook answers 503, then delivers once, and records every attempt', async () => {
    const dispatcher = new Dispatcher({ repository, log, webhooks: webhookTargets([receiver.url]), backoff: FAST });
    dispatcher.start();
    receiver.answer(503);
    const record = await notification(dispatcher);
    dispatcher.enqueue(record);
    await receiver.waitFor(() => answeredFor(record.id).length >= 3, 'three attempts were not made');
    const meanwhile = await eventually(async () => {
      const s = await stored(record.id);
      return s.deliveries[0]!.attempts >= 3 ? s : undefined;
    }, () => 'the attempts were not recorded');
    expect(meanwhile.pending).toBe(true);
    expect(meanwhile.deliveries[0]).toMatchObject({ state: 'pending', lastError: 'HTTP 503 Service Unavailable', target: receiver.url.replace(/\/hooks.*/, '/…') });
    receiver.answer(200);
    await receiver.waitFor(() => answeredFor(record.id).includes(200), 'it was not delivered once the webhook was back');
    await dispatcher.stop(1000);
    const answers = answeredFor(record.id);
    expect(answers.filter((s) => s === 200)).toHaveLength(1);
    expect(answers.slice(0, -1).every((s) => s === 503)).toBe(true);
    const after = await stored(record.id);
    expect(after.pending).toBe(false);
    expect(after.deliveries[0]).toMatchObject({ state: 'delivered', attempts: answers.length, lastError: null });
  });

  it('keeps the order of a firing and its resolved while the webhook is closed, and delivers both once it listens again', async () => {
    const dispatcher = new Dispatcher({ repository, log, webhooks: webhookTargets([receiver.url]), backoff: FAST });
    dispatcher.start();
    await receiver.close();
    const firing = await notification(dispatcher, 'firing');
    const resolved = await notification(dispatcher, 'resolved');
    dispatcher.enqueue(firing);
    dispatcher.enqueue(resolved);
    await eventually(async () => ((await stored(firing.id)).deliveries[0]!.attempts >= 2 ? true : undefined), () => 'the closed webhook was not retried');
    expect((await stored(firing.id)).deliveries[0]!.lastError).toBe('ECONNREFUSED');
    // The resolved waits behind its firing.
    expect((await stored(resolved.id)).deliveries[0]!.attempts).toBe(0);
    await receiver.reopen();
    await receiver.waitFor(() => answeredFor(resolved.id).includes(200), 'the two were not delivered');
    await dispatcher.stop(1000);
    const order = receiver.received.filter((r) => r.body.id === firing.id || r.body.id === resolved.id).map((r) => r.body.status);
    expect(order).toEqual(['firing', 'resolved']);
  });

  it('does not retry a 4xx, and goes on with the next notification', async () => {
    const dispatcher = new Dispatcher({ repository, log, webhooks: webhookTargets([receiver.url]), backoff: FAST });
    dispatcher.start();
    receiver.answer(400);
    const refused = await notification(dispatcher);
    dispatcher.enqueue(refused);
    await receiver.waitFor(() => answeredFor(refused.id).length === 1, 'the notification was not posted');
    receiver.answer(200);
    const next = await notification(dispatcher);
    dispatcher.enqueue(next);
    await receiver.waitFor(() => answeredFor(next.id).includes(200), 'the next one was held up');
    await dispatcher.stop(1000);
    expect(answeredFor(refused.id)).toEqual([400]);
    expect((await stored(refused.id)).deliveries[0]).toMatchObject({ state: 'failed', attempts: 1, lastError: 'HTTP 400 Bad Request' });
  });

  it('drops the oldest waiting notification beyond the queue bound', async () => {
    receiver.answer(503);
    const dispatcher = new Dispatcher({ repository, log, webhooks: webhookTargets([receiver.url]), backoff: { ...FAST, initialMs: 60_000, maxMs: 60_000 }, maxPending: 2 });
    dispatcher.start();
    const records = [await notification(dispatcher), await notification(dispatcher), await notification(dispatcher)];
    dispatcher.enqueue(records[0]!);
    await receiver.waitFor(() => answeredFor(records[0]!.id).length === 1, 'the first was not attempted');
    // Its attempt is over (recorded) and it waits for its retry.
    await eventually(async () => ((await stored(records[0]!.id)).deliveries[0]!.attempts === 1 ? true : undefined), () => 'the attempt was not recorded');
    dispatcher.enqueue(records[1]!);
    dispatcher.enqueue(records[2]!);
    await dispatcher.stop(1000);
    receiver.answer(200);
    // The head (first) had been attempted and is not in flight: it is the oldest, and goes.
    expect((await stored(records[0]!.id)).deliveries[0]).toMatchObject({ state: 'dropped', lastError: expect.stringContaining('more than 2 notifications awaiting delivery') });
    expect((await stored(records[1]!.id)).deliveries[0]!.state).toBe('pending');
    expect((await stored(records[2]!.id)).deliveries[0]!.state).toBe('pending');
    expect(dispatcher.pending()).toEqual({ [receiver.url.replace(/\/hooks.*/, '/…')]: 2 });
    // Leave nothing pending for the restart test.
    for (const r of records.slice(1)) await repository.saveNotifications([{ ...r, deliveries: r.deliveries.map((d) => ({ ...d, state: 'dropped' as const })), version: Date.now() * 1000 }]);
  });

  it('resumes the outbox after a restart: a notification attempted before is delivered once, with the same id; one for a webhook no longer configured is dropped', async () => {
    receiver.answer(503);
    const first = new Dispatcher({ repository, log, webhooks: webhookTargets([receiver.url, 'http://127.0.0.1:9/gone']), backoff: { ...FAST, initialMs: 60_000, maxMs: 60_000 } });
    first.start();
    const record = await notification(first);
    first.enqueue(record);
    await receiver.waitFor(() => answeredFor(record.id).length === 1, 'it was not attempted before the restart');
    await eventually(async () => ((await stored(record.id)).deliveries.every((d) => d.attempts === 1) ? true : undefined), () => 'the attempts were not recorded');
    await first.stop(1000);
    receiver.answer(200);

    const second = new Dispatcher({ repository, log, webhooks: webhookTargets([receiver.url]), backoff: FAST });
    const pending = await repository.pendingNotifications();
    expect(pending.map((p) => p.id)).toEqual([record.id]);
    second.resume(pending);
    second.start();
    await receiver.waitFor(() => answeredFor(record.id).includes(200), 'it was not delivered after the restart');
    await second.stop(1000);
    expect(answeredFor(record.id)).toEqual([503, 200]);
    const after = await stored(record.id);
    expect(after.pending).toBe(false);
    expect(after.deliveries.map((d) => [d.state, d.attempts])).toEqual([['delivered', 2], ['dropped', 1]]);
    expect(after.deliveries[1]!.lastError).toBe('the webhook is no longer configured (FLOWTRACE_ALERT_WEBHOOK_URL)');
  });
});
