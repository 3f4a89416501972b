/**
 * Every attribute name Flowtrace emits that is not a stable OpenTelemetry name.
 * Our own names live under `flowtrace.`; the GenAI and `user.id` names are
 * copied from the OpenTelemetry semantic conventions (still incubating there),
 * so that a move upstream cannot break us. Stable names (`error.type`, `http.*`,
 * `url.full`, …) are imported from `@opentelemetry/semantic-conventions`.
 *
 * Values users filter by keep the users' own words: statuses are the strings
 * the source products show (SUCCEEDED, Delivery Failures, RATE_LIMITED, …).
 */

// ---------------------------------------------------------------------------
// What a trace is

/**
 * The kind of execution a root span (and every span and log of its trace)
 * belongs to. One execution is one trace.
 *
 * @example workflow_execution
 */
export const ATTR_FLOWTRACE_KIND = 'flowtrace.kind' as const;

/** Values of {@link ATTR_FLOWTRACE_KIND}. */
export const FLOWTRACE_KIND = {
  trigger: 'trigger',
  workflowExecution: 'workflow_execution',
  toolCall: 'tool_call',
  triggerSubscription: 'trigger_subscription',
  triggerEvent: 'trigger_event',
  syncRun: 'sync_run',
  credentialRefresh: 'credential_refresh',
  agentRun: 'agent_run',
  job: 'job',
  userActivity: 'user_activity',
  workatoLog: 'workato_log',
  dataPipelineRun: 'data_pipeline_run',
} as const;
export type FlowtraceKind = (typeof FLOWTRACE_KIND)[keyof typeof FLOWTRACE_KIND];

/**
 * The domain status, in the source product's words, next to the OTel span status.
 *
 * @example FAILED
 * @example Delivery Failures
 * @example RATE_LIMITED
 */
export const ATTR_FLOWTRACE_STATUS = 'flowtrace.status' as const;

/**
 * The feature emitting a log, as Event Logs' "Type" filter names it.
 *
 * @example Webhook Trigger
 */
export const ATTR_FLOWTRACE_LOG_TYPE = 'flowtrace.log.type' as const;

/** Values of {@link ATTR_FLOWTRACE_LOG_TYPE}. */
export const LOG_TYPE = {
  appEvent: 'App Event',
  requestTrigger: 'Request Trigger',
  webhookTrigger: 'Webhook Trigger',
  scheduler: 'Scheduler',
  integrationEnabled: 'Integration Enabled',
  workflow: 'Workflow',
  actionKit: 'ActionKit',
  managedSync: 'Managed Sync',
  credentials: 'Credentials',
  agent: 'Agent',
  job: 'Job',
  userActivity: 'User Activity',
  workatoLog: 'Workato Log',
} as const;

// ---------------------------------------------------------------------------
// Identifiers users filter by

/** The end user (Connected User) an execution ran for. @example d1f142cd-1dfe-4d76-ab4c-8f64901a9c5c */
export const ATTR_USER_ID = 'user.id' as const;
/** The integration involved. @example salesforce */
export const ATTR_FLOWTRACE_INTEGRATION = 'flowtrace.integration' as const;
/** @example c395c170-4541-499c-afd1-0eccfaae49c9 */
export const ATTR_FLOWTRACE_WORKFLOW_ID = 'flowtrace.workflow.id' as const;
/** @example Sync new deals */
export const ATTR_FLOWTRACE_WORKFLOW_NAME = 'flowtrace.workflow.name' as const;
/** One workflow execution. @example c70cafa5-4f80-45c7-b5b3-71454f6d638d */
export const ATTR_FLOWTRACE_EXECUTION_ID = 'flowtrace.execution.id' as const;
/** One step execution of a workflow execution. */
export const ATTR_FLOWTRACE_STEP_ID = 'flowtrace.step.id' as const;
/** @example Salesforce: Create Record */
export const ATTR_FLOWTRACE_STEP_NAME = 'flowtrace.step.name' as const;
/** Tasks an execution or step used. @example 3 */
export const ATTR_FLOWTRACE_TASK_COUNT = 'flowtrace.task_count' as const;
/** The credential used to reach the integration (connectCredentialId). */
export const ATTR_FLOWTRACE_CREDENTIAL_ID = 'flowtrace.credential.id' as const;
/** connectCredentialConfigId. */
export const ATTR_FLOWTRACE_CREDENTIAL_CONFIG_ID = 'flowtrace.credential.config_id' as const;
/** The persona (or agent) responsible for a trigger. */
export const ATTR_FLOWTRACE_PERSONA_ID = 'flowtrace.persona.id' as const;
/** A webhook a trigger is bound to. */
export const ATTR_FLOWTRACE_WEBHOOK_ID = 'flowtrace.webhook.id' as const;
/** An App Event or trigger event id. */
export const ATTR_FLOWTRACE_EVENT_ID = 'flowtrace.event.id' as const;
/** An App Event's name. @example deal.created */
export const ATTR_FLOWTRACE_EVENT_NAME = 'flowtrace.event.name' as const;
/** The request id returned to a caller (ActionKit `meta.requestId`, Workato `request_id`). */
export const ATTR_FLOWTRACE_REQUEST_ID = 'flowtrace.request.id' as const;

