import type { Attributes } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { OK, SpanKind, TraceBuilder, attrs, error } from '../builder.js';
import { rootSpanIdOf, traceIdFor } from '../ids.js';
import { capturedJson } from '../redact.js';
import { NO_CAPTURE, toMillis, type CaptureOptions, type Time, type TraceSpec } from '../model.js';
import {
  ATTR_FLOWTRACE_CREDENTIAL_ID,
  ATTR_FLOWTRACE_EXECUTION_ID,
  ATTR_FLOWTRACE_INPUT,
  ATTR_FLOWTRACE_INTEGRATION,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_LINK,
  ATTR_FLOWTRACE_LOG_TYPE,
  ATTR_FLOWTRACE_OUTPUT,
  ATTR_FLOWTRACE_STATUS,
  ATTR_FLOWTRACE_STEP_ID,
  ATTR_FLOWTRACE_STEP_NAME,
  ATTR_FLOWTRACE_TASK_COUNT,
  ATTR_FLOWTRACE_TRIGGER_TYPE,
  ATTR_FLOWTRACE_WORKFLOW_ID,
  ATTR_FLOWTRACE_WORKFLOW_NAME,
  ATTR_USER_ID,
  FLOWTRACE_KIND,
  LOG_TYPE,
  type TriggerType,
} from '../semconv.js';
import { addOutboundRequest, type OutboundRequest } from './http.js';

/** Task History's statuses, and the ones an execution passes through. */
export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'RUNNING' | 'DELAYED' | 'CANCELLED';

export interface StepExecution {
  stepId: string;
  name: string;
  status: ExecutionStatus;
  startedAt: Time;
  endedAt: Time;
  taskCount?: number;
  /** Kept only with content capture on, redacted. */
  input?: unknown;
  /** Kept only with content capture on, redacted. */
  output?: unknown;
  error?: string;
  requests?: OutboundRequest[];
}

/** One workflow execution, as Task History knows it. */
export interface WorkflowExecution {
  executionId: string;
  workflowId: string;
  workflowName?: string;
  userId: string;
  integration: string;
  status: ExecutionStatus;
  startedAt: Time;
  endedAt: Time;
  taskCount?: number;
  credentialId?: string;
  /** The trigger run that submitted it: linked, as it is a trace of its own. */
  trigger?: { type: TriggerType; runId: string; traceId: string };
  steps?: StepExecution[];
  error?: string;
}

export const workflowExecutionTraceId = (executionId: string) => traceIdFor('workflow_execution', executionId);

/**
 * A workflow execution as a trace: the execution as the root span (Task History's
 * fields as attributes), its steps as child spans, each step's outbound API
 * requests as HTTP client spans under it.
 */
export function workflowExecutionTrace(execution: WorkflowExecution, options: CaptureOptions = NO_CAPTURE): TraceSpec {
  const failed = execution.status === 'FAILED';
  const b = new TraceBuilder(workflowExecutionTraceId(execution.executionId), workflowExecutionIdentity(execution));
  const taskCount = execution.taskCount ?? (execution.steps ?? []).reduce((n, s) => n + (s.taskCount ?? 1), 0);
  const end = toMillis(execution.endedAt);
  const root = b.root({
    name: workflowExecutionSpanName(execution),
    kind: SpanKind.SERVER,
    startTime: toMillis(execution.startedAt),
    endTime: end,
    attributes: workflowExecutionOutcome(execution, execution.status, taskCount),
    status: failed ? error(execution.error ?? (execution.steps ?? []).find((s) => s.error)?.error) : OK,
    links: execution.trigger ? [triggerLink(execution.trigger)] : undefined,
  });
  for (const step of execution.steps ?? []) {
    const stepFailed = step.status === 'FAILED';
    const key = b.span({
      key: stepSpanKey(step.stepId),
      parentKey: root,
      name: stepSpanName(step.name),
      kind: SpanKind.INTERNAL,
      startTime: toMillis(step.startedAt),
      endTime: toMillis(step.endedAt),
      attributes: { ...stepAttributes(step), ...stepOutcome(step, step.status, options) },
      status: stepFailed ? error(step.error) : OK,
    });
    if (stepFailed) {
      const log = stepFailedLog(step, step.error);
      b.log(key, toMillis(step.endedAt), 'ERROR', log.eventName, log.body, log.attributes);
    }
    (step.requests ?? []).forEach((request, r) => addOutboundRequest(b, key, `step:${step.stepId}:request:${r}`, request, LOG_TYPE.workflow));
  }
  const log = workflowExecutionEndLog(execution.status, taskCount);
  b.log(root, end, failed ? 'ERROR' : 'INFO', log.eventName, log.body, log.attributes);
  return b.build();
}

