import type { ExportExecutionRow, ExportLogRow } from '../repositories/export.js';
import { isoFromNanos, isoMillisFromNanos } from './time.js';

/** A workflow execution as exported: the Task History list's fields (its dates in milliseconds), plus integration and trace id. */
export function toExportedExecution(row: ExportExecutionRow) {
  return {
    id: row.id,
    userId: row.userId,
    taskCount: Number(row.taskCount),
    runDuration: Number(row.runDuration),
    workflowId: row.workflowId,
    status: row.status,
    dateStarted: isoMillisFromNanos(row.nanos),
    dateEnded: isoMillisFromNanos(row.endNanos),
    integration: row.integration,
    traceId: row.traceId,
  };
}

/** A log as exported: the Event Logs fields, its time with nanoseconds. */
export function toExportedLog(row: ExportLogRow) {
  return {
    id: `${row.nanos}-${row.logKey}`,
    timestamp: isoFromNanos(row.nanos),
    level: row.level,
    type: row.type,
    message: row.message,
    otelEventName: row.eventName,
    traceId: row.traceId,
    spanId: row.spanId,
    userId: row.userId,
    integrationId: row.integrationId,
    attributes: row.attributes,
  };
}

export type ExportedExecution = ReturnType<typeof toExportedExecution>;
export type ExportedLog = ReturnType<typeof toExportedLog>;

/** The columns of each export, in order (CSV header, NDJSON keys). */
export const EXECUTION_COLUMNS = ['id', 'userId', 'taskCount', 'runDuration', 'workflowId', 'status', 'dateStarted', 'dateEnded', 'integration', 'traceId'] as const satisfies ReadonlyArray<keyof ExportedExecution>;
export const LOG_COLUMNS = ['id', 'timestamp', 'level', 'type', 'message', 'otelEventName', 'traceId', 'spanId', 'userId', 'integrationId', 'attributes'] as const satisfies ReadonlyArray<keyof ExportedLog>;
