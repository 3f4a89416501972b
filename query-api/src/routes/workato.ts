import { z } from 'zod';
import { FLOWTRACE_KIND } from '@flowtrace/conventions/semconv';
import { JOB_ATTRIBUTES, toJob, toJobDetail } from '../converters/jobs.js';
import { filterValue, orderedRange, projectIdParam } from '../schemas.js';
import { executionPage, listAnswer, listPaging, listResponse, loadExecution, projectGet, type RouteContext } from './context.js';

/** Jobs a job called, or repeated under it, that one answer lists. */
const MAX_RELATED_JOBS = 100;

const statusList = z
  .string()
  .transform((text) => text.split(',').map((v) => v.trim()))
  .pipe(z.array(filterValue).min(1))
  .meta({ description: 'one or more statuses as Workato writes them (succeeded, failed, pending, …), comma-separated' });

const jobsQuery = z
  .strictObject({
    recipeId: filterValue.optional(),
    status: statusList.optional(),
    userId: filterValue.optional().meta({ description: 'the Workato user whose recipe ran' }),
    masterJobId: filterValue.optional().meta({ description: 'jobs of this master job (the job and its repeats)' }),
    callingJobId: filterValue.optional().meta({ description: 'jobs a recipe function call of this job started' }),
    rootJobId: filterValue.optional().meta({ description: 'jobs of the call tree this job started' }),
    ...listPaging,
  })
  .superRefine(orderedRange('from', 'to'));

const job = z.object({
  jobId: z.string(),
  traceId: z.string(),
  recipeId: z.string(),
  recipeName: z.string().nullable(),
  title: z.string().nullable(),
  status: z.string(),
  startedAt: z.string(),
  completedAt: z.string(),
  durationMs: z.number(),
  userId: z.string().nullable(),
  environment: z.string().nullable(),
  masterJobId: z.string().nullable(),
  parentJobId: z.string().nullable(),
  callingJobId: z.string().nullable(),
  callingRecipeId: z.string().nullable(),
  rootJobId: z.string().nullable(),
  rootRecipeId: z.string().nullable(),
  isRepeat: z.boolean(),
  repeatCount: z.number().nullable(),
  isTest: z.boolean(),
  actionCount: z.number().nullable(),
  jobUrl: z.string().nullable(),
  error: z.object({ type: z.string().nullable(), message: z.string().nullable() }).nullable(),
});
const line = z.object({
  lineNumber: z.number(),
  adapter: z.string().nullable(),
  operation: z.string().nullable(),
  startedAt: z.string(),
  durationMs: z.number(),
  error: z.string().nullable(),
});

export function workatoRoutes(ctx: RouteContext): void {
  const base = '/projects/:projectId/workato/jobs';

  projectGet(
    ctx,
    base,
    {
      tag: 'Workato',
      summary: 'Job history: recipe jobs by recipe, status, user, master, calling or root job, and date; newest first',
      description: 'The logs of one job are in Event Logs with `jobId`; its trace with `traceId`.',
      params: z.strictObject({ projectId: projectIdParam }),
      query: jobsQuery,
      response: listResponse('jobs', job),
    },
    async (req, res) => {
      const q = res.locals.query as z.output<typeof jobsQuery>;
      const page = await executionPage(
        ctx,
        res.locals.params.projectId,
        FLOWTRACE_KIND.job,
        q,
        { rollup: { status: q.status }, rows: { recipeId: q.recipeId, userId: q.userId, masterJobId: q.masterJobId, callingJobId: q.callingJobId, rootJobId: q.rootJobId } },
        JOB_ATTRIBUTES,
      );
      res.json(listAnswer(ctx, req, q, 'jobs', page, page.rows.map(toJob)));
    },
  );

  projectGet(
    ctx,
    `${base}/:jobId`,
    {
      tag: 'Workato',
      summary: 'One recipe job: its recipe lines, the jobs it called (recipe functions) and the jobs under it as master (repeats)',
      params: z.strictObject({ projectId: projectIdParam, jobId: filterValue }),
      response: job.extend({ linesOmitted: z.boolean(), lines: z.array(line), calledJobs: z.array(job), childJobs: z.array(job) }),
    },
    async (_req, res) => {
      const { projectId, jobId } = res.locals.params;
      const { execution, timeline } = await loadExecution(ctx, projectId, FLOWTRACE_KIND.job, { executionId: jobId }, 'job');
      const related = (rows: { callingJobId?: string; masterJobId?: string }) =>
        executionPage(ctx, projectId, FLOWTRACE_KIND.job, { sortBy: 'ASC', offset: 0, limit: MAX_RELATED_JOBS }, { rows }, JOB_ATTRIBUTES);
      const [called, children] = await Promise.all([related({ callingJobId: jobId }), related({ masterJobId: jobId })]);
      res.json(toJobDetail(execution, timeline, { calledJobs: called.rows, childJobs: children.rows }));
    },
  );
}
