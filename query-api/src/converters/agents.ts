import {
  ATTR_FLOWTRACE_CALL_RESULT,
  ATTR_FLOWTRACE_GUARDRAIL_ACTION,
  ATTR_FLOWTRACE_GUARDRAIL_DIRECTION,
  ATTR_FLOWTRACE_GUARDRAIL_POLICY,
  ATTR_FLOWTRACE_GUARDRAIL_SEVERITY,
  ATTR_FLOWTRACE_JOB_ID,
  ATTR_FLOWTRACE_LINK,
  ATTR_FLOWTRACE_LLM_CALL_ID,
  ATTR_FLOWTRACE_LLM_STAGE,
  ATTR_FLOWTRACE_MESSAGE,
  ATTR_FLOWTRACE_OUTPUT,
  ATTR_FLOWTRACE_OUTPUT_SCHEMA,
  ATTR_FLOWTRACE_TOOL_TYPE,
  ATTR_FLOWTRACE_TOPIC,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_OPERATION,
  LINK_REASON,
} from '@flowtrace/conventions/semconv';
import type { ExecutionRow } from '../repositories/executions.js';
import type { Timeline, TimelineSpan } from './trace.js';
import { numberOrNull, parseCaptured } from './values.js';
import { isoFromNanos, msBetween } from './time.js';

/** Root span attributes the agent run list reads beside the columns. */
export const AGENT_RUN_ATTRIBUTES = [ATTR_GEN_AI_AGENT_NAME] as const;

/** The log event names of the messages of a conversation, and the role each gives. */
const MESSAGE_EVENTS: Record<string, string> = { user_message: 'user', system_message: 'system' };
/** The span of the structured-output step of a run. */
const STRUCTURED_OUTPUT_SPAN = 'format_output';

export function toAgentRun(row: ExecutionRow) {
  return {
    runId: row.executionId,
    traceId: row.traceId,
    agentId: row.agentId,
    agentName: row.attributes[ATTR_GEN_AI_AGENT_NAME] ?? null,
    conversationId: row.conversationId,
    userId: row.userId,
    status: row.status,
    startedAt: isoFromNanos(row.startNanos),
    endedAt: isoFromNanos(row.endNanos),
    durationMs: msBetween(row.startNanos, row.endNanos),
  };
}

/** One run: its LLM calls, tool executions (and the recipe jobs their skills started), guardrails, messages. */
export function toAgentRunDetail(run: ExecutionRow, timeline: Timeline) {
  const op = (s: TimelineSpan) => s.attributes[ATTR_GEN_AI_OPERATION_NAME];
  const guardrailSpans = timeline.spans.filter((s) => s.attributes[ATTR_FLOWTRACE_GUARDRAIL_POLICY] !== undefined);
  const root = timeline.spans.find((s) => s.spanId === run.spanId);
  const llmCalls = timeline.spans.filter((s) => op(s) === GEN_AI_OPERATION.chat);
  const tokens = (name: string) => llmCalls.reduce((sum, s) => sum + Number(s.attributes[name] ?? 0), 0);
  const structured = timeline.spans.find((s) => s.name === STRUCTURED_OUTPUT_SPAN);
  return {
    ...toAgentRun(run),
    agentName: root?.attributes[ATTR_GEN_AI_AGENT_NAME] ?? null,
    tokens: { input: tokens(ATTR_GEN_AI_USAGE_INPUT_TOKENS), output: tokens(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS) },
    topic: root?.attributes[ATTR_FLOWTRACE_TOPIC] ?? null,
    llmCalls: llmCalls.map((s) => ({
      callId: s.attributes[ATTR_FLOWTRACE_LLM_CALL_ID] ?? null,
      model: s.attributes[ATTR_GEN_AI_REQUEST_MODEL] ?? null,
      stage: s.attributes[ATTR_FLOWTRACE_LLM_STAGE] ?? null,
      inputTokens: numberOrNull(s.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]),
      outputTokens: numberOrNull(s.attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]),
      latencyMs: s.durationMs,
      startedAt: s.startTime,
      result: s.attributes[ATTR_FLOWTRACE_CALL_RESULT] ?? null,
      guardrails: guardrailSpans.filter((g) => g.parentSpanId === s.spanId).map(toGuardrail),
    })),
    toolExecutions: timeline.spans.filter((s) => op(s) === GEN_AI_OPERATION.executeTool).map(toToolExecution),
    guardrails: guardrailSpans.map(toGuardrail),
    messages: timeline.logs
      .filter((l) => MESSAGE_EVENTS[l.eventName] !== undefined)
      .map((l) => ({ timestamp: l.timestamp, role: MESSAGE_EVENTS[l.eventName]!, text: l.attributes[ATTR_FLOWTRACE_MESSAGE] ?? null, toolName: l.attributes[ATTR_GEN_AI_TOOL_NAME] ?? null })),
    structuredOutput: structured ? { startedAt: structured.startTime, durationMs: structured.durationMs, schema: structured.attributes[ATTR_FLOWTRACE_OUTPUT_SCHEMA] ?? null } : null,
  };
}

function toToolExecution(s: TimelineSpan) {
  const link = s.links.find((l) => l.attributes[ATTR_FLOWTRACE_LINK] === LINK_REASON.skillJob);
  return {
    callId: s.attributes[ATTR_GEN_AI_TOOL_CALL_ID] ?? null,
    name: s.attributes[ATTR_GEN_AI_TOOL_NAME] ?? s.name,
    type: s.attributes[ATTR_FLOWTRACE_TOOL_TYPE] ?? null,
    result: s.attributes[ATTR_FLOWTRACE_CALL_RESULT] ?? null,
    startedAt: s.startTime,
    durationMs: s.durationMs,
    ...(s.attributes[ATTR_FLOWTRACE_OUTPUT] !== undefined ? { output: parseCaptured(s.attributes[ATTR_FLOWTRACE_OUTPUT]) } : {}),
    job: link ? { jobId: s.attributes[ATTR_FLOWTRACE_JOB_ID] ?? '', traceId: link.traceId } : null,
  };
}

function toGuardrail(s: TimelineSpan) {
  return {
    policy: s.attributes[ATTR_FLOWTRACE_GUARDRAIL_POLICY]!,
    action: s.attributes[ATTR_FLOWTRACE_GUARDRAIL_ACTION] ?? '',
    direction: s.attributes[ATTR_FLOWTRACE_GUARDRAIL_DIRECTION] ?? null,
    severity: s.attributes[ATTR_FLOWTRACE_GUARDRAIL_SEVERITY] ?? null,
    at: s.endTime,
  };
}
