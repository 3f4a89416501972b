import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { Attributes } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OK, SpanKind, TraceBuilder, attrs, error } from '../builder.js';
import { rootSpanIdOf, traceIdFor } from '../ids.js';
import { capturedJson, redactText } from '../redact.js';
import { NO_CAPTURE, toMillis, type CaptureOptions, type LogSpec, type Time, type TraceSpec } from '../model.js';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_FLOWTRACE_ACCOUNT_ID,
  ATTR_FLOWTRACE_ACCOUNT_NAME,
  ATTR_FLOWTRACE_ADAPTER,
  ATTR_FLOWTRACE_ADAPTER_OPERATION,
  ATTR_FLOWTRACE_AUDIT_EVENT,
  ATTR_FLOWTRACE_AUDIT_RESOURCE_ID,
  ATTR_FLOWTRACE_AUDIT_RESOURCE_NAME,
  ATTR_FLOWTRACE_AUDIT_RESOURCE_TYPE,
  ATTR_FLOWTRACE_CALLING_RECIPE_ID,
  ATTR_FLOWTRACE_ENVIRONMENT_ID,
  ATTR_FLOWTRACE_ENVIRONMENT_TYPE,
  ATTR_FLOWTRACE_ERROR_HTTP_STATUS,
  ATTR_FLOWTRACE_ERROR_MESSAGE,
  ATTR_FLOWTRACE_INPUT,
  ATTR_FLOWTRACE_INTEGRATION,
  ATTR_FLOWTRACE_JOB_ACTION_COUNT,
  ATTR_FLOWTRACE_JOB_CALLING_ID,
  ATTR_FLOWTRACE_JOB_ID,
  ATTR_FLOWTRACE_JOB_IS_REPEAT,
  ATTR_FLOWTRACE_JOB_IS_TEST,
  ATTR_FLOWTRACE_JOB_LINES_OMITTED,
  ATTR_FLOWTRACE_JOB_MASTER_ID,
  ATTR_FLOWTRACE_JOB_PARENT_ID,
  ATTR_FLOWTRACE_JOB_REPEAT_COUNT,
  ATTR_FLOWTRACE_JOB_ROOT_ID,
  ATTR_FLOWTRACE_JOB_TITLE,
  ATTR_FLOWTRACE_JOB_URL,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_LINE_NUMBER,
  ATTR_FLOWTRACE_LINE_STATS,
  ATTR_FLOWTRACE_LINK,
  ATTR_FLOWTRACE_LOG_TYPE,
  ATTR_FLOWTRACE_MASK_DATA,
  ATTR_FLOWTRACE_OUTPUT,
  ATTR_FLOWTRACE_RECIPE_ID,
  ATTR_FLOWTRACE_RECIPE_NAME,
  ATTR_FLOWTRACE_RECIPE_PATH,
  ATTR_FLOWTRACE_ROOT_RECIPE_ID,
  ATTR_FLOWTRACE_STATUS,
  ATTR_FLOWTRACE_TEAM_ID,
  ATTR_FLOWTRACE_TEAM_NAME,
  ATTR_USER_ID,
  ATTR_FLOWTRACE_JOB_REPORT,
  ATTR_FLOWTRACE_AUDIT_DETAILS,
  ATTR_USER_NAME,
  ATTR_USER_EMAIL,
  ATTR_USER_AGENT_ORIGINAL,
  FLOWTRACE_KIND,
  LOG_TYPE,
} from '../semconv.js';

export interface JobLine {
  lineNumber: number;
  /** @example salesforce */
  adapter: string;
  /** @example create_custom_object */
  operation: string;
  /** Kept only with content capture on, and never for a masked line. */
  input?: unknown;
  output?: unknown;
  error?: string;
  /** The recipe masks this line's data: nothing of its input or output is kept. */
  maskData?: boolean;
  /** Seconds spent, in total and per phase (Workato's line_stat). */
  stats?: { total: number; details?: unknown[] };
}

/** One recipe job (the Workato job model). */
export interface RecipeJob {
  jobId: string;
  recipeId: string;
  recipeName?: string;
  recipePath?: string;
  recipeUrl?: string;
  title?: string;
  /** succeeded, failed, pending, … as the source writes it. */
  status: string;
  startedAt: Time;
  completedAt?: Time;
  masterJobId?: string;
  parentJobId?: string;
  callingJobId?: string;
  callingRecipeId?: string;
  rootJobId?: string;
  rootRecipeId?: string;
  isRepeat?: boolean;
  repeatCount?: number;
  isTest?: boolean;
  actionCount?: number;
  jobUrl?: string;
  account?: { id?: string; name?: string };
  environment?: { type?: string; id?: string };
  user?: { id?: string; name?: string; externalId?: string };
  errorType?: string;
  error?: { message?: string; adapter?: string; action?: string; lineNumber?: number; httpStatus?: number };
  lines?: JobLine[];
  /** The source left the lines out ("Log lines exceed size limit"). */
  linesOmitted?: boolean;
  /** Custom report columns. */
  report?: Record<string, unknown>;
}

