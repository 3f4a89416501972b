import { z } from 'zod';
import { FLOWTRACE_KIND } from '@flowtrace/instrumentation/semconv';
import { notFound } from '../http/errors.js';
import { findExecution, type ExecutionRow } from '../repositories/executions.js';
import { findTrace } from '../repositories/traces.js';
import { toTimeline, type TimelineSpan } from '../converters/trace.js';
import { filterValue, oneOrMore, orderedRange, projectIdParam } from '../schemas.js';
import { numberOrNull, parseCaptured } from '../converters/values.js';
import { executionPage, isoMillis, listAnswer, listPaging, listResponse, projectGet, type RouteContext } from './context.js';

export const AGENT_RUN_STATUSES = ['SUCCESS', 'FAILED', 'ERROR', 'CANCELLED', 'TIMEOUT'] as const;

const runsQuery = z
  .strictObject({
    agentId: filterValue.optional(),
    conversationId: filterValue.optional(),
    userId: filterValue.optional(),
    status: oneOrMore(AGENT_RUN_STATUSES).optional(),
    ...listPaging,
  })
  .superRefine(orderedRange('from', 'to'));

const agentRun = z.object({
  runId: z.string(),
  traceId: z.string(),
  agentId: z.string(),
  agentName: z.string().nullable(),
  conversationId: z.string(),
  userId: z.string(),
  status: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: z.number(),
});
const llmCall = z.object({
  callId: z.string().nullable(),
  model: z.string().nullable(),
  stage: z.string().nullable(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  latencyMs: z.number(),
  startedAt: z.string(),
  result: z.string().nullable(),
  guardrails: z.array(z.object({ policy: z.string(), action: z.string(), direction: z.string().nullable(), severity: z.string().nullable(), at: z.string() })),
});
const toolExecution = z.object({
  callId: z.string().nullable(),
  name: z.string(),
  type: z.string().nullable(),
  result: z.string().nullable(),
  startedAt: z.string(),
  durationMs: z.number(),
  output: z.unknown().optional(),
  job: z.object({ jobId: z.string(), traceId: z.string() }).nullable().meta({ description: 'the recipe job a skill started: its trace' }),
});
const runDetail = agentRun.extend({
  tokens: z.object({ input: z.number(), output: z.number() }),
  topic: z.string().nullable(),
  llmCalls: z.array(llmCall),
  toolExecutions: z.array(toolExecution),
  guardrails: z.array(z.object({ policy: z.string(), action: z.string(), direction: z.string().nullable(), severity: z.string().nullable(), at: z.string() })),
  messages: z.array(z.object({ timestamp: z.string(), role: z.string(), text: z.string().nullable(), toolName: z.string().nullable() })),
  structuredOutput: z.object({ startedAt: z.string(), durationMs: z.number(), schema: z.string().nullable() }).nullable(),
});

export function agentRoutes(ctx: RouteContext): void {
  const base = '/projects/:projectId';

  projectGet(
    ctx,
    `${base}/agent-runs`,
    { tag: 'Agents', summary: 'Agent runs by agent, conversation, user, status and date', params: z.strictObject({ projectId: projectIdParam }), query: runsQuery, response: listResponse('agentRuns', agentRun) },
    async (req, res) => {
      const q = res.locals.query as z.output<typeof runsQuery>;
      const page = await executionPage(
        ctx,
        res.locals.params.projectId,
        FLOWTRACE_KIND.agentRun,
        q,
        { rollup: { status: q.status }, rows: { agentId: q.agentId, conversationId: q.conversationId, userId: q.userId } },
        ['gen_ai.agent.name'],
      );
      res.json(listAnswer(ctx, req, q, 'agentRuns', page, page.rows.map(toAgentRun)));
    },
  );

  projectGet(
    ctx,
    `${base}/agent-runs/:runId`,
    {
      tag: 'Agents',
      summary: 'One agent run: LLM calls (model, stage, tokens, latency), tool executions and their results, guardrails, messages, linked recipe jobs',
      params: z.strictObject({ projectId: projectIdParam, runId: filterValue }),
      response: runDetail,
    },
    async (_req, res) => {
      const { projectId, runId } = res.locals.params;
      const run = await findExecution(ctx.store, projectId, FLOWTRACE_KIND.agentRun, { executionId: runId });
      if (!run) throw notFound('agent run');
      const records = await findTrace(ctx.store, projectId, run.traceId);
      if (!records) throw notFound('agent run');
      const timeline = toTimeline(run.traceId, records);
      const op = (s: TimelineSpan) => s.attributes['gen_ai.operation.name'];
      const guardrailSpans = timeline.spans.filter((s) => s.attributes['flowtrace.guardrail.policy'] !== undefined);
      const root = timeline.spans.find((s) => s.spanId === run.spanId);
      const llmCalls = timeline.spans.filter((s) => op(s) === 'chat');
      const tokens = (name: string) => llmCalls.reduce((sum, s) => sum + Number(s.attributes[name] ?? 0), 0);
      const structured = timeline.spans.find((s) => s.name === 'format_output');
      res.json({
        ...toAgentRun(run),
        agentName: root?.attributes['gen_ai.agent.name'] ?? null,
        tokens: { input: tokens('gen_ai.usage.input_tokens'), output: tokens('gen_ai.usage.output_tokens') },
        topic: root?.attributes['flowtrace.agent.topic'] ?? null,
        llmCalls: llmCalls.map((s) => ({
          callId: s.attributes['flowtrace.llm.call_id'] ?? null,
          model: s.attributes['gen_ai.request.model'] ?? null,
          stage: s.attributes['flowtrace.llm.stage'] ?? null,
          inputTokens: numberOrNull(s.attributes['gen_ai.usage.input_tokens']),
          outputTokens: numberOrNull(s.attributes['gen_ai.usage.output_tokens']),
          latencyMs: s.durationMs,
          startedAt: s.startTime,
          result: s.attributes['flowtrace.call_result'] ?? null,
          guardrails: guardrailSpans.filter((g) => g.parentSpanId === s.spanId).map(toGuardrail),
        })),
        toolExecutions: timeline.spans.filter((s) => op(s) === 'execute_tool').map((s) => {
          const link = s.links.find((l) => l.attributes['flowtrace.link'] === 'skill_job');
          return {
            callId: s.attributes['gen_ai.tool.call.id'] ?? null,
            name: s.attributes['gen_ai.tool.name'] ?? s.name,
            type: s.attributes['flowtrace.tool.type'] ?? null,
            result: s.attributes['flowtrace.call_result'] ?? null,
            startedAt: s.startTime,
            durationMs: s.durationMs,
            ...(s.attributes['flowtrace.output'] !== undefined ? { output: parseCaptured(s.attributes['flowtrace.output']) } : {}),
            job: link ? { jobId: s.attributes['flowtrace.job.id'] ?? '', traceId: link.traceId } : null,
          };
        }),
        guardrails: guardrailSpans.map(toGuardrail),
        messages: timeline.logs
          .filter((l) => l.eventName === 'user_message' || l.eventName === 'system_message')
          .map((l) => ({ timestamp: l.timestamp, role: l.eventName.replace('_message', ''), text: l.attributes['flowtrace.message'] ?? null, toolName: l.attributes['gen_ai.tool.name'] ?? null })),
        structuredOutput: structured ? { startedAt: structured.startTime, durationMs: structured.durationMs, schema: structured.attributes['flowtrace.output.schema'] ?? null } : null,
      });
    },
  );

  projectGet(
    ctx,
    `${base}/conversations/:conversationId`,
    {
      tag: 'Agents',
      summary: 'A conversation: its agent runs in order',
      params: z.strictObject({ projectId: projectIdParam, conversationId: filterValue }),
      query: z.strictObject({ offset: listPaging.offset, limit: listPaging.limit }),
      response: z.object({ conversationId: z.string(), agentRuns: z.array(agentRun), total: z.number(), nextLink: z.string().optional() }),
    },
    async (req, res) => {
      const { projectId, conversationId } = res.locals.params;
      const q = res.locals.query as { offset: number; limit: number };
      const page = await executionPage(ctx, projectId, FLOWTRACE_KIND.agentRun, { ...q, sortBy: 'ASC' }, { rows: { conversationId } }, ['gen_ai.agent.name']);
      if (page.total === 0) throw notFound('conversation');
      res.json({ conversationId, ...listAnswer(ctx, req, { ...q, sortBy: 'ASC' }, 'agentRuns', page, page.rows.map(toAgentRun)) });
    },
  );
}

function toAgentRun(row: ExecutionRow) {
  return {
    runId: row.executionId,
    traceId: row.traceId,
    agentId: row.agentId,
    agentName: row.attributes['gen_ai.agent.name'] ?? null,
    conversationId: row.conversationId,
    userId: row.userId,
    status: row.status,
    startedAt: isoMillis(row.startMs),
    endedAt: isoMillis(row.endMs),
    durationMs: row.durationMs,
  };
}

function toGuardrail(s: TimelineSpan) {
  return {
    policy: s.attributes['flowtrace.guardrail.policy']!,
    action: s.attributes['flowtrace.guardrail.action'] ?? '',
    direction: s.attributes['flowtrace.guardrail.direction'] ?? null,
    severity: s.attributes['flowtrace.guardrail.severity'] ?? null,
    at: s.endTime,
  };
}

