import type { Store } from './store.js';
import { TABLES } from './tables.js';
import type { Logger } from './log.js';

/** The plans of the seed, and custom limits. */
export const RETENTION_PLANS = {
  trial: { maxAgeDays: 7, maxLogs: 50_000 },
  pro: { maxAgeDays: 30, maxLogs: 1_000_000 },
} as const;

export type RetentionPlan = keyof typeof RETENTION_PLANS | 'custom';

export interface RetentionPolicy {
  plan: RetentionPlan;
  /** 0: no limit by age (the global FLOWTRACE_TTL_DAYS still applies). */
  maxAgeDays: number;
  /** 0: no limit by count. */
  maxLogs: number;
}

export interface EnforcementResult {
  /** Data older than this (ISO) was deleted; null when nothing had to go. */
  horizon: string | null;
  /** Log records kept. */
  logs: number;
}

const HOUR_NS = 3_600_000_000_000n;
/** A project's new logs that trigger enforcement, as a share of its log limit. */
const SLACK_SHARE = 0.05;

/**
 * Per-project retention: by age and by number of logs, whichever comes first,
 * the oldest data going first. Enforced on a timer for every project with a
 * policy, and — so that the count limit holds while a project floods — as soon
 * as a project has written 5% of its log limit since the last enforcement.
 *
 * Logs go exactly at the count horizon. Spans, executions, the trace lookup
 * and the hourly counts go at the horizon rounded down to its hour, so that
 * counts and lists (which read the hourly counts) always agree.
 */
