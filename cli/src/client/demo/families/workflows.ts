import { SpanStatusCode } from '@opentelemetry/api';
import {
  triggerTrace,
  triggerTraceId,
  workflowExecutionTrace,
  type ExecutionStatus,
  type StepExecution,
  type TriggerRun,
  type WebhookRecord,
  type WorkflowSubmission,
} from '@flowtrace/instrumentation';
import { INTEGRATIONS, type WorkflowSpec } from '../catalog.js';
import { addDebugLog, displayName, type Emission } from '../emission.js';
import { Weighted, type Random } from '../random.js';
import { HOUR, MINUTE, type Outcome, type User, type World } from '../world.js';

const CAPTURE = { captureContent: true };
/** How long a Request trigger waits for its workflow's answer. */
const REQUEST_TIMEOUT_MS = 30_000;

/** What can happen to a trigger run and the executions it starts. */
type Scenario =
  | { kind: 'ok'; attempts?: Outcome[]; cancel?: boolean }
  | { kind: 'no_workflows_subscribed' | 'no_workflow_configured' | 'preparation_error' | 'submission_failure' }
  | { kind: 'request_failed' | 'response_timeout' | 'integration_enabled_failed' | 'scheduler_failed' | 'webhook_failed' | 'record_failed' };

/**
 * Trigger runs (App Event, Request, Integration Enabled, Scheduler, Webhook)
 * and the workflow executions they submit, linked both ways. About 80% are
 * event-driven, spread as the tenant's traffic is; the rest are scheduled
 * workflows running on their cadence for the users who enabled them.
 */
export function* workflowTraffic(world: World): Generator<Emission> {
  const { tenant, settings, traffic } = world;
  const rnd = world.rnd.fork('workflows');
  const byTrigger = (type: WorkflowSpec['trigger']) => tenant.workflows.find((w) => w.trigger === type)!;

  // One of each outcome, in the last hours: every kind of failure shows on the first screen.
  const exemplars: Array<[WorkflowSpec, Scenario]> = [
    [byTrigger('App Event'), { kind: 'ok', attempts: [400] }],
    [byTrigger('App Event'), { kind: 'ok' }],
    [byTrigger('Webhook'), { kind: 'ok', attempts: [401] }],
    [byTrigger('Webhook'), { kind: 'ok', attempts: [429, 200] }],
    [byTrigger('App Event'), { kind: 'ok', attempts: [429, 429, 429] }],
    [byTrigger('Webhook'), { kind: 'ok', attempts: [503, 502, 500] }],
    [byTrigger('Request'), { kind: 'ok', attempts: [404] }],
    [byTrigger('Integration Enabled'), { kind: 'ok', attempts: [403] }],
    [byTrigger('App Event'), { kind: 'ok', attempts: [409] }],
    [byTrigger('Scheduler'), { kind: 'ok', attempts: ['timeout', 'timeout', 'timeout'] }],
    [byTrigger('App Event'), { kind: 'ok', cancel: true }],
    [byTrigger('App Event'), { kind: 'no_workflows_subscribed' }],
    [byTrigger('App Event'), { kind: 'no_workflow_configured' }],
    [byTrigger('App Event'), { kind: 'preparation_error' }],
    [byTrigger('App Event'), { kind: 'submission_failure' }],
    [byTrigger('Request'), { kind: 'request_failed' }],
    [byTrigger('Request'), { kind: 'response_timeout' }],
    [byTrigger('Integration Enabled'), { kind: 'integration_enabled_failed' }],
    [byTrigger('Scheduler'), { kind: 'ok' }],
    [byTrigger('Scheduler'), { kind: 'scheduler_failed' }],
    [byTrigger('Webhook'), { kind: 'webhook_failed' }],
    [byTrigger('Webhook'), { kind: 'record_failed' }],
  ];
  for (const [i, [workflow, scenario]] of exemplars.entries()) {
    const r = rnd.fork('exemplar', i);
    // The first (a FAILED execution) is the newest of all: the trace the demo prints to open.
    const at = i === 0 ? traffic.window.end - 20 * 1000 : traffic.recent(r.fork('time'), 12 * HOUR, 10 * MINUTE);
    yield* triggered(world, r, workflow, world.userFor(workflow.integration, r), at, scenario, i === 0, true);
  }

  const eventDriven = new Weighted(
    tenant.workflows.filter((w) => w.weight > 0),
    (w) => w.weight,
  );
  const n = Math.round(settings.scale * settings.days * 0.8);
  for (let i = 0; i < n; i++) {
    const r = rnd.fork(i);
    const workflow = eventDriven.pick(r);
    const at = traffic.fit(traffic.sample(r.fork('time')), 2 * MINUTE);
    yield* triggered(world, r, workflow, world.userFor(workflow.integration, r), at, drawScenario(r, workflow));
  }

  // Scheduled workflows: a fifth of the executions, on each enabled user's cadence.
  const scheduled = tenant.workflows.filter((w) => w.trigger === 'Scheduler');
  for (const workflow of scheduled) {
    const every = workflow.everyHours! * HOUR;
    const perDay = (0.2 * settings.scale) / scheduled.length;
    const users = Math.round(perDay / (24 / workflow.everyHours!));
    for (let u = 0; u < users; u++) {
      const ru = rnd.fork('scheduled', workflow.name, u);
      const user = world.userFor(workflow.integration, ru);
      const phase = ru.next() * every;
      for (let at = traffic.window.end - MINUTE - phase, k = 0; at >= traffic.window.start; at -= every, k++) {
        const r = ru.fork(k);
        yield* triggered(world, r, workflow, user, Math.floor(at + r.int(0, 3000)), r.chance(0.005) ? { kind: 'scheduler_failed' } : { kind: 'ok' });
      }
    }
  }
}

