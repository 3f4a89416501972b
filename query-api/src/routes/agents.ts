import { z } from 'zod';
import { FLOWTRACE_KIND } from '@flowtrace/conventions/semconv';
import { notFound } from '../http/errors.js';
import { AGENT_RUN_ATTRIBUTES, toAgentRun, toAgentRunDetail } from '../converters/agents.js';
import { filterValue, oneOrMore, orderedRange, projectIdParam } from '../schemas.js';
import { executionPage, listAnswer, listPaging, listResponse, loadExecution, projectGet, type RouteContext } from './context.js';

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
        AGENT_RUN_ATTRIBUTES,
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
      const { execution, timeline } = await loadExecution(ctx, projectId, FLOWTRACE_KIND.agentRun, { executionId: runId }, 'agent run');
      res.json(toAgentRunDetail(execution, timeline));
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
      const page = await executionPage(ctx, projectId, FLOWTRACE_KIND.agentRun, { ...q, sortBy: 'ASC' }, { rows: { conversationId } }, AGENT_RUN_ATTRIBUTES);
      if (page.total === 0) throw notFound('conversation');
      res.json({ conversationId, ...listAnswer(ctx, req, { ...q, sortBy: 'ASC' }, 'agentRuns', page, page.rows.map(toAgentRun)) });
    },
  );
}
