import { recipeJobTrace, userActivityLog, type JobLine, type RecipeJob } from '@flowtrace/instrumentation';
import type { RecipeSpec } from '../catalog.js';
import { USER_ACTIVITY, type Emission } from '../emission.js';
import type { Random } from '../random.js';
import { HOUR, MINUTE, type World } from '../world.js';

const CAPTURE = { captureContent: true };

/** How a Workato job fails: its error type (as job history shows it), the HTTP status behind it, the message. */
interface Failure {
  errorType: string;
  httpStatus?: number;
  message: string;
  weight: number;
}
const FAILURES: Failure[] = [
  { errorType: 'Bad data sent to API server', httpStatus: 400, message: 'Invalid Salesforce ID value(s) for: AccountId', weight: 5 },
  { errorType: 'Authentication error', httpStatus: 401, message: 'Session expired or invalid', weight: 1.5 },
  { errorType: 'Rate limit exceeded', httpStatus: 429, message: 'REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded', weight: 1 },
  { errorType: 'Timeout', httpStatus: undefined, message: 'Request timed out after 120 seconds', weight: 1 },
  { errorType: 'Server error', httpStatus: 500, message: 'The server encountered an unexpected condition', weight: 1 },
];

/** A Workato job id: j-AEcaNzd9-dGQ4Bf. */
export const jobId = (r: Random) => `j-${r.alnum(8)}-${r.alnum(7)}`;

export interface JobOptions {
  recipe: RecipeSpec;
  jobId: string;
  startedAt: number;
  title: string;
  /** Why it fails, if it does: on its last action line. */
  failure?: Failure | 'draw';
  masterJobId?: string;
  parentJobId?: string;
  calling?: { jobId: string; recipeId: string };
  root?: { jobId: string; recipeId: string };
  repeatCount?: number;
  /** Seconds a line takes at the median. */
  lineSeconds?: number;
  /** The job waits this long on its line that calls a function or assigns a genie task. */
  waitMs?: number;
  /** The line a failure happens on; default the last action (before a function's return). */
  failLine?: number;
  featured?: boolean;
}

/** One recipe job as Workato's job history has it, with its lines and their line_stat. */
export function recipeJob(world: World, r: Random, o: JobOptions): { emission: Emission; endedAt: number; failed: boolean } {
  const { workspace, admins } = world.tenant;
  const failure = o.failure === 'draw' ? (r.chance(0.05) ? r.weighted(FAILURES.map((f) => [f, f.weight] as const)) : undefined) : o.failure;
  const steps = [o.recipe.trigger, ...o.recipe.lines];
  const failAt = !failure ? -1 : (o.failLine ?? steps.length - 1 - (steps.at(-1)![0] === 'workato_recipe_function' && steps.length > 2 ? 1 : 0));
  const waitAt = steps.findIndex(([, operation]) => operation === 'call_recipe' || operation === 'assign_task');
  const lines: JobLine[] = [];
  for (const [i, [adapter, operation]] of steps.entries()) {
    if (i > failAt && failAt >= 0) break;
    let total = r.lognormal(o.lineSeconds ?? 0.35, 0.7);
    if (i === waitAt && o.waitMs) total += o.waitMs / 1000;
    if (i === failAt && failure?.errorType === 'Timeout') total = 120 + r.float(0, 0.5);
    lines.push({
      lineNumber: i,
      adapter,
      operation,
      input: i === 0 ? { since: new Date(o.startedAt - HOUR).toISOString() } : { id: `${r.int(1000, 9999)}${r.alnum(7)}`, name: 'John Doe' },
      output: i === failAt ? undefined : { id: r.alnum(18) },
      error: i === failAt ? failure!.message : undefined,
      stats: { total, details: [{ name: 'execute', count: 1, total: total * 0.9 }] },
    });
  }
  const seconds = lines.reduce((n, l) => n + (l.stats?.total ?? 0), 0);
  const completedAt = o.startedAt + Math.round(seconds * 1000);
  const job: RecipeJob = {
    jobId: o.jobId,
    recipeId: o.recipe.id,
    recipeName: o.recipe.name,
    recipePath: o.recipe.path,
    recipeUrl: `https://app.workato.com/recipes/${o.recipe.id}`,
    title: o.title,
    status: failure ? 'failed' : 'succeeded',
    startedAt: o.startedAt,
    completedAt,
    masterJobId: o.masterJobId ?? o.jobId,
    parentJobId: o.parentJobId,
    callingJobId: o.calling?.jobId,
    callingRecipeId: o.calling?.recipeId,
    rootJobId: o.root?.jobId ?? o.calling?.jobId,
    rootRecipeId: o.root?.recipeId ?? o.calling?.recipeId,
    isRepeat: (o.repeatCount ?? 0) > 0,
    repeatCount: o.repeatCount ?? 0,
    isTest: false,
    actionCount: Math.max(0, lines.length - 1),
    jobUrl: `https://app.workato.com/recipes/${o.recipe.id}/job/${o.masterJobId ?? o.jobId}${o.masterJobId && o.masterJobId !== o.jobId ? `?child_job_id=${o.jobId}` : ''}`,
    account: { id: workspace.accountId, name: workspace.accountName },
    environment: { type: 'prod', id: workspace.environmentId },
    user: { id: admins[0]!.id, name: admins[0]!.name },
    errorType: failure?.errorType,
    error: failure ? { message: failure.message, adapter: steps[failAt]![0], action: steps[failAt]![1], lineNumber: failAt, httpStatus: failure.httpStatus } : undefined,
    lines,
  };
  return { emission: { family: 'job', spec: recipeJobTrace(job, CAPTURE), status: job.status, featured: o.featured }, endedAt: completedAt, failed: Boolean(failure) };
}

