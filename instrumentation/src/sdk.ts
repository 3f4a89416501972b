import { ProxyTracerProvider, diag, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { FLOWTRACE_ID_GENERATOR, emitLog, emitTrace, type FlowtraceIdGenerator } from './emit.js';
import { traceWorkflowExecution, type ActiveWorkflowExecution, type WorkflowExecutionStart } from './live.js';
import { FLOWTRACE_EXPORT_QUEUES, type Counts, type Losses } from './queues.js';
import {
  INSTRUMENTATION_NAME,
  INSTRUMENTATION_VERSION,
  agentRunTrace,
  credentialRefreshTrace,
  recipeJobTrace,
  syncRunTrace,
  toolCallTrace,
  triggerEventTrace,
  triggerSubscriptionTrace,
  triggerTrace,
  userActivityLog,
  workflowExecutionTrace,
  type AgentRun,
  type CaptureOptions,
  type CredentialRefresh,
  type LogSpec,
  type RecipeJob,
  type SyncRun,
  type ToolCall,
  type TraceSpec,
  type TriggerEvent,
  type TriggerRun,
  type TriggerSubscription,
  type UserActivity,
  type WorkflowExecution,
} from '@flowtrace/conventions';

export { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION };

export interface FlowtraceOptions {
  /**
   * Keep inputs, outputs, prompts, messages and payloads. Default false.
   * Credentials in anything kept are redacted either way.
   */
  captureContent?: boolean;
  /** The id generator the tracer provider uses; default the one `start()` installs. */
  idGenerator?: FlowtraceIdGenerator;
}

/** What `recordAll` did. */
export interface RecordAllResult {
  /** Items handed to `record`. */
  recorded: number;
  /** Spans and logs recorded meanwhile that never reached Flowtrace (all zero unless the exporter failed). */
  lost: Losses;
}

/** What recording one item emits, held back by `recordAll` until the queues have room for it. */
interface Emission {
  size: Counts;
  emit: () => void;
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
  /** Set while `recordAll` runs its `record` callback: what it records is collected here. */
  #collecting: Emission[] | undefined;

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

  /**
   * Records many workflow executions (a backfill) without dropping any: see
   * `recordAll`. Resolves once all of them are exported.
   */
  recordWorkflowExecutions(executions: Iterable<WorkflowExecution> | AsyncIterable<WorkflowExecution>): Promise<RecordAllResult> {
    return this.recordAll(executions, (execution) => this.recordWorkflowExecution(execution));
  }

  /**
   * Traces a workflow execution as it runs, with the same trace
   * `recordWorkflowExecution` makes of a finished one. `run` gets the active
   * execution (`step(…)` runs a step as a child span); what it returns or
   * throws reaches you unchanged, and a throw or rejection marks the
   * execution FAILED with the error's message.
   *
   * ```ts
   * await flowtrace.traceWorkflowExecution({ executionId, workflowId, userId, integration }, async (execution) => {
   *   await execution.step({ stepId: 'create', name: 'Create record' }, () => salesforce.create(record));
   * });
   * ```
   */
  traceWorkflowExecution<T>(execution: WorkflowExecutionStart, run: (execution: ActiveWorkflowExecution) => T): T {
    return traceWorkflowExecution(
      {
        tracer: trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION),
        logger: logs.getLogger(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION),
        ids: this.#ids,
        capture: this.#capture,
      },
      execution,
      run,
    );
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
    this.#recordLogs(() => [userActivityLog(activity)]);
  }

  /** Records a trace built by hand (or by a mapper you compose yourself). */
  record(spec: TraceSpec): void {
    this.#record(() => spec);
  }

  /** Records logs that belong to no trace. */
  recordLogs(specs: LogSpec[]): void {
    this.#recordLogs(() => specs);
  }

  /**
   * Records many items — a backfill, an import — without dropping any.
   * `record` records one item with the methods above, as you would one at a
   * time: `flowtrace.recordAll(jobs, (job) => flowtrace.recordRecipeJob(job))`.
   * Where a plain loop would overflow the SDK's export queues and lose what
   * does not fit, this hands the items to OpenTelemetry a batch at a time and
   * waits for each batch to be exported before the next. Resolves once
   * everything is exported, with what (if anything) was lost anyway.
   */
  async recordAll<T>(items: Iterable<T> | AsyncIterable<T>, record: (item: T) => void): Promise<RecordAllResult> {
    const before = FLOWTRACE_EXPORT_QUEUES.lost();
    let recorded = 0;
    let sinceFlush: Counts = { spans: 0, logs: 0 };
    for await (const item of items) {
      const emissions = this.#collect(() => record(item));
      recorded++;
      for (const emission of emissions) {
        if (!FLOWTRACE_EXPORT_QUEUES.hasRoom(emission.size, sinceFlush)) {
          // Sent batch by batch, a backfill never overflows a queue, and only one export is in flight at a time.
          await this.#drain();
          sinceFlush = { spans: 0, logs: 0 };
        }
        this.#safely(emission.emit);
        sinceFlush = { spans: sinceFlush.spans + emission.size.spans, logs: sinceFlush.logs + emission.size.logs };
      }
    }
    await this.flush();
    const after = FLOWTRACE_EXPORT_QUEUES.lost();
    return {
      recorded,
      lost: {
        dropped: { spans: after.dropped.spans - before.dropped.spans, logs: after.dropped.logs - before.dropped.logs },
        failed: { spans: after.failed.spans - before.failed.spans, logs: after.failed.logs - before.failed.logs },
      },
    };
  }

  /**
   * Exports everything recorded so far, through the registered tracer and
   * logger providers, and resolves once it is sent (or failed to send: any
   * loss is reported as a warning). Never rejects.
   */
  async flush(): Promise<void> {
    await this.#drain();
    FLOWTRACE_EXPORT_QUEUES.reportNow();
  }

  async #drain(): Promise<void> {
    try {
      await FLOWTRACE_EXPORT_QUEUES.drain({ spans: () => forceFlush(trace.getTracerProvider()), logs: () => forceFlush(logs.getLoggerProvider()) });
    } catch (err) {
      diag.error('flowtrace: could not flush telemetry', err);
    }
  }

  /** Runs `record` and returns what it recorded, unsent. */
  #collect(record: () => void): Emission[] {
    const collected: Emission[] = [];
    const outer = this.#collecting;
    this.#collecting = collected;
    try {
      record();
    } finally {
      this.#collecting = outer;
    }
    return collected;
  }

  #record(build: () => TraceSpec): void {
    this.#safely(() => {
      const spec = build();
      this.#emitOrCollect({ spans: spec.spans.length, logs: spec.logs.length }, () =>
        emitTrace(spec, trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION), logs.getLogger(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION), this.#ids),
      );
    });
  }

  #recordLogs(build: () => LogSpec[]): void {
    this.#safely(() => {
      const specs = build();
      this.#emitOrCollect({ spans: 0, logs: specs.length }, () => {
        const logger = logs.getLogger(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
        for (const spec of specs) emitLog(spec, logger);
      });
    });
  }

  #emitOrCollect(size: Counts, emit: () => void): void {
    if (this.#collecting) this.#collecting.push({ size, emit });
    else emit();
  }

  #safely(run: () => void): void {
    try {
      run();
    } catch (err) {
      diag.error('flowtrace: could not record telemetry', err);
    }
  }
}

/** Calls `forceFlush` on a provider that has one (an SDK provider, or the API's proxy in front of one). */
async function forceFlush(provider: object): Promise<void> {
  const target = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  const flushable = target as { forceFlush?: () => Promise<unknown> };
  if (typeof flushable.forceFlush === 'function') await flushable.forceFlush();
}
