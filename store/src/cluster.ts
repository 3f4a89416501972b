/**
 * The cluster form of the schema: with CLICKHOUSE_CLUSTER set, every table
 * becomes a `Replicated*MergeTree` table `<name>_local` on every node, created
 * `ON CLUSTER`, with a `Distributed` table `<name>` in front of it. Code keeps
 * reading and writing `<name>`; materialized views are attached to the local
 * tables, so a view runs on the node that stored the source rows and writes
 * next to them.
 *
 * A pure transform of the migration statements (no connection): one statement
 * in, its cluster statements out. A statement it cannot translate faithfully
 * is refused with an error naming the migration file and the statement —
 * never translated into something that means another thing.
 *
 * Sharding (SHARDING_KEYS below): a row goes to the shard its table's key
 * picks when it is inserted through the Distributed table; a row a view
 * writes stays on the shard of the source row it came from. So:
 *
 * - Spans, executions, trace records and the trace-id lookup are sharded by
 *   `cityHash64(ProjectId, TraceId)`: a trace — its spans, its execution, its
 *   timeline — lives on one shard, and a view's rows land where the
 *   Distributed key of their own table would have put them, so a copy made
 *   with INSERT … SELECT (migrations 0009, 0010) agrees with the views.
 * - Logs (and Event Logs, fed from them) follow their trace when they have
 *   one, and are spread by time when they have none: every copy of one record
 *   (same trace, same time) is on one shard, which Event Logs'
 *   ReplacingMergeTree needs to drop the copy.
 * - The hourly counts are written by views from executions, so their rows are
 *   wherever their executions are; no column of theirs says where. Reads sum
 *   them across shards (GROUP BY through the Distributed table), which is
 *   correct wherever a row is, so direct inserts (a crash repair) use
 *   `rand()`. Consequence: never turn on optimize_skip_unused_shards for
 *   them.
 * - Small tables read with FINAL (projects, keys, settings, retention, …)
 *   are sharded by the leading column of their sort key, so every version of
 *   a row is on one shard and FINAL, which runs per shard, keeps the newest.
 */
import { TABLES } from './tables.js';

/** Where the cluster form applies: the cluster (remote_servers) and the database. */
export interface ClusterOptions {
  /** The cluster's name in remote_servers (CLICKHOUSE_CLUSTER). */
  cluster: string;
  /** The database the tables live in (CLICKHOUSE_DATABASE); the Distributed tables name it. */
  database: string;
}

const TRACE_KEY = 'cityHash64(ProjectId, TraceId)';
const LOG_KEY = "if(TraceId != '', cityHash64(ProjectId, TraceId), cityHash64(ProjectId, Timestamp))";

/** The sharding key of every table, chosen (see above); a table not listed gets a derived one. */
export const SHARDING_KEYS: Readonly<Record<string, string>> = {
  [TABLES.traces]: TRACE_KEY,
  [TABLES.logs]: LOG_KEY,
  [TABLES.traceIdTs]: TRACE_KEY,
  [TABLES.executions]: TRACE_KEY,
  [TABLES.traceRecords]: TRACE_KEY,
  [TABLES.eventLogs]: LOG_KEY,
  [TABLES.executionCounts]: 'rand()',
  [TABLES.executionCountsBy]: 'rand()',
  [TABLES.settings]: 'cityHash64(Name)',
  [TABLES.projects]: 'cityHash64(Id)',
  [TABLES.apiKeys]: 'cityHash64(ProjectId)',
  [TABLES.imports]: 'cityHash64(ProjectId)',
  [TABLES.retention]: 'cityHash64(ProjectId)',
  [TABLES.redactionRules]: 'cityHash64(ProjectId)',
  [TABLES.ingestTokens]: 'cityHash64(Token)',
  [TABLES.migrations]: 'cityHash64(Version)',
};

/**
 * How long Keeper keeps a block's deduplication token. A non-replicated
 * table's window (non_replicated_deduplication_window) is a number of blocks
 * with no time limit; a replicated one also forgets tokens after
 * replicated_deduplication_window_seconds (one hour by default), after which
 * a spool or WAL replay would be stored twice. A week, with the block count
 * still bounding what Keeper holds.
 */
export const DEDUPLICATION_WINDOW_SECONDS = 604_800;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MUTATION = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*(?:DELETE|ALTER|OPTIMIZE|TRUNCATE)\b/i;
const MERGE_TREE = /^(|Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing|Graphite|Coalescing)MergeTree$/;
/** Engines that merge rows by sort key: every row of a key must be on one shard. */
const MERGING = new Set(['Replacing', 'Summing', 'Aggregating', 'Collapsing', 'VersionedCollapsing', 'Graphite', 'Coalescing']);

