import {
  ATTR_ERROR_TYPE,
  ATTR_FLOWTRACE_ADAPTER,
  ATTR_FLOWTRACE_ADAPTER_OPERATION,
  ATTR_FLOWTRACE_CALLING_RECIPE_ID,
  ATTR_FLOWTRACE_ENVIRONMENT_TYPE,
  ATTR_FLOWTRACE_ERROR_MESSAGE,
  ATTR_FLOWTRACE_JOB_ACTION_COUNT,
  ATTR_FLOWTRACE_JOB_CALLING_ID,
  ATTR_FLOWTRACE_JOB_IS_REPEAT,
  ATTR_FLOWTRACE_JOB_IS_TEST,
  ATTR_FLOWTRACE_JOB_LINES_OMITTED,
  ATTR_FLOWTRACE_JOB_MASTER_ID,
  ATTR_FLOWTRACE_JOB_PARENT_ID,
  ATTR_FLOWTRACE_JOB_REPEAT_COUNT,
  ATTR_FLOWTRACE_JOB_ROOT_ID,
  ATTR_FLOWTRACE_JOB_TITLE,
  ATTR_FLOWTRACE_JOB_URL,
  ATTR_FLOWTRACE_LINE_NUMBER,
  ATTR_FLOWTRACE_RECIPE_ID,
  ATTR_FLOWTRACE_RECIPE_NAME,
  ATTR_FLOWTRACE_ROOT_RECIPE_ID,
} from '@flowtrace/conventions/semconv';
import type { ExecutionRow } from '../repositories/executions.js';
import type { Timeline, TimelineSpan } from './trace.js';
import { numberOrNull } from './values.js';
import { isoFromNanos, msBetween } from './time.js';

/** Root span attributes the job list reads beside the columns. */
export const JOB_ATTRIBUTES = [
  ATTR_FLOWTRACE_RECIPE_ID,
  ATTR_FLOWTRACE_RECIPE_NAME,
  ATTR_FLOWTRACE_JOB_TITLE,
  ATTR_FLOWTRACE_JOB_URL,
  ATTR_FLOWTRACE_JOB_MASTER_ID,
  ATTR_FLOWTRACE_JOB_PARENT_ID,
  ATTR_FLOWTRACE_JOB_CALLING_ID,
  ATTR_FLOWTRACE_CALLING_RECIPE_ID,
  ATTR_FLOWTRACE_JOB_ROOT_ID,
  ATTR_FLOWTRACE_ROOT_RECIPE_ID,
  ATTR_FLOWTRACE_JOB_IS_REPEAT,
  ATTR_FLOWTRACE_JOB_REPEAT_COUNT,
  ATTR_FLOWTRACE_JOB_IS_TEST,
  ATTR_FLOWTRACE_JOB_ACTION_COUNT,
  ATTR_FLOWTRACE_ENVIRONMENT_TYPE,
  ATTR_FLOWTRACE_ERROR_MESSAGE,
  ATTR_ERROR_TYPE,
] as const;

const flag = (value: string | undefined): boolean => value === 'true';

/** A recipe job in the job history list, with its master, parent, calling and root jobs. */
export function toJob(row: ExecutionRow) {
  const a = row.attributes;
  return {
    jobId: row.executionId,
    traceId: row.traceId,
    recipeId: a[ATTR_FLOWTRACE_RECIPE_ID] ?? '',
    recipeName: a[ATTR_FLOWTRACE_RECIPE_NAME] ?? null,
    title: a[ATTR_FLOWTRACE_JOB_TITLE] ?? null,
    status: row.status,
    startedAt: isoFromNanos(row.startNanos),
    completedAt: isoFromNanos(row.endNanos),
    durationMs: msBetween(row.startNanos, row.endNanos),
    userId: row.userId || null,
    environment: a[ATTR_FLOWTRACE_ENVIRONMENT_TYPE] ?? null,
    masterJobId: a[ATTR_FLOWTRACE_JOB_MASTER_ID] ?? null,
    parentJobId: a[ATTR_FLOWTRACE_JOB_PARENT_ID] ?? null,
    callingJobId: a[ATTR_FLOWTRACE_JOB_CALLING_ID] ?? null,
    callingRecipeId: a[ATTR_FLOWTRACE_CALLING_RECIPE_ID] ?? null,
    rootJobId: a[ATTR_FLOWTRACE_JOB_ROOT_ID] ?? null,
    rootRecipeId: a[ATTR_FLOWTRACE_ROOT_RECIPE_ID] ?? null,
    isRepeat: flag(a[ATTR_FLOWTRACE_JOB_IS_REPEAT]),
    repeatCount: numberOrNull(a[ATTR_FLOWTRACE_JOB_REPEAT_COUNT]),
    isTest: flag(a[ATTR_FLOWTRACE_JOB_IS_TEST]),
    actionCount: numberOrNull(a[ATTR_FLOWTRACE_JOB_ACTION_COUNT]),
    jobUrl: a[ATTR_FLOWTRACE_JOB_URL] ?? null,
    error: row.failed ? { type: a[ATTR_ERROR_TYPE] ?? null, message: a[ATTR_FLOWTRACE_ERROR_MESSAGE] ?? null } : null,
  };
}

/** One job: its fields, its recipe lines in order, and the jobs it called and repeated. */
export function toJobDetail(job: ExecutionRow, timeline: Timeline, related: { calledJobs: ExecutionRow[]; childJobs: ExecutionRow[] }) {
  const root = timeline.spans.find((s) => s.spanId === job.spanId);
  return {
    ...toJob(job),
    linesOmitted: flag(root?.attributes[ATTR_FLOWTRACE_JOB_LINES_OMITTED]),
    lines: timeline.spans
      .filter((s) => s.attributes[ATTR_FLOWTRACE_LINE_NUMBER] !== undefined)
      .sort((a, b) => Number(a.attributes[ATTR_FLOWTRACE_LINE_NUMBER]) - Number(b.attributes[ATTR_FLOWTRACE_LINE_NUMBER]))
      .map(toLine),
    calledJobs: related.calledJobs.map(toJob),
    childJobs: related.childJobs.filter((c) => c.executionId !== job.executionId).map(toJob),
  };
}

function toLine(span: TimelineSpan) {
  return {
    lineNumber: Number(span.attributes[ATTR_FLOWTRACE_LINE_NUMBER]),
    adapter: span.attributes[ATTR_FLOWTRACE_ADAPTER] ?? null,
    operation: span.attributes[ATTR_FLOWTRACE_ADAPTER_OPERATION] ?? null,
    startedAt: span.startTime,
    durationMs: span.durationMs,
    error: span.status.code === 'Error' ? span.status.message || 'error' : null,
  };
}
