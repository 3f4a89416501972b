import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { OK, SpanKind, TraceBuilder, attrs, error } from '../builder.js';
import { rootSpanIdOf, traceIdFor } from '../ids.js';
import { capturedJson } from '../redact.js';
import { NO_CAPTURE, toMillis, type CaptureOptions, type Time, type TraceSpec } from '../model.js';
import {
  ATTR_FLOWTRACE_CREDENTIAL_CONFIG_ID,
  ATTR_FLOWTRACE_CREDENTIAL_ID,
  ATTR_FLOWTRACE_EVENT_ID,
  ATTR_FLOWTRACE_EVENT_NAME,
  ATTR_FLOWTRACE_EXECUTION_ID,
  ATTR_FLOWTRACE_INPUT,
  ATTR_FLOWTRACE_INTEGRATION,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_LOG_TYPE,
  ATTR_FLOWTRACE_PERSONA_ID,
  ATTR_FLOWTRACE_RECORD_ID,
  ATTR_FLOWTRACE_RESOURCE_ID,
  ATTR_FLOWTRACE_STATUS,
  ATTR_FLOWTRACE_TRIGGER_FANOUT,
  ATTR_FLOWTRACE_TRIGGER_RECORDS,
  ATTR_FLOWTRACE_TRIGGER_TYPE,
  ATTR_FLOWTRACE_TRIGGER_WORKFLOWS_SUBMITTED,
  ATTR_FLOWTRACE_WEBHOOK_ID,
  ATTR_FLOWTRACE_WORKFLOW_ID,
  ATTR_USER_ID,
  FLOWTRACE_KIND,
  LOG_TYPE,
  TRIGGER_TYPE,
  type TriggerType,
} from '../semconv.js';
import { workflowExecutionTraceId } from './workflow.js';

/** A workflow a trigger handed over for execution. */
export interface WorkflowSubmission {
  workflowId: string;
  /** The execution it started: its trace is linked from the trigger's. */
  executionId?: string;
  userId?: string;
  submittedAt: Time;
  /** Why the submission (or the preparation of the workflow) failed. */
  error?: string;
}

/** One record of a webhook, processed for a user, for the app's users, or for a resource. */
export interface WebhookRecord {
  recordId: string;
  fanout: 'user' | 'app' | 'resource';
  userId?: string;
  resourceId?: string;
  processedAt: Time;
  error?: string;
  submissions?: WorkflowSubmission[];
}

/** One run of a workflow trigger: App Event, Request, Integration Enabled, Scheduler or Webhook. */
export interface TriggerRun {
  type: TriggerType;
  /** This run's id: the trace is derived from it. For an App Event, its event id. */
  id: string;
  startedAt: Time;
  endedAt?: Time;
  userId?: string;
  integration?: string;
  workflowId?: string;
  personaId?: string;
  credentialId?: string;
  credentialConfigId?: string;
  webhookId?: string;
  eventId?: string;
  /** An App Event's name. */
  eventName?: string;
  submissions?: WorkflowSubmission[];
  /** Webhook triggers: the records the request carried. */
  records?: WebhookRecord[];
  /** A run that ended without submitting anything, and why. */
  outcome?: 'NO_WORKFLOWS_SUBSCRIBED' | 'NO_WORKFLOW_CONFIGURED' | 'RESPONSE_TIMEOUT';
  /** The trigger failed as a whole. */
  error?: string;
  /** The request or event payload: kept only with content capture on. */
  payload?: unknown;
}

export const triggerTraceId = (type: TriggerType, id: string) => traceIdFor(`trigger:${type}`, id);

const LOG_TYPES: Record<TriggerType, string> = {
  [TRIGGER_TYPE.appEvent]: LOG_TYPE.appEvent,
  [TRIGGER_TYPE.request]: LOG_TYPE.requestTrigger,
  [TRIGGER_TYPE.integrationEnabled]: LOG_TYPE.integrationEnabled,
  [TRIGGER_TYPE.scheduler]: LOG_TYPE.scheduler,
  [TRIGGER_TYPE.webhook]: LOG_TYPE.webhookTrigger,
};

/**
 * A trigger run as a trace: the run as the root span, one PRODUCER span per
 * workflow submission (linked to the execution's own trace), one span per
 * webhook record, and the Event Logs messages word for word.
 */
