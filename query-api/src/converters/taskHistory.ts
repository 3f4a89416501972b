import {
  ATTR_ERROR_TYPE,
  ATTR_FLOWTRACE_INPUT,
  ATTR_FLOWTRACE_OUTPUT,
  ATTR_FLOWTRACE_STATUS,
  ATTR_FLOWTRACE_STEP_ID,
  ATTR_FLOWTRACE_STEP_NAME,
  ATTR_FLOWTRACE_TASK_COUNT,
  ATTR_FLOWTRACE_WORKFLOW_NAME,
} from '@flowtrace/conventions/semconv';
import type { ExecutionRow } from '../repositories/executions.js';
import type { Timeline, TimelineSpan } from './trace.js';
import { failedResponseBodies, isOutboundRequest, outboundRequest } from './http.js';
import { parseCaptured } from './values.js';
import { isoMillisFromIso, isoMillisFromNanos } from './time.js';

/**
 * Task History answers, in the shape of the API it is compatible with: dates
 * are ISO-8601 with milliseconds, durations (runDuration) whole milliseconds.
 */
export function toWorkflowExecution(row: ExecutionRow) {
  return {
    id: row.executionId,
    userId: row.userId,
    taskCount: row.taskCount,
    runDuration: row.durationMs,
    workflowId: row.workflowId,
    status: row.status,
    dateEnded: isoMillisFromNanos(row.endNanos),
    dateStarted: isoMillisFromNanos(row.startNanos),
  };
}

/** One execution with its steps. */
export function toWorkflowExecutionDetail(execution: ExecutionRow, timeline: Timeline) {
  return {
    ...toWorkflowExecution(execution),
    integration: execution.integration,
    workflowName: execution.attributes[ATTR_FLOWTRACE_WORKFLOW_NAME] ?? null,
    traceId: execution.traceId,
    error: errorOf(timeline.spans.find((s) => s.spanId === execution.spanId)),
    steps: stepSpans(timeline).map(toStepSummary),
  };
}

/** The step spans of an execution: those carrying a step id. */
export const stepSpans = (timeline: Timeline): TimelineSpan[] => timeline.spans.filter((s) => s.attributes[ATTR_FLOWTRACE_STEP_ID] !== undefined);

/** A step by its step execution id (its span id) or its workflow step id. */
export const findStep = (timeline: Timeline, id: string): TimelineSpan | undefined =>
  stepSpans(timeline).find((s) => s.spanId === id || s.attributes[ATTR_FLOWTRACE_STEP_ID] === id);

export function toStepSummary(step: TimelineSpan) {
  return {
    id: step.spanId,
    stepId: step.attributes[ATTR_FLOWTRACE_STEP_ID]!,
    name: step.attributes[ATTR_FLOWTRACE_STEP_NAME] ?? step.name,
    status: step.attributes[ATTR_FLOWTRACE_STATUS] ?? (step.status.code === 'Error' ? 'FAILED' : 'SUCCEEDED'),
    taskCount: Number(step.attributes[ATTR_FLOWTRACE_TASK_COUNT] ?? 0),
    runDuration: Math.round(step.durationMs),
    dateStarted: isoMillisFromIso(step.startTime),
    dateEnded: isoMillisFromIso(step.endTime),
    error: errorOf(step),
  };
}

/** One step: input and output where captured, its outbound requests (response bodies of failed ones), its logs. */
export function toStepDetail(executionId: string, step: TimelineSpan, timeline: Timeline) {
  const requests = timeline.spans.filter((s) => s.parentSpanId === step.spanId && isOutboundRequest(s));
  const failedBodies = failedResponseBodies(timeline.logs);
  return {
    ...toStepSummary(step),
    executionId,
    input: captured(step.attributes[ATTR_FLOWTRACE_INPUT]),
    output: captured(step.attributes[ATTR_FLOWTRACE_OUTPUT]),
    requests: requests.map((r) => ({
      ...outboundRequest(r),
      runDuration: Math.round(r.durationMs),
      dateStarted: isoMillisFromIso(r.startTime),
      error: errorOf(r),
      ...(failedBodies.has(r.spanId) ? { responseBody: failedBodies.get(r.spanId) } : {}),
    })),
    logs: timeline.logs
      .filter((l) => l.spanId === step.spanId || requests.some((r) => r.spanId === l.spanId))
      .map((l) => ({ timestamp: isoMillisFromIso(l.timestamp), level: l.severityText, message: l.body })),
  };
}

/** A failed span's error: its status message, else its error type. */
export const errorOf = (span: TimelineSpan | undefined): string | null =>
  span?.status.code === 'Error' ? span.status.message || span.attributes[ATTR_ERROR_TYPE] || 'error' : null;

const captured = (text: string | undefined): unknown => (text === undefined ? null : parseCaptured(text));
