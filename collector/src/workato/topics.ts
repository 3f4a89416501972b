import { agentRunTrace, toMillis, type CaptureOptions, type LogSpec, type TraceSpec } from '@flowtrace/instrumentation';
import {
  ATTR_FLOWTRACE_AGENT_APP_TYPE,
  ATTR_FLOWTRACE_AGENT_RUN_ID,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_LOG_TYPE,
  ATTR_FLOWTRACE_REQUEST_ID,
  ATTR_FLOWTRACE_TOPIC,
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_USER_ID,
  FLOWTRACE_KIND,
  LOG_TYPE,
} from '@flowtrace/instrumentation/semconv';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { TABLES, type Store } from '@flowtrace/store';
import { requestKey, type Mapped, type PendingTopic } from './map.js';

/** Marks a topic_assigned log stored before its run was known. */
export const ATTR_JOIN_PENDING = 'flowtrace.join.pending';

export interface TopicResolution {
  /** Topic logs now joined to their run. */
  traces: TraceSpec[];
  /** Topics whose run is not known yet: kept as logs, joined when the run's events arrive. */
  pending: LogSpec[];
  /** (conversation, request) pairs whose earlier pending logs are now joined: delete them once stored. */
  joined: Array<{ pair: [string, string]; time: number }>;
}

/**
 * topic_assigned carries genie_run_id "unknown": its run is the one whose other
 * events share its conversation_id and request_id. Looked up in the batch, then
 * in what is stored; a topic that arrives before any other event of its run is
 * kept as a pending log, and joined when a later batch brings the run.
 */
export async function resolveTopics(store: Store, projectId: string, mapped: Mapped, options: CaptureOptions): Promise<TopicResolution> {
  const resolution: TopicResolution = { traces: [], pending: [], joined: [] };
  const unresolved = mapped.topics.filter((t) => !mapped.runsByRequest.has(requestKey(t.conversationId, t.requestId)));
  const stored =
    unresolved.length === 0
      ? new Map<string, string>()
      : await storedRuns(store, projectId, unresolved.map((t) => [t.conversationId, t.requestId]), unresolved.map((t) => toMillis(t.run.topic!.at)));
  for (const topic of mapped.topics) {
    const key = requestKey(topic.conversationId, topic.requestId);
    const runId = mapped.runsByRequest.get(key)?.runId ?? stored.get(key);
    if (runId) resolution.traces.push(agentRunTrace({ ...topic.run, runId }, options));
    else resolution.pending.push(pendingLog(topic));
  }
  if (mapped.runsByRequest.size > 0) {
    const pairs = [...mapped.runsByRequest.keys()].map((key) => key.split('\u0000') as [string, string]);
    const times = [...mapped.runsByRequest.values()].map((run) => run.time);
    const waiting = await store.select<{ nanos: string; attributes: Record<string, string> }>(
      'collector.workato.pending_topics',
      `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS nanos, LogAttributes AS attributes
       FROM ${TABLES.logs}
       WHERE ProjectId = {projectId:String} AND EventName = 'topic_assigned'
         AND LogAttributes[{pending:String}] = 'true'
         AND ${PAIR_MATCH}`,
      { projectId, pending: ATTR_JOIN_PENDING, ...pairParams(pairs, times) },
    );
    for (const row of waiting) {
      const a = row.attributes;
      const conversationId = a[ATTR_GEN_AI_CONVERSATION_ID] ?? '';
      const requestId = a[ATTR_FLOWTRACE_REQUEST_ID] ?? '';
      const runId = mapped.runsByRequest.get(requestKey(conversationId, requestId))!.runId;
      resolution.traces.push(
        agentRunTrace(
          {
            runId,
            agentId: a[ATTR_GEN_AI_AGENT_ID] ?? '',
            conversationId,
            requestId,
            userId: a[ATTR_USER_ID],
            appType: a[ATTR_FLOWTRACE_AGENT_APP_TYPE],
            topic: { at: Number(BigInt(row.nanos) / 1000n) / 1000, topic: a[ATTR_FLOWTRACE_TOPIC] ?? '' },
          },
          options,
        ),
      );
      resolution.joined.push({ pair: [conversationId, requestId], time: Number(BigInt(row.nanos) / 1_000_000n) });
    }
  }
  return resolution;
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

/** Removes pending topic logs that have been stored again, joined to their run. */
export async function deleteJoined(store: Store, projectId: string, joined: TopicResolution['joined']): Promise<void> {
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
    await store.command(
      'collector.workato.pending_topics.delete',
      `DELETE FROM ${table}
       WHERE ProjectId = {projectId:String} AND EventName = 'topic_assigned'
         AND ${table === TABLES.logs ? 'LogAttributes' : 'Attributes'}[{pending:String}] = 'true'
         AND ${match}`,
      params,
    );
  }
}

async function storedRuns(store: Store, projectId: string, pairs: Array<[string, string]>, times: number[]): Promise<Map<string, string>> {
  const rows = await store.select<{ conversation: string; request: string; runId: string }>(
    'collector.workato.topic_runs',
    `SELECT LogAttributes[{conversation:String}] AS conversation, LogAttributes[{request:String}] AS request,
            any(LogAttributes[{run:String}]) AS runId
     FROM ${TABLES.logs}
     WHERE ProjectId = {projectId:String} AND LogAttributes[{run:String}] != ''
       AND ${PAIR_MATCH}
     GROUP BY conversation, request`,
    { projectId, run: ATTR_FLOWTRACE_AGENT_RUN_ID, ...pairParams(pairs, times) },
  );
  return new Map(rows.map((row) => [requestKey(row.conversation, row.request), row.runId]));
}

function pendingLog(topic: PendingTopic): LogSpec {
  const run = topic.run;
  return {
    time: toMillis(run.topic!.at),
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    eventName: 'topic_assigned',
    body: `Topic assigned: ${run.topic!.topic}`,
    attributes: {
      [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.agentRun,
      [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.agent,
      [ATTR_JOIN_PENDING]: 'true',
      [ATTR_FLOWTRACE_TOPIC]: run.topic!.topic,
      [ATTR_GEN_AI_CONVERSATION_ID]: topic.conversationId,
      [ATTR_FLOWTRACE_REQUEST_ID]: topic.requestId,
      [ATTR_GEN_AI_AGENT_ID]: run.agentId,
      ...(run.userId ? { [ATTR_USER_ID]: run.userId } : {}),
      ...(run.appType ? { [ATTR_FLOWTRACE_AGENT_APP_TYPE]: run.appType } : {}),
    },
  };
}
