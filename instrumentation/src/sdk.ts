import { diag, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { FLOWTRACE_ID_GENERATOR, emitLog, emitTrace, type FlowtraceIdGenerator } from './emit.js';
import type { CaptureOptions, LogSpec, TraceSpec } from './model.js';
import { agentRunTrace, type AgentRun } from './families/agent.js';
import { credentialRefreshTrace, type CredentialRefresh } from './families/credentials.js';
import { recipeJobTrace, userActivityLog, type RecipeJob, type UserActivity } from './families/jobs.js';
import { syncRunTrace, type SyncRun } from './families/sync.js';
import { toolCallTrace, triggerEventTrace, triggerSubscriptionTrace, type ToolCall, type TriggerEvent, type TriggerSubscription } from './families/actionkit.js';
import { triggerTrace, type TriggerRun } from './families/triggers.js';
import { workflowExecutionTrace, type WorkflowExecution } from './families/workflow.js';

export const INSTRUMENTATION_NAME = '@flowtrace/instrumentation';
export const INSTRUMENTATION_VERSION = '0.1.0';

export interface FlowtraceOptions {
  /**
   * Keep inputs, outputs, prompts, messages and payloads. Default false.
   * Credentials in anything kept are redacted either way.
   */
  captureContent?: boolean;
  /** The id generator the tracer provider uses; default the one `start()` installs. */
  idGenerator?: FlowtraceIdGenerator;
}

/**
 * Records integration-platform executions as OpenTelemetry traces and logs,
 * through the global tracer and logger providers (set up by `start()`, the
 * register hook, or your own SDK). Recording never throws: a problem inside
 * Flowtrace is reported through `diag` and the host goes on.
 */
export class Flowtrace {
  readonly #capture: CaptureOptions;
  readonly #ids: FlowtraceIdGenerator;

  constructor(options: FlowtraceOptions = {}) {
    this.#capture = { captureContent: options.captureContent ?? false };
    this.#ids = options.idGenerator ?? FLOWTRACE_ID_GENERATOR;
  }

  /** Records a trigger run (App Event, Request, Integration Enabled, Scheduler, Webhook). */
  recordTrigger(run: TriggerRun): void {
    this.#record(() => triggerTrace(run, this.#capture));
  }

  /** Records a workflow execution with its steps and their outbound requests. */
  recordWorkflowExecution(execution: WorkflowExecution): void {
    this.#record(() => workflowExecutionTrace(execution, this.#capture));
  }

  /** Records an ActionKit List Tools or Run Tool request; its requestId is its trace id. */
  recordToolCall(call: ToolCall): void {
    this.#record(() => toolCallTrace(call, this.#capture));
  }

  recordTriggerSubscription(subscription: TriggerSubscription): void {
    this.#record(() => triggerSubscriptionTrace(subscription));
  }

  /** Records an ActionKit trigger event and its deliveries. */
  recordTriggerEvent(event: TriggerEvent): void {
    this.#record(() => triggerEventTrace(event, this.#capture));
  }

  /** Records one Managed Sync iteration. */
  recordSyncRun(run: SyncRun): void {
    this.#record(() => syncRunTrace(run));
  }

  recordCredentialRefresh(refresh: CredentialRefresh): void {
    this.#record(() => credentialRefreshTrace(refresh));
  }

  /** Records an agent run (or a part of one: see AgentRun). */
  recordAgentRun(run: AgentRun): void {
    this.#record(() => agentRunTrace(run, this.#capture));
  }

  recordRecipeJob(job: RecipeJob): void {
    this.#record(() => recipeJobTrace(job, this.#capture));
  }

  recordUserActivity(activity: UserActivity): void {
    this.#safely(() => emitLog(userActivityLog(activity), logs.getLogger(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION)));
  }

  /** Records a trace built by hand (or by a mapper you compose yourself). */
  record(spec: TraceSpec): void {
    this.#record(() => spec);
  }

  /** Records logs that belong to no trace. */
  recordLogs(specs: LogSpec[]): void {
    this.#safely(() => {
      const logger = logs.getLogger(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
      for (const spec of specs) emitLog(spec, logger);
    });
  }

  #record(build: () => TraceSpec): void {
    this.#safely(() => emitTrace(build(), trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION), logs.getLogger(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION), this.#ids));
  }

  #safely(run: () => void): void {
    try {
      run();
    } catch (err) {
      diag.error('flowtrace: could not record telemetry', err);
    }
  }
}