/**
 * Recipe jobs: a recipe that calls a recipe function for each record (the
 * function's job names its calling, master and root jobs; a failed call is
 * repeated, the repeat naming the failed job as parent), and a scheduled
 * recipe every hour.
 */
export function* recipeJobs(world: World): Generator<Emission> {
  const { settings, traffic, tenant } = world;
  const { caller, callee, scheduled } = tenant.recipes;
  const rnd = world.rnd.fork('jobs');
  const n = Math.round(settings.scale * settings.days * tenant.mix.recipeJobs);
  for (let i = -3; i < n; i++) {
    const r = rnd.fork(i);
    const ids = r.fork('id');
    // The first three, in the last hours: a call whose function fails and is repeated until it fails for good, one repeated into success, one that goes well.
    const at = i < 0 ? traffic.recent(r.fork('time'), 12 * HOUR, 30 * MINUTE) : traffic.fit(traffic.sample(r.fork('time')), 15 * MINUTE);
    const callerId = jobId(ids);
    const calls = r.chance(0.3) ? 2 : 1;
    let t = at + Math.round(r.lognormal(600, 0.5));
    const children: Emission[] = [];
    let callerFails = false;
    for (let c = 0; c < calls; c++) {
      let master: string | undefined;
      let parent: string | undefined;
      for (let repeat = 0; repeat < 3; repeat++) {
        const id = jobId(ids);
        master ??= id;
        const forced = i === -3 ? FAILURES[0] : i === -2 && repeat === 0 ? FAILURES[2] : i < 0 ? undefined : ('draw' as const);
        const recordId = `${r.int(1000, 9999)}${r.alnum(7)}`;
        const job = recipeJob(world, r, {
          recipe: callee,
          jobId: id,
          startedAt: t,
          title: `Recipe function by Workato: new call for function: Calling job ID=${callerId}, Calling recipe ID=${caller.id}, and ID=${recordId}`,
          failure: forced,
          masterJobId: master,
          parentJobId: parent,
          calling: { jobId: callerId, recipeId: caller.id },
          repeatCount: repeat,
          featured: i === -3 && repeat === 2,
        });
        children.push(job.emission);
        t = job.endedAt + Math.round(r.lognormal(200, 0.5));
        if (!job.failed) break;
        parent = id;
        if (repeat === 2) callerFails = true;
        else t += r.int(10, 60) * 1000;
      }
    }
    const waitMs = t - at;
    const job = recipeJob(world, r, {
      recipe: caller,
      jobId: callerId,
      startedAt: at,
      title: `New/updated ${caller.trigger[0]} record: ${r.pick(['Initech renewal', 'Globex expansion', 'Umbrella pilot', 'Hooli upsell'])}`,
      failure: callerFails ? { errorType: 'Bad data sent to API server', httpStatus: 400, message: `Recipe function ${callee.name} failed: Invalid Salesforce ID value(s) for: AccountId`, weight: 0 } : i < 0 ? undefined : 'draw',
      failLine: callerFails ? [caller.trigger, ...caller.lines].findIndex(([, operation]) => operation === 'call_recipe') : undefined,
      waitMs,
    });
    yield job.emission;
    yield* children;
  }

  // The scheduled recipe: every hour, at the same minute.
  const phase = rnd.fork('scheduled').next() * HOUR;
  for (let at = traffic.window.end - 10 * MINUTE - phase, k = 0; at >= traffic.window.start; at -= HOUR, k++) {
    const r = rnd.fork('scheduled', k);
    const scheduledAt = new Date(at).toISOString();
    yield recipeJob(world, r, {
      recipe: scheduled,
      jobId: jobId(r.fork('id')),
      startedAt: Math.floor(at) + r.int(1000, 3000),
      title: `Scheduler by Workato: new recurring event: Scheduled time=${scheduledAt}`,
      failure: r.chance(0.02) ? FAILURES[3] : undefined,
      lineSeconds: 1.2,
    }).emission;
  }
}

