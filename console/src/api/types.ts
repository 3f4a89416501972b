/**
 * The answers of the query API the console reads, as documented in
 * /openapi.json (query-api/src/routes/*.ts declares each one with zod).
 */

export interface Page {
  total: number;
  nextLink?: string;
}

export interface Project {
  id: string;
  name: string;
  createdAt: string;
}

// Task History ---------------------------------------------------------------

export interface WorkflowExecution {
  id: string;
  userId: string;
  taskCount: number;
  runDuration: number;
  workflowId: string;
  status: string;
  dateEnded: string;
  dateStarted: string;
}

export interface StepSummary {
  id: string;
  stepId: string;
  name: string;
  status: string;
  taskCount: number;
  runDuration: number;
  dateStarted: string;
  dateEnded: string;
  error: string | null;
}

export interface ExecutionDetail extends WorkflowExecution {
  integration: string;
  workflowName: string | null;
  traceId: string;
  error: string | null;
  steps: StepSummary[];
}

export interface OutboundRequest {
  method: string;
  url: string;
  statusCode: number | null;
  runDuration: number;
  dateStarted: string;
  error: string | null;
  responseBody?: unknown;
}

export interface StepDetail extends StepSummary {
  executionId: string;
  input: unknown;
  output: unknown;
  requests: OutboundRequest[];
  logs: Array<{ timestamp: string; level: string; message: string }>;
}

// Event Logs -----------------------------------------------------------------

export interface EventLog {
  id: string;
  timestamp: string;
  level: string;
  type: string;
  message: string;
  /** The log record's OpenTelemetry event name; an App Event's own name is event.eventName. */
  otelEventName: string;
  traceId: string | null;
  spanId: string | null;
  serviceName: string;
  event: Record<string, unknown>;
  attributes: Record<string, string>;
}

// ActionKit ------------------------------------------------------------------

export interface ToolCall {
  requestId: string;
  traceId: string;
  operation: string;
  toolName: string | null;
  integration: string;
  userId: string;
  status: string;
  receivedAt: string;
  durationMs: number;
}

export interface LogEntry {
  timestamp: string;
  level: string;
  message: string;
  otelEventName: string;
  spanId: string | null;
  event: Record<string, unknown>;
}

export interface ApiRequest {
  method: string;
  url: string;
  statusCode: number | null;
  timestamp: string;
  durationMs: number;
  error: string | null;
  responseBody?: unknown;
}

export interface ToolCallTrace extends ToolCall {
  /** The root span of the call (times and status absent while it has not arrived). */
  request: { name?: string; kind?: string; startTime?: string; endTime?: string; status?: { code: string; message: string }; attributes: Record<string, string> };
  logs: LogEntry[];
  apiRequests: ApiRequest[];
}

export interface TriggerEvent {
  eventId: string;
  traceId: string;
  integration: string;
  timeReceived: string;
  status: string;
  subscriptionModel: string | null;
  deliveries: number;
  failedDeliveries: number;
}

export interface Delivery {
  status: string;
  userId: string;
  timestamp: string;
  triggerId?: string;
  webhookUrl?: string;
  durationMs?: number;
  attempts?: number;
}

export interface TriggerEventDetail extends Omit<TriggerEvent, 'deliveries'> {
  deliveries: Delivery[];
  logs: LogEntry[];
}

// Managed Sync ---------------------------------------------------------------

export interface SyncProblem {
  timestamp: string;
  level: string;
  syncEvent: string;
  message: string;
  syncStatus: string | null;
  errorCode: string | null;
  httpStatus: number | null;
  recoverability: string | null;
  retry: { attempt: number | null; maxAttempts: number | null; backoffMs: number | null; nextRetryAt: string | null } | null;
}

export interface SyncRun {
  traceId: string;
  syncId: string;
  syncType: string;
  syncStatus: string;
  pipeline: string | null;
  integration: string;
  userId: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  summary: Record<string, number> | null;
  warnings: SyncProblem[];
  errors: SyncProblem[];
}

