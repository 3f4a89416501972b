import { TABLES, type Store } from '@flowtrace/store';
import type { InstanceState, NotificationPayload } from './state.js';

/** One webhook's delivery of a notification. */
export interface Delivery {
  /** The webhook's key: a hash of its URL (the URL may carry a secret). */
  webhook: string;
  /** The URL without its path, query or credentials, for people. */
  target: string;
  /** pending: awaiting its first attempt or a retry; delivered: answered 2xx; failed: refused (4xx) or given up; dropped: the queue overflowed or the webhook is no longer configured. */
  state: 'pending' | 'delivered' | 'failed' | 'dropped';
  attempts: number;
  lastError: string | null;
  lastAttemptAt: number | null;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
}

/** A notification (one state change of one instance) and its deliveries: a row of the outbox. */
export interface NotificationRecord {
  id: string;
  ruleId: string;
  fingerprint: string;
  /** The instance's own labels (the payload's add the rule's). */
  labels: Record<string, string>;
  episode: number;
  status: 'firing' | 'resolved';
  payload: NotificationPayload;
  createdAt: number;
  deliveries: Delivery[];
  version: number;
}

export interface RuleRecord {
  ruleId: string;
  title: string;
  definition: object;
  source: string;
  health: 'ok' | 'error' | 'unknown';
  lastError: string;
  lastEvaluatedAt: number | null;
  lastDurationMs: number;
  version: number;
  deleted?: boolean;
}

/** The latest notification of an instance: what a restart reconciles the instance with. */
export interface LatestNotification {
  ruleId: string;
  fingerprint: string;
  labels: Record<string, string>;
  episode: number;
  status: 'firing' | 'resolved';
  payload: NotificationPayload;
}

/** The next version of a row: above the previous one and, across restarts, above any written before. */
export function nextVersion(previous: number): number {
  return Math.max(previous + 1, Date.now() * 1000);
}

/** Milliseconds as a DateTime64(3, 'UTC') literal for JSONEachRow. */
const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const atOrNull = (ms: number | null) => (ms === null ? null : at(ms));
const numberOrNull = (v: string | number | null) => (v === null ? null : Number(v));

interface InstanceRow {
  RuleId: string;
  Fingerprint: string;
  Labels: Record<string, string>;
  State: string;
  Episode: number;
  Value: number | null;
  ActiveAt: string | null;
  FiredAt: string | null;
  ResolvedAt: string | null;
  LastEvaluatedAt: string;
  Version: string;
}

interface NotificationRow {
  Id: string;
  RuleId: string;
  Fingerprint: string;
  Labels: Record<string, string>;
  Episode: number;
  Status: string;
  Payload: string;
  CreatedAt: string;
  Deliveries: string;
  Version: string;
}

/**
 * Every statement of the alerting tables, and the rules' own queries. The
 * evaluating process is the only writer; every change is a new row with a
 * higher version, read back with FINAL.
 */
export class AlertRepository {
  constructor(private readonly store: Store) {}

  /**
   * Runs a rule's query, its macros already expanded. The rules file is the
   * administrator's, and its SQL runs as written (validated to be one SELECT):
   * it is the one place where SQL is not ours.
   */
  async runRuleQuery(ruleId: string, expandedSql: string): Promise<Array<Record<string, unknown>>> {
    return this.store.select<Record<string, unknown>>(`alerting.rule.${ruleId}`, expandedSql);
  }

  async loadRuleVersions(): Promise<Map<string, number>> {
    const rows = await this.store.select<{ RuleId: string; Version: string }>('alerting.rules.load', `SELECT RuleId, Version FROM ${TABLES.alertRules} FINAL`);
    return new Map(rows.map((r) => [r.RuleId, Number(r.Version)]));
  }

  async saveRules(records: readonly RuleRecord[]): Promise<void> {
    const now = Date.now();
    await this.store.insert(
      'alerting.rules.save',
      TABLES.alertRules,
      records.map((r) => ({
        RuleId: r.ruleId,
        Title: r.title,
        Definition: JSON.stringify(r.definition),
        Source: r.source,
        Health: r.health,
        LastError: r.lastError,
        LastEvaluatedAt: atOrNull(r.lastEvaluatedAt),
        LastDurationMs: r.lastDurationMs,
        UpdatedAt: at(now),
        Version: r.version,
        Deleted: r.deleted ? 1 : 0,
      })),
    );
  }