const ACTIVITY = [
  ['user_login', 'User', 10],
  ['user_logout', 'User', 4],
  ['recipe_updated', 'Flow', 4],
  ['recipe_started', 'Flow', 2],
  ['recipe_stopped', 'Flow', 2],
  ['recipe_created', 'Flow', 1],
  ['connection_updated', 'SharedAccount', 1],
  ['connection_connected', 'SharedAccount', 1],
  ['connection_disconnected', 'SharedAccount', 0.5],
  ['folder_created', 'Folder', 0.5],
  ['package_exported', 'Package', 0.3],
  ['team_invitation_created', 'MemberInvitation', 0.2],
] as const;

/** Workato's user-activity audit log: sign-ins, recipe and connection changes, during working hours. */
export function* userActivity(world: World): Generator<Emission> {
  const { traffic, tenant, settings } = world;
  const rnd = world.rnd.fork('activity');
  const recipes = [tenant.recipes.caller, tenant.recipes.callee, tenant.recipes.scheduled];
  const n = Math.max(6, Math.round(settings.days * 10));
  for (let i = 0; i < n; i++) {
    const r = rnd.fork(i);
    const [event, type] = r.weighted(ACTIVITY.map(([e, t, w]) => [[e, t] as const, w] as const));
    const user = r.pick(tenant.admins);
    const recipe = r.pick(recipes);
    const resource =
      type === 'Flow' ? { type, id: recipe.id, name: recipe.name, path: recipe.path } : type === 'SharedAccount' ? { type, id: String(7000 + r.int(1, 200)), name: r.pick(tenant.integrations)[0] } : type === 'User' ? { type, id: user.id, name: user.name } : { type, id: String(r.int(1000, 9000)), name: type === 'Folder' ? 'Home/Ops' : 'export.zip' };
    const log = userActivityLog({
      event,
      at: traffic.sample(r.fork('time')),
      user: { id: user.id, name: user.name, email: user.email },
      team: { id: tenant.workspace.accountId, name: tenant.workspace.accountName },
      resource,
      ipAddress: `203.0.113.${r.int(2, 250)}`,
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
      details: event === 'recipe_stopped' ? { stop_reason: 'user', force: false, error: false } : undefined,
    });
    yield { family: USER_ACTIVITY, logs: [log], status: event };
  }
}