/** A statement that has no faithful cluster form. */
export class ClusterDdlError extends Error {
  override readonly name = 'ClusterDdlError';
  constructor(file: string, statement: string, reason: string) {
    super(`${file}: no cluster form for this statement: ${reason}\n  ${headOf(statement)}`);
  }
}

interface TableInfo {
  /** The MergeTree variant: '' (plain), 'Replacing', 'Aggregating', … */
  engine: string;
  key: string;
  /** The key comes from SHARDING_KEYS rather than from the table's sort key. */
  chosen: boolean;
}

/**
 * What the statements so far have created: tables (with their engine and
 * sharding key) and views. Transforming migrations in order fills it.
 */
export class ClusterCatalog {
  readonly tables = new Map<string, TableInfo>();
  readonly views = new Set<string>();

  /** Every table Flowtrace names (TABLES), with its chosen key: what runtime statements may touch. */
  static ofKnownTables(): ClusterCatalog {
    const catalog = new ClusterCatalog();
    for (const name of Object.values(TABLES)) catalog.tables.set(name, { engine: '', key: SHARDING_KEYS[name] ?? 'rand()', chosen: true });
    return catalog;
  }
}

export interface ClusterContext extends ClusterOptions {
  /** The migration file the statement comes from, for errors. */
  file: string;
  catalog: ClusterCatalog;
}

/** Checks the names that are spliced into statements as identifiers. */
export function assertClusterOptions(options: ClusterOptions): void {
  if (!IDENTIFIER.test(options.cluster)) throw new Error(`CLICKHOUSE_CLUSTER must be a plain identifier (letters, digits, _), got ${JSON.stringify(options.cluster)}`);
  if (!IDENTIFIER.test(options.database)) throw new Error(`CLICKHOUSE_DATABASE must be a plain identifier (letters, digits, _), got ${JSON.stringify(options.database)}`);
}

/** The cluster form of every migration, in order (the catalog follows them from the first). */
export function clusterMigrations<M extends { name: string; statements: string[] }>(migrations: readonly M[], options: ClusterOptions, catalog = new ClusterCatalog()): M[] {
  assertClusterOptions(options);
  return migrations.map((migration) => ({
    ...migration,
    statements: migration.statements.flatMap((statement) => clusterStatements(statement, { ...options, file: migration.name, catalog })),
  }));
}

/**
 * One migration statement → its cluster statements, in the order to run them.
 * Updates the catalog (a CREATE adds, a DROP removes).
 */
export function clusterStatements(statement: string, context: ClusterContext): string[] {
  const s = new Statement(statement, context);
  const head = s.keywords(3);
  if (head[0] === 'CREATE') {
    if (head[1] === 'TABLE') return createTable(s);
    if (head[1] === 'MATERIALIZED' && head[2] === 'VIEW') return createMaterializedView(s);
    if (head[1] === 'VIEW') return createView(s);
  }
  if (head[0] === 'ALTER' && head[1] === 'TABLE') return alterTable(s, 'migration');
  if (head[0] === 'DROP' && (head[1] === 'TABLE' || head[1] === 'VIEW')) return drop(s);
  if (head[0] === 'INSERT' && head[1] === 'INTO') return insert(s);
  if (head[0] === 'OPTIMIZE' && head[1] === 'TABLE') return onLocal(s, 2);
  if (head[0] === 'TRUNCATE') return onLocal(s, head[1] === 'TABLE' ? 2 : 1);
  if (head[0] === 'DELETE' && head[1] === 'FROM') return onLocal(s, 2);
  if (head[0] === 'RENAME' && head[1] === 'TABLE') return rename(s);
  throw s.refuse(`${head.slice(0, 2).join(' ') || 'an empty statement'} statements are not supported`);
}

/**
 * A statement a running process sends (a retention DELETE, a crash repair's
 * DELETE, a TTL ALTER) → its cluster form: a mutation of a table runs ON
 * CLUSTER against `<table>_local` on every shard (lightweight DELETE and ALTER
 * do not go through a Distributed table). Anything else — SELECT, INSERT,
 * a statement already ON CLUSTER, a table Flowtrace does not name — is
 * returned unchanged.
 */
