import { TABLES, type Store } from '@flowtrace/store';

/**
 * The alerting tables, as the evaluating process (`flowtrace start`, or the
 * one process with FLOWTRACE_ALERTING=on) writes them: read here, so the API
 * shows the same rules, state and notifications whichever process it runs in.
 */

export interface AlertRuleRow {
  RuleId: string;
  Title: string;
  Definition: string;
  Source: string;
  Health: string;
  LastError: string;
  LastEvaluatedAt: string | null;
  LastDurationMs: number;
  UpdatedAt: string;
  Firing: string;
  Pending: string;
}

export interface AlertInstanceRow {
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
}

export interface AlertNotificationRow {
  Id: string;
  RuleId: string;
  Fingerprint: string;
  Status: string;
  Payload: string;
  CreatedAt: string;
  Pending: number;
  Deliveries: string;
  UpdatedAt: string;
}

/** The rules being evaluated, with their firing and pending instances counted. */
export async function listAlertRules(store: Store): Promise<AlertRuleRow[]> {
  return store.select<AlertRuleRow>(
    'query.alerts.rules',
    `SELECT r.RuleId AS RuleId, r.Title AS Title, r.Definition AS Definition, r.Source AS Source, r.Health AS Health, r.LastError AS LastError,
            toUnixTimestamp64Milli(r.LastEvaluatedAt) AS LastEvaluatedAt, r.LastDurationMs AS LastDurationMs,
            toUnixTimestamp64Milli(r.UpdatedAt) AS UpdatedAt, ifNull(i.Firing, 0) AS Firing, ifNull(i.Pending, 0) AS Pending
     FROM (SELECT * FROM ${TABLES.alertRules} FINAL) AS r
     LEFT JOIN (
       SELECT RuleId, countIf(State = 'firing') AS Firing, countIf(State = 'pending') AS Pending
       FROM ${TABLES.alertInstances} FINAL GROUP BY RuleId
     ) AS i ON i.RuleId = r.RuleId
     ORDER BY RuleId
     SETTINGS join_use_nulls = 1`,
  );
}

/** Alert instances, firing first, then pending, then normal (most recently changed first within each). */
export async function listAlertInstances(store: Store, filter: { ruleId?: string; state?: string; limit: number }): Promise<AlertInstanceRow[]> {
  return store.select<AlertInstanceRow>(
    'query.alerts.instances',
    `SELECT RuleId, Fingerprint, Labels, State, Episode, Value,
            toUnixTimestamp64Milli(ActiveAt) AS ActiveAt, toUnixTimestamp64Milli(FiredAt) AS FiredAt,
            toUnixTimestamp64Milli(ResolvedAt) AS ResolvedAt, toUnixTimestamp64Milli(LastEvaluatedAt) AS LastEvaluatedAt
     FROM ${TABLES.alertInstances} FINAL
     WHERE ({ruleId:String} = '' OR RuleId = {ruleId:String}) AND ({state:String} = '' OR State = {state:String})
     ORDER BY indexOf(['firing', 'pending', 'normal'], State), greatest(ifNull(FiredAt, 0), ifNull(ResolvedAt, 0), ifNull(ActiveAt, 0)) DESC, RuleId, Fingerprint
     LIMIT {limit:UInt32}`,
    { ruleId: filter.ruleId ?? '', state: filter.state ?? '', limit: filter.limit },
  );
}

/** The latest notifications, newest first. */
export async function listAlertNotifications(store: Store, filter: { ruleId?: string; status?: string; pending?: boolean; limit: number }): Promise<AlertNotificationRow[]> {
  return store.select<AlertNotificationRow>(
    'query.alerts.notifications',
    `SELECT Id, RuleId, Fingerprint, Status, Payload, toUnixTimestamp64Milli(CreatedAt) AS CreatedAt, Pending, Deliveries,
            toUnixTimestamp64Milli(UpdatedAt) AS UpdatedAt
     FROM ${TABLES.alertNotifications} FINAL
     WHERE ({ruleId:String} = '' OR RuleId = {ruleId:String}) AND ({status:String} = '' OR Status = {status:String})
       AND ({pending:Int8} = -1 OR Pending = {pending:Int8})
     ORDER BY CreatedAt DESC, Id
     LIMIT {limit:UInt32}`,
    { ruleId: filter.ruleId ?? '', status: filter.status ?? '', pending: filter.pending === undefined ? -1 : filter.pending ? 1 : 0, limit: filter.limit },
  );
}
