import { ATTR_FLOWTRACE_AGENT_RUN_ID, ATTR_FLOWTRACE_REQUEST_ID, ATTR_GEN_AI_CONVERSATION_ID } from '@flowtrace/conventions/semconv';
import { TABLES, type Store } from '@flowtrace/store';

/** Marks a topic_assigned log stored before its run was known. */
export const ATTR_JOIN_PENDING = 'flowtrace.join.pending';

/** The key of a (conversation, request) pair in storedRuns' answer. */
const pairKey = (conversationId: string, requestId: string) => `${conversationId}\u0000${requestId}`;

/**
 * The reads and deletes the Workato path needs besides writing rows: joining
 * topic_assigned logs to their runs, and the import ledger of
 * `flowtrace import workato`. Behind the sink, like every statement the
 * collector runs.
 */
export interface WorkatoQueries {
  /** Run ids of stored logs per (conversation, request) pair ("conversation\u0000request" → run id). */
  storedRuns(projectId: string, pairs: Array<[string, string]>, timesMs: number[]): Promise<Map<string, string>>;
  /** Pending topic_assigned logs of these pairs: their time (ns, decimal) and attributes. */
  pendingTopics(projectId: string, pairs: Array<[string, string]>, timesMs: number[]): Promise<Array<{ nanos: string; attributes: Record<string, string> }>>;
  /** Removes pending topic logs now stored again, joined to their run. */
  deleteJoined(projectId: string, joined: Array<{ pair: [string, string]; time: number }>): Promise<void>;
  /** The paths among `files` already imported into the project from `source` with the same content. */
  importedFiles(projectId: string, source: string, files: Array<{ path: string; sha256: string }>): Promise<Set<string>>;
  /** Records files as imported (after their records are stored). */
  recordImports(projectId: string, source: string, files: Array<{ path: string; sha256: string; items: number }>): Promise<void>;
}

/**
 * Matches logs of the given (conversation, request) pairs within a day of the
 * events at hand: the events of one run happen within minutes of each other,
 * so the bound keeps the lookup to a few partitions (whether the data is live
 * or imported years later). The conversation test lets the attribute-value
 * bloom filter skip granules.
 */
const JOIN_WINDOW_SECONDS = 86_400;
const PAIR_MATCH = `TimestampTime BETWEEN toDateTime({from:UInt32}) AND toDateTime({to:UInt32})
       AND LogAttributes[{conversation:String}] IN {conversations:Array(String)}
       AND has(arrayZip({conversations:Array(String)}, {requests:Array(String)}), (LogAttributes[{conversation:String}], LogAttributes[{request:String}]))`;

function pairParams(pairs: Array<[string, string]>, times: number[]) {
  return {
    from: Math.max(0, Math.floor(Math.min(...times) / 1000) - JOIN_WINDOW_SECONDS),
    to: Math.ceil(Math.max(...times) / 1000) + JOIN_WINDOW_SECONDS,
    conversation: ATTR_GEN_AI_CONVERSATION_ID,
    request: ATTR_FLOWTRACE_REQUEST_ID,
    conversations: pairs.map(([c]) => c),
    requests: pairs.map(([, r]) => r),
  };
}

export class ClickHouseWorkatoQueries implements WorkatoQueries {
  constructor(private readonly store: Store) {}

  async storedRuns(projectId: string, pairs: Array<[string, string]>, timesMs: number[]): Promise<Map<string, string>> {
    if (pairs.length === 0) return new Map();
    const rows = await this.store.select<{ conversation: string; request: string; runId: string }>(
      'collector.workato.topic_runs',
      `SELECT LogAttributes[{conversation:String}] AS conversation, LogAttributes[{request:String}] AS request,
            any(LogAttributes[{run:String}]) AS runId
     FROM ${TABLES.logs}
     WHERE ProjectId = {projectId:String} AND LogAttributes[{run:String}] != ''
       AND ${PAIR_MATCH}
     GROUP BY conversation, request`,
      { projectId, run: ATTR_FLOWTRACE_AGENT_RUN_ID, ...pairParams(pairs, timesMs) },
    );
    return new Map(rows.map((row) => [pairKey(row.conversation, row.request), row.runId]));
  }

  async pendingTopics(projectId: string, pairs: Array<[string, string]>, timesMs: number[]): Promise<Array<{ nanos: string; attributes: Record<string, string> }>> {
    if (pairs.length === 0) return [];
    return this.store.select<{ nanos: string; attributes: Record<string, string> }>(
      'collector.workato.pending_topics',
      `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS nanos, LogAttributes AS attributes
       FROM ${TABLES.logs}
       WHERE ProjectId = {projectId:String} AND EventName = 'topic_assigned'
         AND LogAttributes[{pending:String}] = 'true'
         AND ${PAIR_MATCH}`,
      { projectId, pending: ATTR_JOIN_PENDING, ...pairParams(pairs, timesMs) },
    );
  }

  async deleteJoined(projectId: string, joined: Array<{ pair: [string, string]; time: number }>): Promise<void> {
    if (joined.length === 0) return;
    const params = { projectId, pending: ATTR_JOIN_PENDING, ...pairParams(joined.map((j) => j.pair), joined.map((j) => j.time)) };
    const copyMatch = PAIR_MATCH.replaceAll('LogAttributes', 'Attributes').replace(
      'TimestampTime BETWEEN toDateTime({from:UInt32}) AND toDateTime({to:UInt32})',
      'Timestamp BETWEEN toDateTime64({from:UInt32}, 9) AND toDateTime64({to:UInt32}, 9)',
    );
    // The raw log and the copy Event Logs keeps of it. A pending log has no
    // trace, so the trace records never held it.
    for (const [table, match] of [
      [TABLES.logs, PAIR_MATCH],
      [TABLES.eventLogs, copyMatch],
    ] as const) {
      await this.store.command(
        'collector.workato.pending_topics.delete',
        `DELETE FROM ${table}
       WHERE ProjectId = {projectId:String} AND EventName = 'topic_assigned'
         AND ${table === TABLES.logs ? 'LogAttributes' : 'Attributes'}[{pending:String}] = 'true'
         AND ${match}`,
        params,
      );
    }
  }

  async importedFiles(projectId: string, source: string, files: Array<{ path: string; sha256: string }>): Promise<Set<string>> {
    if (files.length === 0) return new Set();
    const rows = await this.store.select<{ Path: string }>(
      'collector.workato.import.ledger',
      `SELECT DISTINCT Path FROM ${TABLES.imports}
     WHERE ProjectId = {projectId:String} AND Source = {source:String}
       AND Path IN {paths:Array(String)}
       AND has(arrayZip({paths:Array(String)}, {hashes:Array(String)}), (Path, Sha256))`,
      { projectId, source, paths: files.map((f) => f.path), hashes: files.map((f) => f.sha256) },
    );
    return new Set(rows.map((row) => row.Path));
  }

  async recordImports(projectId: string, source: string, files: Array<{ path: string; sha256: string; items: number }>): Promise<void> {
    if (files.length === 0) return;
    await this.store.insert(
      'collector.workato.import.ledger',
      TABLES.imports,
      files.map((f) => ({ ProjectId: projectId, Source: source, Path: f.path, Sha256: f.sha256, Items: f.items })),
    );
  }
}