export function clusterRuntimeStatement(statement: string, options: ClusterOptions): string {
  // Most statements (every SELECT, INSERT … SELECT) are left alone without being read through.
  if (!MUTATION.test(statement)) return statement;
  const context: ClusterContext = { ...options, file: 'a runtime statement', catalog: ClusterCatalog.ofKnownTables() };
  const s = new Statement(statement, context);
  if (s.hasOnCluster()) return statement;
  const head = s.keywords(2);
  const at = head[0] === 'DELETE' && head[1] === 'FROM' ? 2 : head[0] === 'OPTIMIZE' && head[1] === 'TABLE' ? 2 : head[0] === 'TRUNCATE' ? (head[1] === 'TABLE' ? 2 : 1) : head[0] === 'ALTER' && head[1] === 'TABLE' ? 2 : -1;
  if (at < 0) return statement;
  const name = s.nameAt(s.skipIfExists(at));
  if (!name || !context.catalog.tables.has(name.value)) return statement;
  if (head[0] === 'ALTER') {
    const [local, ...more] = alterTable(s, 'runtime');
    if (!local || more.length > 0) throw s.refuse('a column change belongs in a migration');
    return local;
  }
  return onLocal(s, at)[0] ?? statement;
}

// ---------------------------------------------------------------------------
// Statement kinds

function createTable(s: Statement): string[] {
  const { catalog, cluster, database } = s.context;
  const at = s.skipIfExists(2);
  const name = s.requireName(at);
  s.refuseOnCluster(name.index + 1);
  const open = s.sig[name.index + 1];
  if (open?.text !== '(') throw s.refuse('only CREATE TABLE with a column list is supported (not AS another table or a SELECT)');
  const close = s.matching(name.index + 1);
  const engineAt = s.findWord('ENGINE', close + 1);
  if (engineAt < 0) throw s.refuse('a table without an ENGINE clause');
  const engineName = s.sig[s.sig[engineAt + 1]?.text === '=' ? engineAt + 2 : engineAt + 1];
  const family = engineName ? MERGE_TREE.exec(engineName.text) : null;
  if (!engineName || !family) throw s.refuse(`engine ${engineName?.text ?? '?'}: only the MergeTree family has a replicated form (and a migration must not be replicated already)`);
  const variant = family[1] ?? '';
  let engineEnd = engineName.end;
  let args = '';
  const engineIndex = s.sig.indexOf(engineName);
  if (s.sig[engineIndex + 1]?.text === '(') {
    const argsClose = s.matching(engineIndex + 1);
    args = s.text.slice(s.sig[engineIndex + 1]!.end, s.sig[argsClose]!.start).trim();
    engineEnd = s.sig[argsClose]!.end;
  }
  const chosen = SHARDING_KEYS[name.value];
  const key = chosen ?? derivedKey(s, close + 1, variant);
  const replicated = `Replicated${variant}MergeTree('/clickhouse/tables/{shard}/{database}/${name.value}', '{replica}'${args ? `, ${args}` : ''})`;
  const rest = replicatedSettings(s.text.slice(engineEnd), s);
  const local = `${s.prefix()}${s.text.slice(s.sig[0]!.start, name.start)}${name.value}_local ON CLUSTER ${cluster}${s.text.slice(name.end, engineName.start)}${replicated}${rest}`;
  const ifNotExists = at > 2 ? 'IF NOT EXISTS ' : '';
  const front = `CREATE TABLE ${ifNotExists}${name.value} ON CLUSTER ${cluster} AS ${name.value}_local\nENGINE = Distributed(${cluster}, ${database}, ${name.value}_local, ${key})`;
  catalog.tables.set(name.value, { engine: variant, key, chosen: chosen !== undefined });
  catalog.views.delete(name.value);
  return [local, front];
}

/**
 * A table SHARDING_KEYS does not list is sharded by the leading column of its
 * sort key: rows a merging engine folds together share their whole sort key,
 * so they meet on one shard, and FINAL (per shard) stays right.
 */
function derivedKey(s: Statement, from: number, variant: string): string {
  const orderBy = s.findWords(['ORDER', 'BY'], from);
  if (orderBy < 0) throw s.refuse('a table without ORDER BY has no sharding key: add one to SHARDING_KEYS in store/src/cluster.ts');
  let first = s.sig[orderBy + 2];
  if (first?.text === '(') first = s.sig[orderBy + 3];
  const next = first ? s.sig[s.sig.indexOf(first) + 1] : undefined;
  const plain = first && (first.kind === 'word' || first.kind === 'quoted') && (next === undefined || next.text === ',' || next.text === ')' || next.kind === 'word');
  if (!first || !plain) {
    if (variant === '') return 'rand()';
    throw s.refuse(`the sort key of this ${variant}MergeTree does not start with a column: choose its sharding key in SHARDING_KEYS (store/src/cluster.ts)`);
  }
  return `cityHash64(${first.text})`;
}

