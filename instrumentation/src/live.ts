import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, diag, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { withExecutionLogAttributes } from './context.js';
import { linkTo, startSpanWithIds, type FlowtraceIdGenerator } from './emit.js';
import {
  redactText,
  rootSpanIdOf,
  spanIdFor,
  stepAttributes,
  stepFailedLog,
  stepOutcome,
  stepSpanKey,
  stepSpanName,
  triggerLink,
  workflowExecutionEndLog,
  workflowExecutionIdentity,
  workflowExecutionOutcome,
  workflowExecutionSpanName,
  workflowExecutionTraceId,
  type CaptureOptions,
  type ExecutionStatus,
  type StepExecution,
  type WorkflowExecution,
} from '@flowtrace/conventions';

/** A workflow execution about to run: what is known before it ends. */
export type WorkflowExecutionStart = Pick<WorkflowExecution, 'executionId' | 'workflowId' | 'workflowName' | 'userId' | 'integration' | 'credentialId' | 'trigger' | 'taskCount'>;

/** A step about to run. `input` is kept only with content capture on, redacted. */
export type StepStart = Pick<StepExecution, 'stepId' | 'name' | 'taskCount' | 'input'>;

/** A workflow execution while it runs, handed to the function that runs it. */
export interface ActiveWorkflowExecution {
  /** The execution's root span: add attributes, events or links of your own. */
  readonly span: Span;
  readonly traceId: string;
  /**
   * Runs one step as a child span of the execution, active while `run` runs
   * (HTTP requests it makes become its children). A throw or a rejection marks
   * the step FAILED with the error's message and goes on to the caller.
   */
  step<T>(step: StepStart, run: (step: ActiveStep) => T): T;
  /** Marks the execution FAILED without a throw (a failure the workflow handled). */
  fail(error?: unknown): void;
}

/** A step while it runs. */
export interface ActiveStep {
  readonly span: Span;
  /** Marks the step FAILED without a throw. */
  fail(error?: unknown): void;
  /** The step's output: kept only with content capture on, redacted. */
  setOutput(output: unknown): void;
}

export interface LiveTelemetry {
  tracer: Tracer;
  logger: Logger;
  ids: FlowtraceIdGenerator;
  capture: CaptureOptions;
}

/**
 * Traces a workflow execution as it runs: the same trace `recordWorkflowExecution`
 * makes of a finished one (root span with Task History's fields, one span per
 * step, the same logs), with ids derived from the execution id. The execution
 * is a trace of its own even when run inside another span (an HTTP request, a
 * queue message). Logs emitted inside carry the execution's identity and Event
 * Logs type where FlowtraceLogRecordProcessor is installed.
 */
export function traceWorkflowExecution<T>(telemetry: LiveTelemetry, execution: WorkflowExecutionStart, run: (execution: ActiveWorkflowExecution) => T): T {
  let live: LiveExecution;
  try {
    live = new LiveExecution(telemetry, execution);
  } catch (err) {
    diag.error('flowtrace: could not trace the workflow execution; it runs untraced', err);
    return run(untracedExecution());
  }
  return settleAfter(live.context, () => run(live.handle), (error) => live.end(error));
}

class LiveExecution {
  readonly context: Context;
  readonly handle: ActiveWorkflowExecution;
  readonly #telemetry: LiveTelemetry;
  readonly #execution: WorkflowExecutionStart;
  readonly #identity: Attributes;
  readonly #span: Span;
  readonly #traceId: string;
  readonly #stepRuns = new Map<string, number>();
  #taskCount = 0;
  #failure: { message: string | undefined } | undefined;
  #firstStepError: string | undefined;

