import type { AlertInstanceRow, AlertNotificationRow, AlertRuleRow } from '../repositories/alerts.js';

const iso = (ms: string | number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function toAlertRule(row: AlertRuleRow) {
  return {
    id: row.RuleId,
    title: row.Title,
    source: row.Source,
    health: row.Health,
    lastError: row.LastError === '' ? null : row.LastError,
    lastEvaluatedAt: iso(row.LastEvaluatedAt),
    lastDurationMs: Number(row.LastDurationMs),
    instances: { firing: Number(row.Firing), pending: Number(row.Pending) },
    definition: parseJson(row.Definition) as Record<string, unknown>,
    updatedAt: iso(row.UpdatedAt)!,
  };
}

export function toAlertInstance(row: AlertInstanceRow) {
  return {
    ruleId: row.RuleId,
    fingerprint: row.Fingerprint,
    labels: row.Labels,
    state: row.State,
    episode: Number(row.Episode),
    value: row.Value === null ? null : Number(row.Value),
    activeAt: iso(row.ActiveAt),
    firedAt: iso(row.FiredAt),
    resolvedAt: iso(row.ResolvedAt),
    lastEvaluatedAt: iso(row.LastEvaluatedAt)!,
  };
}

interface StoredDelivery {
  target: string;
  state: string;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: number | null;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
}

export function toAlertNotification(row: AlertNotificationRow) {
  const deliveries = (parseJson(row.Deliveries) as StoredDelivery[] | null) ?? [];
  return {
    id: row.Id,
    ruleId: row.RuleId,
    fingerprint: row.Fingerprint,
    status: row.Status,
    createdAt: iso(row.CreatedAt)!,
    pending: Number(row.Pending) === 1,
    deliveries: deliveries.map((d) => ({
      webhook: d.target,
      state: d.state,
      attempts: d.attempts,
      lastError: d.lastError,
      lastAttemptAt: iso(d.lastAttemptAt),
      nextAttemptAt: iso(d.nextAttemptAt),
      deliveredAt: iso(d.deliveredAt),
    })),
    payload: parseJson(row.Payload) as Record<string, unknown>,
  };
}