function createMaterializedView(s: Statement): string[] {
  const { catalog, cluster } = s.context;
  const at = s.skipIfExists(3);
  const name = s.requireName(at);
  s.refuseOnCluster(name.index + 1);
  if (s.sig[name.index + 1]?.upper !== 'TO') throw s.refuse('a materialized view must write TO a table (an inner engine has no Distributed table in front)');
  const target = s.requireName(name.index + 2);
  const info = catalog.tables.get(target.value);
  if (!info) throw s.refuse(`the view writes to ${target.value}, which no earlier statement created as a table`);
  let asAt = target.index + 1;
  if (s.sig[asAt]?.text === '(') asAt = s.matching(asAt) + 1;
  if (s.sig[asAt]?.upper !== 'AS') throw s.refuse('expected AS SELECT after the target table');
  const source = viewSource(s, asAt + 1);
  const sourceInfo = catalog.tables.get(source.value)!;
  if (MERGING.has(info.engine) && !info.chosen) {
    throw s.refuse(
      `${target.value} is a ${info.engine}MergeTree whose rows this view writes on the shard of their ${source.value} row: ` +
        `choose its key in SHARDING_KEYS (store/src/cluster.ts) to agree with ${source.value}'s (${sourceInfo.key})`,
    );
  }
  const out =
    `${s.prefix()}${s.text.slice(s.sig[0]!.start, name.end)} ON CLUSTER ${cluster}${s.text.slice(name.end, target.start)}${target.value}_local` +
    `${s.text.slice(target.end, source.start)}${source.value}_local${s.text.slice(source.end)}`;
  catalog.views.add(name.value);
  return [out];
}

/**
 * The one table a view's SELECT reads, which must be a table the migrations
 * created, named once, after FROM: the view then reads its local table. A
 * join, a subquery, a second table or a table named anywhere else is refused
 * (each would read a local table where the data is sharded, or the reverse).
 */
function viewSource(s: Statement, from: number): Name {
  const { catalog } = s.context;
  const sources: Name[] = [];
  for (let i = from; i < s.sig.length; i++) {
    const token = s.sig[i]!;
    const previous = s.sig[i - 1];
    if (token.upper === 'JOIN' && previous?.upper !== 'ARRAY') throw s.refuse('a view that joins another table');
    if (token.upper === 'FROM') {
      const next = s.sig[i + 1];
      if (next?.text === '(') throw s.refuse('a view that reads a subquery');
      const value = next ? identifierValue(next) : undefined;
      if (value !== undefined && s.sig[i + 2]?.text === '.' && s.depth(i) === s.depth(from)) throw s.refuse(`a view that reads a table of another database (${value}.…)`);
      if (value !== undefined && !catalog.tables.has(value) && s.depth(i) === s.depth(from)) {
        throw s.refuse(catalog.views.has(value) ? `a view that reads the view ${value}` : `a view that reads ${value}, which no earlier statement created`);
      }
      continue;
    }
    const value = identifierValue(token);
    if (value === undefined || !catalog.tables.has(value)) continue;
    if (previous?.upper === 'FROM') {
      if (s.depth(i) !== s.depth(from)) throw s.refuse(`a view that reads ${value} in a subquery`);
      sources.push({ value, start: token.start, end: token.end, index: i });
      continue;
    }
    if (s.sig[i + 1]?.text === '.') throw s.refuse(`columns qualified with the table name ${value}: qualify them with an alias (FROM ${value} AS t)`);
    throw s.refuse(`the view names the table ${value} outside its FROM`);
  }
  if (sources.length !== 1) throw s.refuse(sources.length === 0 ? 'a view that reads no table' : 'a view that reads more than one table');
  return sources[0]!;
}

function createView(s: Statement): string[] {
  const at = s.skipIfExists(2);
  const name = s.requireName(at);
  s.refuseOnCluster(name.index + 1);
  s.context.catalog.views.add(name.value);
  // A plain view is a query: it reads the Distributed tables, like any other query.
  return [`${s.prefix()}${s.text.slice(s.sig[0]!.start, name.end)} ON CLUSTER ${s.context.cluster}${s.text.slice(name.end)}`];
}