  constructor(telemetry: LiveTelemetry, execution: WorkflowExecutionStart) {
    this.#telemetry = telemetry;
    this.#execution = execution;
    this.#traceId = workflowExecutionTraceId(execution.executionId);
    this.#identity = workflowExecutionIdentity(execution);
    this.#span = startSpanWithIds(telemetry.tracer, telemetry.ids, this.#traceId, rootSpanIdOf(this.#traceId), ROOT_CONTEXT, workflowExecutionSpanName(execution), {
      kind: SpanKind.SERVER,
      attributes: this.#identity,
      links: execution.trigger ? [triggerLinkOf(execution.trigger)] : undefined,
    });
    this.context = withExecutionLogAttributes(trace.setSpan(context.active(), this.#span), this.#identity);
    this.handle = {
      span: this.#span,
      traceId: this.#traceId,
      step: (step, run) => this.#step(step, run),
      fail: (error) => {
        this.#failure = { message: messageOf(error) };
      },
    };
  }

  end(thrown: Thrown | undefined): void {
    const failure = thrown ? { message: messageOf(thrown.error) } : this.#failure;
    const status: ExecutionStatus = failure ? 'FAILED' : 'SUCCEEDED';
    const taskCount = this.#execution.taskCount ?? this.#taskCount;
    this.#span.setAttributes(workflowExecutionOutcome(this.#execution, status, taskCount));
    this.#span.setStatus(failure ? { code: SpanStatusCode.ERROR, message: failure.message ?? this.#firstStepError } : { code: SpanStatusCode.OK });
    const log = workflowExecutionEndLog(status, taskCount);
    this.#log(this.context, failure ? 'ERROR' : 'INFO', log);
    this.#span.end();
  }

  #step<T>(step: StepStart, run: (step: ActiveStep) => T): T {
    let span: Span;
    let stepContext: Context;
    let failure: { message: string | undefined } | undefined;
    let output: { value: unknown } | undefined;
    try {
      const n = (this.#stepRuns.get(step.stepId) ?? 0) + 1;
      this.#stepRuns.set(step.stepId, n);
      // A step run more than once (a loop) gets a span of its own each time.
      const key = n === 1 ? stepSpanKey(step.stepId) : `${stepSpanKey(step.stepId)}:run:${n}`;
      span = startSpanWithIds(this.#telemetry.tracer, this.#telemetry.ids, this.#traceId, spanIdFor(this.#traceId, key), this.context, stepSpanName(step.name), {
        kind: SpanKind.INTERNAL,
        attributes: stepAttributes(step),
      });
      stepContext = trace.setSpan(this.context, span);
    } catch (err) {
      diag.error('flowtrace: could not trace a step; it runs untraced', err);
      return run(untracedStep());
    }
    const handle: ActiveStep = {
      span,
      fail: (error) => {
        failure = { message: messageOf(error) };
      },
      setOutput: (value) => {
        output = { value };
      },
    };
    return settleAfter(stepContext, () => run(handle), (thrown) => {
      const failed = thrown ? { message: messageOf(thrown.error) } : failure;
      const status: ExecutionStatus = failed ? 'FAILED' : 'SUCCEEDED';
      this.#taskCount += step.taskCount ?? 1;
      span.setAttributes(stepOutcome({ taskCount: step.taskCount, input: step.input, output: output?.value }, status, this.#telemetry.capture));
      span.setStatus(failed ? { code: SpanStatusCode.ERROR, message: failed.message } : { code: SpanStatusCode.OK });
      if (failed) {
        this.#firstStepError ??= failed.message;
        this.#log(stepContext, 'ERROR', stepFailedLog(step, failed.message));
      }
      span.end();
    });
  }

  #log(logContext: Context, level: 'INFO' | 'ERROR', log: { eventName: string; body: string; attributes: Attributes }): void {
    this.#telemetry.logger.emit({
      severityNumber: level === 'ERROR' ? SeverityNumber.ERROR : SeverityNumber.INFO,
      severityText: level,
      eventName: log.eventName,
      body: log.body,
      attributes: { ...this.#identity, ...log.attributes },
      context: logContext,
    });
  }
}

interface Thrown {
  error: unknown;
}

/**
 * Runs `run` in `ctx` and calls `settle` once it is over — at once, or when
 * the promise it returns settles — with what it threw, if it did. The result
 * and the error reach the caller unchanged; a problem in `settle` goes to
 * `diag`, never to the caller.
 */
function settleAfter<T>(ctx: Context, run: () => T, settle: (thrown: Thrown | undefined) => void): T {
  const settleSafely = (thrown: Thrown | undefined) => {
    try {
      settle(thrown);
    } catch (err) {
      diag.error('flowtrace: could not end a span', err);
    }
  };
  let result: T;
  try {
    result = context.with(ctx, run);
  } catch (error) {
    settleSafely({ error });
    throw error;
  }
  if (isPromiseLike(result)) {
    return result.then(
      (value) => {
        settleSafely(undefined);
        return value;
      },
      (error: unknown) => {
        settleSafely({ error });
        throw error;
      },
    ) as T;
  }
  settleSafely(undefined);
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** An error's message, redacted of credentials, as a span status message. */
function messageOf(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  let text: string | undefined;
  try {
    text = error instanceof Error ? error.message || error.name : typeof error === 'string' ? error : JSON.stringify(error);
  } catch {
    text = Object.prototype.toString.call(error);
  }
  return text ? redactText(text) : undefined;
}

function triggerLinkOf(trigger: NonNullable<WorkflowExecution['trigger']>) {
  const link = triggerLink(trigger);
  return linkTo(link.traceId, link.spanId, link.attributes);
}

const NOOP_SPAN = trace.wrapSpanContext({ traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: 0 });

function untracedExecution(): ActiveWorkflowExecution {
  return { span: NOOP_SPAN, traceId: NOOP_SPAN.spanContext().traceId, step: (_step, run) => run(untracedStep()), fail: () => undefined };
}

function untracedStep(): ActiveStep {
  return { span: NOOP_SPAN, fail: () => undefined, setOutput: () => undefined };
}
