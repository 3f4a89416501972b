import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { OK, SpanKind, TraceBuilder, attrs, error } from '../builder.js';
import { rootSpanIdOf, traceIdFor } from '../ids.js';
import { capturedJson } from '../redact.js';
import { NO_CAPTURE, toMillis, type CaptureOptions, type Time, type TraceSpec } from '../model.js';
import {
  ATTR_FLOWTRACE_AGENT_APP_TYPE,
  ATTR_FLOWTRACE_AGENT_FIRST_RUN,
  ATTR_FLOWTRACE_TOOL_EXTERNAL_IDS,
  ATTR_FLOWTRACE_GUARDRAIL_SEVERITY,
  ATTR_FLOWTRACE_OUTPUT_SCHEMA,
  ATTR_FLOWTRACE_AGENT_RUN_ID,
  ATTR_FLOWTRACE_AGENT_RUN_TRIGGER,
  ATTR_FLOWTRACE_CALL_RESULT,
  ATTR_FLOWTRACE_GUARDRAIL_ACTION,
  ATTR_FLOWTRACE_GUARDRAIL_DIRECTION,
  ATTR_FLOWTRACE_GUARDRAIL_POLICY,
  ATTR_FLOWTRACE_INPUT,
  ATTR_FLOWTRACE_JOB_ID,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_LINK,
  ATTR_FLOWTRACE_LLM_CALL_ID,
  ATTR_FLOWTRACE_LLM_STAGE,
  ATTR_FLOWTRACE_LOG_TYPE,
  ATTR_FLOWTRACE_MESSAGE,
  ATTR_FLOWTRACE_OUTPUT,
  ATTR_FLOWTRACE_REQUEST_ID,
  ATTR_FLOWTRACE_STATUS,
  ATTR_FLOWTRACE_TEST_RUN,
  ATTR_FLOWTRACE_TOOL_TYPE,
  ATTR_FLOWTRACE_TOPIC,
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_DESCRIPTION,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_USER_ID,
  FLOWTRACE_KIND,
  GEN_AI_OPERATION,
  LOG_TYPE,
} from '../semconv.js';
import { jobTraceId } from './jobs.js';

export interface LlmCall {
  callId: string;
  /** USER_QUERY, MID_EXECUTION or AGENT_RESPONSE. */
  stage?: string;
  model?: string;
  startedAt?: Time;
  endedAt?: Time;
  inputTokens?: number;
  outputTokens?: number;
  /** SUCCESS, or the failure the source reports. */
  result?: string;
  /** The prompt and history sent: kept only with content capture on. */
  prompt?: unknown;
  /** The answer (text and tool calls): kept only with content capture on. */
  completion?: unknown;
}

export interface ToolExecution {
  callId: string;
  name: string;
  /** BUILTIN (a platform tool) or EXTERNAL (a recipe skill). */
  type?: 'BUILTIN' | 'EXTERNAL';
  description?: string;
  startedAt?: Time;
  endedAt?: Time;
  result?: string;
  /** Kept only with content capture on. */
  arguments?: unknown;
  /** Kept only with content capture on. */
  output?: unknown;
  /** A skill's recipe job: the tool span links to the job's trace. */
  skillJobId?: string;
  externalToolIds?: string[];
}

export interface GuardrailEvaluation {
  at: Time;
  policyType: string;
  /** passed, blocked, … */
  action: string;
  direction: 'input' | 'output' | string;
  executionTimeMs?: number;
  /** The id of the LLM call it evaluated (its callId): the guardrail span goes under it. */
  stepId?: string;
  severity?: string | null;
}

/**
 * One agent run. Every part is optional but the ids: the SDK reports a whole
 * run, while an event stream (Workato genie events) reports one part at a time,
 * and each part becomes the spans and logs it would have been in the whole.
 * Spans whose start or end a part does not know are fragments; readers merge
 * fragments of one span id.
 */
