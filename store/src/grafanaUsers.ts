import { createHash, randomBytes } from 'node:crypto';
import { TABLES, type TableName } from './tables.js';

/**
 * A read-only ClickHouse user per project, for that project's Grafana: it
 * reads the project's rows and nothing else. Server deployment only — the
 * embedded engine has no access control.
 *
 * The functions here are pure: they turn a project id and a password hash
 * into the access-control statements a ClickHouse server runs (CREATE USER,
 * CREATE QUOTA, CREATE ROW POLICY, GRANT; ALTER USER to rotate; DROP to
 * remove). Such statements take no query parameters, so every value spliced
 * into them is checked first: project ids are UUIDs, the database a plain
 * identifier, hashes and salts hex. Nothing else reaches the text.
 *
 * The password is generated here, shown once, and never sent: the server
 * gets its SHA-256 with a salt (`IDENTIFIED WITH sha256_hash … SALT …`), so
 * the plaintext appears in no statement, log or query_log.
 */

/**
 * What a project's Grafana user may read, each with the predicate of its row
 * policy's column: the spans and logs and every table derived from them (by
 * ProjectId), and the project's own row of the projects table (by Id). Not
 * API keys, ingest tokens, redaction rules, the imports ledger, settings,
 * retention, alerting state, these users, or migrations: those are granted to
 * no one here, so they stay unreadable.
 */
export const GRAFANA_READABLE_TABLES: ReadonlyArray<{ table: TableName; column: 'ProjectId' | 'Id' }> = [
  { table: TABLES.traces, column: 'ProjectId' },
  { table: TABLES.logs, column: 'ProjectId' },
  { table: TABLES.traceIdTs, column: 'ProjectId' },
  { table: TABLES.executions, column: 'ProjectId' },
  { table: TABLES.executionCounts, column: 'ProjectId' },
  { table: TABLES.executionCountsBy, column: 'ProjectId' },
  { table: TABLES.traceRecords, column: 'ProjectId' },
  { table: TABLES.eventLogs, column: 'ProjectId' },
  { table: TABLES.projects, column: 'Id' },
];

/**
 * Limits for dashboard queries. The plugin sets max_execution_time on every
 * query (its query timeout): readonly = 1 would refuse that, so that one
 * setting stays changeable, up to a ceiling. Everything else is fixed.
 */
export const GRAFANA_USER_LIMITS = {
  /** Seconds a query may run unless the datasource asks for less (the plugin's query timeout). */
  maxExecutionTime: 60,
  /** The most the datasource may ask for. */
  maxExecutionTimeCeiling: 300,
  /** Rows a query may return (a trace panel reads every span of one trace). */
  maxResultRows: 500_000,
  /** Memory one query may use, in bytes. */
  maxMemoryUsage: 4_000_000_000,
  /** Queries per minute (a dashboard of 30 panels refreshing every 5 s is 360). */
  queriesPerMinute: 600,
  /** Seconds of query time per hour (on average, one query always running). */
  executionSecondsPerHour: 3_600,
} as const;

/** The password of a Grafana user, and what the server is given instead of it. */
export interface GrafanaCredentials {
  /** Shown once, in the answer that created or rotated the user; never stored, never sent to ClickHouse. */
  password: string;
  /** Hex. */
  salt: string;
  /** hex(SHA-256(password + salt)): what `IDENTIFIED WITH sha256_hash` takes. */
  sha256: string;
}