/** ALTER actions on columns: the Distributed table's columns must follow the local table's. */
const COLUMN_ACTIONS = [['ADD', 'COLUMN'], ['DROP', 'COLUMN'], ['MODIFY', 'COLUMN'], ['RENAME', 'COLUMN'], ['COMMENT', 'COLUMN']];
/** ALTER actions on storage (data, indexes, settings, TTL, parts): the local table only. */
const LOCAL_ACTIONS = [
  ['ADD', 'INDEX'], ['DROP', 'INDEX'], ['MATERIALIZE', 'INDEX'], ['CLEAR', 'INDEX'],
  ['ADD', 'PROJECTION'], ['DROP', 'PROJECTION'], ['MATERIALIZE', 'PROJECTION'], ['CLEAR', 'PROJECTION'],
  ['ADD', 'CONSTRAINT'], ['DROP', 'CONSTRAINT'],
  ['ADD', 'STATISTICS'], ['DROP', 'STATISTICS'], ['MODIFY', 'STATISTICS'], ['MATERIALIZE', 'STATISTICS'], ['CLEAR', 'STATISTICS'],
  ['MODIFY', 'SETTING'], ['RESET', 'SETTING'], ['MODIFY', 'TTL'], ['REMOVE', 'TTL'], ['MATERIALIZE', 'TTL'],
  ['MODIFY', 'ORDER'], ['MODIFY', 'SAMPLE'], ['MODIFY', 'COMMENT'],
  ['MATERIALIZE', 'COLUMN'], ['CLEAR', 'COLUMN'], ['DELETE', 'WHERE'], ['UPDATE'],
  ['DROP', 'PARTITION'], ['DROP', 'PART'], ['DETACH', 'PARTITION'], ['DETACH', 'PART'], ['ATTACH', 'PARTITION'], ['ATTACH', 'PART'], ['FREEZE'], ['UNFREEZE'],
];

function alterTable(s: Statement, mode: 'migration' | 'runtime'): string[] {
  const { catalog, cluster } = s.context;
  const name = s.requireName(2);
  s.refuseOnCluster(name.index + 1);
  if (catalog.views.has(name.value)) throw s.refuse(`${name.value} is a view`);
  if (!catalog.tables.has(name.value)) throw s.refuse(`${name.value} is not a table an earlier statement created`);
  const settingsAt = s.findWord('SETTINGS', name.index + 1);
  const end = settingsAt < 0 ? s.sig.length : settingsAt;
  const actions = s.actions(name.index + 1, end);
  if (actions.length === 0) throw s.refuse('an ALTER without actions');
  const column: string[] = [];
  const local: string[] = [];
  let drops = false;
  for (const action of actions) {
    const words = action.words;
    if (COLUMN_ACTIONS.some((k) => startsWith(words, k))) {
      if (words[0] === 'MODIFY' && (words.includes('TTL') || words.includes('SETTING') || words.includes('REMOVE') || words.includes('RESET'))) {
        throw s.refuse('MODIFY COLUMN with a TTL or settings: split it into a column change and a storage change');
      }
      column.push(action.text);
      local.push(action.text);
      if (words[0] === 'DROP') drops = true;
    } else if (LOCAL_ACTIONS.some((k) => startsWith(words, k))) {
      local.push(startsWith(words, ['MODIFY', 'SETTING']) || startsWith(words, ['RESET', 'SETTING']) ? replicatedSettings(action.text, s) : action.text);
    } else {
      throw s.refuse(`the ALTER action ${words.slice(0, 2).join(' ')} is not supported`);
    }
  }
  if (mode === 'runtime' && column.length > 0) throw s.refuse('a column change belongs in a migration');
  const suffix = settingsAt < 0 ? '' : ` ${s.text.slice(s.sig[settingsAt]!.start).trim()}`;
  const head = `${s.prefix()}${s.text.slice(s.sig[0]!.start, name.start)}`;
  const onLocal = `${head}${name.value}_local ON CLUSTER ${cluster} ${local.join(', ')}${suffix}`;
  if (column.length === 0) return [onLocal];
  const onFront = `ALTER TABLE ${name.value} ON CLUSTER ${cluster} ${column.join(', ')}`;
  // Columns appear in the local table before the Distributed table reads them,
  // and leave the Distributed table before the local table loses them.
  return drops ? [onFront, onLocal] : [onLocal, onFront];
}