// ---------------------------------------------------------------------------
// Triggers

/** @example App Event */
export const ATTR_FLOWTRACE_TRIGGER_TYPE = 'flowtrace.trigger.type' as const;
/** Values of {@link ATTR_FLOWTRACE_TRIGGER_TYPE}: the Event Logs feature names. */
export const TRIGGER_TYPE = {
  appEvent: 'App Event',
  request: 'Request',
  integrationEnabled: 'Integration Enabled',
  scheduler: 'Scheduler',
  webhook: 'Webhook',
} as const;
export type TriggerType = (typeof TRIGGER_TYPE)[keyof typeof TRIGGER_TYPE];
/** An ActionKit trigger (subscription) id. */
export const ATTR_FLOWTRACE_TRIGGER_ID = 'flowtrace.trigger.id' as const;
/** Workflows a trigger submitted. */
export const ATTR_FLOWTRACE_TRIGGER_WORKFLOWS_SUBMITTED = 'flowtrace.trigger.workflows_submitted' as const;
/** Records a webhook trigger processed. */
export const ATTR_FLOWTRACE_TRIGGER_RECORDS = 'flowtrace.trigger.records' as const;
/** What a webhook trigger fans out over: user, app, resource. */
export const ATTR_FLOWTRACE_TRIGGER_FANOUT = 'flowtrace.trigger.fanout' as const;
/** The record being processed by a webhook trigger. */
export const ATTR_FLOWTRACE_RECORD_ID = 'flowtrace.record.id' as const;
/** A resource a webhook trigger processes records for. */
export const ATTR_FLOWTRACE_RESOURCE_ID = 'flowtrace.resource.id' as const;
/** POLLING or WEBHOOK. */
export const ATTR_FLOWTRACE_SUBSCRIPTION_MODEL = 'flowtrace.subscription.model' as const;
/** What a poll detected: new or updated. */
export const ATTR_FLOWTRACE_DETECTION = 'flowtrace.detection' as const;
/** A delivery's target URL (redacted of credentials). */
export const ATTR_FLOWTRACE_DELIVERY_WEBHOOK_URL = 'flowtrace.delivery.webhook_url' as const;
/** A delivery attempt, from 1. */
export const ATTR_FLOWTRACE_DELIVERY_ATTEMPT = 'flowtrace.delivery.attempt' as const;
/** Deliveries of a trigger event. */
export const ATTR_FLOWTRACE_DELIVERY_COUNT = 'flowtrace.delivery.count' as const;
/** Failed deliveries of a trigger event. */
export const ATTR_FLOWTRACE_DELIVERY_FAILED_COUNT = 'flowtrace.delivery.failed_count' as const;
/** The users a trigger event was delivered to, on its root span: the monitoring list filters by them. */
export const ATTR_FLOWTRACE_DELIVERY_USER_IDS = 'flowtrace.delivery.user_ids' as const;

// ---------------------------------------------------------------------------
// ActionKit

/** @example SALESFORCE_CREATE_RECORD */
export const ATTR_FLOWTRACE_TOOL_NAME = 'flowtrace.tool.name' as const;
/** List Tools or Run Tool. */
export const ATTR_FLOWTRACE_TOOL_OPERATION = 'flowtrace.tool.operation' as const;
/** A provider API response body: only on error-level logs, redacted. */
export const ATTR_FLOWTRACE_RESPONSE_BODY = 'flowtrace.http.response.body' as const;

