import { logs } from '@opentelemetry/api-logs';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { AdminToken, Projects, type Store } from '@flowtrace/store';
import { openCollector } from '@flowtrace/collector';
import { createQueryApp, type Timeline } from '@flowtrace/query-api';
import { FLOWTRACE_ID_GENERATOR } from '@flowtrace/instrumentation';
import { openTempStore } from './store.js';
import { listenApp, memoryLogger } from './http.js';

export interface Pipeline {
  store: Store;
  projects: Projects;
  projectId: string;
  key: string;
  otlpUrl: string;
  apiUrl: string;
  /** Exports everything recorded so far (the official OTLP protobuf exporters) and waits for it. */
  flush(): Promise<void>;
  timeline(traceId: string): Promise<Timeline>;
  close(): Promise<void>;
}

/**
 * The whole path in one process: the official OTel SDK, registered globally
 * with Flowtrace's id generator and OTLP/HTTP protobuf exporters, exporting to
 * the collector, which stores into a fresh embedded ClickHouse read by the
 * query API.
 */
export async function openPipeline(): Promise<Pipeline> {
  // No retention: samples and fixtures carry dates years back.
  const opened = await openTempStore(0);
  const store = opened.store;
  const projects = new Projects(store, { keyCacheMs: 60_000 });
  const projectId = (await projects.createProject('pipeline')).id;
  const key = (await projects.createApiKey(projectId, 'sdk')).key;
  const log = memoryLogger();
  const collector = await listenApp((await openCollector({ store, projects, log, maxBodyBytes: 20 << 20, ttlDays: 0, maxFutureSkewSeconds: 3600 })).app);
  const api = await listenApp(createQueryApp({ store, projects, adminToken: await AdminToken.load(store, 'pipeline-admin-token-000'), log, checkResponses: true }));
  const headers = { Authorization: `Bearer ${key}` };
  const resource = resourceFromAttributes({ 'service.name': 'integration-platform' });
  const tracerProvider = new BasicTracerProvider({
    resource,
    idGenerator: FLOWTRACE_ID_GENERATOR,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${collector.url}/v1/traces`, headers }))],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${collector.url}/v1/logs`, headers }) })],
  });
  trace.setGlobalTracerProvider(tracerProvider);
  logs.setGlobalLoggerProvider(loggerProvider);
  return {
    store,
    projects,
    projectId,
    key,
    otlpUrl: collector.url,
    apiUrl: api.url,
    flush: async () => {
      await tracerProvider.forceFlush();
      await loggerProvider.forceFlush();
    },
    timeline: async (traceId) => {
      const res = await fetch(`${api.url}/projects/${projectId}/traces/${traceId}`, { headers });
      if (res.status !== 200) throw new Error(`timeline ${traceId}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as Timeline;
    },
    close: async () => {
      await tracerProvider.shutdown();
      await loggerProvider.shutdown();
      trace.disable();
      logs.disable();
      await Promise.all([collector.close(), api.close()]);
      await opened.dispose();
    },
  };
}
