import type { Logger, Store } from '@flowtrace/store';
import { expandMacros } from './macros.js';
import { AlertRepository, nextVersion, type NotificationRecord, type RuleRecord } from './repository.js';
import { conditionMet, formatDuration, type AlertRule, type RuleSet } from './rules.js';
import { fingerprint, notificationId, step, type InstanceState, type NotificationPayload, type Observation } from './state.js';
import { renderLink, renderTemplate } from './template.js';
import { Dispatcher, webhookTargets, type BackoffOptions } from './webhooks.js';

export interface AlertingOptions {
  store: Store;
  log: Logger;
  rules: RuleSet;
  /** Webhook URLs (FLOWTRACE_ALERT_WEBHOOK_URL); none: rules are evaluated and their state kept, nothing is posted. */
  webhooks: readonly string[];
  /** How often a rule without an interval of its own is evaluated (FLOWTRACE_ALERT_INTERVAL_SECONDS). */
  intervalMs: number;
  /** Base URL of the links to failing executions (FLOWTRACE_PUBLIC_URL or the query API's address); none: no links. */
  linkBase?: string;
  backoff?: BackoffOptions;
  maxPending?: number;
  deliveryTimeoutMs?: number;
  maxDeliveryAgeMs?: number;
  /** The clock evaluations read (tests move it). */
  now?: () => number;
  /** Evaluate on timers (default); off: only when evaluate() is called. */
  schedule?: boolean;
}

/** What one evaluation of a rule found and did. */
export interface EvaluationResult {
  ruleId: string;
  health: 'ok' | 'error';
  error?: string;
  instances: number;
  notifications: NotificationRecord[];
}

const key = (ruleId: string, fp: string) => `${ruleId}\u0000${fp}`;

/**
 * Alerting in `flowtrace start`: evaluates each rule on its schedule, keeps
 * each instance's state (normal, pending, firing), and makes one notification
 * per state change (firing, resolved), which the dispatcher posts to the
 * webhooks. State and notifications are written to ClickHouse before anything
 * is sent (the notification first, then the instance's new state), so that a
 * restart resumes where the process stopped: same state, same notification
 * ids, nothing sent twice.
 */
export class Alerting {
  readonly #repo: AlertRepository;
  readonly #dispatcher: Dispatcher;
  readonly #rules: AlertRule[];
  readonly #instances = new Map<string, InstanceState>();
  readonly #ruleRecords = new Map<string, RuleRecord>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #evaluating = new Map<string, Promise<EvaluationResult>>();
  #stopped = false;