function drawScenario(r: Random, workflow: WorkflowSpec): Scenario {
  const ok: Scenario = { kind: 'ok', cancel: r.chance(0.004) };
  switch (workflow.trigger) {
    case 'App Event':
      return r.weighted<Scenario>([
        [ok, 0.945],
        [{ kind: 'no_workflows_subscribed' }, 0.03],
        [{ kind: 'no_workflow_configured' }, 0.01],
        [{ kind: 'preparation_error' }, 0.01],
        [{ kind: 'submission_failure' }, 0.005],
      ]);
    case 'Request':
      return r.chance(0.01) ? { kind: 'request_failed' } : ok;
    case 'Integration Enabled':
      return r.chance(0.03) ? { kind: 'integration_enabled_failed' } : ok;
    case 'Scheduler':
      return r.chance(0.005) ? { kind: 'scheduler_failed' } : ok;
    case 'Webhook':
      return r.weighted<Scenario>([
        [ok, 0.975],
        [{ kind: 'record_failed' }, 0.02],
        [{ kind: 'webhook_failed' }, 0.005],
      ]);
  }
}

/** A trigger run at `at` and the executions it submits. */
function* triggered(world: World, r: Random, workflow: WorkflowSpec, user: User, at: number, scenario: Scenario, featured = false, exemplar = false): Generator<Emission> {
  const ids = r.fork('id');
  // How many records and executions: drawn apart from the outcomes (which depend on the hour), so the same seed sends the same executions at any time.
  const shape = r.fork('shape');
  const runId = ids.uuid();
  const type = workflow.trigger;
  const run: TriggerRun = { type, id: runId, startedAt: at, userId: user.id, integration: workflow.integration, workflowId: workflowId(world, workflow), credentialId: world.credentialId(user, workflow.integration) };
  const trigger = { type, runId, traceId: triggerTraceId(type, runId) };
  const executions: Emission[] = [];
  let t = at + Math.round(r.lognormal(25, 0.5));
  /** Submits `wf` for `who`: the submission, and its execution started after a queue delay. */
  const submit = (wf: WorkflowSpec, who: User, attempts?: Outcome[], cancel?: boolean): WorkflowSubmission => {
    const executionId = ids.uuid();
    const submittedAt = t;
    t += Math.round(r.lognormal(8, 0.5));
    const start = submittedAt + Math.round(r.lognormal(180, 0.9));
    executions.push(execution(world, r, wf, who, executionId, start, trigger, attempts, cancel, featured && executions.length === 0, exemplar));
    return { workflowId: workflowId(world, wf), executionId, userId: who.id, submittedAt };
  };
  const ok = scenario.kind === 'ok' ? scenario : undefined;

  switch (scenario.kind) {
    case 'no_workflows_subscribed':
    case 'no_workflow_configured':
      run.eventName = scenario.kind === 'no_workflow_configured' ? 'Invoice Paid' : workflow.eventName;
      run.outcome = scenario.kind === 'no_workflows_subscribed' ? 'NO_WORKFLOWS_SUBSCRIBED' : 'NO_WORKFLOW_CONFIGURED';
      run.endedAt = t;
      break;
    case 'preparation_error':
      run.eventName = workflow.eventName;
      run.submissions = [{ workflowId: workflowId(world, workflow), userId: user.id, submittedAt: t, error: 'Workflow input failed validation: "email" is required' }];
      break;
    case 'submission_failure':
      run.eventName = workflow.eventName;
      run.submissions = [{ workflowId: workflowId(world, workflow), executionId: ids.uuid(), userId: user.id, submittedAt: t, error: 'Execution queue unavailable: the submission was not accepted' }];
      break;
    case 'request_failed':
      run.error = 'Request body is not valid JSON';
      run.endedAt = t;
      break;
    case 'integration_enabled_failed':
    case 'scheduler_failed':
      run.submissions = [{ workflowId: workflowId(world, workflow), userId: user.id, submittedAt: t, error: 'Workflow is disabled for this user' }];
      if (scenario.kind === 'integration_enabled_failed') run.error = 'Workflow is disabled for this user';
      break;
    case 'webhook_failed':
      run.webhookId = webhookId(world, workflow);
      run.error = 'Webhook signature verification failed';
      run.endedAt = t;
      break;
    case 'record_failed':
    case 'response_timeout':
    case 'ok':
      if (type === 'Webhook') {
        run.webhookId = webhookId(world, workflow);
        const count = shape.chance(0.85) ? 1 : shape.int(2, 4);
        run.records = Array.from({ length: count }, (_, i): WebhookRecord => {
          const record: WebhookRecord = { recordId: `rec_${ids.hex(12)}`, fanout: workflow.fanout ?? 'user', userId: user.id, processedAt: t };
          if (record.fanout === 'resource') record.resourceId = `res_${ids.hex(8)}`;
          if (scenario.kind === 'record_failed' && i === 0) {
            record.error = 'Could not match the webhook record to a Connected User';
            return record;
          }
          // A record for the app goes to each of its users that enabled the workflow.
          const users = record.fanout === 'app' ? [user, ...(shape.chance(0.3) ? [world.userFor(workflow.integration, shape)] : [])] : [user];
          record.submissions = [...new Set(users)].map((who) => submit(workflow, who, i === 0 ? ok?.attempts : undefined, ok?.cancel));
          return record;
        });
      } else {
        if (type === 'App Event') run.eventName = workflow.eventName;
        const longRequest = scenario.kind === 'response_timeout' ? (['timeout', 200] as Outcome[]) : undefined;
        run.submissions = [submit(workflow, user, longRequest ?? ok?.attempts, ok?.cancel)];
        // An App Event starts every workflow enabled for it: the user enabled the others with it, usually.
        if (type === 'App Event') {
          for (const other of world.tenant.workflows.filter((w) => w !== workflow && w.eventName === workflow.eventName)) {
            if (shape.chance(0.6)) run.submissions.push(submit(other, user));
          }
        }
        if (type === 'Request') {
          const longest = Math.max(...executions.map((e) => (e.family === 'workflow_execution' ? executionEnd(e) : 0)));
          if (longest - at > REQUEST_TIMEOUT_MS) {
            run.outcome = 'RESPONSE_TIMEOUT';
            run.endedAt = at + REQUEST_TIMEOUT_MS;
          } else run.endedAt = longest + 5;
        }
      }
      break;
  }
  const spec = triggerTrace(run, CAPTURE);
  const failed = spec.spans[0]?.status?.code === SpanStatusCode.ERROR;
  yield { family: 'trigger', spec, status: failed ? 'FAILED' : 'SUCCEEDED', featured };
  yield* executions;
}

