import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import type { TableName } from './tables.js';
import { assertClusterOptions, clusterRuntimeStatement, type ClusterOptions } from './cluster.js';

/** Where the data lives: a directory (embedded chDB) or a ClickHouse server. */
export interface StoreOptions {
  /** Embedded mode: the data directory. Ignored when `server` is set. */
  dataDir: string;
  /** Server mode: talk to this ClickHouse server instead of an embedded engine. */
  server?: ServerOptions;
}

export interface ServerOptions {
  url: string;
  username: string;
  password: string;
  database: string;
  /**
   * A cluster in the server's remote_servers (CLICKHOUSE_CLUSTER): tables are
   * replicated and sharded across it (see cluster.ts). Unset: one server.
   */
  cluster?: string;
}

export type QueryParams = Record<string, unknown>;

/** The store could not be reached; the caller may retry later (OTLP answers 503). */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const DEDUP_TOKEN = /^[A-Za-z0-9_:.-]{1,200}$/;

/** Text formats rows may be inserted in, already encoded (see insertEncoded). */
export type InsertFormat = 'JSONCompactEachRow' | 'JSONEachRow' | 'TabSeparated';

/**
 * Settings every statement runs with. A server takes them with each statement
 * (URL parameters, with `log_comment` naming the caller in system.query_log).
 * The embedded engine has no query log, and would run each one as a `SET`
 * statement before every statement (3–4 ms each at 10M spans): it takes them
 * once, for its one session, when the store connects.
 */
const COMMON_SETTINGS = {
  // 64-bit integers as JSON strings: a JS number would lose nanoseconds.
  output_format_json_quote_64bit_integers: 1,
  // No plan here needs column statistics, and loading them is not free: until
  // the statistics cache refreshes (every 5 minutes), each statement read them
  // from every new part. Measured after a bulk load at 10M spans: an execution
  // page took 26 ms with them, 11 ms without.
  use_statistics: 0,
  // An INSERT into otel_traces feeds five views (and two more behind them):
  // run them side by side rather than one after another. Measured with the
  // collector's blocks of a few thousand spans: +15-20% spans/s (bench:write).
  parallel_view_processing: 1,
} satisfies ClickHouseSettings & Record<string, number>;

/**
 * What a statement also carries on a cluster, where every table is written
 * through a Distributed table:
 * - distributed_foreground_insert: an INSERT returns once every shard has
 *   stored its rows, not once they are queued on the node that took it — the
 *   collector acknowledges stored rows only. It splits a block by shard and
 *   sends each shard its rows with the statement's insert_deduplication_token,
 *   the same on every attempt: a retried block is recognised on each shard by
 *   Keeper, whichever replica the retry reaches. (Background sending would
 *   batch blocks from many INSERTs together and lose the token.)
 * - deduplicate_blocks_in_dependent_materialized_views: the views' tables
 *   deduplicate too, so a retried block is not counted twice by a view.
 * - async_insert = 0: the collector already groups requests into blocks; a
 *   server-side buffer (on by default since ClickHouse 26.2) would only add
 *   latency and join blocks the tokens are meant to keep apart.
 * - parallel_distributed_insert_select = 0: an INSERT … SELECT routes rows by
 *   the target's sharding key. The migrations that copy a table opt into
 *   per-shard copies where the keys agree (see cluster.ts).
 * - load_balancing = in_order, prefer_localhost_replica = 0: every node sends
 *   a shard's reads and writes to the same replica, the first of the shard in
 *   remote_servers that is up, so a read sees what was just written (a project
 *   just created, an API key just revoked) whichever node takes it. The other
 *   replica is a hot standby; it serves when the first is down. (Replication
 *   between them is asynchronous: reading any replica could miss the last
 *   second of writes.)
 */
const CLUSTER_SETTINGS = {
  distributed_foreground_insert: 1,
  insert_deduplicate: 1,
  deduplicate_blocks_in_dependent_materialized_views: 1,
  async_insert: 0,
  // UInt64 settings are strings in the client's types.
  parallel_distributed_insert_select: '0',
  load_balancing: 'in_order',
  prefer_localhost_replica: 0,
} satisfies ClickHouseSettings & Record<string, number | string>;

/**
 * The one gateway to ClickHouse. Every statement names its caller (on a
 * server, sent as `log_comment`, visible in system.query_log), values are
 * always bound as `{name:Type}` parameters, and tables are named through
 * TABLES. Nothing outside this package knows whether the engine is embedded
 * or a server.
 */