  private constructor(private readonly options: AlertingOptions) {
    this.#repo = new AlertRepository(options.store);
    this.#rules = options.rules.rules;
    this.#dispatcher = new Dispatcher({
      repository: this.#repo,
      log: options.log,
      webhooks: webhookTargets(options.webhooks),
      backoff: options.backoff,
      maxPending: options.maxPending,
      timeoutMs: options.deliveryTimeoutMs,
      maxAgeMs: options.maxDeliveryAgeMs,
    });
  }

  /**
   * Records the rules, restores the instances and the notifications still to
   * deliver, then starts evaluating and delivering.
   */
  static async start(options: AlertingOptions): Promise<Alerting> {
    const alerting = new Alerting(options);
    await alerting.#restore();
    alerting.#dispatcher.start();
    if (options.schedule !== false) for (const rule of alerting.#rules) alerting.#schedule(rule, 0);
    return alerting;
  }

  get rules(): readonly AlertRule[] {
    return this.#rules;
  }

  /** The instances as this process knows them. */
  instances(): InstanceState[] {
    return [...this.#instances.values()].map((i) => ({ ...i }));
  }

  /** Deliveries waiting per webhook. */
  pendingDeliveries(): Record<string, number> {
    return this.#dispatcher.pending();
  }

  /** Evaluates every rule once, now (tests; the schedule does the same per rule). */
  async evaluate(): Promise<EvaluationResult[]> {
    return Promise.all(this.#rules.map((rule) => this.#evaluateOnce(rule)));
  }

  /** Stops evaluating, waits for an evaluation under way, gives deliveries under way `graceMs`, and waits for the outbox writes. */
  async stop(graceMs = 5000): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#evaluating.values()]);
    await this.#dispatcher.stop(graceMs);
  }

  #now(): number {
    return this.options.now?.() ?? Date.now();
  }

  #intervalMs(rule: AlertRule): number {
    return rule.intervalMs ?? this.options.intervalMs;
  }

  #schedule(rule: AlertRule, delayMs: number): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#evaluateOnce(rule)
        .catch((err: unknown) => this.options.log.error('alert rule evaluation failed', { rule: rule.id, error: (err as Error).message }))
        .finally(() => this.#schedule(rule, this.#intervalMs(rule)));
    }, delayMs);
    this.#timers.add(timer);
  }

  /** One evaluation of a rule at a time; a caller arriving during one waits for it. */
  #evaluateOnce(rule: AlertRule): Promise<EvaluationResult> {
    const running = this.#evaluating.get(rule.id);
    if (running) return running;
    const evaluation = this.#evaluate(rule).finally(() => this.#evaluating.delete(rule.id));
    this.#evaluating.set(rule.id, evaluation);
    return evaluation;
  }

  async #restore(): Promise<void> {
    const { log } = this.options;
    const source = this.options.rules.source;
    const known = new Set(this.#rules.map((r) => r.id));
    const versions = await this.#repo.loadRuleVersions();
    for (const rule of this.#rules) {
      this.#ruleRecords.set(rule.id, {
        ruleId: rule.id,
        title: rule.title,
        definition: ruleDefinition(rule, this.#intervalMs(rule)),
        source,
        health: 'unknown',
        lastError: '',
        lastEvaluatedAt: null,
        lastDurationMs: 0,
        version: nextVersion(versions.get(rule.id) ?? 0),
      });
    }
    const gone = [...versions.keys()].filter((id) => !known.has(id));
    await this.#repo.saveRules([
      ...this.#ruleRecords.values(),
      ...gone.map((ruleId): RuleRecord => ({ ruleId, title: '', definition: {}, source, health: 'unknown', lastError: '', lastEvaluatedAt: null, lastDurationMs: 0, version: nextVersion(versions.get(ruleId)!), deleted: true })),
    ]);
    if (gone.length > 0) log.info('alert rules no longer in the rules file are forgotten', { rules: gone.join(','), source });

    // Instances, reconciled with their latest notification: the notification
    // is written before the instance's new state, so a crash between the two
    // leaves a notification newer than its instance.
    const orphans: InstanceState[] = [];
    for (const instance of await this.#repo.loadInstances()) {
      if (known.has(instance.ruleId)) this.#instances.set(key(instance.ruleId, instance.fingerprint), instance);
      else orphans.push({ ...instance, version: nextVersion(instance.version) });
    }
    if (orphans.length > 0) {
      await this.#repo.saveInstances(orphans, true);
      log.warn('alert instances of rules no longer in the rules file are dropped (no resolved notification is sent)', { instances: orphans.length });
    }
    const reconciled: InstanceState[] = [];
    for (const latest of await this.#repo.latestNotifications()) {
      if (!known.has(latest.ruleId)) continue;
      const k = key(latest.ruleId, latest.fingerprint);
      const current = this.#instances.get(k);
      const startsAt = Date.parse(latest.payload.startsAt);
      const endsAt = latest.payload.endsAt === null ? null : Date.parse(latest.payload.endsAt);
      let restored: InstanceState | undefined;
      if (!current || latest.episode > current.episode) {
        restored = {
          ruleId: latest.ruleId,
          fingerprint: latest.fingerprint,
          labels: latest.labels,
          state: latest.status === 'firing' ? 'firing' : 'normal',
          episode: latest.episode,
          value: latest.payload.value,
          activeAt: latest.status === 'firing' ? startsAt : null,
          firedAt: startsAt,
          resolvedAt: endsAt,
          lastEvaluatedAt: endsAt ?? startsAt,
          version: current?.version ?? 0,
        };
      } else if (latest.episode === current.episode && latest.status === 'resolved' && current.state === 'firing') {
        restored = { ...current, state: 'normal', activeAt: null, resolvedAt: endsAt };
      }
      if (restored) {
        restored.version = nextVersion(restored.version);
        this.#instances.set(k, restored);
        reconciled.push(restored);
      }
    }
    if (reconciled.length > 0) {
      await this.#repo.saveInstances(reconciled);
      log.warn('alert instances restored from their latest notification (the previous run stopped between the two writes)', { instances: reconciled.length });
    }
    const pending = await this.#repo.pendingNotifications();
    this.#dispatcher.resume(pending);
    const firing = [...this.#instances.values()].filter((i) => i.state === 'firing').length;
    log.info('alerting started', { rules: this.#rules.length, firing, pendingNotifications: pending.length, webhooks: this.options.webhooks.length, source });
  }

  async #evaluate(rule: AlertRule): Promise<EvaluationResult> {
    const started = performance.now();
    const now = this.#now();
    const from = new Date(now - rule.windowMs);
    const to = new Date(now);
    const record = this.#ruleRecords.get(rule.id)!;
    let observations: Map<string, { labels: Record<string, string>; observation: Observation }>;
    try {
      const sql = expandMacros(rule.sql, { from, to, intervalSeconds: Math.max(1, Math.floor(this.#intervalMs(rule) / 1000)) });
      observations = observe(rule, await this.#repo.runRuleQuery(rule.id, sql));
    } catch (err) {
      const message = (err as Error).message;
      if (record.health !== 'error' || record.lastError !== message) this.options.log.error('alert rule evaluation failed', { rule: rule.id, error: message });
      await this.#saveRule(record, { health: 'error', lastError: message, lastEvaluatedAt: now, lastDurationMs: Math.round(performance.now() - started) });
      return { ruleId: rule.id, health: 'error', error: message, instances: 0, notifications: [] };
    }

    const changed: InstanceState[] = [];
    const notifications: NotificationRecord[] = [];
    const seen = new Set<string>();
    const visit = (previous: InstanceState, observation: Observation) => {
      const transition = step(previous, observation, rule.forMs, now);
      const next = transition.next;
      if (transition.dirty) changed.push({ ...next, version: nextVersion(previous.version) });
      if (transition.change) notifications.push(this.#notification(rule, next, transition.change, from, to));
      return next;
    };
    const updates = new Map<string, InstanceState>();
    for (const [fp, { labels, observation }] of observations) {
      const k = key(rule.id, fp);
      seen.add(k);
      const previous = this.#instances.get(k) ?? fresh(rule.id, fp, labels, now);
      const next = visit(previous, observation);
      if (this.#instances.has(k) || next.state !== 'normal') updates.set(k, next);
    }
    for (const [k, instance] of this.#instances) {
      if (instance.ruleId !== rule.id || seen.has(k)) continue;
      updates.set(k, visit(instance, undefined));
    }

    try {
      // The notification first: should the process stop before the instance's
      // row is written, the next start finds it and restores the instance.
      if (notifications.length > 0) await this.#repo.saveNotifications(notifications);
      if (changed.length > 0) await this.#repo.saveInstances(changed);
    } catch (err) {
      // Nothing changes in memory: the next evaluation makes the same changes, with the same ids.
      const message = `could not record the evaluation: ${(err as Error).message}`;
      this.options.log.error('alert rule evaluation could not be recorded', { rule: rule.id, error: message });
      await this.#saveRule(record, { health: 'error', lastError: message, lastEvaluatedAt: now, lastDurationMs: Math.round(performance.now() - started) }).catch(() => undefined);
      return { ruleId: rule.id, health: 'error', error: message, instances: 0, notifications: [] };
    }
    const versions = new Map(changed.map((c) => [key(c.ruleId, c.fingerprint), c.version]));
    for (const [k, next] of updates) this.#instances.set(k, { ...next, version: versions.get(k) ?? this.#instances.get(k)?.version ?? 0 });
    for (const notification of notifications) {
      this.options.log.info(notification.status === 'firing' ? 'alert firing' : 'alert resolved', {
        rule: rule.id,
        labels: JSON.stringify(notification.labels),
        value: notification.payload.value,
        notification: notification.id,
      });
      this.#dispatcher.enqueue(notification);
    }
    await this.#saveRule(record, { health: 'ok', lastError: '', lastEvaluatedAt: now, lastDurationMs: Math.round(performance.now() - started) });
    return { ruleId: rule.id, health: 'ok', instances: observations.size, notifications };
  }

  async #saveRule(record: RuleRecord, outcome: Pick<RuleRecord, 'health' | 'lastError' | 'lastEvaluatedAt' | 'lastDurationMs'>): Promise<void> {
    Object.assign(record, outcome, { version: nextVersion(record.version) });
    await this.#repo.saveRules([record]).catch((err: unknown) => {
      this.options.log.error('could not record an alert rule’s evaluation', { rule: record.ruleId, error: (err as Error).message });
    });
  }

  #notification(rule: AlertRule, instance: InstanceState, status: 'firing' | 'resolved', from: Date, to: Date): NotificationRecord {
    const id = notificationId(rule.id, instance.fingerprint, instance.episode, status);
    const labels = { ...rule.labels, ...instance.labels };
    const payload: NotificationPayload = {
      version: '1',
      id,
      status,
      rule: { id: rule.id, title: rule.title },
      labels,
      annotations: Object.fromEntries(Object.entries(rule.annotations).map(([name, text]) => [name, renderTemplate(text, { labels, value: instance.value })])),
      startsAt: new Date(instance.firedAt!).toISOString(),
      endsAt: status === 'resolved' ? new Date(instance.resolvedAt!).toISOString() : null,
      value: instance.value,
      link: rule.link && this.options.linkBase ? renderLink(this.options.linkBase, rule.link, { labels, from, to }) : null,
      fingerprint: instance.fingerprint,
    };
    return {
      id,
      ruleId: rule.id,
      fingerprint: instance.fingerprint,
      labels: instance.labels,
      episode: instance.episode,
      status,
      payload,
      createdAt: this.#now(),
      deliveries: this.#dispatcher.newDeliveries(),
      version: nextVersion(0),
    };
  }
}

function fresh(ruleId: string, fp: string, labels: Record<string, string>, now: number): InstanceState {
  return { ruleId, fingerprint: fp, labels, state: 'normal', episode: 0, value: null, activeAt: null, firedAt: null, resolvedAt: null, lastEvaluatedAt: now, version: 0 };
}

/**
 * A rule's rows as observations by instance: the `value` column is the
 * value, every other column a label. Rows must differ by their labels, as
 * in Grafana.
 */
function observe(rule: AlertRule, rows: ReadonlyArray<Record<string, unknown>>): Map<string, { labels: Record<string, string>; observation: Observation }> {
  const out = new Map<string, { labels: Record<string, string>; observation: Observation }>();
  for (const row of rows) {
    if (!('value' in row)) throw new Error(`the query returned no column named value (columns: ${Object.keys(row).join(', ')})`);
    const value = typeof row.value === 'number' ? row.value : typeof row.value === 'string' && row.value.trim() !== '' ? Number(row.value) : NaN;
    if (!Number.isFinite(value)) throw new Error(`the value column holds ${JSON.stringify(row.value)}, not a number`);
    const labels: Record<string, string> = {};
    for (const [name, v] of Object.entries(row)) if (name !== 'value') labels[name] = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    const fp = fingerprint(rule.id, labels);
    if (out.has(fp)) throw new Error(`two rows have the same labels ${JSON.stringify(labels)}: group by every label column`);
    out.set(fp, { labels, observation: { value, met: conditionMet(rule.condition, value) } });
  }
  return out;
}

/** A rule as the admin API shows it. */
function ruleDefinition(rule: AlertRule, intervalMs: number): object {
  return {
    window: formatDuration(rule.windowMs),
    for: formatDuration(rule.forMs),
    interval: formatDuration(intervalMs),
    condition: rule.condition,
    labels: rule.labels,
    annotations: rule.annotations,
    link: rule.link ?? null,
    sql: rule.sql,
  };
}
