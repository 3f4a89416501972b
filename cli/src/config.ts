import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_BLOCKS, DEFAULT_DEDUP, DEFAULT_MAX_QUEUE_BYTES, type BlockOptions } from '@flowtrace/collector';

const MiB = 1024 * 1024;

const port = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a port number' })
    .int({ message: 'must be a whole number' })
    .min(0, { message: 'must be from 0 to 65535' })
    .max(65535, { message: 'must be from 0 to 65535' })
    .default(fallback);

const count = (fallback: number, min: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .default(fallback);

/**
 * Every setting, its environment variable and its default. The README's
 * configuration table lists the same variables (a test checks it does).
 */
const ENV = z.object({
  /** Embedded store: where the data lives. */
  FLOWTRACE_DATA_DIR: z.string().min(1, { message: 'must not be empty' }).default('./.flowtrace-data'),
  /** Server store: a ClickHouse HTTP(S) URL; unset means the embedded store. */
  CLICKHOUSE_URL: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be a plain identifier (letters, digits, _)' }).default('default'),
  /** Server mode on a cluster: its name in remote_servers; tables are replicated and sharded across it. */
  CLICKHOUSE_CLUSTER: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be a plain identifier (letters, digits, _): the cluster name in remote_servers' }).optional(),
  /** Interface both servers listen on. */
  FLOWTRACE_HOST: z.string().min(1).default('0.0.0.0'),
  FLOWTRACE_OTLP_HTTP_PORT: port(4318),
  FLOWTRACE_OTLP_GRPC_PORT: port(4317),
  FLOWTRACE_API_PORT: port(8080),
  /** Admin token; unset: one is generated on the first start of a data dir and printed once. */
  FLOWTRACE_ADMIN_TOKEN: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  /** Days spans and logs are kept; 0 keeps them forever. */
  FLOWTRACE_TTL_DAYS: count(30, 0),
  /** Largest OTLP request body after decompression. */
  FLOWTRACE_MAX_BODY_BYTES: count(20 * MiB, 1024),
  /** How far ahead of this host's clock a record's timestamp may be. */
  FLOWTRACE_MAX_FUTURE_SKEW_SECONDS: count(3600, 0),
  /** How long a process trusts an API key lookup (revocations elsewhere take this long to reach it). */
  FLOWTRACE_KEY_CACHE_SECONDS: count(2, 0),
  /** On SIGTERM, how long in-flight requests may take before connections are cut. */
  FLOWTRACE_SHUTDOWN_TIMEOUT_SECONDS: count(10, 0),
  /** Largest Workato stream or import request after decompression (Workato's own files reach 40 MB). */
  FLOWTRACE_WORKATO_MAX_BODY_BYTES: count(64 * MiB, 1024),
  /** Keep inputs, outputs and messages of what the collector maps itself (Workato streams). */
  FLOWTRACE_CAPTURE_CONTENT: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false'),
  /** How often per-project retention is enforced (it is also enforced as a project nears its log limit). */
  FLOWTRACE_RETENTION_INTERVAL_SECONDS: count(60, 1),
  /** Absolute base URL of links the query API returns (Task History's nextLink); unset: the request's own origin. */
  FLOWTRACE_PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).optional(),
  /** Group commit: an INSERT block is sent once it holds this many rows (a larger single request goes whole). */
  FLOWTRACE_BATCH_MAX_ROWS: count(DEFAULT_BLOCKS.maxRows, 1),
  /** … or this many encoded bytes. */
  FLOWTRACE_BATCH_MAX_BYTES: count(DEFAULT_BLOCKS.maxBytes, 1024),
  /** How long a block's first request may wait for others to join it (0: send when an insert slot frees). */
  FLOWTRACE_BATCH_LINGER_MS: count(DEFAULT_BLOCKS.lingerMs, 0),
  /** INSERTs in flight at once per table. */
  FLOWTRACE_INSERT_CONCURRENCY: count(DEFAULT_BLOCKS.concurrency, 1),
  /** Encoded bytes the collector may hold for insertion; beyond, requests get 429 / UNAVAILABLE with a retry delay. */
  FLOWTRACE_MAX_QUEUE_BYTES: count(DEFAULT_MAX_QUEUE_BYTES, 1024 * 1024),
  /** Spool accepted batches to this directory (fsynced) and acknowledge them from there; unset: acknowledge once stored in ClickHouse. */
  FLOWTRACE_SPOOL_DIR: z.string().optional(),
  /** Where blocks are written down before their INSERT, so a crash mid-insert is repaired at the next start. */
  FLOWTRACE_WAL_DIR: z.string().optional(),
  /** The most bytes the spool may hold; a full spool refuses requests with a retry delay. */
  FLOWTRACE_SPOOL_MAX_BYTES: count(1024 * MiB, 256 * MiB),
  /** How long a stored request's token is remembered, so its retries are acknowledged without storing it twice. */
  FLOWTRACE_DEDUP_WINDOW_SECONDS: count(DEFAULT_DEDUP.windowMs / 1000, 60),
  /** Alerting: the rules file; unset: the shipped alerting/rules/default.yaml. */
  FLOWTRACE_ALERT_RULES: z.string().optional(),
  /** Alerting: webhook URLs notifications are posted to, comma-separated; unset: rules are evaluated, nothing is posted. */
  FLOWTRACE_ALERT_WEBHOOK_URL: z
    .string()
    .transform((text) => text.split(',').map((url) => url.trim()).filter((url) => url !== ''))
    .pipe(z.array(z.url({ protocol: /^https?$/, message: 'must be http:// or https:// URLs, separated by commas' })).min(1, { message: 'must hold at least one URL' }))
    .optional(),
  /** Alerting: how often a rule without an interval of its own is evaluated. */
  FLOWTRACE_ALERT_INTERVAL_SECONDS: count(60, 1),
  /** Alerting: whether this process evaluates the rules; unset: `start` does, `collector` and `query-api` do not. */
  FLOWTRACE_ALERTING: z.enum(['on', 'off'], { message: 'must be on or off' }).optional(),
  /** Least severe level written to the JSON log on stderr. */
  FLOWTRACE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error'], { message: 'must be debug, info, warn or error' }).default('info'),
});

