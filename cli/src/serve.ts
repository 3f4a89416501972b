import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { AdminToken, Projects, Retention, openStore, type Logger } from '@flowtrace/store';
import { createGrpcReceiver, openCollector, type Collector, type GrpcReceiver } from '@flowtrace/collector';
import { createQueryApp } from '@flowtrace/query-api';
import { Alerting, AlertRulesError, DEFAULT_RULES_PATH, loadRules, type RuleSet } from '@flowtrace/alerting';
import { ConfigError, type Config } from './config.js';

export interface Parts {
  collector: boolean;
  queryApi: boolean;
}

export interface Running {
  otlpHttpPort?: number;
  otlpGrpcPort?: number;
  apiPort?: number;
  /**
   * Refuses new requests at once (HTTP 503 with Retry-After, gRPC UNAVAILABLE), lets
   * in-flight ones (and their inserts) finish and be answered, stores what the sink
   * still holds, closes the store.
   */
  stop(): Promise<void>;
}

/** Opens the store and starts the requested parts on it, printing where they listen. */
export async function serve(parts: Parts, config: Config, log: Logger, print: (line: string) => void): Promise<Running> {
  // `start` evaluates the alert rules unless told not to; `collector` and
  // `query-api` only when told to (FLOWTRACE_ALERTING=on): one process per store should.
  const alertingOn = config.alerting.enabled ?? (parts.collector && parts.queryApi);
  // A bad rules file stops the start before anything is opened.
  const ruleSet = alertingOn ? alertRules(config.alerting.rulesPath ?? DEFAULT_RULES_PATH) : undefined;
  const { store, migrationsApplied } = await openStore({
    dataDir: config.dataDir,
    server: config.server,
    ttlDays: config.ttlDays,
    onMigration: (migration) => log.info('applying migration', { migration }),
  });
  if (migrationsApplied.length > 0) log.info('migrations applied', { migrations: migrationsApplied.join(',') });
  const projects = new Projects(store, { keyCacheMs: config.keyCacheMs });
  const retention = new Retention(store, log);
  const servers: HttpServer[] = [];
  let collector: Collector | undefined;
  let grpc: GrpcReceiver | undefined;
  let alerting: Alerting | undefined;
  const running: Running = {
    stop: async () => {
      retention.stop();
      collector?.drain();
      await Promise.all([
        ...servers.map((server) => closeServer(server, config.shutdownTimeoutMs, log)),
        grpc?.close(config.shutdownTimeoutMs),
        // Evaluation stops; a webhook post under way gets the shutdown timeout, then stays pending for the next start.
        alerting?.stop(config.shutdownTimeoutMs),
      ]);
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
        walDir: config.walDir,
        dedup: { windowMs: config.dedupWindowMs },
        redactionCacheMs: config.keyCacheMs,
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
      // The address to open in a browser: a wildcard listener is reached through localhost.
      const browserHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      services.push(`  Console    http://${browserHost}:${running.apiPort}/  (sign in with a project key, or the admin token)`);
      if (adminToken.generated) {
        notes.push('', `  Admin token (shown once; only its hash is kept): ${adminToken.generated}`);
      }
    }
    if (ruleSet) {
      // Links to failing executions point at the query API: FLOWTRACE_PUBLIC_URL, or this process's own.
      const apiHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
      const linkBase = config.publicUrl ?? (running.apiPort === undefined ? undefined : `http://${apiHost}:${running.apiPort}`);
      alerting = await Alerting.start({ store, log, rules: ruleSet, webhooks: config.alerting.webhooks, intervalMs: config.alerting.intervalMs, linkBase });
      const to = config.alerting.webhooks.length === 0 ? 'nothing posted (FLOWTRACE_ALERT_WEBHOOK_URL unset)' : `posted to ${config.alerting.webhooks.length} webhook${config.alerting.webhooks.length === 1 ? '' : 's'}`;
      services.push(`  Alerting   ${ruleSet.rules.length} rules from ${ruleSet.source}; ${to}`);
    }
    // Policies load now, so the collector counts new logs against them from the first request.
    await retention.load();
    const where = store.mode === 'embedded' ? `${store.location} (embedded ClickHouse)` : `ClickHouse server ${store.location}`;
    print(['Flowtrace is running', ...services, `  Data       ${where}`, ...notes].join('\n'));
    log.info('serving', { services: services.length });
    // Trimming a large store can take seconds: it runs behind the open ports, and says so.
    retention.enforceAllInBackground();
    retention.start(config.retentionIntervalMs);
    return running;
  } catch (err) {
    await running.stop();
    throw err;
  }
}

/** The alert rules; a bad file is a configuration error, reported with its variable, file, rule and field. */
function alertRules(path: string): RuleSet {
  try {
    return loadRules(path);
  } catch (err) {
    if (err instanceof AlertRulesError) throw new ConfigError(`FLOWTRACE_ALERT_RULES: ${err.message}`);
    throw err;
  }
}

/** An HTTP server and the responses it has not finished yet. */
interface HttpServer {
  server: Server;
  responses: Set<ServerResponse>;
  closing: boolean;
}

async function listen(app: Express, host: string, port: number, servers: HttpServer[]): Promise<number> {
  const server = app.listen(port, host);
  const http: HttpServer = { server, responses: new Set(), closing: false };
  servers.push(http);
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (http.closing) res.setHeader('Connection', 'close');
    http.responses.add(res);
    res.once('close', () => {
      http.responses.delete(res);
      // A response that had already started when closing began left its connection open.
      if (http.closing) server.closeIdleConnections();
    });
  });
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/**
 * Stops accepting and closes idle connections. Keep-alive senders would go on
 * sending on the others, so every response from now on closes its connection:
 * each connection ends once its request in flight is answered. Whatever is
 * still in flight after the timeout is cut.
 */
async function closeServer(http: HttpServer, timeoutMs: number, log: Logger): Promise<void> {
  const { server, responses } = http;
  if (!server.listening) return;
  http.closing = true;
  for (const res of responses) if (!res.headersSent) res.setHeader('Connection', 'close');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    log.warn('HTTP requests still in flight after the shutdown timeout; closing their connections', { requests: responses.size, timeoutMs });
    server.closeAllConnections();
  }, timeoutMs);
  await closed;
  clearTimeout(timer);
}
