import { diag, type MeterProvider } from '@opentelemetry/api';
import { getNumberFromEnv } from '@opentelemetry/core';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor, type BufferConfig } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { FlowtraceLogRecordProcessor } from './context.js';
import { FLOWTRACE_ID_GENERATOR } from './emit.js';
import { FLOWTRACE_EXPORT_QUEUES } from './queues.js';

export interface StartOptions {
  /**
   * The Flowtrace project key. Default: FLOWTRACE_API_KEY. Sent as
   * `Authorization: Bearer <key>` unless OTEL_EXPORTER_OTLP_HEADERS sets one.
   */
  apiKey?: string;
  /** Instrument node:http and express. Default true. */
  autoInstrument?: boolean;
}

/** The SDK's queue size, unless OTEL_BSP_MAX_QUEUE_SIZE / OTEL_BLRP_MAX_QUEUE_SIZE say otherwise. */
const DEFAULT_QUEUE_SIZE = 2048;

let sdk: NodeSDK | undefined;
let exitHooked = false;

/**
 * Starts the OpenTelemetry Node SDK for Flowtrace: OTLP/HTTP protobuf exporters
 * for traces and logs (configured by the standard OTEL_* variables: endpoint,
 * headers, service name, resource attributes, batch queue sizes), HTTP and
 * Express auto-instrumentation, the id generator that keeps execution ids and
 * trace ids in step, the log processor that files logs of a traced execution
 * under it, and the watch on the export queues that warns of anything lost.
 * What is still queued is exported when the process runs out of work
 * (`beforeExit`); call `shutdown()` yourself before `process.exit()`.
 * Idempotent. Never throws: a failure is reported through `diag` and the host
 * app runs untraced.
 */
export function start(options: StartOptions = {}): boolean {
  if (sdk) return true;
  try {
    const apiKey = options.apiKey ?? process.env.FLOWTRACE_API_KEY;
    const headersFromEnv = /(^|,)\s*authorization\s*=/i.test(process.env.OTEL_EXPORTER_OTLP_HEADERS ?? '');
    const headers = apiKey && !headersFromEnv ? { Authorization: `Bearer ${apiKey}` } : undefined;
    const spanQueue = batchOptions('spans');
    const logQueue = batchOptions('logs');
    FLOWTRACE_EXPORT_QUEUES.setExportBatchSize('spans', spanQueue.maxExportBatchSize);
    FLOWTRACE_EXPORT_QUEUES.setExportBatchSize('logs', logQueue.maxExportBatchSize);
    const spanProcessorOptions: BufferConfig & { selfObsMeterProvider: MeterProvider } = { ...spanQueue, selfObsMeterProvider: FLOWTRACE_EXPORT_QUEUES };
    sdk = new NodeSDK({
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ headers }), spanProcessorOptions)],
      logRecordProcessors: [
        new FlowtraceLogRecordProcessor(),
        new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ headers }), selfObsMeterProvider: FLOWTRACE_EXPORT_QUEUES, ...logQueue }),
      ],
      idGenerator: FLOWTRACE_ID_GENERATOR,
      instrumentations: options.autoInstrument === false ? [] : [new HttpInstrumentation(), new ExpressInstrumentation()],
    });
    sdk.start();
    hookExit();
    return true;
  } catch (err) {
    sdk = undefined;
    diag.error('flowtrace: could not start the OpenTelemetry SDK; the app runs untraced', err);
    return false;
  }
}

/**
 * Exports what is still queued and stops the SDK; says how much was lost in
 * all, if anything was. Never throws.
 */
export async function shutdown(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  try {
    await running?.shutdown();
  } catch (err) {
    diag.error('flowtrace: error while shutting down the OpenTelemetry SDK', err);
  }
  if (!running) return;
  FLOWTRACE_EXPORT_QUEUES.reportNow();
  // A warning is printed on the next tick: the total comes after it.
  await new Promise((resolve) => setImmediate(resolve));
  const total = FLOWTRACE_EXPORT_QUEUES.finalReport();
  if (total) {
    diag.warn(total);
    process.stderr.write(`${total}\n`);
  }
}

/**
 * A batch processor's settings from the standard variables (OTEL_BSP_* for
 * spans, OTEL_BLRP_* for logs), as NodeSDK reads them, with one default of
 * our own: a batch is the whole queue (2,048) rather than 512. Flowtrace
 * stores a request as one INSERT, and ClickHouse takes fewer, larger inserts
 * far better: 20,000 workflow executions took 10 s in batches of 2,048, 22 s in batches of 512.
 */
function batchOptions(signal: 'spans' | 'logs'): { maxQueueSize: number; maxExportBatchSize: number; scheduledDelayMillis?: number; exportTimeoutMillis?: number } {
  const prefix = signal === 'spans' ? 'OTEL_BSP' : 'OTEL_BLRP';
  const positive = (name: string) => {
    const value = getNumberFromEnv(`${prefix}_${name}`);
    return value !== undefined && value > 0 ? value : undefined;
  };
  const maxQueueSize = positive('MAX_QUEUE_SIZE') ?? DEFAULT_QUEUE_SIZE;
  const options = {
    maxQueueSize,
    maxExportBatchSize: Math.min(maxQueueSize, positive('MAX_EXPORT_BATCH_SIZE') ?? maxQueueSize),
    scheduledDelayMillis: positive('SCHEDULE_DELAY'),
    exportTimeoutMillis: positive('EXPORT_TIMEOUT'),
  };
  if (options.scheduledDelayMillis === undefined) delete options.scheduledDelayMillis;
  if (options.exportTimeoutMillis === undefined) delete options.exportTimeoutMillis;
  return options;
}

/**
 * A process that runs out of work exports what is queued first. One that
 * exits at once (process.exit) cannot wait for an export: it says what it
 * leaves behind.
 */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('beforeExit', () => void shutdown());
  process.once('exit', () => {
    if (!sdk) return;
    const left = { spans: FLOWTRACE_EXPORT_QUEUES.queued('spans'), logs: FLOWTRACE_EXPORT_QUEUES.queued('logs') };
    const lost = FLOWTRACE_EXPORT_QUEUES.finalReport();
    if (left.spans + left.logs > 0) {
      process.stderr.write(
        `flowtrace: exiting with ${left.spans} spans and ${left.logs} logs not yet exported; they are lost. Call \`await shutdown()\` (or \`await flowtrace.flush()\`) before process.exit().\n`,
      );
    }
    if (lost) process.stderr.write(`${lost}\n`);
  });
}