function drop(s: Statement): string[] {
  const { catalog, cluster } = s.context;
  const at = s.skipIfExists(2);
  const ifExists = at > 2;
  const name = s.requireName(at);
  s.refuseOnCluster(name.index + 1);
  for (const token of s.sig.slice(name.index + 1)) {
    if (token.upper !== 'SYNC') throw s.refuse(`unexpected ${token.text} after the name`);
  }
  const keyword = s.sig[1]!.upper;
  const guard = ifExists ? 'IF EXISTS ' : '';
  if (keyword === 'VIEW' || catalog.views.has(name.value)) {
    if (!ifExists && !catalog.views.has(name.value)) throw s.refuse(`${name.value} is not a view an earlier statement created`);
    catalog.views.delete(name.value);
    return [`${s.prefix()}DROP ${keyword} ${guard}${name.value} ON CLUSTER ${cluster} SYNC`];
  }
  if (!ifExists && !catalog.tables.has(name.value)) throw s.refuse(`${name.value} is not a table an earlier statement created`);
  catalog.tables.delete(name.value);
  // SYNC: a replicated table leaves Keeper at once, so a table re-created
  // under the same name (migrations 0009, 0010) can register its replicas.
  return [`${s.prefix()}DROP TABLE ${guard}${name.value} ON CLUSTER ${cluster} SYNC`, `DROP TABLE ${guard}${name.value}_local ON CLUSTER ${cluster} SYNC`];
}

/**
 * INSERT … SELECT runs on the Distributed tables. When the source and the
 * target are sharded by the same key, each shard copies its own rows
 * (parallel_distributed_insert_select = 2): they land where the target's key
 * would route them, and where the views put new rows. Otherwise the rows are
 * read into the node running it and routed by the target's key (0).
 * INSERT … VALUES / FORMAT goes through the Distributed table as it is.
 */
function insert(s: Statement): string[] {
  const { catalog } = s.context;
  const at = s.sig[2]?.upper === 'TABLE' ? 3 : 2;
  const name = s.requireName(at);
  const target = catalog.tables.get(name.value);
  if (!target) throw s.refuse(`${name.value} is not a table an earlier statement created`);
  let bodyAt = name.index + 1;
  if (s.sig[bodyAt]?.text === '(') bodyAt = s.matching(bodyAt) + 1;
  const body = s.sig[bodyAt];
  if (body?.upper === 'VALUES' || body?.upper === 'FORMAT') return [s.text];
  if (body?.upper !== 'SELECT' && body?.upper !== 'WITH' && body?.text !== '(') throw s.refuse('expected SELECT, VALUES or FORMAT after the target table');
  const sources = new Set<string>();
  for (let i = bodyAt; i < s.sig.length; i++) {
    if (s.sig[i]!.upper === 'JOIN' && s.sig[i - 1]?.upper !== 'ARRAY') sources.add('(a join)');
    const value = s.sig[i - 1]?.upper === 'FROM' ? identifierValue(s.sig[i]!) : undefined;
    if (value !== undefined && (catalog.tables.has(value) || catalog.views.has(value))) sources.add(value);
  }
  const local = [...sources].every((source) => catalog.tables.get(source)?.key === target.key) && sources.size > 0 && target.key !== 'rand()';
  const settings = `SETTINGS parallel_distributed_insert_select = ${local ? 2 : 0}, distributed_foreground_insert = 1`;
  return [`${s.prefix()}${s.text.slice(s.sig[0]!.start, body!.start)}${settings}\n${s.text.slice(body!.start)}`];
}

/** OPTIMIZE, TRUNCATE, DELETE FROM: mutations of the data, run on every shard's local table. */
function onLocal(s: Statement, at: number): string[] {
  const { catalog, cluster } = s.context;
  const name = s.requireName(s.skipIfExists(at));
  s.refuseOnCluster(name.index + 1);
  if (!catalog.tables.has(name.value)) throw s.refuse(`${name.value} is not a table an earlier statement created`);
  return [`${s.prefix()}${s.text.slice(s.sig[0]!.start, name.start)}${name.value}_local ON CLUSTER ${cluster}${s.text.slice(name.end)}`];
}