// ---------------------------------------------------------------------------
// Managed Sync

export const ATTR_FLOWTRACE_SYNC_ID = 'flowtrace.sync.id' as const;
/** @example contacts */
export const ATTR_FLOWTRACE_SYNC_PIPELINE = 'flowtrace.sync.pipeline' as const;
/** INITIAL, INCREMENTAL, FULL, PERMISSION or SINGLE_RECORD. */
export const ATTR_FLOWTRACE_SYNC_TYPE = 'flowtrace.sync.type' as const;
/** ACTIVE, IDLE, RATE_LIMITED or ERRORED. */
export const ATTR_FLOWTRACE_SYNC_STATUS = 'flowtrace.sync.status' as const;
/** @example SYNC_RUN_RATE_LIMITED */
export const ATTR_FLOWTRACE_SYNC_EVENT = 'flowtrace.sync.event' as const;
export const ATTR_FLOWTRACE_SYNC_CREATED = 'flowtrace.sync.summary.created' as const;
export const ATTR_FLOWTRACE_SYNC_UPDATED = 'flowtrace.sync.summary.updated' as const;
export const ATTR_FLOWTRACE_SYNC_DELETED = 'flowtrace.sync.summary.deleted' as const;
export const ATTR_FLOWTRACE_SYNC_PROCESSED = 'flowtrace.sync.summary.processed' as const;
export const ATTR_FLOWTRACE_SYNC_CHANGES = 'flowtrace.sync.summary.changes' as const;
export const ATTR_FLOWTRACE_SYNC_DURATION_MS = 'flowtrace.sync.summary.duration_ms' as const;

// ---------------------------------------------------------------------------
// Errors and retries

/** RECOVERABLE or TERMINAL. */
export const ATTR_FLOWTRACE_ERROR_RECOVERABILITY = 'flowtrace.error.recoverability' as const;
/** The source product's error code. @example OAUTH_027 */
export const ATTR_FLOWTRACE_ERROR_CODE = 'flowtrace.error.code' as const;
/** The HTTP status an error carried. */
export const ATTR_FLOWTRACE_ERROR_HTTP_STATUS = 'flowtrace.error.http_status' as const;
/** The error's message (on logs only: spans carry it as the status message). */
export const ATTR_FLOWTRACE_ERROR_MESSAGE = 'flowtrace.error.message' as const;
export const ATTR_FLOWTRACE_RETRY_ATTEMPT = 'flowtrace.retry.attempt' as const;
export const ATTR_FLOWTRACE_RETRY_MAX_ATTEMPTS = 'flowtrace.retry.max_attempts' as const;
export const ATTR_FLOWTRACE_RETRY_BACKOFF_MS = 'flowtrace.retry.backoff_ms' as const;
/** ISO-8601. */
export const ATTR_FLOWTRACE_RETRY_NEXT_AT = 'flowtrace.retry.next_retry_at' as const;

// ---------------------------------------------------------------------------
// Captured content (opt-in only, redacted)

/** A step's or tool's input, JSON. Only when content capture is on. */
export const ATTR_FLOWTRACE_INPUT = 'flowtrace.input' as const;
/** A step's or tool's output, JSON. Only when content capture is on. */
export const ATTR_FLOWTRACE_OUTPUT = 'flowtrace.output' as const;

// ---------------------------------------------------------------------------
// Recipe jobs (Workato)