/** Every variable's default and meaning, for `flowtrace help` (the README's table says more). */
export const CONFIG_HELP: Record<keyof z.infer<typeof ENV>, [fallback: string, meaning: string]> = {
  FLOWTRACE_DATA_DIR: ['./.flowtrace-data', 'embedded store: the data directory'],
  CLICKHOUSE_URL: ['unset (embedded)', "a ClickHouse server's HTTP(S) URL: server mode"],
  CLICKHOUSE_USER: ['default', 'server mode: user'],
  CLICKHOUSE_PASSWORD: ['empty', 'server mode: password'],
  CLICKHOUSE_DATABASE: ['default', 'server mode: database, created if missing'],
  CLICKHOUSE_CLUSTER: ['unset (one server)', 'server mode: cluster (remote_servers) to create Replicated tables on, with Distributed tables in front'],
  FLOWTRACE_HOST: ['0.0.0.0', 'interface every server listens on'],
  FLOWTRACE_OTLP_HTTP_PORT: ['4318', 'OTLP/HTTP port (0: any free port)'],
  FLOWTRACE_OTLP_GRPC_PORT: ['4317', 'OTLP/gRPC port (0: any free port)'],
  FLOWTRACE_API_PORT: ['8080', 'query API port (0: any free port)'],
  FLOWTRACE_ADMIN_TOKEN: ['unset (generated once)', 'admin token, at least 16 characters'],
  FLOWTRACE_TTL_DAYS: ['30', 'days spans and logs are kept (0: forever)'],
  FLOWTRACE_MAX_BODY_BYTES: ['20971520', 'largest OTLP request after decompression (larger: 413 / RESOURCE_EXHAUSTED)'],
  FLOWTRACE_MAX_FUTURE_SKEW_SECONDS: ['3600', "how far ahead of this host's clock a record may be"],
  FLOWTRACE_KEY_CACHE_SECONDS: ['2', 'how long a process trusts an API-key lookup'],
  FLOWTRACE_SHUTDOWN_TIMEOUT_SECONDS: ['10', 'on SIGTERM, how long in-flight requests may take'],
  FLOWTRACE_WORKATO_MAX_BODY_BYTES: ['67108864', 'largest Workato stream or import request after decompression'],
  FLOWTRACE_CAPTURE_CONTENT: ['false', 'keep inputs, outputs and messages of Workato streams'],
  FLOWTRACE_RETENTION_INTERVAL_SECONDS: ['60', 'how often per-project retention is enforced'],
  FLOWTRACE_PUBLIC_URL: ["unset (the address the request arrived on)", 'base URL of links the query API returns'],
  FLOWTRACE_BATCH_MAX_ROWS: [String(DEFAULT_BLOCKS.maxRows), 'group commit: rows in one INSERT block at most'],
  FLOWTRACE_BATCH_MAX_BYTES: [String(DEFAULT_BLOCKS.maxBytes), 'group commit: encoded bytes in one INSERT block at most'],
  FLOWTRACE_BATCH_LINGER_MS: [String(DEFAULT_BLOCKS.lingerMs), 'after an INSERT, how long the next block waits for the senders it answered'],
  FLOWTRACE_INSERT_CONCURRENCY: [String(DEFAULT_BLOCKS.concurrency), 'INSERTs in flight at once per table'],
  FLOWTRACE_MAX_QUEUE_BYTES: [String(DEFAULT_MAX_QUEUE_BYTES), 'bytes of requests in flight / rows queued before refusing (429 / UNAVAILABLE)'],
  FLOWTRACE_SPOOL_DIR: ['unset (no spool)', 'spool accepted batches here, fsynced, and acknowledge them from there'],
  FLOWTRACE_SPOOL_MAX_BYTES: ['1073741824', 'the most the spool may hold'],
  FLOWTRACE_WAL_DIR: ['<data dir>/flowtrace-wal (embedded); unset (server)', 'blocks written down before their INSERT, repaired after a crash'],
  FLOWTRACE_DEDUP_WINDOW_SECONDS: [String(DEFAULT_DEDUP.windowMs / 1000), 'how long a stored request is remembered, so its retries are stored once'],
  FLOWTRACE_ALERT_RULES: ['the shipped alerting/rules/default.yaml', 'alert rules file (YAML); a bad file stops the start'],
  FLOWTRACE_ALERT_WEBHOOK_URL: ['unset (nothing posted)', 'webhook URLs alert notifications are posted to, comma-separated'],
  FLOWTRACE_ALERT_INTERVAL_SECONDS: ['60', 'how often an alert rule without an interval of its own is evaluated'],
  FLOWTRACE_ALERTING: ['on for start, off for collector and query-api', 'whether this process evaluates the alert rules (on, off); one process per store should'],
  FLOWTRACE_LOG_LEVEL: ['info', 'least severe level of the JSON log on stderr (debug, info, warn, error)'],
};

