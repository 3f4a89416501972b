import { createHash } from 'node:crypto';
import type { Logger } from '@flowtrace/store';
import { nextVersion, type AlertRepository, type Delivery, type NotificationRecord } from './repository.js';

/** A webhook notifications are posted to. */
export interface WebhookTarget {
  /** A hash of the URL: how deliveries name it (the URL may carry a secret). */
  key: string;
  url: string;
  /** The URL's origin, for people (logs, the admin API). */
  target: string;
}

export function webhookTargets(urls: readonly string[]): WebhookTarget[] {
  return [...new Set(urls)].map((url) => {
    const parsed = new URL(url);
    return { key: createHash('sha256').update(url).digest('hex').slice(0, 12), url, target: `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '/' : '/…'}` };
  });
}

/** Retries of a webhook that is down: exponential, with jitter, capped. */
export interface BackoffOptions {
  /** Delay after the first failed attempt. */
  initialMs: number;
  factor: number;
  maxMs: number;
  /** ± this fraction of each delay, at random, so that restarted peers do not retry in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, factor: 2, maxMs: 5 * 60_000, jitter: 0.2 };

/** How long to wait after the `failures`-th consecutive failed attempt (1, 2, …). */
export function backoffDelay(failures: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, failures - 1));
  return Math.round(Math.min(options.maxMs, base * (1 + options.jitter * (2 * random() - 1))));
}

export interface DispatcherOptions {
  repository: AlertRepository;
  log: Logger;
  webhooks: readonly WebhookTarget[];
  backoff?: BackoffOptions;
  /** Deliveries awaiting a webhook at most; beyond, the oldest are dropped. Default 1000. */
  maxPending?: number;
  /** A delivery still failing this long after its notification is given up. Default 24 hours. */
  maxAgeMs?: number;
  /** One attempt's time limit. Default 10 s. */
  timeoutMs?: number;
}

export const DEFAULT_MAX_PENDING = 1000;
export const DEFAULT_MAX_DELIVERY_AGE_MS = 24 * 3_600_000;
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;

/** 408, 425 and 429 are worth retrying; any other 4xx would be refused again. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * Posts notifications to the webhooks, each webhook in the order the
 * notifications were made (a resolved never overtakes its firing), one at a
 * time. A failed attempt is retried with backoff while the notifications
 * behind it wait; evaluation never waits for a webhook. Every outcome is
 * written to the outbox, and a delivery is marked delivered only after a 2xx.
 */
export class Dispatcher {
  readonly #queues = new Map<string, WebhookQueue>();
  readonly #persisting = new Set<Promise<void>>();
  readonly #options: Required<Omit<DispatcherOptions, 'webhooks'>>;

  constructor(options: DispatcherOptions) {
    this.#options = {
      repository: options.repository,
      log: options.log,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      maxPending: options.maxPending ?? DEFAULT_MAX_PENDING,
      maxAgeMs: options.maxAgeMs ?? DEFAULT_MAX_DELIVERY_AGE_MS,
      timeoutMs: options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    };
    for (const webhook of options.webhooks) this.#queues.set(webhook.key, new WebhookQueue(webhook, this.#options, (record) => this.persist(record)));
  }

  /** The deliveries a new notification starts with: one pending per webhook (none without webhooks). */
  newDeliveries(): Delivery[] {
    return [...this.#queues.values()].map(({ webhook }) => ({
      webhook: webhook.key,
      target: webhook.target,
      state: 'pending',
      attempts: 0,
      lastError: null,
      lastAttemptAt: null,
      nextAttemptAt: null,
      deliveredAt: null,
    }));
  }

  /**
   * Takes up notifications left pending by a previous run (oldest first),
   * to be attempted at once rather than at the retry time the previous run
   * set. Deliveries to a webhook no longer configured are dropped.
   */
  resume(records: readonly NotificationRecord[]): void {
    for (const record of records) {
      let orphaned = false;
      for (const delivery of record.deliveries) {
        if (delivery.state !== 'pending') continue;
        const queue = this.#queues.get(delivery.webhook);
        if (queue) {
          delivery.nextAttemptAt = null;
          queue.push(record);
        }
        else {
          delivery.state = 'dropped';
          delivery.lastError = 'the webhook is no longer configured (FLOWTRACE_ALERT_WEBHOOK_URL)';
          orphaned = true;
        }
      }
      if (orphaned) this.persist(record);
    }
  }

  /** Hands a stored notification to its webhooks. */
  enqueue(record: NotificationRecord): void {
    for (const delivery of record.deliveries) if (delivery.state === 'pending') this.#queues.get(delivery.webhook)?.push(record);
  }

  start(): void {
    for (const queue of this.#queues.values()) queue.start();
  }

  /** Stops: attempts under way get `graceMs` to finish, then are cut (and stay pending); waits for the outbox writes. */
  async stop(graceMs: number): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.stop(graceMs)));
    while (this.#persisting.size > 0) await Promise.allSettled([...this.#persisting]);
  }

  /** Deliveries waiting per webhook (for the tests and the log). */
  pending(): Record<string, number> {
    return Object.fromEntries([...this.#queues.values()].map((q) => [q.webhook.target, q.size]));
  }

  /**
   * Writes a notification's current deliveries as a new version of its row.
   * The row is taken now, whole, so the highest version holds every change
   * even when two webhooks' writes complete out of order.
   */
  persist(record: NotificationRecord): void {
    record.version = nextVersion(record.version);
    const write = this.#options.repository.saveNotifications([record]).catch((err: unknown) => {
      this.#options.log.error('could not record a notification’s delivery', { notification: record.id, error: (err as Error).message });
    });
    this.#persisting.add(write);
    void write.finally(() => this.#persisting.delete(write));
  }
}