export class Store {
  readonly mode: 'embedded' | 'server';
  /** Data directory (embedded) or server URL without credentials, for logs. */
  readonly location: string;
  /** Server mode on a cluster: its name and the database (see cluster.ts); undefined otherwise. */
  readonly cluster: ClusterOptions | undefined;
  readonly #client: ClickHouseClient;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  private constructor(client: ClickHouseClient, mode: 'embedded' | 'server', location: string, cluster?: ClusterOptions) {
    this.#client = client;
    this.mode = mode;
    this.location = location;
    this.cluster = cluster;
  }

  /** Connects; does not migrate (see `openStore`). */
  static async connect(options: StoreOptions): Promise<Store> {
    if (options.server) {
      const { url, username, password, database } = options.server;
      if (!DATABASE_NAME.test(database)) {
        throw new Error(`CLICKHOUSE_DATABASE must be a plain identifier (letters, digits, _), got ${JSON.stringify(database)}`);
      }
      const cluster = options.server.cluster === undefined ? undefined : { cluster: options.server.cluster, database };
      if (cluster) assertClusterOptions(cluster);
      // The database may not exist yet, and a client bound to it could not create it.
      const bootstrap = createClient({ url, username, password });
      try {
        if (!cluster) {
          await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS \`${database}\``, clickhouse_settings: { log_comment: 'store.bootstrap' } });
        } else {
          // On every node; DDL on a cluster waits for all of them, so only when missing here.
          const result = await bootstrap.query({ query: 'SELECT count() AS result FROM system.databases WHERE name = {database:String}', query_params: { database }, format: 'JSONEachRow' });
          const [row] = await result.json<{ result: string }>();
          if (Number(row?.result ?? 0) === 0) {
            await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS \`${database}\` ON CLUSTER ${cluster.cluster}`, clickhouse_settings: { log_comment: 'store.bootstrap' } });
          }
        }
      } catch (err) {
        throw toStoreError(err);
      } finally {
        await bootstrap.close();
      }
      const client = createClient({ url, username, password, database });
      const shown = new URL(url);
      shown.username = '';
      shown.password = '';
      return new Store(client, 'server', `${shown.origin}/${database}`, cluster);
    }
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    // Loaded only in embedded mode: the engine is a large native library.
    const { createChdbConnection } = await import('chdb/connection');
    // chdb types the connection against @clickhouse/client-common, which the
    // client bundles a copy of: the same interface under another import path.
    const connection = createChdbConnection({ path: dataDir }) as unknown as ClientConnection;
    const client = createClient({ connection });
    const settings = Object.entries(COMMON_SETTINGS).map(([name, value]) => `${name} = ${value}`);
    await client.command({ query: `SET ${settings.join(', ')}` });
    return new Store(client, 'embedded', dataDir);
  }

  /** Runs a SELECT and returns its rows, parsed from JSONEachRow. */
  async select<T>(caller: string, query: string, params: QueryParams = {}): Promise<T[]> {
    return this.#track(async () => {
      const result = await this.#client.query({
        query,
        query_params: params,
        format: 'JSONEachRow',
        clickhouse_settings: this.#settings(caller),
      });
      return result.json<T>();
    });
  }

  /**
   * Runs a statement that returns no rows (DDL, ALTER, DELETE, INSERT …
   * SELECT). On a cluster, a mutation of a table (DELETE, ALTER, OPTIMIZE)
   * runs on every shard's local table (see clusterRuntimeStatement).
   */
  async command(caller: string, query: string, params: QueryParams = {}): Promise<void> {
    const statement = this.cluster ? clusterRuntimeStatement(query, this.cluster) : query;
    await this.#track(() =>
      this.#client.command({ query: statement, query_params: params, clickhouse_settings: this.#settings(caller) }),
    );
  }

  /**
   * Inserts rows in one INSERT statement: ClickHouse stores a block atomically,
   * so either every row of the call is stored or none is.
   */
  async insert(caller: string, table: TableName, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#track(() =>
      this.#client.insert({
        table,
        values: rows as object[],
        format: 'JSONEachRow',
        clickhouse_settings: this.#settings(caller),
      }),
    );
  }

  /**
   * Inserts rows already encoded in a text `format` (one INSERT, so one block:
   * stored whole or not at all). The collector's sink encodes each request's
   * rows once, as it arrives, and joins many requests into one such block.
   */
  async insertEncoded(caller: string, table: TableName, columns: readonly string[], format: InsertFormat, text: string, dedupToken?: string): Promise<void> {
    if (text.length === 0) return;
    for (const column of columns) {
      if (!COLUMN_NAME.test(column)) throw new Error(`not a column name: ${JSON.stringify(column)}`);
    }
    if (dedupToken !== undefined && !DEDUP_TOKEN.test(dedupToken)) throw new Error(`not a deduplication token: ${JSON.stringify(dedupToken)}`);
    // A token makes the INSERT idempotent: ClickHouse stores a block with a
    // token it has seen (within the tables' deduplication window) only once,
    // in the table and in every view fed from it. Written in the statement:
    // a setting passed to the embedded engine would stay set for its session.
    const settings = dedupToken === undefined ? '' : ` SETTINGS insert_deduplication_token = '${dedupToken}'`;
    const query = `INSERT INTO ${table} (${columns.map((c) => `\`${c}\``).join(', ')})${settings} FORMAT ${format}\n${text}`;
    await this.#track(() => this.#client.command({ query, clickhouse_settings: this.#settings(caller) }));
  }

  async ping(): Promise<boolean> {
    if (this.#closed) return false;
    const result = await this.#client.ping();
    return result.success;
  }

  /** Waits for statements under way, then closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    await this.#client.close();
  }

  /** What a statement carries: see COMMON_SETTINGS. */
  #settings(caller: string): ClickHouseSettings | undefined {
    if (this.mode !== 'server') return undefined;
    return this.cluster ? { ...COMMON_SETTINGS, ...CLUSTER_SETTINGS, log_comment: caller } : { ...COMMON_SETTINGS, log_comment: caller };
  }

  async #track<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreUnavailableError('the store is closed');
    const pending = run().catch((err: unknown) => {
      throw toStoreError(err);
    });
    this.#inFlight.add(pending);
    try {
      return await pending;
    } finally {
      this.#inFlight.delete(pending);
    }
  }
}

function toStoreError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) {
    return new StoreUnavailableError(`ClickHouse is unreachable (${code})`, { cause: err });
  }
  return err;
}
