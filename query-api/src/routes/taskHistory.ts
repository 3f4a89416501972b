import { z } from 'zod';
import { FLOWTRACE_KIND } from '@flowtrace/conventions/semconv';
import { notFound } from '../http/errors.js';
import { listExecutions } from '../repositories/executions.js';
import { findStep, toStepDetail, toWorkflowExecution, toWorkflowExecutionDetail } from '../converters/taskHistory.js';
import { filterValue, integrationValue, isoDate, limitParam, offsetParam, oneOrMore, orderedRange, projectIdParam, WORKFLOW_STATUSES } from '../schemas.js';
import { listAnswer, loadExecution, projectGet, type RouteContext } from './context.js';

/** Task History pages hold 100 executions, as the API it is compatible with. */
export const TASK_HISTORY_PAGE = 100;
const KIND = FLOWTRACE_KIND.workflowExecution;

const listQuery = z
  .strictObject({
    integration: integrationValue.optional(),
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
      const { execution, timeline } = await loadExecution(ctx, projectId, KIND, { executionId }, 'workflow execution');
      res.json(toWorkflowExecutionDetail(execution, timeline));
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
      const { timeline } = await loadExecution(ctx, projectId, KIND, { executionId }, 'workflow execution');
      const step = findStep(timeline, stepExecutionId);
      if (!step) throw notFound('step execution');
      res.json(toStepDetail(executionId, step, timeline));
    },
  );
}