class WebhookQueue {
  readonly #items: NotificationRecord[] = [];
  readonly #stopping = new AbortController();
  #wake: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #inFlight: NotificationRecord | undefined;
  #stopped = false;

  constructor(
    readonly webhook: WebhookTarget,
    private readonly options: Required<Omit<DispatcherOptions, 'webhooks'>>,
    private readonly persist: (record: NotificationRecord) => void,
  ) {}

  get size(): number {
    return this.#items.length;
  }

  push(record: NotificationRecord): void {
    this.#items.push(record);
    while (this.#items.length > this.options.maxPending) {
      // The oldest goes, unless it is being sent right now.
      const index = this.#items[0] === this.#inFlight ? 1 : 0;
      const [dropped] = this.#items.splice(index, 1);
      const delivery = this.#delivery(dropped!);
      delivery.state = 'dropped';
      delivery.lastError = `the queue of ${this.webhook.target} was full (more than ${this.options.maxPending} notifications awaiting delivery)`;
      delivery.nextAttemptAt = null;
      this.options.log.warn('alert notification dropped: too many awaiting delivery', { notification: dropped!.id, webhook: this.webhook.target, maxPending: this.options.maxPending });
      this.persist(dropped!);
    }
    this.#wake?.();
  }

  start(): void {
    this.#running ??= this.#run();
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.#running) return;
    const timer = setTimeout(() => this.#stopping.abort(), graceMs);
    this.#stopping.signal.addEventListener('abort', () => this.#wake?.());
    // Nothing new starts; an attempt under way may finish within the grace period.
    this.#stopped = true;
    this.#wake?.();
    await this.#running;
    clearTimeout(timer);
  }

  #delivery(record: NotificationRecord): Delivery {
    return record.deliveries.find((d) => d.webhook === this.webhook.key)!;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const head = this.#items[0];
      const wait = head ? (this.#delivery(head).nextAttemptAt ?? 0) - Date.now() : Infinity;
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = Number.isFinite(wait) ? setTimeout(resolve, wait) : undefined;
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
        continue;
      }
      this.#inFlight = head;
      await this.#attempt(head!);
      this.#inFlight = undefined;
    }
  }

  async #attempt(record: NotificationRecord): Promise<void> {
    const delivery = this.#delivery(record);
    const now = Date.now();
    delivery.attempts += 1;
    delivery.lastAttemptAt = now;
    let retryAfterMs = 0;
    let outcome: 'delivered' | 'refused' | 'retry';
    try {
      const res = await fetch(this.webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': record.id, 'user-agent': 'flowtrace-alerting/0.1' },
        body: JSON.stringify(record.payload),
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.#stopping.signal]),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) outcome = 'delivered';
      else {
        outcome = res.status >= 400 && res.status < 500 && !RETRYABLE_4XX.has(res.status) ? 'refused' : 'retry';
        delivery.lastError = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
        retryAfterMs = retryAfter(res.headers.get('retry-after'));
      }
    } catch (err) {
      outcome = 'retry';
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      delivery.lastError = (err as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : this.#stopping.signal.aborted ? 'cut short by shutdown' : `${cause ?? (err as Error).message}`;
    }
    const log = { notification: record.id, rule: record.ruleId, status: record.status, webhook: this.webhook.target, attempt: delivery.attempts };
    if (outcome === 'delivered') {
      delivery.state = 'delivered';
      delivery.deliveredAt = Date.now();
      delivery.nextAttemptAt = null;
      delivery.lastError = null;
      this.options.log.info('alert notification delivered', log);
    } else if (outcome === 'refused') {
      delivery.state = 'failed';
      delivery.nextAttemptAt = null;
      this.options.log.error('alert notification refused by the webhook; not retried', { ...log, error: delivery.lastError });
    } else if (Date.now() - record.createdAt >= this.options.maxAgeMs) {
      delivery.state = 'failed';
      delivery.nextAttemptAt = null;
      delivery.lastError = `given up after ${delivery.attempts} attempts (last: ${delivery.lastError})`;
      this.options.log.error('alert notification given up', { ...log, error: delivery.lastError });
    } else {
      const delay = Math.min(this.options.backoff.maxMs, Math.max(backoffDelay(delivery.attempts, this.options.backoff), retryAfterMs));
      delivery.nextAttemptAt = Date.now() + delay;
      this.options.log.warn('alert notification not delivered; will retry', { ...log, error: delivery.lastError, retryInMs: delay });
    }
    if (delivery.state !== 'pending') this.#items.splice(this.#items.indexOf(record), 1);
    this.persist(record);
  }
}

/** Retry-After in milliseconds (seconds or an HTTP date), 0 when absent or unreadable. */
function retryAfter(header: string | null): number {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : 0;
}
