import type { CaptureOptions } from '@flowtrace/instrumentation';
import type { TimeWindow } from '../otlp/window.js';
import type { Sink } from '../sink/sink.js';
import { BUILT_IN_SOURCE, redactBatch, type RedactionSource } from '../ingest/redact.js';
import type { Mapped } from './map.js';
import { workatoRows } from './rows.js';
import { resolveTopics } from './topics.js';

export interface Stored {
  spans: number;
  logs: number;
  /** Records outside the retention window, not stored. */
  rejected: number;
  errorMessage?: string;
}

/**
 * Stores a mapped batch: joins topics to their runs, turns the traces and logs
 * into rows (those the collector's OTLP validation would give), redacts
 * credentials (ingest/redact.ts), writes them through the sink as one
 * request, and removes pending topic logs that are now joined. `duplicate`: the request (`token`) had been stored before, nothing
 * was written again.
 */
export async function storeMapped(
  sink: Sink,
  projectId: string,
  mapped: Mapped,
  capture: CaptureOptions,
  window: TimeWindow,
  token: string,
  redaction: RedactionSource = BUILT_IN_SOURCE,
): Promise<{ stored: Stored; duplicate: boolean }> {
  const topics = await resolveTopics(sink.workato, projectId, mapped, capture);
  const rows = workatoRows([...mapped.traces, ...topics.traces], [...mapped.logs, ...topics.pending], projectId, window, BigInt(Date.now()) * 1_000_000n);
  const redacted = redactBatch({ spans: rows.spans, logs: rows.logs }, await redaction.rulesFor(projectId));
  const { duplicate } = await sink.write({ projectId, token, ...redacted });
  // Also after a duplicate: the attempt that stored the rows may have failed before this.
  await sink.workato.deleteJoined(projectId, topics.joined);
  const rejected = rows.rejections.spans.count + rows.rejections.logs.count;
  const stored: Stored = {
    spans: rows.spans.length,
    logs: rows.logs.length,
    rejected,
    ...(rejected > 0 ? { errorMessage: [rows.rejections.spans.message('spans'), rows.rejections.logs.message('log records')].filter(Boolean).join('; ') } : {}),
  };
  return { stored, duplicate };
}