export function triggerTrace(run: TriggerRun, options: CaptureOptions = NO_CAPTURE): TraceSpec {
  const start = toMillis(run.startedAt);
  const failed = Boolean(run.error) || allSubmissions(run).some((s) => s.error) || (run.records ?? []).some((r) => r.error);
  const end = run.endedAt !== undefined ? toMillis(run.endedAt) : Math.max(start, ...allSubmissions(run).map((s) => toMillis(s.submittedAt)), ...(run.records ?? []).map((r) => toMillis(r.processedAt)));
  const b = new TraceBuilder(
    triggerTraceId(run.type, run.id),
    attrs({
      [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.trigger,
      [ATTR_FLOWTRACE_TRIGGER_TYPE]: run.type,
      [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPES[run.type],
      [ATTR_USER_ID]: run.userId,
      [ATTR_FLOWTRACE_INTEGRATION]: run.integration,
      [ATTR_FLOWTRACE_WORKFLOW_ID]: run.workflowId,
      [ATTR_FLOWTRACE_PERSONA_ID]: run.personaId,
      [ATTR_FLOWTRACE_CREDENTIAL_ID]: run.credentialId,
      [ATTR_FLOWTRACE_CREDENTIAL_CONFIG_ID]: run.credentialConfigId,
      [ATTR_FLOWTRACE_WEBHOOK_ID]: run.webhookId,
      [ATTR_FLOWTRACE_EVENT_ID]: run.eventId,
      [ATTR_FLOWTRACE_EVENT_NAME]: run.eventName,
    }),
  );
  const status = failed ? 'FAILED' : 'SUCCEEDED';
  const root = b.root({
    name: `${run.type} trigger${run.eventName ? ` ${run.eventName}` : ''}`,
    kind: run.type === TRIGGER_TYPE.scheduler ? SpanKind.INTERNAL : SpanKind.SERVER,
    startTime: start,
    endTime: end,
    attributes: attrs({
      [ATTR_FLOWTRACE_STATUS]: status,
      [ATTR_FLOWTRACE_TRIGGER_WORKFLOWS_SUBMITTED]: allSubmissions(run).filter((s) => !s.error).length,
      [ATTR_FLOWTRACE_TRIGGER_RECORDS]: run.records?.length,
      [ATTR_FLOWTRACE_INPUT]: options.captureContent && run.payload !== undefined ? capturedJson(run.payload) : undefined,
      [ATTR_ERROR_TYPE]: failed ? 'TriggerFailed' : undefined,
    }),
    status: failed ? error(run.error ?? 'one or more workflows could not be submitted') : OK,
  });
  const log = (time: number, level: 'INFO' | 'WARN' | 'ERROR', eventName: string, body: string, extra = {}) =>
    b.log(root, time, level, `trigger.${eventName}`, body, { [ATTR_FLOWTRACE_STATUS]: level === 'ERROR' ? 'FAILED' : status, ...extra });

  const submit = (s: WorkflowSubmission, parent: string, i: string) => {
    const at = toMillis(s.submittedAt);
    b.span({
      key: `submit:${i}`,
      parentKey: parent,
      name: `submit workflow ${s.workflowId}`,
      kind: SpanKind.PRODUCER,
      startTime: at,
      endTime: at,
      attributes: attrs({ [ATTR_FLOWTRACE_WORKFLOW_ID]: s.workflowId, [ATTR_FLOWTRACE_EXECUTION_ID]: s.executionId, [ATTR_USER_ID]: s.userId }),
      status: s.error ? error(s.error) : OK,
      links: s.executionId ? [{ traceId: workflowExecutionTraceId(s.executionId), spanId: rootSpanIdOf(workflowExecutionTraceId(s.executionId)) }] : undefined,
    });
  };
  const submissions = run.submissions ?? [];
  const failure = (s: WorkflowSubmission) => ({ [ATTR_FLOWTRACE_WORKFLOW_ID]: s.workflowId, [ATTR_USER_ID]: s.userId ?? run.userId, error: s.error ?? null });

  switch (run.type) {
    case TRIGGER_TYPE.appEvent: {
      log(start, 'INFO', 'app_event.started', 'App Event Trigger Started');
      if (run.outcome === 'NO_WORKFLOWS_SUBSCRIBED') log(end, 'WARN', 'app_event.no_workflows_subscribed', 'App Event Trigger No workflows subscribed for trigger');
      if (run.outcome === 'NO_WORKFLOW_CONFIGURED') log(end, 'WARN', 'app_event.no_workflow_configured', `App Event Trigger No workflow configured with event ${run.eventName ?? ''}`.trim());
      const prepared = submissions.filter((s) => !isPreparationError(s));
      for (const s of submissions.filter(isPreparationError)) log(toMillis(s.submittedAt), 'ERROR', 'app_event.preparation_failed', 'Error preparing workflow for event trigger', failure(s));
      if (prepared.length > 0) {
        log(toMillis(prepared[0]!.submittedAt), 'INFO', 'app_event.submitting', 'App Event Trigger Submitting workflows for execution');
        const failures = prepared.filter((s) => s.error);
        if (failures.length === 0) log(end, 'INFO', 'app_event.submitted', 'App Event Trigger Workflows submitted successfully');
        else log(end, 'ERROR', 'app_event.submission_failures', 'App Event Trigger Workflow submission failures', { failures: failures.length, ...failure(failures[0]!) });
      }
      break;
    }
    case TRIGGER_TYPE.request:
      log(start, 'INFO', 'request.started', 'Request Trigger Started');
      for (const s of submissions.filter((s) => !s.error)) log(toMillis(s.submittedAt), 'INFO', 'request.submitted', 'Request Trigger workflow submitted for execution', failure(s));
      if (run.outcome === 'RESPONSE_TIMEOUT') log(end, 'WARN', 'request.response_timeout', 'Request Trigger execution response timeout occurred');
      if (failed) log(end, 'ERROR', 'request.failed', 'Request Trigger Failed', { error: run.error ?? submissions.find((s) => s.error)?.error ?? null });
      break;
    case TRIGGER_TYPE.integrationEnabled:
      log(start, 'INFO', 'integration_enabled.started', 'Integration Enabled Trigger Started');
      for (const s of submissions.filter((s) => !s.error)) log(toMillis(s.submittedAt), 'INFO', 'integration_enabled.submitted', 'Integration Enabled Trigger workflow submitted for execution', failure(s));
      if (failed) log(end, 'ERROR', 'integration_enabled.failed', 'Integration Enabled Trigger Failed', { error: run.error ?? submissions.find((s) => s.error)?.error ?? null });
      break;
    case TRIGGER_TYPE.scheduler:
      for (const s of submissions) {
        if (s.error) log(toMillis(s.submittedAt), 'ERROR', 'scheduler.submission_failed', 'Scheduler Trigger failed to submit execution for workflow', failure(s));
        else log(toMillis(s.submittedAt), 'INFO', 'scheduler.submitting', 'Scheduler Trigger submitting workflow for execution', failure(s));
      }
      if (run.error && submissions.length === 0) log(end, 'ERROR', 'scheduler.submission_failed', 'Scheduler Trigger failed to submit execution for workflow', { error: run.error });
      break;
    case TRIGGER_TYPE.webhook: {
      log(start, 'INFO', 'webhook.request_received', 'Webhook Trigger request received');
      if (run.error) log(end, 'ERROR', 'webhook.failed', 'Webhook Trigger failed to process record', { error: run.error });
      (run.records ?? []).forEach((record, r) => {
        const at = toMillis(record.processedAt);
        const recordAttrs = attrs({ [ATTR_FLOWTRACE_RECORD_ID]: record.recordId, [ATTR_USER_ID]: record.userId ?? run.userId, [ATTR_FLOWTRACE_RESOURCE_ID]: record.resourceId, [ATTR_FLOWTRACE_TRIGGER_FANOUT]: record.fanout });
        const recordEnd = Math.max(at, ...(record.submissions ?? []).map((s) => toMillis(s.submittedAt)));
        const key = b.span({
          key: `record:${r}`,
          parentKey: root,
          name: `process record for ${record.fanout}`,
          kind: SpanKind.INTERNAL,
          startTime: at,
          endTime: recordEnd,
          attributes: recordAttrs,
          status: record.error ? error(record.error) : OK,
        });
        const message = WEBHOOK_MESSAGES[record.fanout];
        b.log(key, at, 'INFO', `trigger.webhook.processing_record_for_${record.fanout}`, message.processing, recordAttrs);
        if (record.error) {
          b.log(key, at, 'ERROR', `trigger.webhook.record_failed${record.fanout === 'resource' ? '_for_resource' : ''}`, message.failed, { ...recordAttrs, error: record.error });
        } else if (record.submissions?.length) {
          b.log(key, toMillis(record.submissions[0]!.submittedAt), 'INFO', `trigger.webhook.submitting_for_${record.fanout}`, message.submitting, recordAttrs);
        }
        record.submissions?.forEach((s, i) => submit(s, key, `${r}.${i}`));
      });
      break;
    }
  }
  submissions.forEach((s, i) => submit(s, root, String(i)));
  return b.build();
}

const WEBHOOK_MESSAGES = {
  user: {
    processing: 'Webhook Trigger processing record for user',
    submitting: 'Webhook Trigger submitting workflows for processed records',
    failed: 'Webhook trigger failed to process record',
  },
  app: {
    processing: 'Webhook Trigger processing record for app',
    submitting: 'Webhook Trigger submitting workflows for app users',
    failed: 'Webhook trigger failed to process record',
  },
  resource: {
    processing: 'Webhook Trigger processing record for resource',
    submitting: 'Webhook Trigger Submitting workflow for resource',
    failed: 'Webhook trigger failed to process record for resource',
  },
} as const;

function allSubmissions(run: TriggerRun): WorkflowSubmission[] {
  return [...(run.submissions ?? []), ...(run.records ?? []).flatMap((r) => r.submissions ?? [])];
}

/** An App Event submission that failed before it was submitted: no execution was created. */
function isPreparationError(s: WorkflowSubmission): boolean {
  return Boolean(s.error) && !s.executionId;
}