export class Retention {
  readonly #store: Store;
  readonly #log: Logger | undefined;
  readonly #pending = new Map<string, number>();
  readonly #running = new Map<string, Promise<EnforcementResult>>();
  readonly #again = new Set<string>();
  #policies = new Map<string, RetentionPolicy>();
  #loaded: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(store: Store, log?: Logger) {
    this.#store = store;
    this.#log = log;
  }

  async get(projectId: string): Promise<RetentionPolicy | undefined> {
    await this.#load();
    return this.#policies.get(projectId);
  }

  /** Sets a project's policy and enforces it at once. */
  async set(projectId: string, policy: RetentionPolicy): Promise<EnforcementResult> {
    await this.#load();
    await this.#store.insert('store.retention.set', TABLES.retention, [
      { ProjectId: projectId, Plan: policy.plan, MaxAgeDays: policy.maxAgeDays, MaxLogs: policy.maxLogs, UpdatedAt: (Date.now() / 1000).toFixed(3), Version: Date.now() },
    ]);
    this.#policies.set(projectId, policy);
    return this.enforce(projectId);
  }

  /** Called after logs are stored: enforces early when a project writes fast. */
  noteLogs(projectId: string, count: number): void {
    const policy = this.#policies.get(projectId);
    if (!policy || policy.maxLogs === 0) return;
    const pending = (this.#pending.get(projectId) ?? 0) + count;
    this.#pending.set(projectId, pending);
    if (pending >= Math.max(1, Math.floor(policy.maxLogs * SLACK_SHARE))) {
      void this.enforce(projectId).catch((err: unknown) => this.#log?.warn('retention enforcement failed', { projectId, error: (err as Error).message }));
    }
  }

  /**
   * Deletes what a project's policy no longer keeps. One enforcement per
   * project at a time; a request during one runs once more after it.
   */
  enforce(projectId: string): Promise<EnforcementResult> {
    const running = this.#running.get(projectId);
    if (running) {
      this.#again.add(projectId);
      return running;
    }
    this.#pending.set(projectId, 0);
    const run = this.#enforceOnce(projectId).finally(() => {
      this.#running.delete(projectId);
      if (this.#again.delete(projectId)) void this.enforce(projectId).catch(() => undefined);
    });
    this.#running.set(projectId, run);
    return run;
  }

  /** Reads the policies (once), so that counting new logs against them can begin. */
  async load(): Promise<number> {
    await this.#load();
    return this.#policies.size;
  }

  /** Enforces every project's policy, reading the policies again (another process may have set one). */
  async enforceAll(): Promise<void> {
    this.#loaded = undefined;
    await this.#load();
    for (const projectId of this.#policies.keys()) await this.enforce(projectId);
  }

  /**
   * One pass over every project in the background, saying when it starts and
   * ends: on a large store it can take seconds, and nothing waits for it.
   */
  enforceAllInBackground(): void {
    const started = performance.now();
    this.#log?.info('retention pass started', { projects: this.#policies.size });
    this.enforceAll().then(
      () => this.#log?.info('retention pass finished', { projects: this.#policies.size, seconds: Math.round(performance.now() - started) / 1000 }),
      (err: unknown) => this.#log?.warn('retention enforcement failed', { error: (err as Error).message }),
    );
  }

  /** Enforces every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.stop();
    this.#timer = setInterval(() => {
      this.enforceAll().catch((err: unknown) => this.#log?.warn('retention enforcement failed', { error: (err as Error).message }));
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Resolves when no enforcement is running (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  async #load(): Promise<void> {
    this.#loaded ??= this.#store
      .select<{ ProjectId: string; Plan: RetentionPlan; MaxAgeDays: number; MaxLogs: string }>(
        'store.retention.load',
        `SELECT ProjectId, Plan, MaxAgeDays, MaxLogs FROM ${TABLES.retention} FINAL`,
      )
      .then((rows) => {
        this.#policies = new Map(rows.map((r) => [r.ProjectId, { plan: r.Plan, maxAgeDays: Number(r.MaxAgeDays), maxLogs: Number(r.MaxLogs) }]));
      })
      .catch((err: unknown) => {
        this.#loaded = undefined;
        throw err;
      });
    return this.#loaded;
  }

  async #enforceOnce(projectId: string): Promise<EnforcementResult> {
    const policy = this.#policies.get(projectId);
    if (!policy) return { horizon: null, logs: 0 };
    const params = { projectId };
    let horizon = policy.maxAgeDays > 0 ? (BigInt(Date.now()) - BigInt(policy.maxAgeDays) * 86_400_000n) * 1_000_000n : 0n;
    // Logs at or before the newest one past the limit go: `horizonInclusive`.
    let countHorizon = 0n;
    if (policy.maxLogs > 0) {
      const beyond = await this.#store.select<{ nanos: string }>(
        'store.retention.count_horizon',
        `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS nanos
         FROM ${TABLES.eventLogs}
         WHERE ProjectId = {projectId:String}
         ORDER BY Timestamp DESC
         LIMIT 1 BY Timestamp, LogKey
         LIMIT 1 OFFSET {maxLogs:UInt64}`,
        { ...params, maxLogs: policy.maxLogs },
      );
      if (beyond[0]) countHorizon = BigInt(beyond[0].nanos) + 1n;
    }
    if (countHorizon > horizon) horizon = countHorizon;
    if (horizon === 0n) return { horizon: null, logs: await this.#countLogs(projectId) };

    const logParams = { projectId, horizon: horizon.toString() };
    const hourParams = { projectId, horizon: ((horizon / HOUR_NS) * HOUR_NS).toString(), hour: ((horizon / HOUR_NS) * 3600n).toString() };
    const deletes: Array<[string, string, Record<string, string>]> = [
      [TABLES.logs, 'Timestamp < fromUnixTimestamp64Nano({horizon:Int64})', logParams],
      [TABLES.eventLogs, 'Timestamp < fromUnixTimestamp64Nano({horizon:Int64})', logParams],
      [TABLES.traces, 'Timestamp < fromUnixTimestamp64Nano({horizon:Int64})', hourParams],
      [
        TABLES.traceRecords,
        "((Record = 'span' AND Timestamp < fromUnixTimestamp64Nano({horizon:Int64})) OR (Record = 'log' AND Timestamp < fromUnixTimestamp64Nano({logHorizon:Int64})))",
        { ...hourParams, logHorizon: horizon.toString() },
      ],
      [TABLES.executions, 'Start < fromUnixTimestamp64Nano({horizon:Int64})', hourParams],
      [TABLES.executionCounts, 'Bucket < toDateTime({hour:Int64})', hourParams],
      [TABLES.executionCountsBy, 'Bucket < toDateTime({hour:Int64})', hourParams],
      [TABLES.traceIdTs, 'End < toDateTime({hour:Int64})', hourParams],
    ];
    for (const [table, condition, p] of deletes) {
      await this.#store.command('store.retention.delete', `DELETE FROM ${table} WHERE ProjectId = {projectId:String} AND ${condition}`, p);
    }
    const logs = await this.#countLogs(projectId);
    const iso = new Date(Number(horizon / 1_000_000n)).toISOString();
    this.#log?.info('retention enforced', { projectId, horizon: iso, logs });
    return { horizon: iso, logs };
  }

  async #countLogs(projectId: string): Promise<number> {
    const rows = await this.#store.select<{ n: string }>('store.retention.count', `SELECT count() AS n FROM ${TABLES.eventLogs} WHERE ProjectId = {projectId:String}`, { projectId });
    return Number(rows[0]?.n ?? 0);
  }
}
