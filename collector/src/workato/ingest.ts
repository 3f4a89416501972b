import { toOtlpJson, type CaptureOptions } from '@flowtrace/instrumentation';
import { TABLES, type Store } from '@flowtrace/store';
import { logsFromRequest } from '../otlp/logs.js';
import { spansFromRequest } from '../otlp/traces.js';
import type { TimeWindow } from '../otlp/window.js';
import type { Mapped } from './map.js';
import { deleteJoined, resolveTopics } from './topics.js';
import { insertSpans } from '../ingest/spans.js';

/** The resource every mapped Workato record is stored under. */
const WORKATO_RESOURCE = { 'service.name': 'workato', 'telemetry.sdk.name': 'flowtrace-workato' };

export interface Stored {
  spans: number;
  logs: number;
  /** Records outside the retention window, not stored. */
  rejected: number;
  errorMessage?: string;
}

/**
 * Stores a mapped batch: joins topics to their runs, turns the traces and logs
 * into OTLP/JSON and through the collector's own validation into rows, inserts
 * spans then logs, and removes pending topic logs that are now joined.
 */
export async function storeMapped(store: Store, projectId: string, mapped: Mapped, capture: CaptureOptions, window: TimeWindow): Promise<Stored> {
  const topics = await resolveTopics(store, projectId, mapped, capture);
  const otlp = toOtlpJson([...mapped.traces, ...topics.traces], [...mapped.logs, ...topics.pending], WORKATO_RESOURCE);
  const spans = spansFromRequest(otlp.traces, 'json', projectId, window);
  const logs = logsFromRequest(otlp.logs, 'json', projectId, window, BigInt(Date.now()) * 1_000_000n);
  await insertSpans(store, 'collector.workato.spans', projectId, spans.rows);
  await store.insert('collector.workato.logs', TABLES.logs, logs.rows);
  await deleteJoined(store, projectId, topics.joined);
  const rejected = spans.rejections.count + logs.rejections.count;
  return {
    spans: spans.rows.length,
    logs: logs.rows.length,
    rejected,
    ...(rejected > 0 ? { errorMessage: [spans.rejections.message('spans'), logs.rejections.message('log records')].filter(Boolean).join('; ') } : {}),
  };
}
