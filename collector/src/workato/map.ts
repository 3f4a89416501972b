import {
  NO_CAPTURE,
  agentRunTrace,
  recipeJobTrace,
  toolCallTrace,
  traceIdFor,
  userActivityLog,
  redactValue,
  type AgentRun,
  type CaptureOptions,
  type JobLine,
  type LogSpec,
  type RecipeJob,
  type TraceSpec,
  type UserActivity,
} from '@flowtrace/conventions';
import { ATTR_FLOWTRACE_KIND, ATTR_FLOWTRACE_LOG_SOURCE, ATTR_FLOWTRACE_LOG_TYPE, ATTR_FLOWTRACE_STATUS, FLOWTRACE_KIND, LOG_TYPE, WORKATO_ATTRIBUTE_PREFIX as W } from '@flowtrace/conventions/semconv';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { WorkatoParseError, parseLenient, type Item } from './parse.js';
import { parseTime } from './time.js';

/** A topic_assigned event whose run is not known from the event itself. */
export interface PendingTopic {
  conversationId: string;
  requestId: string;
  run: AgentRun;
}

/** What one batch maps to. */
export interface Mapped {
  traces: TraceSpec[];
  /** Logs of no trace: audit events, trigger errors, OPA and workflow-app events, unknown events. */
  logs: LogSpec[];
  /** topic_assigned events to join to their run by conversation and request id. */
  topics: PendingTopic[];
  /** (conversation id, request id) → run id and an event time, from the batch's genie events. */
  runsByRequest: Map<string, { runId: string; time: number }>;
  /** How many items of each kind, for the answer. */
  counts: Record<string, number>;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (v === null || v === undefined || v === '' ? undefined : String(v));
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
export const requestKey = (conversationId: string, requestId: string) => `${conversationId}\u0000${requestId}`;

/**
 * Maps each item of a Workato stream onto the spans and logs the SDK would
 * have recorded for it: jobs (full, summary, status only), user activity,
 * Workato log events and genie events. An unknown shape is kept as a log; an
 * item that is not an object, or a known kind with an unreadable time, fails
 * the whole batch with its position.
 */
/**
 * How deep an event's objects and arrays may nest. Workato's own events nest
 * a few levels; far deeper ones (found by fuzzing: 20,000 levels) would
 * overflow the stack of whatever renders them, so they are refused (400).
 */
export const MAX_DEPTH = 64;

/** Whether `value` nests deeper than `limit`, without recursion. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > limit) return true;
    if (node !== null && typeof node === 'object') {
      for (const child of Array.isArray(node) ? node : Object.values(node)) {
        if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
      }
    }
  }
  return false;
}

export function mapItems(items: Item[], options: CaptureOptions = NO_CAPTURE, receivedAt = Date.now()): Mapped {
  const out: Mapped = { traces: [], logs: [], topics: [], runsByRequest: new Map(), counts: {} };
  const count = (kind: string) => (out.counts[kind] = (out.counts[kind] ?? 0) + 1);
  for (const item of items) {
    if (!isObject(item.value)) throw new WorkatoParseError(`${item.position}: expected a JSON object, got ${item.value === null ? 'null' : Array.isArray(item.value) ? 'an array' : typeof item.value}`);
    if (nestedDeeperThan(item.value, MAX_DEPTH)) throw new WorkatoParseError(`${item.position}: nested deeper than ${MAX_DEPTH} levels of objects and arrays`);
    const value = unwrap(item.value);
    const at = (field: string, text: unknown) => {
      const ms = parseTime(text);
      if (ms === undefined) throw new WorkatoParseError(`${item.position}: ${field}: not a date-time: ${JSON.stringify(text)}`);
      return ms;
    };
    if (isJob(value)) {
      out.traces.push(recipeJobTrace(toJob(value, at), options));
      count('job');
    } else if (typeof value.event_type === 'string' && ('genie_run_id' in value || 'conversation_id' in value)) {
      mapGenieEvent(value, at, options, out);
      count('genie');
    } else if (typeof value.event === 'string' && ('user' in value || 'resource' in value || 'team' in value)) {
      out.logs.push(userActivityLog(toActivity(value, at)));
      count('user_activity');
    } else if (typeof value.resource_type === 'string' && typeof value.timestamp === 'string') {
      out.logs.push(userActivityLog(toFlatActivity(value, at)));
      count('user_activity');
    } else if (typeof value.source === 'string' && typeof value.log_level === 'string' && 'date_time' in value) {
      mapLogEvent(value, at('date_time', value.date_time), options, out);
      count('log_event');
    } else {
      out.logs.push(unknownLog(value, receivedAt));
      count('unknown');
    }
  }
  return out;
}

/**
 * The payload inside Workato's wrappers: full job details `{ Log, Log_Str }`,
 * status only and user activity `{ log, log_message }`, summary
 * `{ log_message: {…} }`; the string forms (`Log_Str`, a JSON `log_message`)
 * when no object form is there.
 */
function unwrap(value: Json): Json {
  for (const key of ['Log', 'log', 'log_message']) {
    const inner = value[key];
    if (isObject(inner)) return inner;
  }
  for (const key of ['Log_Str', 'log_message', 'log_message_str']) {
    const inner = value[key];
    if (typeof inner !== 'string') continue;
    const parsed = parseLenient(inner.trim());
    if (parsed.ok && isObject(parsed.value)) return parsed.value;
  }
  return value;
}

function isJob(value: Json): boolean {
  return typeof value.id === 'string' && ('recipe_id' in value || 'flow_id' in value) && typeof value.status === 'string' && 'started_at' in value;
}

function toJob(job: Json, at: (field: string, text: unknown) => number): RecipeJob {
  const context = isObject(job.context) ? job.context : {};
  const error = parseJobError(job.error);
  const lines = job.lines;
  return {
    jobId: String(job.id),
    recipeId: String(job.recipe_id ?? job.flow_id),
    recipeName: str(context.recipe_name),
    recipePath: str(context.recipe_path),
    recipeUrl: str(context.recipe_url),
    title: str(job.title),
    status: String(job.status),
    startedAt: at('started_at', job.started_at),
    completedAt: job.completed_at ? at('completed_at', job.completed_at) : undefined,
    masterJobId: str(job.master_job_id ?? context.master_job_id),
    parentJobId: str(job.parent_id ?? context.parent_job_id),
    callingJobId: str(job.calling_job_id ?? context.calling_job_id),
    callingRecipeId: str(job.calling_recipe_id ?? context.calling_recipe_id),
    rootJobId: str(job.root_job_handle ?? context.root_job_handle),
    rootRecipeId: str(job.root_recipe_id || context.root_recipe_id || undefined),
    isRepeat: bool(job.is_repeat ?? context.is_repeat),
    repeatCount: num(job.repeat_count ?? context.repeat_count),
    isTest: bool(job.is_test ?? context.is_test),
    actionCount: num(job.action_count),
    jobUrl: str(job.job_url ?? context.job_url),
    account: { id: str(job.account_id), name: str(job.account_name) },
    environment: { type: str(job.environment_type), id: str(job.environment_id) },
    user: { id: str(context.user_id), name: str(context.user_name), externalId: str(context.user_external_id) },
    errorType: str(job.error_type),
    error,
    lines: Array.isArray(lines) ? lines.filter(isObject).map(toLine) : undefined,
    linesOmitted: typeof lines === 'string' && /exceed/i.test(lines),
    report: isObject(job.report) ? job.report : undefined,
  };
}

function toLine(line: Json): JobLine {
  const stat = isObject(line.line_stat) ? line.line_stat : undefined;
  return {
    lineNumber: num(line.recipe_line_number) ?? 0,
    adapter: String(line.adapter_name ?? 'unknown'),
    operation: String(line.adapter_operation ?? 'unknown'),
    input: line.input,
    output: line.output,
    error: str(line.error),
    maskData: bool(line.mask_data),
    stats: stat ? { total: num(stat.total) ?? 0, details: Array.isArray(stat.details) ? stat.details : undefined } : undefined,
  };
}

/** A job's `error`: null, a message, or a JSON string with the error's details. */
function parseJobError(error: unknown): RecipeJob['error'] {
  if (error === null || error === undefined || error === '') return undefined;
  const parsed = typeof error === 'string' ? parseLenient(error) : { ok: true as const, value: error };
  if (parsed.ok && isObject(parsed.value)) {
    const e = parsed.value;
    const http = isObject(e.http_response) ? e.http_response : {};
    return { message: str(e.message), adapter: str(e.adapter), action: str(e.action), lineNumber: num(e.line_number), httpStatus: num(http.code) };
  }
  return { message: String(error) };
}

function toActivity(a: Json, at: (field: string, text: unknown) => number): UserActivity {
  const user = isObject(a.user) ? a.user : {};
  const team = isObject(a.team) ? a.team : {};
  const resource = isObject(a.resource) ? a.resource : {};
  const details = isObject(a.details) ? a.details : {};
  const request = isObject(details.request) ? details.request : {};
  return {
    event: String(a.event),
    at: at('timestamp', a.timestamp),
    user: { id: str(user.id), name: str(user.name), email: str(user.email), externalId: str(user.external_id) },
    team: { id: str(team.id), name: str(team.name) },
    resource: { type: str(resource.type), id: str(resource.id), name: str(resource.name), path: str(resource.path) },
    ipAddress: str(request.ip_address),
    userAgent: str(request.user_agent),
    details: a.details,
  };
}

/** Deployment records come flat: user_name, team_name, resource_type … */
function toFlatActivity(a: Json, at: (field: string, text: unknown) => number): UserActivity {
  return {
    event: `${String(a.resource_type).toLowerCase()}_created`,
    at: at('timestamp', a.timestamp),
    user: { id: str(a.user_account_id), name: str(a.user_name) },
    team: { id: str(a.team_id_d ?? a.team_account_id), name: str(a.team_name) },
    resource: { type: str(a.resource_type), id: str(a.resource_id_d), name: str(a.resource_project_name) },
    details: Object.fromEntries(Object.entries(a).filter(([key]) => key.startsWith('resource_') || key.endsWith('environment_type'))),
  };
}

const LEVELS: Record<string, [SeverityNumber, string]> = {
  DEBUG: [SeverityNumber.DEBUG, 'DEBUG'],
  INFO: [SeverityNumber.INFO, 'INFO'],
  WARN: [SeverityNumber.WARN, 'WARN'],
  WARNING: [SeverityNumber.WARN, 'WARN'],
  ERROR: [SeverityNumber.ERROR, 'ERROR'],
  FATAL: [SeverityNumber.FATAL, 'FATAL'],
};

/** Workato log events: logger messages, trigger errors, OPA, workflow apps, MCP server, data pipelines. */
function mapLogEvent(e: Json, time: number, options: CaptureOptions, out: Mapped): void {
  const source = String(e.source);
  const parsedData = typeof e.data === 'string' ? parseLenient(e.data) : { ok: true as const, value: e.data };
  const data = parsedData.ok && isObject(parsedData.value) ? parsedData.value : {};
  const [severityNumber, severityText] = LEVELS[String(e.log_level).toUpperCase()] ?? [SeverityNumber.INFO, String(e.log_level)];
  const details = isObject(data.details) ? data.details : {};

  if (source === 'apim-mcp-gateway' && data.message_type === 'tool_call' && typeof data.request_id === 'string') {
    // An MCP server tool call reads like any other tool call: its request id is its trace.
    const durationMs = (num(data.duration_seconds) ?? 0) * 1000;
    const succeeded = details.succeeded !== false;
    out.traces.push(
      toolCallTrace(
        {
          requestId: data.request_id,
          operation: 'Run Tool',
          toolName: str(details.name),
          integration: str(data.server_name),
          userId: String(e.user_id ?? ''),
          receivedAt: time - durationMs,
          endedAt: time,
          status: succeeded ? 'SUCCEEDED' : 'FAILED',
          error: succeeded ? undefined : { message: str(details.error) ?? 'tool call failed' },
          parameters: details.input,
          output: details.output,
        },
        options,
      ),
    );
    return;
  }

  const attributes: Record<string, string | number | boolean> = {
    [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.workatoLog,
    [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.workatoLog,
    [ATTR_FLOWTRACE_LOG_SOURCE]: source,
  };
  for (const [key, value] of Object.entries(e)) {
    if (key === 'data' || value === null || value === undefined || typeof value === 'object') continue;
    attributes[`${W}${key}`] = value as string | number | boolean;
  }
  const safe = redactValue(data) as Json;
  for (const [key, value] of Object.entries(safe)) {
    if (key === 'message' || value === null || value === undefined) continue;
    attributes[`${W}data.${key}`] = typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean);
  }
  const body = str(data.message) ?? str(data.error_message) ?? (isObject(data.output) ? str(data.output.message) : undefined) ?? str(e.operation) ?? `${source} event`;
  const log: LogSpec = { time, severityNumber, severityText, eventName: `workato.${source}`, body, attributes };

  const jobHandle = str(e.job_handle);
  if (source === 'job' && jobHandle) {
    // A logger message inside a job: part of the job's trace, under its line.
    const traceId = traceIdFor('job', jobHandle);
    out.traces.push({ traceId, spans: [], logs: [{ ...log, spanKey: e.line_number === undefined ? 'root' : `line:${e.line_number}` }] });
    return;
  }
  if (source === 'data-pipeline-conductor' && typeof e.pipeline_object_run_id === 'string') {
    out.traces.push(dataPipelineTrace(e, data, log));
    return;
  }
  out.logs.push(log);
}

/** A data pipeline object run as a trace of its own, fed by its events. */
function dataPipelineTrace(e: Json, data: Json, log: LogSpec): TraceSpec {
  const context = isObject(data.context) ? data.context : {};
  const start = parseTime(context.start_time) ?? log.time;
  const end = parseTime(context.end_time);
  const failed = Boolean(data.error_message);
  const traceId = traceIdFor('data_pipeline_run', String(e.pipeline_object_run_id));
  return {
    traceId,
    spans: [
      {
        key: 'root',
        name: `pipeline ${String(e.pipeline_object_name ?? context.object_name ?? '')}`.trim(),
        kind: SpanKind.INTERNAL,
        startTime: start,
        endTime: end,
        attributes: {
          [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.dataPipelineRun,
          [ATTR_FLOWTRACE_STATUS]: String(e.pipeline_event_type ?? context.event ?? ''),
          [`${W}pipeline_id`]: String(e.pipeline_id ?? ''),
          [`${W}pipeline_sync_id`]: String(e.pipeline_sync_id ?? ''),
          ...(context.source ? { [`${W}source`]: String(context.source) } : {}),
          ...(context.destination ? { [`${W}destination`]: String(context.destination) } : {}),
          ...(data.sync_mode ? { [`${W}sync_mode`]: String(data.sync_mode) } : {}),
        },
        status: failed ? { code: SpanStatusCode.ERROR, message: String(data.error_message) } : undefined,
      },
    ],
    logs: [{ ...log, spanKey: 'root', eventName: String(e.pipeline_event_type ?? log.eventName) }],
  };
}

/** An item of no known shape is kept as a log with its JSON (redacted) as the body. */
function unknownLog(value: Json, receivedAt: number): LogSpec {
  const time = parseTime(value.date_time) ?? parseTime(value.timestamp) ?? parseTime(value.created_at) ?? receivedAt;
  return {
    time,
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    eventName: typeof value.event_type === 'string' ? value.event_type : typeof value.event === 'string' ? value.event : 'workato.unknown',
    body: JSON.stringify(redactValue(value)),
    attributes: { [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.workatoLog, [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.workatoLog, [ATTR_FLOWTRACE_LOG_SOURCE]: 'unknown' },
  };
}

/** One genie event as the part of its run it reports. */
function mapGenieEvent(e: Json, at: (field: string, text: unknown) => number, options: CaptureOptions, out: Mapped): void {
  const type = String(e.event_type);
  const time = at('date_time', e.date_time);
  const conversationId = String(e.conversation_id ?? '');
  const requestId = str(e.request_id);
  const runId = str(e.genie_run_id);
  const data = e.data;
  const dataObject = isObject(data) ? data : {};
  const run: AgentRun = {
    runId: runId ?? '',
    agentId: String(e.genie_id ?? e.genie_handle ?? ''),
    conversationId,
    userId: str(e.identity_user_id),
    appType: str(e.app_type),
    requestId,
  };
  switch (type) {
    case 'genie_run_start':
      Object.assign(run, {
        startedAt: time,
        trigger: str(e.genie_run_trigger),
        testRun: bool(e.test_run),
        firstRunInConversation: bool(e.first_run_in_conversation),
        executor: typeof e.genie_executor_id === 'string' ? { type: String(e.genie_executor ?? ''), jobId: e.genie_executor_id, relatedId: str(e.genie_executor_related_id) } : undefined,
      });
      break;
    case 'genie_run_finish':
      Object.assign(run, { endedAt: time, testRun: bool(e.test_run), firstRunInConversation: bool(e.first_run_in_conversation) });
      break;
    case 'llm_call_started':
      run.llmCalls = [{ callId: String(e.llm_call_id), stage: str(e.stage), startedAt: time, result: str(e.call_result), prompt: data }];
      break;
    case 'llm_call_completed':
      run.llmCalls = [{ callId: String(e.llm_call_id), stage: str(e.stage), model: str(e.model_name), endedAt: time, inputTokens: num(e.input_tokens), outputTokens: num(e.output_tokens), result: str(e.call_result), completion: data }];
      break;
    case 'tool_execution_started':
      run.toolExecutions = [{ callId: String(e.tool_call_id), name: String(e.tool_name ?? ''), type: toolType(e.tool_type), description: str(e.tool_description), startedAt: time, result: str(e.call_result), arguments: data, externalToolIds: Array.isArray(e.external_tool_ids) ? e.external_tool_ids.map(String) : undefined }];
      break;
    case 'tool_execution_completed':
      run.toolExecutions = [{ callId: String(e.tool_call_id), name: String(e.tool_name ?? ''), type: toolType(e.tool_type), endedAt: time, result: str(e.call_result), output: data }];
      break;
    case 'genie_skill_run':
      run.toolExecutions = [{ callId: String(e.tool_call_id), name: '', startedAt: parseTime(e.event_ts) ?? time, skillJobId: str(e.job_id) }];
      break;
    case 'guardrail_evaluated':
      run.guardrails = (Array.isArray(dataObject.results) ? dataObject.results.filter(isObject) : []).map((r) => ({
        at: time,
        policyType: String(r.policy_type ?? 'unknown'),
        action: String(r.action ?? 'unknown'),
        direction: String(r.direction ?? ''),
        executionTimeMs: num(r.execution_time_ms),
        stepId: str(r.evaluated_step_id),
        severity: str(r.severity),
      }));
      break;
    case 'user_message':
      run.messages = [{ at: time, role: 'user', text: str(dataObject.message) }];
      break;
    case 'system_message':
      run.messages = [{ at: time, role: 'system', text: typeof data === 'string' ? data : str(dataObject.message), toolCallId: str(e.tool_call_id), toolName: str(e.tool_name) }];
      break;
    case 'structured_output_formatting_started':
      run.structuredOutput = { startedAt: time, schema: str(dataObject.output_schema), draft: dataObject.message };
      break;
    case 'structured_output_formatting_completed':
      run.structuredOutput = { endedAt: time, output: dataObject.message };
      break;
    case 'topic_assigned':
      run.topic = { at: time, topic: typeof data === 'string' ? data : JSON.stringify(data) };
      break;
    default:
      out.logs.push(unknownLog(e, time));
      return;
  }
  if (!runId || runId === 'unknown') {
    if (requestId && type === 'topic_assigned') {
      out.topics.push({ conversationId, requestId, run });
      return;
    }
    if (requestId) {
      // Only topic_assigned is known to come without its run (and is joined to it by request);
      // another event that does is kept as it came, a log, rather than guessed into a run.
      out.logs.push(unknownLog(e, time));
      return;
    }
    throw new WorkatoParseError(`${type}: has neither a genie_run_id nor a request_id to join its run by`);
  }
  if (requestId) out.runsByRequest.set(requestKey(conversationId, requestId), { runId, time });
  out.traces.push(agentRunTrace(run, options));
}

function toolType(value: unknown): 'BUILTIN' | 'EXTERNAL' | undefined {
  return value === 'BUILTIN' || value === 'EXTERNAL' ? value : undefined;
}

/** Several batches' mappings as one. */
export function mergeMapped(parts: Mapped[]): Mapped {
  const out: Mapped = { traces: [], logs: [], topics: [], runsByRequest: new Map(), counts: {} };
  for (const part of parts) {
    out.traces.push(...part.traces);
    out.logs.push(...part.logs);
    out.topics.push(...part.topics);
    for (const [key, run] of part.runsByRequest) out.runsByRequest.set(key, run);
    for (const [kind, n] of Object.entries(part.counts)) out.counts[kind] = (out.counts[kind] ?? 0) + n;
  }
  return out;
}