function rename(s: Statement): string[] {
  const { catalog, cluster, database } = s.context;
  const from = s.requireName(2);
  if (s.sig[from.index + 1]?.upper !== 'TO') throw s.refuse('expected RENAME TABLE a TO b');
  const to = s.requireName(from.index + 2);
  if (s.sig.length > to.index + 1) throw s.refuse('rename one table per statement');
  if (catalog.views.has(from.value)) {
    catalog.views.delete(from.value);
    catalog.views.add(to.value);
    return [`${s.prefix()}RENAME TABLE ${from.value} TO ${to.value} ON CLUSTER ${cluster}`];
  }
  const info = catalog.tables.get(from.value);
  if (!info) throw s.refuse(`${from.value} is not a table an earlier statement created`);
  const chosen = SHARDING_KEYS[to.value];
  if (chosen !== undefined && chosen !== info.key) throw s.refuse(`${from.value}'s rows are sharded by ${info.key}, but SHARDING_KEYS gives ${to.value} ${chosen}`);
  catalog.tables.delete(from.value);
  catalog.tables.set(to.value, info);
  // The Distributed table names its local table in its engine: it is made again for the new name.
  return [
    `${s.prefix()}DROP TABLE ${from.value} ON CLUSTER ${cluster} SYNC`,
    `RENAME TABLE ${from.value}_local TO ${to.value}_local ON CLUSTER ${cluster}`,
    `CREATE TABLE ${to.value} ON CLUSTER ${cluster} AS ${to.value}_local\nENGINE = Distributed(${cluster}, ${database}, ${to.value}_local, ${info.key})`,
  ];
}

/**
 * A replicated table deduplicates through Keeper: the non-replicated window
 * (migration 0013) becomes the replicated one, for as many blocks, kept a
 * week (DEDUPLICATION_WINDOW_SECONDS).
 */
function replicatedSettings(text: string, s: Statement): string {
  return text.replace(/\bnon_replicated_deduplication_window\b(\s*=\s*([0-9]+))?/g, (_match, assignment: string | undefined, value: string | undefined) => {
    if (assignment === undefined) {
      if (/\bRESET\s+SETTING\b/i.test(text)) return 'replicated_deduplication_window, replicated_deduplication_window_seconds';
      throw s.refuse('non_replicated_deduplication_window without a value');
    }
    return `replicated_deduplication_window = ${value}, replicated_deduplication_window_seconds = ${DEDUPLICATION_WINDOW_SECONDS}`;
  });
}

function startsWith(words: readonly string[], keywords: readonly string[]): boolean {
  return keywords.every((keyword, i) => words[i] === keyword);
}

// ---------------------------------------------------------------------------
// A small SQL lexer: enough to find keywords, names and brackets outside
// strings and comments, and to splice text without reformatting it.

interface Token {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'space' | 'comment';
  text: string;
  /** Upper-cased text of a word; '' otherwise. */
  upper: string;
  start: number;
  end: number;
}

interface Name {
  value: string;
  start: number;
  end: number;
  /** Position in the significant tokens. */
  index: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token['kind'], end: number) => {
    const piece = text.slice(i, end);
    tokens.push({ kind, text: piece, upper: kind === 'word' ? piece.toUpperCase() : '', start: i, end });
    i = end;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      push('space', j);
    } else if (c === '-' && text[i + 1] === '-') {
      const j = text.indexOf('\n', i);
      push('comment', j < 0 ? text.length : j);
    } else if (c === '/' && text[i + 1] === '*') {
      const j = text.indexOf('*/', i + 2);
      push('comment', j < 0 ? text.length : j + 2);
    } else if (c === "'" || c === '`' || c === '"') {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === '\\') j += 2;
        else if (text[j] === c && text[j + 1] === c) j += 2;
        else if (text[j] === c) break;
        else j++;
      }
      push(c === "'" ? 'string' : 'quoted', Math.min(j + 1, text.length));
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_$]/.test(text[j]!)) j++;
      push('word', j);
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_.]/.test(text[j]!)) j++;
      push('number', j);
    } else {
      push('punct', i + 1);
    }
  }
  return tokens;
}

function identifierValue(token: Token): string | undefined {
  if (token.kind === 'word') return token.text;
  if (token.kind === 'quoted') return token.text.slice(1, -1);
  return undefined;
}

class Statement {
  readonly text: string;
  readonly context: ClusterContext;
  /** Tokens other than spaces and comments. */
  readonly sig: Token[];
  readonly #depths: number[];