/** Where the user's statements apply: the project, and the database Flowtrace's tables are in. */
export interface GrafanaUserTarget {
  projectId: string;
  database: string;
  /**
   * On a cluster (CLICKHOUSE_CLUSTER) a query through a Distributed table reads
   * each shard's `<table>_local` as the user who asked (the cluster has a
   * secret): the policies and grants cover the local tables too. Users and
   * policies reach every node through the replicated access storage
   * (deploy/cluster), so the statements are not ON CLUSTER.
   */
  cluster?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const SALT_HEX = /^[0-9a-f]{16,64}$/;
const PASSWORD_PREFIX = 'ftg_';

/** A new random password (192 bits), its salt and the salted hash the server keeps. */
export function newGrafanaCredentials(): GrafanaCredentials {
  const password = PASSWORD_PREFIX + randomBytes(24).toString('base64url');
  const salt = randomBytes(16).toString('hex');
  return { password, salt, sha256: createHash('sha256').update(password + salt).digest('hex') };
}

/** The ClickHouse user (and the name of its quota and row policies) of a project: `flowtrace_grafana_<id without dashes>`. */
export function grafanaUserName(projectId: string): string {
  return `flowtrace_grafana_${checkedProjectId(projectId).replaceAll('-', '')}`;
}

/** The uid of the project's Grafana datasource: `ftc-<project id>`, 40 characters, the most Grafana accepts. */
export function grafanaDatasourceUid(projectId: string): string {
  return `ftc-${checkedProjectId(projectId)}`;
}

/**
 * The statements that give a project its Grafana user, in order: the user
 * (read-only, with the dashboard limits), its quota, a row policy on each
 * readable table, then the grants. Grants come last, so a run cut short
 * leaves a user that can read nothing rather than one without its policies.
 * OR REPLACE makes a run converge whatever a cut-short one left, and sets
 * the password even when the user exists already.
 */
export function createGrafanaUserStatements(target: GrafanaUserTarget, credentials: Pick<GrafanaCredentials, 'salt' | 'sha256'>): string[] {
  const { projectId, db, user } = checkedTarget(target);
  const limits = GRAFANA_USER_LIMITS;
  return [
    `CREATE USER OR REPLACE ${user} ${identification(credentials)} DEFAULT DATABASE ${db} SETTINGS readonly = 1, ` +
      `max_execution_time = ${limits.maxExecutionTime} MAX ${limits.maxExecutionTimeCeiling} CHANGEABLE_IN_READONLY, ` +
      `max_result_rows = ${limits.maxResultRows}, result_overflow_mode = 'throw', max_memory_usage = ${limits.maxMemoryUsage}`,
    `CREATE QUOTA OR REPLACE ${user} FOR INTERVAL 1 minute MAX queries = ${limits.queriesPerMinute}, ` +
      `FOR INTERVAL 1 hour MAX execution_time = ${limits.executionSecondsPerHour} TO ${user}`,
    ...readable(target).map(
      ({ table, column }) => `CREATE ROW POLICY OR REPLACE ${user} ON ${db}.${table} FOR SELECT USING ${column} = '${projectId}' TO ${user}`,
    ),
    ...readable(target).map(({ table }) => `GRANT SELECT ON ${db}.${table} TO ${user}`),
  ];
}

/** The statement that gives the user a new password; its policies, grants and limits stay. */
export function rotateGrafanaUserStatements(target: GrafanaUserTarget, credentials: Pick<GrafanaCredentials, 'salt' | 'sha256'>): string[] {
  const { user } = checkedTarget(target);
  return [`ALTER USER ${user} ${identification(credentials)}`];
}

/** The statements that remove the user, its quota and its row policies: the user first, so access ends with the first statement. */
export function dropGrafanaUserStatements(target: GrafanaUserTarget): string[] {
  const { db, user } = checkedTarget(target);
  return [
    `DROP USER IF EXISTS ${user}`,
    `DROP QUOTA IF EXISTS ${user}`,
    ...readable(target).map(({ table }) => `DROP ROW POLICY IF EXISTS ${user} ON ${db}.${table}`),
  ];
}

/** The tables the user reads: the readable tables, and on a cluster their shards' local tables after each. */
function readable(target: GrafanaUserTarget): ReadonlyArray<{ table: string; column: 'ProjectId' | 'Id' }> {
  if (!target.cluster) return GRAFANA_READABLE_TABLES;
  return GRAFANA_READABLE_TABLES.flatMap((t) => [t, { table: `${t.table}_local`, column: t.column }]);
}

/** The ClickHouse server Grafana connects to, as the query API reaches it (CLICKHOUSE_URL). */
export interface GrafanaDatasourceServer {
  /** The server's HTTP(S) URL, without credentials. */
  url: string;
  database: string;
}

/**
 * A Grafana provisioning file (datasources) for the project's own
 * datasource: the ClickHouse plugin over HTTP as the project's user, in OTel
 * mode on otel_traces, otel_logs and otel_traces_trace_id_ts, configured as
 * the shared datasource (grafana/provisioning/datasources/flowtrace.yaml). The password
 * is not in it: Grafana reads it from the environment variable named in
 * `passwordVariable`, as provisioning files reference secrets.
 */
export function grafanaDatasourceYaml(target: { projectId: string; projectName: string }, server: GrafanaDatasourceServer): { yaml: string; passwordVariable: string } {
  const projectId = checkedProjectId(target.projectId);
  const database = checkedDatabase(server.database);
  const url = new URL(server.url);
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (secure ? 8443 : 8123) : Number(url.port);
  const path = url.pathname.replace(/^\/+|\/+$/g, '');
  const passwordVariable = `FLOWTRACE_GRAFANA_PASSWORD_${projectId.replaceAll('-', '').toUpperCase()}`;
  // JSON strings are YAML double-quoted scalars: whatever a name holds, it stays one value.
  const q = (text: string) => JSON.stringify(text);
  // As the shared datasource (grafana/provisioning/datasources/flowtrace.yaml): OTel mode with the
  // plugin's 1.29.0 column map, whose logs filter on TimestampTime, which leads otel_logs' sort key.
  const otel = (table: string) => [
    `        defaultDatabase: ${q(database)}`,
    `        defaultTable: ${q(table)}`,
    `        otelEnabled: true`,
    `        otelVersion: "1.29.0"`,
  ];
  const lines = [
    `# The Flowtrace datasource of project ${q(target.projectName)} (${projectId}): it reads this project's rows only.`,
    `# Set ${passwordVariable} in Grafana's environment to the password this user was given.`,
    `apiVersion: 1`,
    `datasources:`,
    `  - name: ${q(`Flowtrace (${target.projectName})`)}`,
    `    uid: ${q(grafanaDatasourceUid(projectId))}`,
    `    type: grafana-clickhouse-datasource`,
    `    access: proxy`,
    `    editable: false`,
    `    jsonData:`,
    `      host: ${q(url.hostname)}`,
    `      port: ${port}`,
    `      protocol: http`,
    `      secure: ${secure}`,
    ...(path ? [`      path: ${q(path)}`] : []),
    `      username: ${q(grafanaUserName(projectId))}`,
    `      defaultDatabase: ${q(database)}`,
    `      queryTimeout: "${GRAFANA_USER_LIMITS.maxExecutionTime}"`,
    `      logs:`,
    ...otel(TABLES.logs),
    `        selectContextColumns: true`,
    `        contextColumns: []`,
    `      traces:`,
    ...otel(TABLES.traces),
    `        durationUnit: "nanoseconds"`,
    `        traceEventsColumnPrefix: "Events"`,
    `        traceLinksColumnPrefix: "Links"`,
    `        flattenNested: false`,
    `        traceTimestampTableSuffix: "_trace_id_ts"`,
    `    secureJsonData:`,
    `      password: \${${passwordVariable}}`,
    ``,
  ];
  return { yaml: lines.join('\n'), passwordVariable };
}

function identification(credentials: Pick<GrafanaCredentials, 'salt' | 'sha256'>): string {
  if (!SHA256_HEX.test(credentials.sha256)) throw new Error('the password hash must be 64 lowercase hex characters (SHA-256)');
  if (!SALT_HEX.test(credentials.salt)) throw new Error('the salt must be 16 to 64 lowercase hex characters');
  return `IDENTIFIED WITH sha256_hash BY '${credentials.sha256}' SALT '${credentials.salt}'`;
}

function checkedTarget(target: GrafanaUserTarget): { projectId: string; db: string; user: string } {
  const projectId = checkedProjectId(target.projectId);
  return { projectId, db: `\`${checkedDatabase(target.database)}\``, user: `\`${grafanaUserName(projectId)}\`` };
}

function checkedProjectId(projectId: string): string {
  if (!UUID.test(projectId)) throw new Error(`projectId must be a project id (a lowercase UUID), got ${JSON.stringify(projectId)}`);
  return projectId;
}

function checkedDatabase(database: string): string {
  if (!IDENTIFIER.test(database)) throw new Error(`database must be a plain identifier (letters, digits, _), got ${JSON.stringify(database)}`);
  return database;
}
