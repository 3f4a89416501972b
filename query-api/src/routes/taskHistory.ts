import { z } from 'zod';
import { notFound } from '../http/errors.js';
import { findExecution, listExecutions, type ExecutionRow } from '../repositories/executions.js';
import { findTrace } from '../repositories/traces.js';
import { toTimeline, type Timeline, type TimelineSpan } from '../converters/trace.js';
import { WORKFLOW_STATUSES, filterValue, isoDate, limitParam, offsetParam, oneOrMore, orderedRange, projectIdParam } from '../schemas.js';
import { parseCaptured } from '../converters/values.js';
import { failedResponseBodies, outboundRequest } from '../converters/http.js';
import { isoMillis, listAnswer, projectGet, type RouteContext } from './context.js';

/** Task History pages hold 100 executions, as the API it is compatible with. */
export const TASK_HISTORY_PAGE = 100;
const KIND = 'workflow_execution';

const listQuery = z
  .strictObject({
    integration: filterValue.optional().meta({ description: 'integration name, e.g. salesforce' }),
    userId: filterValue.optional().meta({ description: 'the Connected User' }),
    workflowId: filterValue.optional(),
    status: oneOrMore(WORKFLOW_STATUSES).optional(),
    afterDate: isoDate.optional().meta({ description: 'executions started at or after this time' }),
    beforeDate: isoDate.optional().meta({ description: 'executions started before this time' }),
    sortBy: z.enum(['ASC', 'DESC']).default('ASC').meta({ description: 'by start time' }),
    offset: offsetParam,
    limit: limitParam(TASK_HISTORY_PAGE, TASK_HISTORY_PAGE).meta({ description: 'page size (Flowtrace extension); default and most 100' }),
  })
  .superRefine(orderedRange('afterDate', 'beforeDate'));

const executionParams = z.strictObject({ projectId: projectIdParam, executionId: filterValue });
const stepParams = executionParams.extend({ stepExecutionId: filterValue });

const workflowExecution = z.object({
  id: z.string(),
  userId: z.string(),
  taskCount: z.number(),
  runDuration: z.number().meta({ description: 'milliseconds' }),
  workflowId: z.string(),
  status: z.string(),
  dateEnded: z.string(),
  dateStarted: z.string(),
});

const stepSummary = z.object({
  id: z.string().meta({ description: 'the step execution id (its span id)' }),
  stepId: z.string(),
  name: z.string(),
  status: z.string(),
  taskCount: z.number(),
  runDuration: z.number(),
  dateStarted: z.string(),
  dateEnded: z.string(),
  error: z.string().nullable(),
});

const outboundRequestJson = z.object({
  method: z.string(),
  url: z.string(),
  statusCode: z.number().nullable(),
  runDuration: z.number(),
  dateStarted: z.string(),
  error: z.string().nullable(),
  responseBody: z.unknown().optional().meta({ description: 'only for a failed request, where captured' }),
});

const listResponse = z.object({ workflowExecutions: z.array(workflowExecution), nextLink: z.string().optional(), total: z.number() });
const executionResponse = workflowExecution.extend({
  integration: z.string(),
  workflowName: z.string().nullable(),
  traceId: z.string(),
  error: z.string().nullable(),
  steps: z.array(stepSummary),
});
const stepResponse = stepSummary.extend({
  executionId: z.string(),
  input: z.unknown().nullable(),
  output: z.unknown().nullable(),
  requests: z.array(outboundRequestJson),
  logs: z.array(z.object({ timestamp: z.string(), level: z.string(), message: z.string() })),
});