export interface AgentRun {
  runId: string;
  agentId: string;
  agentName?: string;
  conversationId: string;
  userId?: string;
  /** slack, genie_task, … */
  appType?: string;
  /** user, genie_task */
  trigger?: string;
  requestId?: string;
  startedAt?: Time;
  endedAt?: Time;
  /** SUCCESS or FAILED. */
  status?: string;
  testRun?: boolean;
  firstRunInConversation?: boolean;
  /** The recipe job that assigned the task (genie_task runs). */
  executor?: { type: string; jobId: string; relatedId?: string };
  topic?: { at: Time; topic: string };
  messages?: Array<{ at: Time; role: 'user' | 'system'; text?: string; toolCallId?: string; toolName?: string }>;
  llmCalls?: LlmCall[];
  toolExecutions?: ToolExecution[];
  guardrails?: GuardrailEvaluation[];
  structuredOutput?: { startedAt?: Time; endedAt?: Time; schema?: string; draft?: unknown; output?: unknown };
}

export const agentRunTraceId = (runId: string) => traceIdFor('agent_run', runId);

const span = (startedAt: Time | undefined, endedAt: Time | undefined) => {
  const start = startedAt ?? endedAt;
  return start === undefined ? undefined : { startTime: toMillis(start), endTime: endedAt === undefined ? undefined : toMillis(endedAt) };
};

/**
 * An agent run as a trace: `invoke_agent` at the root, `chat {model}` per LLM
 * call, `execute_tool {name}` per tool (linked to the recipe job a skill
 * started), guardrail evaluations under the call they checked, structured
 * output formatting, and logs named after the source's event types.
 */
