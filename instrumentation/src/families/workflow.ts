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
  const b = new TraceBuilder(
    workflowExecutionTraceId(execution.executionId),
    attrs({
      [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.workflowExecution,
      [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.workflow,
      [ATTR_FLOWTRACE_EXECUTION_ID]: execution.executionId,
      [ATTR_FLOWTRACE_WORKFLOW_ID]: execution.workflowId,
      [ATTR_USER_ID]: execution.userId,
      [ATTR_FLOWTRACE_INTEGRATION]: execution.integration,
      [ATTR_FLOWTRACE_CREDENTIAL_ID]: execution.credentialId,
    }),
  );
  const taskCount = execution.taskCount ?? (execution.steps ?? []).reduce((n, s) => n + (s.taskCount ?? 1), 0);
  const end = toMillis(execution.endedAt);
  const root = b.root({
    name: `workflow_execution ${execution.workflowName ?? execution.workflowId}`,
    kind: SpanKind.SERVER,
    startTime: toMillis(execution.startedAt),
    endTime: end,
    attributes: attrs({
      [ATTR_FLOWTRACE_STATUS]: execution.status,
      [ATTR_FLOWTRACE_WORKFLOW_NAME]: execution.workflowName,
      [ATTR_FLOWTRACE_TASK_COUNT]: taskCount,
      [ATTR_FLOWTRACE_TRIGGER_TYPE]: execution.trigger?.type,
      [ATTR_ERROR_TYPE]: failed ? 'WorkflowFailed' : undefined,
    }),
    status: failed ? error(execution.error ?? (execution.steps ?? []).find((s) => s.error)?.error) : OK,
    links: execution.trigger ? [{ traceId: execution.trigger.traceId, spanId: rootSpanIdOf(execution.trigger.traceId), attributes: { [ATTR_FLOWTRACE_LINK]: 'trigger' } }] : undefined,
  });
  for (const step of execution.steps ?? []) {
    const stepFailed = step.status === 'FAILED';
    const key = b.span({
      key: `step:${step.stepId}`,
      parentKey: root,
      name: `step ${step.name}`,
      kind: SpanKind.INTERNAL,
      startTime: toMillis(step.startedAt),
      endTime: toMillis(step.endedAt),
      attributes: attrs({
        [ATTR_FLOWTRACE_STEP_ID]: step.stepId,
        [ATTR_FLOWTRACE_STEP_NAME]: step.name,
        [ATTR_FLOWTRACE_STATUS]: step.status,
        [ATTR_FLOWTRACE_TASK_COUNT]: step.taskCount,
        [ATTR_FLOWTRACE_INPUT]: options.captureContent && step.input !== undefined ? capturedJson(step.input) : undefined,
        [ATTR_FLOWTRACE_OUTPUT]: options.captureContent && step.output !== undefined ? capturedJson(step.output) : undefined,
        [ATTR_ERROR_TYPE]: stepFailed ? 'StepFailed' : undefined,
      }),
      status: stepFailed ? error(step.error) : OK,
    });
    if (stepFailed) b.log(key, toMillis(step.endedAt), 'ERROR', 'workflow.step.failed', `Step ${step.name} failed${step.error ? `: ${step.error}` : ''}`, attrs({ [ATTR_FLOWTRACE_STEP_ID]: step.stepId, [ATTR_FLOWTRACE_STATUS]: step.status }));
    (step.requests ?? []).forEach((request, r) => addOutboundRequest(b, key, `step:${step.stepId}:request:${r}`, request, LOG_TYPE.workflow));
  }
  b.log(root, end, failed ? 'ERROR' : 'INFO', failed ? 'workflow.execution.failed' : 'workflow.execution.completed', `Workflow execution ${execution.status}`, {
    [ATTR_FLOWTRACE_STATUS]: execution.status,
    [ATTR_FLOWTRACE_TASK_COUNT]: taskCount,
  });
  return b.build();
}