export const jobTraceId = (jobId: string) => traceIdFor('job', jobId);

/**
 * A recipe job as a trace: the job as the root span, its lines as child spans
 * laid out one after the other from the job's start (the source gives each
 * line's duration, not its start), links to the master, parent and calling
 * jobs' traces, and logs for the job's outcome and each failed line.
 */
export function recipeJobTrace(job: RecipeJob, options: CaptureOptions = NO_CAPTURE): TraceSpec {
  const failed = job.status === 'failed' || Boolean(job.error?.message) || Boolean(job.errorType);
  const b = new TraceBuilder(
    jobTraceId(job.jobId),
    attrs({
      [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.job,
      [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.job,
      [ATTR_FLOWTRACE_JOB_ID]: job.jobId,
      [ATTR_FLOWTRACE_RECIPE_ID]: job.recipeId,
      [ATTR_FLOWTRACE_RECIPE_NAME]: job.recipeName,
      [ATTR_USER_ID]: job.user?.id,
      [ATTR_FLOWTRACE_ACCOUNT_ID]: job.account?.id,
      [ATTR_FLOWTRACE_ENVIRONMENT_TYPE]: job.environment?.type,
    }),
  );
  const start = toMillis(job.startedAt);
  const lines = job.lines ?? [];
  const lineMs = lines.reduce((n, line) => n + (line.stats?.total ?? 0) * 1000, 0);
  const end = Math.max(job.completedAt === undefined ? start : toMillis(job.completedAt), start + lineMs);
  const link = (jobId: string | undefined, why: string) =>
    jobId && jobId !== job.jobId ? [{ traceId: jobTraceId(jobId), spanId: rootSpanIdOf(jobTraceId(jobId)), attributes: { [ATTR_FLOWTRACE_LINK]: why } }] : [];
  const links = [...link(job.masterJobId, 'master_job'), ...link(job.parentJobId !== job.masterJobId ? job.parentJobId : undefined, 'parent_job'), ...link(job.callingJobId, 'calling_job')];
  const errorAttrs = attrs({
    [ATTR_FLOWTRACE_ERROR_MESSAGE]: job.error?.message,
    [ATTR_FLOWTRACE_ERROR_HTTP_STATUS]: job.error?.httpStatus,
    [ATTR_FLOWTRACE_INTEGRATION]: job.error?.adapter,
  });
  const root = b.root({
    name: `job ${job.recipeName ?? job.recipeId}`,
    kind: SpanKind.INTERNAL,
    startTime: start,
    endTime: end,
    attributes: attrs({
      [ATTR_FLOWTRACE_STATUS]: job.status,
      [ATTR_FLOWTRACE_JOB_TITLE]: job.title,
      [ATTR_FLOWTRACE_JOB_URL]: job.jobUrl,
      [ATTR_FLOWTRACE_RECIPE_PATH]: job.recipePath,
      [ATTR_FLOWTRACE_JOB_MASTER_ID]: job.masterJobId,
      [ATTR_FLOWTRACE_JOB_PARENT_ID]: job.parentJobId,
      [ATTR_FLOWTRACE_JOB_CALLING_ID]: job.callingJobId,
      [ATTR_FLOWTRACE_CALLING_RECIPE_ID]: job.callingRecipeId,
      [ATTR_FLOWTRACE_JOB_ROOT_ID]: job.rootJobId,
      [ATTR_FLOWTRACE_ROOT_RECIPE_ID]: job.rootRecipeId,
      [ATTR_FLOWTRACE_JOB_IS_REPEAT]: job.isRepeat,
      [ATTR_FLOWTRACE_JOB_REPEAT_COUNT]: job.repeatCount,
      [ATTR_FLOWTRACE_JOB_IS_TEST]: job.isTest,
      [ATTR_FLOWTRACE_JOB_ACTION_COUNT]: job.actionCount,
      [ATTR_FLOWTRACE_JOB_LINES_OMITTED]: job.linesOmitted || undefined,
      [ATTR_FLOWTRACE_ACCOUNT_NAME]: job.account?.name,
      [ATTR_FLOWTRACE_ENVIRONMENT_ID]: job.environment?.id,
      [ATTR_FLOWTRACE_JOB_REPORT]: job.report && Object.keys(job.report).length > 0 ? capturedJson(job.report) : undefined,
      [ATTR_ERROR_TYPE]: failed ? (job.errorType ?? 'JobFailed') : undefined,
      ...(failed ? errorAttrs : {}),
    }),
    status: failed ? error(job.error?.message ?? job.errorType) : OK,
    links: links.length > 0 ? links : undefined,
  });
  let cursor = start;
  for (const line of lines) {
    const duration = (line.stats?.total ?? 0) * 1000;
    const lineAttrs = attrs({ [ATTR_FLOWTRACE_LINE_NUMBER]: line.lineNumber, [ATTR_FLOWTRACE_ADAPTER]: line.adapter, [ATTR_FLOWTRACE_ADAPTER_OPERATION]: line.operation });
    const keep = options.captureContent && !line.maskData;
    const key = b.span({
      key: `line:${line.lineNumber}`,
      parentKey: root,
      name: `${line.adapter}.${line.operation}`,
      kind: SpanKind.INTERNAL,
      startTime: cursor,
      endTime: cursor + duration,
      attributes: attrs({
        ...lineAttrs,
        [ATTR_FLOWTRACE_MASK_DATA]: line.maskData ?? false,
        [ATTR_FLOWTRACE_LINE_STATS]: line.stats ? JSON.stringify(line.stats) : undefined,
        [ATTR_FLOWTRACE_INPUT]: keep && line.input !== undefined ? capturedJson(line.input) : undefined,
        [ATTR_FLOWTRACE_OUTPUT]: keep && line.output !== undefined ? capturedJson(line.output) : undefined,
        [ATTR_ERROR_TYPE]: line.error ? (job.errorType ?? 'LineFailed') : undefined,
      }),
      status: line.error ? error(line.error) : OK,
    });
    if (line.error) b.log(key, cursor + duration, 'ERROR', 'job.line.failed', line.error, { ...lineAttrs, [ATTR_FLOWTRACE_ERROR_MESSAGE]: line.error });
    cursor += duration;
  }
  if (job.linesOmitted) b.log(root, start, 'WARN', 'job.lines_omitted', 'Log lines exceed size limit', { [ATTR_FLOWTRACE_JOB_LINES_OMITTED]: true });
  b.log(root, end, failed ? 'ERROR' : 'INFO', `job.${failed ? 'failed' : job.status}`, `Job ${job.status}${failed && job.error?.message ? `: ${job.error.message}` : ''}`, {
    [ATTR_FLOWTRACE_STATUS]: job.status,
    ...(failed ? errorAttrs : {}),
  });
  return b.build();
}

/** A user-activity audit event (sign-ins, recipe and connection changes, deployments). */
export interface UserActivity {
  /** @example recipe_started */
  event: string;
  at: Time;
  user?: { id?: string; name?: string; email?: string; externalId?: string };
  team?: { id?: string; name?: string };
  resource?: { type?: string; id?: string; name?: string; path?: string };
  ipAddress?: string;
  userAgent?: string;
  /** The event's own details (redacted). */
  details?: unknown;
}

/** An audit event is a log, not an execution: it has no trace. */
export function userActivityLog(activity: UserActivity): LogSpec {
  const who = activity.user?.name ?? activity.user?.email ?? activity.user?.id ?? 'someone';
  const what = activity.resource?.name ? ` ${activity.resource.type ?? ''} "${activity.resource.name}"`.replace('  ', ' ') : activity.resource?.type ? ` ${activity.resource.type}` : '';
  const attributes: Attributes = attrs({
    [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.userActivity,
    [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.userActivity,
    [ATTR_FLOWTRACE_AUDIT_EVENT]: activity.event,
    [ATTR_USER_ID]: activity.user?.id,
    [ATTR_USER_NAME]: activity.user?.name,
    [ATTR_USER_EMAIL]: activity.user?.email,
    [ATTR_FLOWTRACE_TEAM_ID]: activity.team?.id,
    [ATTR_FLOWTRACE_TEAM_NAME]: activity.team?.name,
    [ATTR_FLOWTRACE_AUDIT_RESOURCE_TYPE]: activity.resource?.type,
    [ATTR_FLOWTRACE_AUDIT_RESOURCE_ID]: activity.resource?.id,
    [ATTR_FLOWTRACE_AUDIT_RESOURCE_NAME]: activity.resource?.name,
    [ATTR_FLOWTRACE_RECIPE_PATH]: activity.resource?.path,
    [ATTR_CLIENT_ADDRESS]: activity.ipAddress,
    [ATTR_USER_AGENT_ORIGINAL]: activity.userAgent,
    [ATTR_FLOWTRACE_AUDIT_DETAILS]: activity.details === undefined ? undefined : capturedJson(activity.details),
  });
  return {
    time: toMillis(activity.at),
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    eventName: activity.event,
    body: redactText(`${who} ${activity.event.replace(/_/g, ' ')}${what}`),
    attributes,
  };
}