export const ATTR_FLOWTRACE_JOB_ID = 'flowtrace.job.id' as const;
export const ATTR_FLOWTRACE_JOB_MASTER_ID = 'flowtrace.job.master_id' as const;
export const ATTR_FLOWTRACE_JOB_PARENT_ID = 'flowtrace.job.parent_id' as const;
export const ATTR_FLOWTRACE_JOB_CALLING_ID = 'flowtrace.job.calling_id' as const;
export const ATTR_FLOWTRACE_JOB_ROOT_ID = 'flowtrace.job.root_id' as const;
export const ATTR_FLOWTRACE_JOB_TITLE = 'flowtrace.job.title' as const;
export const ATTR_FLOWTRACE_JOB_URL = 'flowtrace.job.url' as const;
export const ATTR_FLOWTRACE_JOB_IS_REPEAT = 'flowtrace.job.is_repeat' as const;
export const ATTR_FLOWTRACE_JOB_REPEAT_COUNT = 'flowtrace.job.repeat_count' as const;
export const ATTR_FLOWTRACE_JOB_IS_TEST = 'flowtrace.job.is_test' as const;
export const ATTR_FLOWTRACE_JOB_ACTION_COUNT = 'flowtrace.job.action_count' as const;
/** "Log lines exceed size limit": the job's lines were not sent. */
export const ATTR_FLOWTRACE_JOB_LINES_OMITTED = 'flowtrace.job.lines_omitted' as const;
export const ATTR_FLOWTRACE_RECIPE_ID = 'flowtrace.recipe.id' as const;
export const ATTR_FLOWTRACE_RECIPE_NAME = 'flowtrace.recipe.name' as const;
export const ATTR_FLOWTRACE_RECIPE_PATH = 'flowtrace.recipe.path' as const;
export const ATTR_FLOWTRACE_CALLING_RECIPE_ID = 'flowtrace.recipe.calling_id' as const;
export const ATTR_FLOWTRACE_ROOT_RECIPE_ID = 'flowtrace.recipe.root_id' as const;
export const ATTR_FLOWTRACE_ACCOUNT_ID = 'flowtrace.account.id' as const;
export const ATTR_FLOWTRACE_ACCOUNT_NAME = 'flowtrace.account.name' as const;
/** dev, test, prod. */
export const ATTR_FLOWTRACE_ENVIRONMENT_TYPE = 'flowtrace.environment.type' as const;
export const ATTR_FLOWTRACE_ENVIRONMENT_ID = 'flowtrace.environment.id' as const;
export const ATTR_FLOWTRACE_LINE_NUMBER = 'flowtrace.line.number' as const;
/** @example salesforce */
export const ATTR_FLOWTRACE_ADAPTER = 'flowtrace.adapter' as const;
/** @example create_custom_object */
export const ATTR_FLOWTRACE_ADAPTER_OPERATION = 'flowtrace.adapter.operation' as const;
/** The line's data was masked: no input or output is kept, even with capture on. */
export const ATTR_FLOWTRACE_MASK_DATA = 'flowtrace.mask_data' as const;
/** Line statistics, JSON (name, count, total, min, max per phase). */
export const ATTR_FLOWTRACE_LINE_STATS = 'flowtrace.line.stats' as const;
/** A user-activity audit event's name. @example recipe_started */
export const ATTR_FLOWTRACE_AUDIT_EVENT = 'flowtrace.audit.event' as const;
export const ATTR_FLOWTRACE_AUDIT_RESOURCE_TYPE = 'flowtrace.audit.resource.type' as const;
export const ATTR_FLOWTRACE_AUDIT_RESOURCE_ID = 'flowtrace.audit.resource.id' as const;
export const ATTR_FLOWTRACE_AUDIT_RESOURCE_NAME = 'flowtrace.audit.resource.name' as const;
export const ATTR_FLOWTRACE_TEAM_ID = 'flowtrace.team.id' as const;
export const ATTR_FLOWTRACE_TEAM_NAME = 'flowtrace.team.name' as const;
export const ATTR_CLIENT_ADDRESS = 'client.address' as const;
/** A Workato log event's source. @example opa */
export const ATTR_FLOWTRACE_LOG_SOURCE = 'flowtrace.log.source' as const;

// ---------------------------------------------------------------------------
// Agents: OpenTelemetry GenAI names (incubating upstream, copied here)

