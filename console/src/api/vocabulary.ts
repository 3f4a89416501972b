/**
 * The values the API's filters accept, in the words of the products our users
 * come from. console/test/vocabulary.test.ts checks each list against the
 * query API's own, so a filter cannot offer a value the API refuses.
 */

export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;

/** Event Logs' `type`: the feature emitting the event. */
export const LOG_TYPES = [
  'App Event',
  'Request Trigger',
  'Webhook Trigger',
  'Scheduler',
  'Integration Enabled',
  'Workflow',
  'ActionKit',
  'Managed Sync',
  'Credentials',
  'Agent',
  'Job',
  'User Activity',
  'Workato Log',
] as const;

export const WORKFLOW_STATUSES = ['SUCCEEDED', 'FAILED', 'RUNNING', 'DELAYED', 'CANCELLED'] as const;
export const TOOL_CALL_STATUSES = ['SUCCEEDED', 'FAILED'] as const;
export const TRIGGER_EVENT_STATUSES = ['Success', 'Delivery Failures', 'Processing Failure', 'Queued'] as const;
export const SYNC_TYPES = ['INITIAL', 'INCREMENTAL', 'FULL', 'PERMISSION', 'SINGLE_RECORD'] as const;
export const SYNC_STATUSES = ['ACTIVE', 'IDLE', 'RATE_LIMITED', 'ERRORED'] as const;
export const AGENT_RUN_STATUSES = ['SUCCESS', 'FAILED', 'ERROR', 'CANCELLED', 'TIMEOUT'] as const;

/** The execution kinds the Overview charts, with their list in the console. */
export const OVERVIEW_KINDS = [
  { kind: 'workflow_execution', label: 'Workflow executions' },
  { kind: 'tool_call', label: 'Tool calls' },
  { kind: 'trigger_event', label: 'Trigger events' },
  { kind: 'sync_run', label: 'Sync runs' },
  { kind: 'agent_run', label: 'Agent runs' },
] as const;

/** Statuses that mean something went wrong, whatever the family. */
const FAILED = new Set(['FAILED', 'ERROR', 'ERRORED', 'TIMEOUT', 'Delivery Failures', 'Processing Failure', 'FATAL', 'blocked', 'failed']);
const WARNING = new Set(['WARN', 'RATE_LIMITED', 'DELAYED', 'CANCELLED', 'Queued', 'RUNNING']);

export type Tone = 'failed' | 'warning' | 'ok' | 'neutral';

export function toneOf(status: string | null | undefined): Tone {
  if (!status) return 'neutral';
  if (FAILED.has(status) || status === 'Error') return 'failed';
  if (WARNING.has(status)) return 'warning';
  if (['SUCCEEDED', 'SUCCESS', 'Success', 'ACTIVE', 'Ok', 'passed', 'succeeded'].includes(status)) return 'ok';
  return 'neutral';
}
