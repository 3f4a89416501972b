import { diag } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { FLOWTRACE_ID_GENERATOR } from './emit.js';

export interface StartOptions {
  /**
   * The Flowtrace project key. Default: FLOWTRACE_API_KEY. Sent as
   * `Authorization: Bearer <key>` unless OTEL_EXPORTER_OTLP_HEADERS sets one.
   */
  apiKey?: string;
  /** Instrument node:http and express. Default true. */
  autoInstrument?: boolean;
}

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry Node SDK for Flowtrace: OTLP/HTTP protobuf exporters
 * for traces and logs (configured by the standard OTEL_* variables: endpoint,
 * headers, service name, resource attributes), HTTP and Express
 * auto-instrumentation, and the id generator that keeps execution ids and trace
 * ids in step. Idempotent. Never throws: a failure is reported through `diag`
 * and the host app runs untraced.
 */
export function start(options: StartOptions = {}): boolean {
  if (sdk) return true;
  try {
    const apiKey = options.apiKey ?? process.env.FLOWTRACE_API_KEY;
    const headersFromEnv = /(^|,)\s*authorization\s*=/i.test(process.env.OTEL_EXPORTER_OTLP_HEADERS ?? '');
    const headers = apiKey && !headersFromEnv ? { Authorization: `Bearer ${apiKey}` } : undefined;
    sdk = new NodeSDK({
      traceExporter: new OTLPTraceExporter({ headers }),
      logRecordProcessors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ headers }) })],
      idGenerator: FLOWTRACE_ID_GENERATOR,
      instrumentations: options.autoInstrument === false ? [] : [new HttpInstrumentation(), new ExpressInstrumentation()],
    });
    sdk.start();
    return true;
  } catch (err) {
    sdk = undefined;
    diag.error('flowtrace: could not start the OpenTelemetry SDK; the app runs untraced', err);
    return false;
  }
}

/** Flushes what is buffered and stops the SDK. Never throws. */
export async function shutdown(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  try {
    await running?.shutdown();
  } catch (err) {
    diag.error('flowtrace: error while shutting down the OpenTelemetry SDK', err);
  }
}
