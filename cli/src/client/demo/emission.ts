import { SeverityNumber } from '@opentelemetry/api-logs';
import type { LogSpec, TraceSpec } from '@flowtrace/instrumentation';

/** The event families the demo sends: each a kind of execution, each trace's root carries it. */
export const FAMILIES = ['trigger', 'workflow_execution', 'tool_call', 'trigger_event', 'trigger_subscription', 'sync_run', 'credential_refresh', 'agent_run', 'job'] as const;
export type Family = (typeof FAMILIES)[number];

/** Logs of no trace: Workato's user-activity audit events. */
export const USER_ACTIVITY = 'user_activity';

/** One thing the demo sends: an execution's trace, or logs of no trace. */
export type Emission =
  | {
      family: Family;
      spec: TraceSpec;
      /** The status lists and dashboards show for it (FAILED, Delivery Failures, ERRORED, …). */
      status: string;
      /** The trace the demo prints to open first for its family. */
      featured?: boolean;
    }
  | { family: typeof USER_ACTIVITY; logs: LogSpec[]; status: string };

/**
 * Adds a DEBUG log to a trace, in the span `spanKey`, carrying what the
 * span's other logs carry (the execution's identity): the builders log at
 * INFO, WARN and ERROR; a platform's internals log below that.
 */
export function addDebugLog(spec: TraceSpec, spanKey: string, time: number, eventName: string, body: string): void {
  const sibling = spec.logs.find((l) => l.spanKey === spanKey) ?? spec.logs.find((l) => l.spanKey === 'root') ?? spec.logs[0];
  spec.logs.push({ spanKey, time, severityNumber: SeverityNumber.DEBUG, severityText: 'DEBUG', eventName, body, attributes: { ...sibling?.attributes } });
}

/** "googledrive" → "Google Drive": integrations as step names show them. */
export function displayName(integration: string): string {
  const names: Record<string, string> = { googledrive: 'Google Drive', googlesheets: 'Google Sheets', hubspot: 'HubSpot', quickbooks: 'QuickBooks', github: 'GitHub' };
  return names[integration] ?? integration.charAt(0).toUpperCase() + integration.slice(1);
}
