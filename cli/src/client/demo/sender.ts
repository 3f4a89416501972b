import type { Context } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, type LogRecordProcessor, type ReadableLogRecord, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import type { Logger } from '@opentelemetry/api-logs';
import type { Tracer } from '@opentelemetry/api';
import { FLOWTRACE_ID_GENERATOR, INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, emitLog, emitTrace } from '@flowtrace/instrumentation';
import { ATTR_SERVICE_NAME } from '@flowtrace/instrumentation/semconv';
import type { Emission } from './emission.js';

/** Spans or logs per export request: large enough that a week goes in a few dozen requests, small enough for the collector's body limit. */
export const EXPORT_BATCH = 4000;

/** What a sender got through: counted from the collector's answers (it answers once the rows are stored). */
export interface Sent {
  spans: number;
  logs: number;
  requests: number;
  /** Spans and logs the collector did not take, and why. */
  failed: { spans: number; logs: number; errors: string[] };
}

/** Keeps what the SDK ends, for the sender to export in batches of its choosing. */
class Buffer<T> {
  items: T[] = [];
  take(): T[] {
    const out = this.items;
    this.items = [];
    return out;
  }
}

class SpanBuffer extends Buffer<ReadableSpan> implements SpanProcessor {
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.items.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

class LogBuffer extends Buffer<ReadableLogRecord> implements LogRecordProcessor {
  onEmit(record: SdkLogRecord, _context?: Context): void {
    this.items.push(record);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * One project's OpenTelemetry pipeline: the SDK's tracer and logger
 * providers (Flowtrace's id generator, the project's key on the OTLP
 * exporters), with processors that hold what is recorded until the demo
 * exports it in large batches, one request at a time, each waited for —
 * nothing is dropped, as a bounded batch processor would when a week is
 * recorded in seconds, and every span and log is counted by the answer it got.
 */
export class DemoSender {
  readonly sent: Sent = { spans: 0, logs: 0, requests: 0, failed: { spans: 0, logs: 0, errors: [] } };
  readonly #spans = new SpanBuffer();
  readonly #logs = new LogBuffer();
  readonly #tracerProvider: BasicTracerProvider;
  readonly #loggerProvider: LoggerProvider;
  readonly #tracer: Tracer;
  readonly #logger: Logger;
  readonly #traceExporter: OTLPTraceExporter;
  readonly #logExporter: OTLPLogExporter;
  /** The export on the wire, while the next batch is being recorded. */
  #inFlight: Promise<void> = Promise.resolve();

  constructor(endpoint: string, key: string, serviceName: string) {
    const headers = { Authorization: `Bearer ${key}` };
    const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName });
    this.#traceExporter = new OTLPTraceExporter({ url: `${endpoint}/v1/traces`, headers, timeoutMillis: 120_000 });
    this.#logExporter = new OTLPLogExporter({ url: `${endpoint}/v1/logs`, headers, timeoutMillis: 120_000 });
    this.#tracerProvider = new BasicTracerProvider({ resource, idGenerator: FLOWTRACE_ID_GENERATOR, spanProcessors: [this.#spans] });
    this.#loggerProvider = new LoggerProvider({ resource, processors: [this.#logs] });
    this.#tracer = this.#tracerProvider.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
    this.#logger = this.#loggerProvider.getLogger(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
  }

  /** Records one emission through the SDK (held until exported). */
  record(emission: Emission): void {
    if (emission.family === 'user_activity') for (const log of emission.logs) emitLog(log, this.#logger);
    else emitTrace(emission.spec, this.#tracer, this.#logger, FLOWTRACE_ID_GENERATOR);
  }

  /** Exports what is held once a batch is full, after the previous export was answered. */
  async pace(): Promise<void> {
    if (this.#spans.items.length < EXPORT_BATCH && this.#logs.items.length < EXPORT_BATCH) return;
    await this.#inFlight;
    this.#inFlight = this.#export(this.#spans.take(), this.#logs.take());
  }

  /** Exports the rest and waits for every answer. */
  async close(): Promise<Sent> {
    await this.#inFlight;
    await this.#export(this.#spans.take(), this.#logs.take());
    await Promise.all([this.#tracerProvider.shutdown(), this.#loggerProvider.shutdown()]);
    await Promise.all([this.#traceExporter.shutdown(), this.#logExporter.shutdown()]);
    return this.sent;
  }

  async #export(spans: ReadableSpan[], logs: ReadableLogRecord[]): Promise<void> {
    // One request at a time: the collector admits a large request alone and asks the others to retry later.
    for (let i = 0; i < spans.length; i += EXPORT_BATCH) this.#count('spans', Math.min(EXPORT_BATCH, spans.length - i), await exportOnce(this.#traceExporter, spans.slice(i, i + EXPORT_BATCH)));
    for (let i = 0; i < logs.length; i += EXPORT_BATCH) this.#count('logs', Math.min(EXPORT_BATCH, logs.length - i), await exportOnce(this.#logExporter, logs.slice(i, i + EXPORT_BATCH)));
  }

  #count(signal: 'spans' | 'logs', n: number, result: ExportResult): void {
    this.sent.requests++;
    if (result.code === EXPORT_SUCCESS) {
      this.sent[signal] += n;
      return;
    }
    this.sent.failed[signal] += n;
    const why = result.error?.message ?? 'export failed';
    if (!this.sent.failed.errors.includes(why)) this.sent.failed.errors.push(why);
  }
}

/** An exporter's answer (ExportResult of @opentelemetry/core): code 0 is success. */
interface ExportResult {
  code: number;
  error?: Error;
}
const EXPORT_SUCCESS = 0;

function exportOnce<T>(exporter: { export(items: T[], done: (result: ExportResult) => void): void }, items: T[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}