// Agents ---------------------------------------------------------------------

export interface AgentRun {
  runId: string;
  traceId: string;
  agentId: string;
  agentName: string | null;
  conversationId: string;
  userId: string;
  status: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

export interface Guardrail {
  policy: string;
  action: string;
  direction: string | null;
  severity: string | null;
  at: string;
}

export interface LlmCall {
  callId: string | null;
  model: string | null;
  stage: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  latencyMs: number;
  startedAt: string;
  result: string | null;
  guardrails: Guardrail[];
}

export interface ToolExecution {
  callId: string | null;
  name: string;
  type: string | null;
  result: string | null;
  startedAt: string;
  durationMs: number;
  output?: unknown;
  job: { jobId: string; traceId: string } | null;
}

export interface AgentRunDetail extends AgentRun {
  tokens: { input: number; output: number };
  topic: string | null;
  llmCalls: LlmCall[];
  toolExecutions: ToolExecution[];
  guardrails: Guardrail[];
  messages: Array<{ timestamp: string; role: string; text: string | null; toolName: string | null }>;
  structuredOutput: { startedAt: string; durationMs: number; schema: string | null } | null;
}

// Traces ---------------------------------------------------------------------

export interface TimelineSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  serviceName: string;
  startTime: string;
  endTime: string;
  durationMs: number;
  status: { code: string; message: string };
  attributes: Record<string, string>;
  resourceAttributes: Record<string, string>;
  scope: { name: string; version: string };
  traceState: string;
  events: Array<{ timestamp: string; name: string; attributes: Record<string, string> }>;
  links: Array<{ traceId: string; spanId: string; traceState: string; attributes: Record<string, string> }>;
  depth: number;
}

export interface TimelineLog {
  timestamp: string;
  severityText: string;
  severityNumber: number;
  eventName: string;
  body: string;
  spanId: string | null;
  serviceName: string;
  attributes: Record<string, string>;
}

export interface Timeline {
  traceId: string;
  startTime: string;
  endTime: string;
  durationMs: number;
  spans: TimelineSpan[];
  logs: TimelineLog[];
  truncated: boolean;
}

// Counts ---------------------------------------------------------------------

export interface StatBucket {
  time: string;
  group?: string;
  executions: number;
  failures: number;
  durationMs: { p50: number; p95: number; p99: number };
}

export interface Stats {
  kind: string;
  interval: string;
  groupBy: string | null;
  from: string;
  to: string;
  buckets: StatBucket[];
  totals: { executions: number; failures: number };
}

export interface Sync {
  syncId: string;
  syncType: string;
  pipeline: string | null;
  integration: string;
  userId: string;
  lastRun: { traceId: string; syncStatus: string; startedAt: string; endedAt: string; durationMs: number };
  runs: number;
  failedRuns: number;
}

export interface TraceSummary {
  traceId: string;
  rootServiceName: string | null;
  rootSpanName: string | null;
  startTime: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
}

export interface Job {
  jobId: string;
  traceId: string;
  recipeId: string;
  recipeName: string | null;
  title: string | null;
  status: string;
  startedAt: string;
  completedAt: string;
  durationMs: number;
  userId: string | null;
  environment: string | null;
  masterJobId: string | null;
  parentJobId: string | null;
  callingJobId: string | null;
  callingRecipeId: string | null;
  rootJobId: string | null;
  rootRecipeId: string | null;
  isRepeat: boolean;
  repeatCount: number | null;
  isTest: boolean;
  actionCount: number | null;
  jobUrl: string | null;
  error: { type: string | null; message: string | null } | null;
}

export interface JobDetail extends Job {
  linesOmitted: boolean;
  lines: Array<{ lineNumber: number; adapter: string | null; operation: string | null; startedAt: string; durationMs: number; error: string | null }>;
  calledJobs: Job[];
  childJobs: Job[];
}