  constructor(text: string, context: ClusterContext) {
    this.text = text;
    this.context = context;
    this.sig = tokenize(text).filter((t) => t.kind !== 'space' && t.kind !== 'comment');
    let depth = 0;
    this.#depths = this.sig.map((t) => {
      if (t.text === ')') depth--;
      const at = depth;
      if (t.text === '(') depth++;
      return at;
    });
  }

  refuse(reason: string): ClusterDdlError {
    return new ClusterDdlError(this.context.file, this.text, reason);
  }

  /** The comment lines before the statement, kept on its first cluster statement. */
  prefix(): string {
    return this.sig[0] ? this.text.slice(0, this.sig[0].start) : '';
  }

  keywords(n: number): string[] {
    return this.sig.slice(0, n).map((t) => t.upper);
  }

  depth(index: number): number {
    return this.#depths[index] ?? 0;
  }

  hasOnCluster(): boolean {
    return this.sig.some((t, i) => t.upper === 'ON' && this.sig[i + 1]?.upper === 'CLUSTER');
  }

  refuseOnCluster(index: number): void {
    if (this.sig[index]?.upper === 'ON' && this.sig[index + 1]?.upper === 'CLUSTER') throw this.refuse('a migration must not say ON CLUSTER itself');
  }

  /** Skips IF EXISTS / IF NOT EXISTS at `index`. */
  skipIfExists(index: number): number {
    if (this.sig[index]?.upper !== 'IF') return index;
    if (this.sig[index + 1]?.upper === 'EXISTS') return index + 2;
    if (this.sig[index + 1]?.upper === 'NOT' && this.sig[index + 2]?.upper === 'EXISTS') return index + 3;
    return index;
  }

  nameAt(index: number): Name | undefined {
    const token = this.sig[index];
    const value = token ? identifierValue(token) : undefined;
    if (!token || value === undefined) return undefined;
    return { value, start: token.start, end: token.end, index };
  }

  requireName(index: number): Name {
    const name = this.nameAt(index);
    if (!name) throw this.refuse('expected a table name');
    if (this.sig[index + 1]?.text === '.') throw this.refuse('a name qualified with a database: migrations name tables in the current database');
    if (name.value.endsWith('_local')) throw this.refuse(`${name.value}: the _local suffix is reserved for the cluster's local tables`);
    return name;
  }

  /** The index of the bracket closing the one at `open`. */
  matching(open: number): number {
    const depth = this.depth(open);
    for (let i = open + 1; i < this.sig.length; i++) {
      if (this.sig[i]!.text === ')' && this.depth(i) === depth) return i;
    }
    throw this.refuse('unbalanced brackets');
  }

  /** The first word `word` at the statement's top level from `from`, or -1. */
  findWord(word: string, from: number): number {
    return this.findWords([word], from);
  }

  findWords(words: readonly string[], from: number): number {
    for (let i = from; i < this.sig.length; i++) {
      if (this.depth(i) === 0 && words.every((w, k) => this.sig[i + k]?.upper === w)) return i;
    }
    return -1;
  }

  /**
   * The ALTER actions between `from` and `end`: split on top-level commas; a
   * piece that does not start an action continues the one before (the list
   * of MODIFY SETTING a = 1, b = 2).
   */
  actions(from: number, end: number): Array<{ text: string; words: string[] }> {
    const pieces: Array<{ start: number; end: number }> = [];
    let start = from;
    for (let i = from; i <= end; i++) {
      if (i === end || (this.sig[i]!.text === ',' && this.depth(i) === 0)) {
        if (i > start) pieces.push({ start, end: i - 1 });
        start = i + 1;
      }
    }
    const actions: Array<{ start: number; end: number }> = [];
    for (const piece of pieces) {
      const first = this.sig[piece.start]!.upper;
      const previous = actions[actions.length - 1];
      const starts = [...COLUMN_ACTIONS, ...LOCAL_ACTIONS].some((k) => k[0] === first);
      if (previous && (!starts || this.#continuesSettings(previous.start, piece.start))) previous.end = piece.end;
      else actions.push({ ...piece });
    }
    return actions.map((a) => ({
      text: this.text.slice(this.sig[a.start]!.start, this.sig[a.end]!.end),
      words: this.sig.slice(a.start, a.end + 1).map((t) => t.upper),
    }));
  }

  /** A piece after MODIFY SETTING x = 1 that is itself `name = value` continues the list. */
  #continuesSettings(actionStart: number, pieceStart: number): boolean {
    const isSettingList = this.sig[actionStart]!.upper === 'MODIFY' && this.sig[actionStart + 1]!.upper === 'SETTING';
    return isSettingList && this.sig[pieceStart + 1]?.text === '=';
  }
}

/** The statement's first meaningful line, for an error. */
function headOf(statement: string): string {
  const lines = statement.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('--'));
  const head = lines.join(' ').replace(/\s+/g, ' ');
  return head.length > 160 ? `${head.slice(0, 157)}...` : head;
}
