// The conventions the SDK and the server share, with no SDK in them: trace
// models, deterministic ids, redaction, one mapper per event family, and OTLP/JSON
// for executions the server maps itself. Attribute names: `@flowtrace/conventions/semconv`.
export { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './scope.js';
export { NO_CAPTURE, toMillis, toHrTime } from './model.js';
export type { TraceSpec, SpanSpec, LogSpec, CaptureOptions, Time } from './model.js';
export { traceIdFor, spanIdFor, rootSpanIdOf, traceIdFromRequestId, requestIdFromTraceId } from './ids.js';
export { redactValue, redactText, redactUrl, capturedJson, REDACTED, MAX_CAPTURED_CHARS } from './redact.js';
export { toOtlpJson } from './otlp.js';
export { triggerTrace, triggerTraceId } from './families/triggers.js';
export type { TriggerRun, WorkflowSubmission, WebhookRecord } from './families/triggers.js';
export { workflowExecutionTrace, workflowExecutionTraceId } from './families/workflow.js';
export type { WorkflowExecution, StepExecution, ExecutionStatus } from './families/workflow.js';
// The pieces of the workflow mapper that the SDK's live tracing (spans started
// before the execution ends) reuses, so both produce the same attributes.
export {
  workflowExecutionIdentity,
  workflowExecutionSpanName,
  workflowExecutionOutcome,
  workflowExecutionEndLog,
  triggerLink,
  stepSpanKey,
  stepSpanName,
  stepAttributes,
  stepOutcome,
  stepFailedLog,
} from './families/workflow.js';
export type { WorkflowExecutionIdentity } from './families/workflow.js';
export type { OutboundRequest } from './families/http.js';
export {
  toolCallTrace,
  triggerSubscriptionTrace,
  triggerSubscriptionTraceId,
  triggerEventTrace,
  triggerEventTraceId,
  triggerEventStatus,
  deliveryStatus,
} from './families/actionkit.js';
export type { ToolCall, TriggerSubscription, TriggerEvent, TriggerEventStatus, Delivery, DeliveryAttempt } from './families/actionkit.js';
export { syncRunTrace, syncRunTraceId } from './families/sync.js';
export type { SyncRun, SyncType, SyncStatus, SyncWarning, SyncError, SyncWebhookFailure, Recoverability } from './families/sync.js';
export { credentialRefreshTrace } from './families/credentials.js';
export type { CredentialRefresh } from './families/credentials.js';
export { agentRunTrace, agentRunTraceId } from './families/agent.js';
export type { AgentRun, LlmCall, ToolExecution, GuardrailEvaluation } from './families/agent.js';
export { recipeJobTrace, jobTraceId, userActivityLog } from './families/jobs.js';
export type { RecipeJob, JobLine, UserActivity } from './families/jobs.js';