/** @example invoke_agent */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name' as const;
/** Values of {@link ATTR_GEN_AI_OPERATION_NAME}. */
export const GEN_AI_OPERATION = {
  invokeAgent: 'invoke_agent',
  chat: 'chat',
  executeTool: 'execute_tool',
} as const;
/** @example bedrock/claude-sonnet-4-6 */
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model' as const;
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model' as const;
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens' as const;
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens' as const;
/** @example enterprise_search */
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name' as const;
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id' as const;
export const ATTR_GEN_AI_TOOL_DESCRIPTION = 'gen_ai.tool.description' as const;
/** function, extension or datastore upstream; we keep the source's BUILTIN / EXTERNAL in flowtrace.tool.type. */
export const ATTR_GEN_AI_TOOL_TYPE = 'gen_ai.tool.type' as const;
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id' as const;
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id' as const;
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name' as const;
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.provider.name' as const;
/** BUILTIN or EXTERNAL (a recipe skill). */
export const ATTR_FLOWTRACE_TOOL_TYPE = 'flowtrace.tool.type' as const;
/** A run's id in the source product. @example 95ce2c49-de8f-418e-9818-2f648e15aff2 */
export const ATTR_FLOWTRACE_AGENT_RUN_ID = 'flowtrace.agent.run_id' as const;
/** What started the run: user, genie_task. */
export const ATTR_FLOWTRACE_AGENT_RUN_TRIGGER = 'flowtrace.agent.run_trigger' as const;
/** slack, genie_task, … */
export const ATTR_FLOWTRACE_AGENT_APP_TYPE = 'flowtrace.agent.app_type' as const;
/** USER_QUERY, MID_EXECUTION or AGENT_RESPONSE. */
export const ATTR_FLOWTRACE_LLM_STAGE = 'flowtrace.llm.stage' as const;
export const ATTR_FLOWTRACE_LLM_CALL_ID = 'flowtrace.llm.call_id' as const;
/** SUCCESS or the source's failure word. */
export const ATTR_FLOWTRACE_CALL_RESULT = 'flowtrace.call_result' as const;
/** @example harmful_content */
export const ATTR_FLOWTRACE_GUARDRAIL_POLICY = 'flowtrace.guardrail.policy' as const;
/** passed, blocked, … */
export const ATTR_FLOWTRACE_GUARDRAIL_ACTION = 'flowtrace.guardrail.action' as const;
/** input or output. */
export const ATTR_FLOWTRACE_GUARDRAIL_DIRECTION = 'flowtrace.guardrail.direction' as const;
export const ATTR_FLOWTRACE_TOPIC = 'flowtrace.agent.topic' as const;
/** The message text of user, system and LLM messages: opt-in only. */
export const ATTR_FLOWTRACE_MESSAGE = 'flowtrace.message' as const;
export const ATTR_FLOWTRACE_TEST_RUN = 'flowtrace.test_run' as const;


/** Why a span links to another trace. @example trigger */
export const ATTR_FLOWTRACE_LINK = 'flowtrace.link' as const;
export const ATTR_FLOWTRACE_AGENT_FIRST_RUN = 'flowtrace.agent.first_run_in_conversation' as const;
/** A tool's ids on the platform (a UUID for BUILTIN, recipe:<id> for EXTERNAL). */
export const ATTR_FLOWTRACE_TOOL_EXTERNAL_IDS = 'flowtrace.tool.external_ids' as const;
export const ATTR_FLOWTRACE_GUARDRAIL_SEVERITY = 'flowtrace.guardrail.severity' as const;
/** The JSON schema structured output is formatted to. */
export const ATTR_FLOWTRACE_OUTPUT_SCHEMA = 'flowtrace.output.schema' as const;
/** A job's custom report columns, JSON. */
export const ATTR_FLOWTRACE_JOB_REPORT = 'flowtrace.job.report' as const;
/** An audit event's own details, JSON (redacted). */
export const ATTR_FLOWTRACE_AUDIT_DETAILS = 'flowtrace.audit.details' as const;
export const ATTR_USER_NAME = 'user.name' as const;
export const ATTR_USER_EMAIL = 'user.email' as const;
export const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original' as const;

/**
 * Prefix of the fields of a Workato log event kept as they came
 * (`workato.user_id`, `workato.data.http_code`, …).
 */
export const WORKATO_ATTRIBUTE_PREFIX = 'workato.' as const;
/** Set on a span row that is one part of a span reported in parts; readers merge the parts by span id. */
export const ATTR_FLOWTRACE_SPAN_FRAGMENT = 'flowtrace.span.fragment' as const;

/** Values of {@link ATTR_FLOWTRACE_LINK}: why a span links to another trace. */
export const LINK_REASON = {
  /** A workflow execution to the trigger run that started it. */
  trigger: 'trigger',
  /** An agent run to the recipe job that assigned it. */
  assignedByJob: 'assigned_by_job',
  /** An agent's tool execution to the recipe job its skill started. */
  skillJob: 'skill_job',
  masterJob: 'master_job',
  parentJob: 'parent_job',
  callingJob: 'calling_job',
} as const;

// ---------------------------------------------------------------------------
// Stable OpenTelemetry names the server reads, re-exported so that readers take
// every attribute name from this one module.

export {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVICE_NAME,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
