import { agentRunTrace, toMillis, type CaptureOptions, type LogSpec, type TraceSpec } from '@flowtrace/conventions';
import {
  ATTR_FLOWTRACE_AGENT_APP_TYPE,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_LOG_TYPE,
  ATTR_FLOWTRACE_REQUEST_ID,
  ATTR_FLOWTRACE_TOPIC,
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_USER_ID,
  FLOWTRACE_KIND,
  LOG_TYPE,
} from '@flowtrace/conventions/semconv';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ATTR_JOIN_PENDING, type WorkatoQueries } from '../sink/workato.js';
import { requestKey, type Mapped, type PendingTopic } from './map.js';

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
export async function resolveTopics(queries: WorkatoQueries, projectId: string, mapped: Mapped, options: CaptureOptions): Promise<TopicResolution> {
  const resolution: TopicResolution = { traces: [], pending: [], joined: [] };
  const unresolved = mapped.topics.filter((t) => !mapped.runsByRequest.has(requestKey(t.conversationId, t.requestId)));
  const stored =
    unresolved.length === 0
      ? new Map<string, string>()
      : await queries.storedRuns(projectId, unresolved.map((t) => [t.conversationId, t.requestId]), unresolved.map((t) => toMillis(t.run.topic!.at)));
  for (const topic of mapped.topics) {
    const key = requestKey(topic.conversationId, topic.requestId);
    const runId = mapped.runsByRequest.get(key)?.runId ?? stored.get(key);
    if (runId) resolution.traces.push(agentRunTrace({ ...topic.run, runId }, options));
    else resolution.pending.push(pendingLog(topic));
  }
  if (mapped.runsByRequest.size > 0) {
    const pairs = [...mapped.runsByRequest.keys()].map((key) => key.split('\u0000') as [string, string]);
    const times = [...mapped.runsByRequest.values()].map((run) => run.time);
    const waiting = await queries.pendingTopics(projectId, pairs, times);
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