const executionEnd = (e: Emission) => (e.family === 'workflow_execution' ? (e.spec.spans[0]?.endTime ?? 0) : 0);

/**
 * One workflow execution: its steps in order, each API step calling its
 * provider (retrying rate limits and server errors), until one fails.
 * `attempts` forces the outcome of the last API step; an exemplar's other
 * API steps succeed.
 */
function execution(
  world: World,
  r: Random,
  workflow: WorkflowSpec,
  user: User,
  executionId: string,
  startedAt: number,
  trigger: { type: WorkflowSpec['trigger']; runId: string; traceId: string },
  attempts: Outcome[] | undefined,
  cancel: boolean | undefined,
  featured: boolean,
  exemplar: boolean,
): Emission {
  const integration = INTEGRATIONS[workflow.integration]!;
  const lastApiStep = workflow.steps.filter((s) => integration.actions[s]).at(-1);
  const steps: StepExecution[] = [];
  let status: ExecutionStatus = 'SUCCEEDED';
  let t = startedAt + Math.round(r.lognormal(20, 0.5));
  for (const [s, name] of workflow.steps.entries()) {
    const stepId = `${executionId.slice(0, 8)}-step-${s + 1}`;
    if (cancel && s === 1) {
      status = 'CANCELLED';
      break;
    }
    if (!integration.actions[name]) {
      const end = t + Math.max(1, Math.round(r.lognormal(12, 0.8)));
      steps.push({ stepId, name, status: 'SUCCEEDED', startedAt: t, endedAt: end, input: { fields: 6 }, output: { mapped: true } });
      t = end + 2;
      continue;
    }
    // An exemplar shows one outcome: its other calls go through.
    const forced = name === lastApiStep ? (attempts ?? (exemplar ? [200] : undefined)) : exemplar ? ([200] as Outcome[]) : undefined;
    const call = world.call(r, integration, name, user, t + 2, forced);
    const succeeded = call.outcome === 200;
    const end = call.endedAt + Math.round(r.lognormal(4, 0.5));
    steps.push({
      stepId,
      name: `${displayName(integration.name)}: ${name}`,
      status: succeeded ? 'SUCCEEDED' : 'FAILED',
      startedAt: t,
      endedAt: end,
      error: succeeded ? undefined : world.errorMessage(integration, call.outcome),
      input: { recordId: `rec_${r.hex(10)}`, access_token: 'demo-secret-token' },
      output: succeeded ? { id: r.hex(12), status: 'ok' } : undefined,
      requests: call.requests,
    });
    t = end + 2;
    if (!succeeded) {
      status = 'FAILED';
      break;
    }
  }
  const endedAt = t + Math.round(r.lognormal(10, 0.5));
  const spec = workflowExecutionTrace(
    {
      executionId,
      workflowId: workflowId(world, workflow),
      workflowName: workflow.name,
      userId: user.id,
      integration: workflow.integration,
      credentialId: world.credentialId(user, workflow.integration),
      status,
      startedAt,
      endedAt,
      trigger,
      steps,
      error: status === 'CANCELLED' ? 'Execution cancelled by user' : undefined,
    },
    CAPTURE,
  );
  const first = steps[0];
  if (first && r.chance(0.2)) addDebugLog(spec, `step:${first.stepId}`, startedAt + 1, 'step.input_mapped', `Mapped ${workflow.steps.length} step inputs from the trigger payload`);
  return { family: 'workflow_execution', spec, status, featured };
}

/** The id of the webhook a Webhook workflow listens on. */
const webhookId = (world: World, workflow: WorkflowSpec) => world.stableId('webhook', workflow.name);

/** A workflow's id: the same every week. */
const workflowId = (world: World, workflow: WorkflowSpec) => world.stableId('workflow', workflow.name);
