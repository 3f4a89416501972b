import { createContextKey, type Attributes, type Context } from '@opentelemetry/api';
import type { LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';

const EXECUTION_LOG_ATTRIBUTES = createContextKey('flowtrace: attributes of the logs of an execution');

/**
 * `context` with the attributes every log emitted in it should carry: the
 * identity of the execution running there (its kind, Event Logs type, user,
 * integration, ids). Read by {@link FlowtraceLogRecordProcessor}.
 */
export function withExecutionLogAttributes(context: Context, attributes: Attributes): Context {
  return context.setValue(EXECUTION_LOG_ATTRIBUTES, attributes);
}

/** The attributes {@link withExecutionLogAttributes} put into `context`, if any. */
export function executionLogAttributes(context: Context | undefined): Attributes | undefined {
  return context?.getValue(EXECUTION_LOG_ATTRIBUTES) as Attributes | undefined;
}

/**
 * Gives a log emitted while an execution traced by Flowtrace runs (your own
 * `logger.emit`, or a logging library's OpenTelemetry bridge) the attributes
 * Event Logs files it by: its type (`flowtrace.log.type`), user, integration
 * and execution ids. Attributes the log sets itself are kept.
 *
 * `start()` and the register hook install it. With an SDK of your own, list it
 * before the exporting processor:
 * `logRecordProcessors: [new FlowtraceLogRecordProcessor(), new BatchLogRecordProcessor(…)]`.
 */
export class FlowtraceLogRecordProcessor implements LogRecordProcessor {
  onEmit(logRecord: SdkLogRecord, context?: Context): void {
    const attributes = executionLogAttributes(context);
    if (!attributes) return;
    for (const [key, value] of Object.entries(attributes)) {
      if (value !== undefined && logRecord.attributes[key] === undefined) logRecord.setAttribute(key, value);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