export function agentRunTrace(run: AgentRun, options: CaptureOptions = NO_CAPTURE): TraceSpec {
  const content = (value: unknown) => (options.captureContent && value !== undefined && value !== null ? capturedJson(value) : undefined);
  const b = new TraceBuilder(
    agentRunTraceId(run.runId),
    attrs({
      [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.agentRun,
      [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.agent,
      [ATTR_FLOWTRACE_AGENT_RUN_ID]: run.runId,
      [ATTR_GEN_AI_AGENT_ID]: run.agentId,
      [ATTR_GEN_AI_AGENT_NAME]: run.agentName,
      [ATTR_GEN_AI_CONVERSATION_ID]: run.conversationId,
      [ATTR_USER_ID]: run.userId,
      [ATTR_FLOWTRACE_AGENT_APP_TYPE]: run.appType,
      [ATTR_FLOWTRACE_REQUEST_ID]: run.requestId,
    }),
  );
  const failed = run.status !== undefined && run.status !== 'SUCCESS';
  const root = 'root';
  const rootTimes = span(run.startedAt, run.endedAt);
  if (rootTimes) {
    b.root({
      name: `${GEN_AI_OPERATION.invokeAgent} ${run.agentName ?? run.agentId}`,
      kind: SpanKind.INTERNAL,
      ...rootTimes,
      attributes: attrs({
        [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION.invokeAgent,
        [ATTR_FLOWTRACE_STATUS]: run.status,
        [ATTR_FLOWTRACE_AGENT_RUN_TRIGGER]: run.trigger,
        [ATTR_FLOWTRACE_TEST_RUN]: run.testRun,
        [ATTR_FLOWTRACE_TOPIC]: run.topic?.topic,
        [ATTR_FLOWTRACE_JOB_ID]: run.executor?.jobId,
        [ATTR_ERROR_TYPE]: failed ? run.status : undefined,
      }),
      status: failed ? error(`agent run ${run.status}`) : run.endedAt !== undefined ? OK : undefined,
      links: run.executor ? [{ traceId: jobTraceId(run.executor.jobId), spanId: rootSpanIdOf(jobTraceId(run.executor.jobId)), attributes: { [ATTR_FLOWTRACE_LINK]: 'assigned_by_job' } }] : undefined,
    });
  }
  const runAttrs = attrs({ [ATTR_FLOWTRACE_AGENT_RUN_TRIGGER]: run.trigger, [ATTR_FLOWTRACE_TEST_RUN]: run.testRun, [ATTR_FLOWTRACE_AGENT_FIRST_RUN]: run.firstRunInConversation });
  if (run.startedAt !== undefined) b.log(root, toMillis(run.startedAt), 'INFO', 'genie_run_start', 'Agent run started', runAttrs);
  if (run.endedAt !== undefined) b.log(root, toMillis(run.endedAt), failed ? 'ERROR' : 'INFO', 'genie_run_finish', 'Agent run finished', attrs({ ...runAttrs, [ATTR_FLOWTRACE_STATUS]: run.status }));
  if (run.topic) b.log(root, toMillis(run.topic.at), 'INFO', 'topic_assigned', `Topic assigned: ${run.topic.topic}`, { [ATTR_FLOWTRACE_TOPIC]: run.topic.topic });

  for (const message of run.messages ?? []) {
    b.log(root, toMillis(message.at), 'INFO', `${message.role}_message`, message.role === 'user' ? 'User message received' : 'Agent replied to the user', attrs({
      [ATTR_FLOWTRACE_MESSAGE]: options.captureContent ? message.text : undefined,
      [ATTR_GEN_AI_TOOL_CALL_ID]: message.toolCallId,
      [ATTR_GEN_AI_TOOL_NAME]: message.toolName,
    }));
  }

  for (const call of run.llmCalls ?? []) {
    const times = span(call.startedAt, call.endedAt);
    if (!times) continue;
    const callFailed = call.result !== undefined && call.result !== 'SUCCESS';
    const key = b.span({
      key: `llm:${call.callId}`,
      parentKey: root,
      name: call.model ? `${GEN_AI_OPERATION.chat} ${call.model}` : GEN_AI_OPERATION.chat,
      kind: SpanKind.CLIENT,
      ...times,
      attributes: attrs({
        [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION.chat,
        [ATTR_GEN_AI_REQUEST_MODEL]: call.model,
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: call.inputTokens,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: call.outputTokens,
        [ATTR_FLOWTRACE_LLM_STAGE]: call.stage,
        [ATTR_FLOWTRACE_LLM_CALL_ID]: call.callId,
        [ATTR_FLOWTRACE_CALL_RESULT]: call.result,
        [ATTR_FLOWTRACE_INPUT]: content(call.prompt),
        [ATTR_FLOWTRACE_OUTPUT]: content(call.completion),
        [ATTR_ERROR_TYPE]: callFailed ? call.result : undefined,
      }),
      status: callFailed ? error(call.result) : call.endedAt !== undefined ? OK : undefined,
    });
    const detail = attrs({ [ATTR_FLOWTRACE_LLM_CALL_ID]: call.callId, [ATTR_FLOWTRACE_LLM_STAGE]: call.stage, [ATTR_FLOWTRACE_CALL_RESULT]: call.result });
    if (call.startedAt !== undefined) b.log(key, toMillis(call.startedAt), 'INFO', 'llm_call_started', 'LLM call started', detail);
    if (call.endedAt !== undefined) {
      b.log(key, toMillis(call.endedAt), callFailed ? 'ERROR' : 'INFO', 'llm_call_completed', 'LLM call completed', attrs({
        ...detail,
        [ATTR_GEN_AI_REQUEST_MODEL]: call.model,
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: call.inputTokens,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: call.outputTokens,
      }));
    }
  }

  for (const tool of run.toolExecutions ?? []) {
    const times = span(tool.startedAt, tool.endedAt);
    if (!times) continue;
    const toolFailed = tool.result !== undefined && tool.result !== 'SUCCESS';
    const jobLink = tool.skillJobId ? [{ traceId: jobTraceId(tool.skillJobId), spanId: rootSpanIdOf(jobTraceId(tool.skillJobId)), attributes: { [ATTR_FLOWTRACE_LINK]: 'skill_job' } }] : undefined;
    const key = b.span({
      key: `tool:${tool.callId}`,
      parentKey: root,
      // A part that does not name its tool (a skill run) leaves the name to the part that does.
      name: `${GEN_AI_OPERATION.executeTool} ${tool.name}`.trim(),
      kind: SpanKind.INTERNAL,
      ...times,
      attributes: attrs({
        [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION.executeTool,
        [ATTR_GEN_AI_TOOL_NAME]: tool.name,
        [ATTR_GEN_AI_TOOL_CALL_ID]: tool.callId,
        [ATTR_GEN_AI_TOOL_DESCRIPTION]: tool.description,
        [ATTR_FLOWTRACE_TOOL_TYPE]: tool.type,
        [ATTR_FLOWTRACE_CALL_RESULT]: tool.result,
        [ATTR_FLOWTRACE_JOB_ID]: tool.skillJobId,
        [ATTR_FLOWTRACE_TOOL_EXTERNAL_IDS]: tool.externalToolIds,
        [ATTR_FLOWTRACE_INPUT]: content(tool.arguments),
        [ATTR_FLOWTRACE_OUTPUT]: content(tool.output),
        [ATTR_ERROR_TYPE]: toolFailed ? tool.result : undefined,
      }),
      status: toolFailed ? error(tool.result) : tool.endedAt !== undefined ? OK : undefined,
      links: jobLink,
    });
    const detail = attrs({ [ATTR_GEN_AI_TOOL_NAME]: tool.name, [ATTR_GEN_AI_TOOL_CALL_ID]: tool.callId, [ATTR_FLOWTRACE_TOOL_TYPE]: tool.type, [ATTR_FLOWTRACE_CALL_RESULT]: tool.result });
    if (tool.startedAt !== undefined) b.log(key, toMillis(tool.startedAt), 'INFO', 'tool_execution_started', `Tool execution started: ${tool.name}`, detail);
    if (tool.endedAt !== undefined) b.log(key, toMillis(tool.endedAt), toolFailed ? 'ERROR' : 'INFO', 'tool_execution_completed', `Tool execution completed: ${tool.name}`, detail);
    if (tool.skillJobId) b.log(key, toMillis((tool.startedAt ?? tool.endedAt)!), 'INFO', 'genie_skill_run', `Skill${tool.name ? ` ${tool.name}` : ''} started recipe job ${tool.skillJobId}`, { ...detail, [ATTR_FLOWTRACE_JOB_ID]: tool.skillJobId });
  }

  (run.guardrails ?? []).forEach((g, i) => {
    const at = toMillis(g.at);
    const blocked = g.action !== 'passed';
    // The step a guardrail evaluated is an LLM call: the guardrail goes under it, even when
    // that call is reported in another part of the run.
    const parent = g.stepId ? `llm:${g.stepId}` : root;
    const detail = attrs({ [ATTR_FLOWTRACE_GUARDRAIL_POLICY]: g.policyType, [ATTR_FLOWTRACE_GUARDRAIL_ACTION]: g.action, [ATTR_FLOWTRACE_GUARDRAIL_DIRECTION]: g.direction, [ATTR_FLOWTRACE_GUARDRAIL_SEVERITY]: g.severity ?? undefined });
    const key = b.span({
      key: `guardrail:${g.stepId ?? ''}:${g.direction}:${g.policyType}:${i}`,
      parentKey: parent,
      name: `guardrail ${g.policyType}`,
      kind: SpanKind.INTERNAL,
      startTime: at - (g.executionTimeMs ?? 0),
      endTime: at,
      attributes: detail,
      status: blocked ? error(`guardrail ${g.policyType} ${g.action}`) : OK,
    });
    b.log(key, at, blocked ? 'WARN' : 'INFO', 'guardrail_evaluated', `Guardrail ${g.policyType} (${g.direction}): ${g.action}`, detail);
  });

  const out = run.structuredOutput;
  const outTimes = out && span(out.startedAt, out.endedAt);
  if (out && outTimes) {
    const key = b.span({
      key: 'structured_output',
      parentKey: root,
      name: 'format_output',
      kind: SpanKind.INTERNAL,
      ...outTimes,
      attributes: attrs({ [ATTR_FLOWTRACE_OUTPUT_SCHEMA]: out.schema, [ATTR_FLOWTRACE_INPUT]: content(out.draft), [ATTR_FLOWTRACE_OUTPUT]: content(out.output) }),
      status: out.endedAt !== undefined ? OK : undefined,
    });
    if (out.startedAt !== undefined) b.log(key, toMillis(out.startedAt), 'INFO', 'structured_output_formatting_started', 'Structured output formatting started');
    if (out.endedAt !== undefined) b.log(key, toMillis(out.endedAt), 'INFO', 'structured_output_formatting_completed', 'Structured output formatting completed');
  }
  return b.build();
}
