import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { AdminToken, Projects, Retention, openStore, type Logger } from '@flowtrace/store';
import { createGrpcReceiver, openCollector, type Collector, type GrpcReceiver } from '@flowtrace/collector';
import { createQueryApp } from '@flowtrace/query-api';
import type { Config } from './config.js';

export interface Parts {
  collector: boolean;
  queryApi: boolean;
}

export interface Running {
  otlpHttpPort?: number;
  otlpGrpcPort?: number;
  apiPort?: number;
  /** Stops taking requests, lets in-flight ones (and their inserts) finish, closes the store. */
  stop(): Promise<void>;
}

/** Opens the store and starts the requested parts on it, printing where they listen. */
export async function serve(parts: Parts, config: Config, log: Logger, print: (line: string) => void): Promise<Running> {
  const { store, migrationsApplied } = await openStore({
    dataDir: config.dataDir,
    server: config.server,
    ttlDays: config.ttlDays,
    onMigration: (migration) => log.info('applying migration', { migration }),
  });
  if (migrationsApplied.length > 0) log.info('migrations applied', { migrations: migrationsApplied.join(',') });
  const projects = new Projects(store, { keyCacheMs: config.keyCacheMs });
  const retention = new Retention(store, log);
  const servers: Server[] = [];
  let collector: Collector | undefined;
  let grpc: GrpcReceiver | undefined;
  const running: Running = {
    stop: async () => {
      retention.stop();
      await Promise.all([...servers.map((server) => closeServer(server, config.shutdownTimeoutMs)), grpc?.close(config.shutdownTimeoutMs)]);
      // What the sink still holds is stored before the store closes.
      await collector?.close();
      await retention.idle();
      await store.close();
    },
  };
  try {
    const services: string[] = [];
    const notes: string[] = [];
    if (parts.collector) {
      collector = await openCollector({
        store,
        projects,
        log,
        maxBodyBytes: config.maxBodyBytes,
        workatoMaxBodyBytes: config.workatoMaxBodyBytes,
        ttlDays: config.ttlDays,
        maxFutureSkewSeconds: config.maxFutureSkewSeconds,
        captureContent: config.captureContent,
        retention,
        blocks: config.blocks,
        maxQueueBytes: config.maxQueueBytes,
        spool: config.spool,
        dedup: { windowMs: config.dedupWindowMs },
      });
      running.otlpHttpPort = await listen(collector.app, config.host, config.otlpHttpPort, servers);
      grpc = createGrpcReceiver({ ingest: collector.ingest, projects, log, maxMessageBytes: config.maxBodyBytes, metrics: collector.metrics, admission: collector.admission });
      running.otlpGrpcPort = await grpc.listen(config.host, config.otlpGrpcPort);
      services.push(`  OTLP/HTTP  http://${config.host}:${running.otlpHttpPort}  (POST /v1/traces, POST /v1/logs, POST /ingest/workato, GET /metrics)`);
      services.push(`  OTLP/gRPC  ${config.host}:${running.otlpGrpcPort}  (TraceService/Export, LogsService/Export)`);
      if (config.spool) notes.push(`  Spool      ${config.spool.dir} (batches acknowledged once fsynced here)`);
    }
    if (parts.queryApi) {
      const adminToken = await AdminToken.load(store, config.adminToken);
      const app = createQueryApp({ store, projects, adminToken, log, retention, publicUrl: config.publicUrl });
      running.apiPort = await listen(app, config.host, config.apiPort, servers);
      services.push(`  Query API  http://${config.host}:${running.apiPort}`);
      if (adminToken.generated) {
        notes.push('', `  Admin token (shown once; only its hash is kept): ${adminToken.generated}`);
      }
    }
    // Policies load now, so the collector counts new logs against them from the first request.
    await retention.enforceAll();
    retention.start(config.retentionIntervalMs);
    const where = store.mode === 'embedded' ? `${store.location} (embedded ClickHouse)` : `ClickHouse server ${store.location}`;
    print(['Flowtrace is running', ...services, `  Data       ${where}`, ...notes].join('\n'));
    return running;
  } catch (err) {
    await running.stop();
    throw err;
  }
}

async function listen(app: Express, host: string, port: number, servers: Server[]): Promise<number> {
  const server = app.listen(port, host);
  servers.push(server);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Stops accepting; waits for in-flight requests up to the timeout, then cuts what is left. */
async function closeServer(server: Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(timer);
}
