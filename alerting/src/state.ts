import { createHash } from 'node:crypto';

/**
 * An alert instance: one rule and one label set of its result. Normal →
 * pending (condition met, waiting `for`) → firing → normal again (resolved).
 * With `for: 0s` an instance goes from normal to firing in one evaluation.
 */
export interface InstanceState {
  ruleId: string;
  fingerprint: string;
  /** The row's labels (its string columns), without the rule's static labels. */
  labels: Record<string, string>;
  state: 'normal' | 'pending' | 'firing';
  /** How many times it has fired; with the rule and the labels, the ids of its notifications. */
  episode: number;
  /** The last value seen; null once the row is gone from the result. */
  value: number | null;
  /** Since when the condition has been met (pending or firing). */
  activeAt: number | null;
  /** When it last went firing (the notification's startsAt). */
  firedAt: number | null;
  /** When it last resolved (the resolved notification's endsAt). */
  resolvedAt: number | null;
  lastEvaluatedAt: number;
  /** The version of its stored row. */
  version: number;
}

/** What one evaluation saw of an instance: its row's value, or nothing (the row is gone). */
export type Observation = { value: number; met: boolean } | undefined;

export interface Transition {
  next: InstanceState;
  /** A state change that is notified: to firing, or from firing to normal. */
  change?: 'firing' | 'resolved';
  /** Whether the stored row is out of date (a change of state, or of the value while pending or firing). */
  dirty: boolean;
}

/**
 * One evaluation of one instance. Pending and normal are not notified;
 * firing and resolved are, once each per episode.
 */
export function step(previous: InstanceState, observation: Observation, forMs: number, now: number): Transition {
  const value = observation ? observation.value : null;
  const next: InstanceState = { ...previous, value, lastEvaluatedAt: now };
  const valueChanged = value !== previous.value;
  if (observation?.met) {
    if (previous.state === 'firing') return { next, dirty: valueChanged };
    const activeAt = previous.state === 'pending' && previous.activeAt !== null ? previous.activeAt : now;
    if (now - activeAt >= forMs) {
      return { next: { ...next, state: 'firing', activeAt, firedAt: now, resolvedAt: null, episode: previous.episode + 1 }, change: 'firing', dirty: true };
    }
    return { next: { ...next, state: 'pending', activeAt }, dirty: previous.state !== 'pending' || valueChanged };
  }
  if (previous.state === 'firing') return { next: { ...next, state: 'normal', activeAt: null, resolvedAt: now }, change: 'resolved', dirty: true };
  if (previous.state === 'pending') return { next: { ...next, state: 'normal', activeAt: null }, dirty: true };
  // Normal stays normal: nothing worth a write (the value is kept in memory only).
  return { next, dirty: false };
}

/** A label set's fingerprint: stable across restarts and label order. */
export function fingerprint(ruleId: string, labels: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify([ruleId, Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * A notification's id: the same for the same state change of the same
 * instance, however often it is computed (after a restart, or when a crash
 * came between writing the notification and the instance's new state).
 * Receivers get it as the Idempotency-Key header.
 */
export function notificationId(ruleId: string, instanceFingerprint: string, episode: number, status: 'firing' | 'resolved'): string {
  return createHash('sha256').update(`${ruleId}\n${instanceFingerprint}\n${episode}\n${status}`).digest('hex').slice(0, 32);
}

/** The JSON body posted to webhooks (documented in the README). */
export interface NotificationPayload {
  /** The payload's format version. */
  version: '1';
  /** The notification's id, also sent as the Idempotency-Key header. */
  id: string;
  status: 'firing' | 'resolved';
  rule: { id: string; title: string };
  /** The rule's labels and the instance's (project, integration, …). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** When the instance went firing. */
  startsAt: string;
  /** When it resolved; null while firing. */
  endsAt: string | null;
  /** The value that fired it, or the value when it resolved (null: its row is gone from the result). */
  value: number | null;
  /** The failing executions in the query API (a project key of the project reads it); null without a base URL. */
  link: string | null;
  /** The instance: the same for every notification of this rule and label set. */
  fingerprint: string;
}