// ---------------------------------------------------------------------------
// The parts of a workflow execution's trace, shared by the mapper above and by
// `traceWorkflowExecution` (an execution traced as it runs), so that both read
// the same in Task History and Event Logs.

/** What identifies a workflow execution: on its root span and on every log of it. */
export type WorkflowExecutionIdentity = Pick<WorkflowExecution, 'executionId' | 'workflowId' | 'userId' | 'integration' | 'credentialId'>;

/** The attributes on the root span and every log of a workflow execution. */
export function workflowExecutionIdentity(execution: WorkflowExecutionIdentity): Attributes {
  return attrs({
    [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.workflowExecution,
    [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.workflow,
    [ATTR_FLOWTRACE_EXECUTION_ID]: execution.executionId,
    [ATTR_FLOWTRACE_WORKFLOW_ID]: execution.workflowId,
    [ATTR_USER_ID]: execution.userId,
    [ATTR_FLOWTRACE_INTEGRATION]: execution.integration,
    [ATTR_FLOWTRACE_CREDENTIAL_ID]: execution.credentialId,
  });
}

export const workflowExecutionSpanName = (execution: Pick<WorkflowExecution, 'workflowId' | 'workflowName'>) => `workflow_execution ${execution.workflowName ?? execution.workflowId}`;

/** The root span's attributes besides its identity: known once the execution is over. */
export function workflowExecutionOutcome(execution: Pick<WorkflowExecution, 'workflowName' | 'trigger'>, status: ExecutionStatus, taskCount: number): Attributes {
  return attrs({
    [ATTR_FLOWTRACE_STATUS]: status,
    [ATTR_FLOWTRACE_WORKFLOW_NAME]: execution.workflowName,
    [ATTR_FLOWTRACE_TASK_COUNT]: taskCount,
    [ATTR_FLOWTRACE_TRIGGER_TYPE]: execution.trigger?.type,
    [ATTR_ERROR_TYPE]: status === 'FAILED' ? 'WorkflowFailed' : undefined,
  });
}

/** The link from an execution to the trigger run that submitted it. */
export function triggerLink(trigger: NonNullable<WorkflowExecution['trigger']>): { traceId: string; spanId: string; attributes: Attributes } {
  return { traceId: trigger.traceId, spanId: rootSpanIdOf(trigger.traceId), attributes: { [ATTR_FLOWTRACE_LINK]: 'trigger' } };
}

/** A step's key in its trace (its span id derives from it). */
export const stepSpanKey = (stepId: string) => `step:${stepId}`;
export const stepSpanName = (name: string) => `step ${name}`;

/** A step span's attributes known when it starts. */
export function stepAttributes(step: Pick<StepExecution, 'stepId' | 'name'>): Attributes {
  return { [ATTR_FLOWTRACE_STEP_ID]: step.stepId, [ATTR_FLOWTRACE_STEP_NAME]: step.name };
}

/** A step span's attributes known when it ends. */
export function stepOutcome(step: Pick<StepExecution, 'taskCount' | 'input' | 'output'>, status: ExecutionStatus, options: CaptureOptions): Attributes {
  return attrs({
    [ATTR_FLOWTRACE_STATUS]: status,
    [ATTR_FLOWTRACE_TASK_COUNT]: step.taskCount,
    [ATTR_FLOWTRACE_INPUT]: options.captureContent && step.input !== undefined ? capturedJson(step.input) : undefined,
    [ATTR_FLOWTRACE_OUTPUT]: options.captureContent && step.output !== undefined ? capturedJson(step.output) : undefined,
    [ATTR_ERROR_TYPE]: status === 'FAILED' ? 'StepFailed' : undefined,
  });
}

interface LogText {
  eventName: string;
  body: string;
  attributes: Attributes;
}

/** The ERROR log of a failed step. */
export function stepFailedLog(step: Pick<StepExecution, 'stepId' | 'name'>, message: string | undefined): LogText {
  return {
    eventName: 'workflow.step.failed',
    body: `Step ${step.name} failed${message ? `: ${message}` : ''}`,
    attributes: { [ATTR_FLOWTRACE_STEP_ID]: step.stepId, [ATTR_FLOWTRACE_STATUS]: 'FAILED' },
  };
}

/** The log that closes an execution. */
export function workflowExecutionEndLog(status: ExecutionStatus, taskCount: number): LogText {
  return {
    eventName: status === 'FAILED' ? 'workflow.execution.failed' : 'workflow.execution.completed',
    body: `Workflow execution ${status}`,
    attributes: { [ATTR_FLOWTRACE_STATUS]: status, [ATTR_FLOWTRACE_TASK_COUNT]: taskCount },
  };
}