export function taskHistoryRoutes(ctx: RouteContext): void {
  const base = '/projects/:projectId/task-history/workflow-executions';

  projectGet(
    ctx,
    base,
    {
      tag: 'Task History',
      summary: 'Workflow executions, filtered, 100 a page',
      description: 'Drop-in compatible with the Task History API. `nextLink` carries the same filters and is absent on the last page. Any page is as fast as the first.',
      params: z.strictObject({ projectId: projectIdParam }),
      query: listQuery,
      response: listResponse,
    },
    async (req, res) => {
      const { projectId } = res.locals.params;
      const q = res.locals.query as z.output<typeof listQuery>;
      const page = await listExecutions(ctx.store, {
        projectId,
        kind: KIND,
        from: q.afterDate,
        to: q.beforeDate,
        rollup: { integration: q.integration, status: q.status, workflowId: q.workflowId },
        rows: { userId: q.userId },
        order: q.sortBy,
        offset: q.offset,
        limit: q.limit,
      });
      res.json(listAnswer(ctx, req, q, 'workflowExecutions', page, page.rows.map(toWorkflowExecution)));
    },
  );

  projectGet(
    ctx,
    `${base}/:executionId`,
    { tag: 'Task History', summary: 'One workflow execution with its steps', params: executionParams, response: executionResponse },
    async (_req, res) => {
      const { projectId, executionId } = res.locals.params;
      const { execution, timeline } = await loadExecution(ctx, projectId, executionId);
      res.json({
        ...toWorkflowExecution(execution),
        integration: execution.integration,
        workflowName: execution.attributes['flowtrace.workflow.name'] ?? null,
        traceId: execution.traceId,
        error: errorOf(timeline.spans.find((s) => s.spanId === execution.spanId)),
        steps: stepSpans(timeline).map(toStepSummary),
      });
    },
  );

  projectGet(
    ctx,
    `${base}/:executionId/step-executions/:stepExecutionId`,
    {
      tag: 'Task History',
      summary: 'One step of an execution: input and output where captured, outbound requests, error',
      description: '`stepExecutionId` is the step execution id from the execution, or the workflow step id.',
      params: stepParams,
      response: stepResponse,
    },
    async (_req, res) => {
      const { projectId, executionId, stepExecutionId } = res.locals.params;
      const { timeline } = await loadExecution(ctx, projectId, executionId);
      const step = stepSpans(timeline).find((s) => s.spanId === stepExecutionId || s.attributes['flowtrace.step.id'] === stepExecutionId);
      if (!step) throw notFound('step execution');
      const requests = timeline.spans.filter((s) => s.parentSpanId === step.spanId && s.attributes['http.request.method'] !== undefined);
      const failedBodies = failedResponseBodies(timeline.logs);
      res.json({
        ...toStepSummary(step),
        executionId,
        input: captured(step.attributes['flowtrace.input']),
        output: captured(step.attributes['flowtrace.output']),
        requests: requests.map((r) => ({
          ...outboundRequest(r),
          runDuration: Math.round(r.durationMs),
          dateStarted: r.startTime,
          error: errorOf(r),
          ...(failedBodies.has(r.spanId) ? { responseBody: failedBodies.get(r.spanId) } : {}),
        })),
        logs: timeline.logs
          .filter((l) => l.spanId === step.spanId || requests.some((r) => r.spanId === l.spanId))
          .map((l) => ({ timestamp: l.timestamp, level: l.severityText, message: l.body })),
      });
    },
  );
}

function toWorkflowExecution(row: ExecutionRow) {
  return {
    id: row.executionId,
    userId: row.userId,
    taskCount: row.taskCount,
    runDuration: row.durationMs,
    workflowId: row.workflowId,
    status: row.status,
    dateEnded: isoMillis(row.endMs),
    dateStarted: isoMillis(row.startMs),
  };
}

async function loadExecution(ctx: RouteContext, projectId: string, executionId: string): Promise<{ execution: ExecutionRow; timeline: Timeline }> {
  const execution = await findExecution(ctx.store, projectId, KIND, { executionId });
  if (!execution) throw notFound('workflow execution');
  const records = await findTrace(ctx.store, projectId, execution.traceId);
  if (!records) throw notFound('workflow execution');
  return { execution, timeline: toTimeline(execution.traceId, records) };
}

const stepSpans = (timeline: Timeline) => timeline.spans.filter((s) => s.attributes['flowtrace.step.id'] !== undefined);

function toStepSummary(step: TimelineSpan) {
  return {
    id: step.spanId,
    stepId: step.attributes['flowtrace.step.id']!,
    name: step.attributes['flowtrace.step.name'] ?? step.name,
    status: step.attributes['flowtrace.status'] ?? (step.status.code === 'Error' ? 'FAILED' : 'SUCCEEDED'),
    taskCount: Number(step.attributes['flowtrace.task_count'] ?? 0),
    runDuration: Math.round(step.durationMs),
    dateStarted: step.startTime,
    dateEnded: step.endTime,
    error: errorOf(step),
  };
}

const errorOf = (span: TimelineSpan | undefined): string | null => (span?.status.code === 'Error' ? span.status.message || span.attributes['error.type'] || 'error' : null);

const captured = (text: string | undefined): unknown => (text === undefined ? null : parseCaptured(text));