/** Values never echoed back in an error. */
const SECRETS = new Set(['FLOWTRACE_ADMIN_TOKEN', 'CLICKHOUSE_PASSWORD', 'FLOWTRACE_ALERT_WEBHOOK_URL']);

export const CONFIG_VARIABLES = Object.keys(ENV.shape) as ReadonlyArray<keyof z.infer<typeof ENV>>;

export interface Config {
  dataDir: string;
  server: { url: string; username: string; password: string; database: string; cluster?: string | undefined } | undefined;
  host: string;
  otlpHttpPort: number;
  otlpGrpcPort: number;
  apiPort: number;
  adminToken: string | undefined;
  ttlDays: number;
  maxBodyBytes: number;
  maxFutureSkewSeconds: number;
  keyCacheMs: number;
  shutdownTimeoutMs: number;
  workatoMaxBodyBytes: number;
  captureContent: boolean;
  retentionIntervalMs: number;
  publicUrl: string | undefined;
  blocks: BlockOptions;
  maxQueueBytes: number;
  spool: { dir: string; maxBytes: number } | undefined;
  walDir: string | undefined;
  dedupWindowMs: number;
  alerting: {
    /** Unset: the command decides (`start` evaluates, `collector` and `query-api` do not). */
    enabled: boolean | undefined;
    /** Unset: the shipped rules. */
    rulesPath: string | undefined;
    webhooks: string[];
    intervalMs: number;
  };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the configuration once; a bad value is reported with its variable and what it accepts. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable counts as unset, as shells and compose files often leave them.
  const present = Object.fromEntries(CONFIG_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '').map((name) => [name, env[name]]));
  const parsed = ENV.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const value = present[name] ?? '';
        const shown = SECRETS.has(name) || /\/\/[^/]*@/.test(value) ? 'a value not shown here' : JSON.stringify(value);
        return `${name}: ${issue.message} (got ${shown})`;
      });
  if (present.CLICKHOUSE_CLUSTER !== undefined && present.CLICKHOUSE_URL === undefined) {
    problems.push('CLICKHOUSE_CLUSTER: needs a ClickHouse server (set CLICKHOUSE_URL); the embedded store is one process on one machine, with no cluster');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems.join('\n'));
  const e = parsed.data;
  return {
    dataDir: e.FLOWTRACE_DATA_DIR,
    server: e.CLICKHOUSE_URL
      ? { url: e.CLICKHOUSE_URL, username: e.CLICKHOUSE_USER, password: e.CLICKHOUSE_PASSWORD, database: e.CLICKHOUSE_DATABASE, cluster: e.CLICKHOUSE_CLUSTER }
      : undefined,
    host: e.FLOWTRACE_HOST,
    otlpHttpPort: e.FLOWTRACE_OTLP_HTTP_PORT,
    otlpGrpcPort: e.FLOWTRACE_OTLP_GRPC_PORT,
    apiPort: e.FLOWTRACE_API_PORT,
    adminToken: e.FLOWTRACE_ADMIN_TOKEN,
    ttlDays: e.FLOWTRACE_TTL_DAYS,
    maxBodyBytes: e.FLOWTRACE_MAX_BODY_BYTES,
    maxFutureSkewSeconds: e.FLOWTRACE_MAX_FUTURE_SKEW_SECONDS,
    keyCacheMs: e.FLOWTRACE_KEY_CACHE_SECONDS * 1000,
    shutdownTimeoutMs: e.FLOWTRACE_SHUTDOWN_TIMEOUT_SECONDS * 1000,
    workatoMaxBodyBytes: e.FLOWTRACE_WORKATO_MAX_BODY_BYTES,
    captureContent: e.FLOWTRACE_CAPTURE_CONTENT === 'true',
    retentionIntervalMs: e.FLOWTRACE_RETENTION_INTERVAL_SECONDS * 1000,
    publicUrl: e.FLOWTRACE_PUBLIC_URL,
    blocks: { maxRows: e.FLOWTRACE_BATCH_MAX_ROWS, maxBytes: e.FLOWTRACE_BATCH_MAX_BYTES, lingerMs: e.FLOWTRACE_BATCH_LINGER_MS, concurrency: e.FLOWTRACE_INSERT_CONCURRENCY },
    maxQueueBytes: e.FLOWTRACE_MAX_QUEUE_BYTES,
    spool: e.FLOWTRACE_SPOOL_DIR ? { dir: e.FLOWTRACE_SPOOL_DIR, maxBytes: e.FLOWTRACE_SPOOL_MAX_BYTES } : undefined,
    // Embedded, one process owns the data directory, and its blocks' record with it.
    walDir: e.FLOWTRACE_WAL_DIR ?? (e.CLICKHOUSE_URL ? undefined : join(e.FLOWTRACE_DATA_DIR, 'flowtrace-wal')),
    dedupWindowMs: e.FLOWTRACE_DEDUP_WINDOW_SECONDS * 1000,
    alerting: {
      enabled: e.FLOWTRACE_ALERTING === undefined ? undefined : e.FLOWTRACE_ALERTING === 'on',
      rulesPath: e.FLOWTRACE_ALERT_RULES,
      webhooks: e.FLOWTRACE_ALERT_WEBHOOK_URL ?? [],
      intervalMs: e.FLOWTRACE_ALERT_INTERVAL_SECONDS * 1000,
    },
    logLevel: e.FLOWTRACE_LOG_LEVEL,
  };
}