  async loadInstances(): Promise<InstanceState[]> {
    const rows = await this.store.select<InstanceRow>(
      'alerting.instances.load',
      `SELECT RuleId, Fingerprint, Labels, State, Episode, Value,
              toUnixTimestamp64Milli(ActiveAt) AS ActiveAt, toUnixTimestamp64Milli(FiredAt) AS FiredAt,
              toUnixTimestamp64Milli(ResolvedAt) AS ResolvedAt, toUnixTimestamp64Milli(LastEvaluatedAt) AS LastEvaluatedAt, Version
       FROM ${TABLES.alertInstances} FINAL`,
    );
    return rows.map((r) => ({
      ruleId: r.RuleId,
      fingerprint: r.Fingerprint,
      labels: r.Labels,
      state: r.State as InstanceState['state'],
      episode: Number(r.Episode),
      value: numberOrNull(r.Value),
      activeAt: numberOrNull(r.ActiveAt),
      firedAt: numberOrNull(r.FiredAt),
      resolvedAt: numberOrNull(r.ResolvedAt),
      lastEvaluatedAt: Number(r.LastEvaluatedAt),
      version: Number(r.Version),
    }));
  }

  async saveInstances(instances: readonly InstanceState[], deleted = false): Promise<void> {
    const now = Date.now();
    await this.store.insert(
      'alerting.instances.save',
      TABLES.alertInstances,
      instances.map((i) => ({
        RuleId: i.ruleId,
        Fingerprint: i.fingerprint,
        Labels: i.labels,
        State: i.state,
        Episode: i.episode,
        Value: i.value !== null && Number.isFinite(i.value) ? i.value : null,
        ActiveAt: atOrNull(i.activeAt),
        FiredAt: atOrNull(i.firedAt),
        ResolvedAt: atOrNull(i.resolvedAt),
        LastEvaluatedAt: at(i.lastEvaluatedAt),
        UpdatedAt: at(now),
        Version: i.version,
        Deleted: deleted ? 1 : 0,
      })),
    );
  }

  /** The newest notification of every instance (the highest episode; resolved after firing). */
  async latestNotifications(): Promise<LatestNotification[]> {
    const rows = await this.store.select<NotificationRow>(
      'alerting.notifications.latest',
      `SELECT RuleId, Fingerprint, Labels, Episode, Status, Payload
       FROM ${TABLES.alertNotifications} FINAL
       ORDER BY RuleId, Fingerprint, Episode DESC, Status = 'resolved' DESC
       LIMIT 1 BY RuleId, Fingerprint`,
    );
    return rows.map((r) => ({
      ruleId: r.RuleId,
      fingerprint: r.Fingerprint,
      labels: r.Labels,
      episode: Number(r.Episode),
      status: r.Status as 'firing' | 'resolved',
      payload: JSON.parse(r.Payload) as NotificationPayload,
    }));
  }

  /** Notifications with a delivery still to make, oldest first. */
  async pendingNotifications(): Promise<NotificationRecord[]> {
    const rows = await this.store.select<NotificationRow>(
      'alerting.notifications.pending',
      `SELECT Id, RuleId, Fingerprint, Labels, Episode, Status, Payload, toUnixTimestamp64Milli(CreatedAt) AS CreatedAt, Deliveries, Version
       FROM ${TABLES.alertNotifications} FINAL
       WHERE Pending = 1
       ORDER BY CreatedAt, Id`,
    );
    return rows.map((r) => ({
      id: r.Id,
      ruleId: r.RuleId,
      fingerprint: r.Fingerprint,
      labels: r.Labels,
      episode: Number(r.Episode),
      status: r.Status as 'firing' | 'resolved',
      payload: JSON.parse(r.Payload) as NotificationPayload,
      createdAt: Number(r.CreatedAt),
      deliveries: JSON.parse(r.Deliveries) as Delivery[],
      version: Number(r.Version),
    }));
  }

  async saveNotifications(records: readonly NotificationRecord[]): Promise<void> {
    const now = Date.now();
    await this.store.insert(
      'alerting.notifications.save',
      TABLES.alertNotifications,
      records.map((n) => ({
        Id: n.id,
        RuleId: n.ruleId,
        Fingerprint: n.fingerprint,
        Labels: n.labels,
        Episode: n.episode,
        Status: n.status,
        Payload: JSON.stringify(n.payload),
        CreatedAt: at(n.createdAt),
        Pending: n.deliveries.some((d) => d.state === 'pending') ? 1 : 0,
        Deliveries: JSON.stringify(n.deliveries),
        UpdatedAt: at(now),
        Version: n.version,
      })),
    );
  }
}
