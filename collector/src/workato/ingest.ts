import { agentRunTrace, type CaptureOptions } from '@flowtrace/conventions';
import type { TimeWindow } from '../otlp/window.js';
import type { Sink } from '../sink/sink.js';
import { BUILT_IN_SOURCE, redactBatch, type RedactionSource } from '../ingest/redact.js';
import { mapItems, requestKey, type Mapped, type PendingTopic } from './map.js';
import { CHUNK_LIMITS, SURVEY_LIMITS, type ChunkLimits, type Item } from './parse.js';
import { workatoRows } from './rows.js';
import { resolveTopics } from './topics.js';
import { OutsideWindow } from './outside.js';

export interface Stored {
  spans: number;
  logs: number;
  /** Records outside the retention window, not stored. */
  rejected: number;
  errorMessage?: string;
}

/** What pass 1 learns of a request: enough to answer and to join topics, not its records. */
export interface Survey {
  /** Items in the request. */
  items: number;
  /** Items per kind: job, user_activity, log_event, genie, unknown. */
  counts: Record<string, number>;
  /** The request's genie runs by (conversation id, request id), from every chunk: a topic joins a run of another chunk. */
  runs: Map<string, { runId: string; time: number }>;
  /** Records (spans and logs) the items map to. */
  records: number;
  /** Records the window rejects, all reasons. */
  rejected: number;
  /** Of those, the ones a wider window would keep, with their times. */
  outside: OutsideWindow;
}

/** A request's items in chunks of at most `limits`, read afresh for each pass (itemChunks over its body). */
export type Chunks = (limits: ChunkLimits) => Iterable<Item[]>;

/**
 * Pass 1 of storing a request: parses, maps and turns into rows each chunk,
 * only to find what would fail the request — an item that is not an object,
 * an unreadable date (WorkatoParseError naming the item), a value ClickHouse
 * cannot hold (OtlpRequestError) — before anything is stored. Each chunk's
 * objects and rows are dropped before the next (small: SURVEY_LIMITS) is read.
 */
export function surveyChunks(chunks: Chunks, capture: CaptureOptions, window: TimeWindow, receivedAt: number): Survey {
  const survey: Survey = { items: 0, counts: {}, runs: new Map(), records: 0, rejected: 0, outside: new OutsideWindow() };
  const receivedNanos = BigInt(receivedAt) * 1_000_000n;
  for (const items of chunks(SURVEY_LIMITS)) {
    const mapped = mapItems(items, capture, receivedAt);
    // A topic becomes a joined trace or a pending log at the same time: the trace form checks it.
    const topics = mapped.topics.map((t) => agentRunTrace({ ...t.run, runId: t.requestId }, capture));
    const rows = workatoRows([...mapped.traces, ...topics], mapped.logs, 'survey', window, receivedNanos);
    survey.rejected += rows.rejections.spans.count + rows.rejections.logs.count;
    survey.records += rows.spans.length + rows.logs.length + rows.rejections.spans.count + rows.rejections.logs.count;
    survey.outside.merge(rows.outside);
    survey.items += items.length;
    for (const [kind, n] of Object.entries(mapped.counts)) survey.counts[kind] = (survey.counts[kind] ?? 0) + n;
    for (const [key, run] of mapped.runsByRequest) survey.runs.set(key, run);
  }
  return survey;
}

/** Several requests' surveys as one (the files of an import). */
export function mergeSurveys(parts: Survey[]): Survey {
  const out: Survey = { items: 0, counts: {}, runs: new Map(), records: 0, rejected: 0, outside: new OutsideWindow() };
  for (const part of parts) {
    out.items += part.items;
    out.records += part.records;
    out.rejected += part.rejected;
    out.outside.merge(part.outside);
    for (const [kind, n] of Object.entries(part.counts)) out.counts[kind] = (out.counts[kind] ?? 0) + n;
    for (const [key, run] of part.runs) out.runs.set(key, run);
  }
  return out;
}

/**
 * Pass 2, once surveyChunks has passed the request: stores its chunks one
 * after the other, in order, each mapped afresh and written through the sink
 * as one batch with the token `token` (the first chunk: a request of one chunk
 * is stored as it always was) or `${token}-${index}` (the others), so a
 * request's memory is that of a chunk, not of its body. A retry after a
 * failure in chunk k finds chunks before k stored (duplicates, acknowledged)
 * and stores the rest: once acknowledged, a request is stored whole, and never
 * twice. A topic whose run is elsewhere in the request joins it through
 * `survey`, wherever the two are.
 *
 * `duplicate`: every chunk had been stored before; `storedLogs`: log records
 * this call stored.
 */
export async function storeChunks(
  sink: Sink,
  projectId: string,
  chunks: Chunks,
  survey: Survey,
  capture: CaptureOptions,
  window: TimeWindow,
  token: string,
  redaction: RedactionSource = BUILT_IN_SOURCE,
  receivedAt = Date.now(),
): Promise<{ stored: Stored; duplicate: boolean; storedLogs: number }> {
  const stored: Stored = { spans: 0, logs: 0, rejected: 0 };
  // The first chunk's reasons for each kind of record, and how many more were rejected after it.
  const reasons = { spans: { message: '', more: 0, noun: 'spans' }, logs: { message: '', more: 0, noun: 'log records' } };
  let duplicates = 0;
  let storedLogs = 0;
  const add = (result: ChunkResult) => {
    stored.spans += result.stored.spans;
    stored.logs += result.stored.logs;
    stored.rejected += result.stored.rejected;
    for (const kind of ['spans', 'logs'] as const) {
      const r = reasons[kind];
      if (r.message === '') r.message = result.rejections[kind].message;
      else r.more += result.rejections[kind].count;
    }
    if (result.duplicate) duplicates++;
    else storedLogs += result.stored.logs;
  };
  const request: RequestJoins = { runs: survey.runs, lookedUp: new Set() };
  let index = 0;
  for (const items of chunks(CHUNK_LIMITS)) {
    const chunkToken = index === 0 ? token : `${token}-${index}`;
    index++;
    add(await storeMapped(sink, projectId, mapItems(items, capture, receivedAt), capture, window, chunkToken, redaction, request));
  }
  if (stored.rejected > 0) {
    // One chunk: its message, as before. More: the first reasons (record paths are the chunk's), and a count of the rest.
    stored.errorMessage = Object.values(reasons)
      .filter((r) => r.message !== '')
      .map((r) => (r.more > 0 ? `${r.message}; ${r.more} more ${r.noun} rejected in later events` : r.message))
      .join('; ');
  }
  return { stored, duplicate: index > 0 && duplicates === index, storedLogs };
}

/** What the chunks of one request share for joining topics to runs. */
interface RequestJoins {
  /** The request's runs, from every chunk (Survey.runs). */
  runs: Survey['runs'];
  /** Runs whose pending topics (of earlier requests) an earlier chunk has looked up and joined: not again. */
  lookedUp: Set<string>;
}

interface ChunkResult {
  stored: Stored;
  rejections: Record<'spans' | 'logs', { count: number; message: string }>;
  duplicate: boolean;
}

/**
 * Stores a mapped chunk: joins topics to their runs (in the chunk, in the
 * rest of the request, or stored), turns the traces and logs into rows (those
 * the collector's OTLP validation would give), redacts credentials
 * (ingest/redact.ts), writes them through the sink as one batch, and removes
 * pending topic logs that are now joined. `duplicate`: the batch (`token`) had
 * been stored before, nothing was written again. A request of one chunk is
 * stored exactly as a whole request always was.
 */
async function storeMapped(
  sink: Sink,
  projectId: string,
  mapped: Mapped,
  capture: CaptureOptions,
  window: TimeWindow,
  token: string,
  redaction: RedactionSource,
  request: RequestJoins,
): Promise<ChunkResult> {
  // Runs first seen in this chunk: resolveTopics joins them to their pending topics, and the chunk's topics to them.
  const lookup = new Map([...mapped.runsByRequest].filter(([key]) => !request.lookedUp.has(key)));
  for (const key of lookup.keys()) request.lookedUp.add(key);
  // A topic whose run another chunk brings (or brought) joins it here; resolveTopics does the rest.
  const fromRequest = (t: PendingTopic) => {
    const key = requestKey(t.conversationId, t.requestId);
    return lookup.has(key) ? undefined : request.runs.get(key);
  };
  const joinedHere = mapped.topics.flatMap((t) => {
    const run = fromRequest(t);
    return run ? [agentRunTrace({ ...t.run, runId: run.runId }, capture)] : [];
  });
  const topics = await resolveTopics(sink.workato, projectId, { ...mapped, runsByRequest: lookup, topics: mapped.topics.filter((t) => !fromRequest(t)) }, capture);
  const rows = workatoRows([...mapped.traces, ...joinedHere, ...topics.traces], [...mapped.logs, ...topics.pending], projectId, window, BigInt(Date.now()) * 1_000_000n);
  const redacted = redactBatch({ spans: rows.spans, logs: rows.logs }, await redaction.rulesFor(projectId));
  const { duplicate } = await sink.write({ projectId, token, ...redacted });
  // Also after a duplicate: the attempt that stored the rows may have failed before this.
  await sink.workato.deleteJoined(projectId, topics.joined);
  return {
    stored: { spans: rows.spans.length, logs: rows.logs.length, rejected: rows.rejections.spans.count + rows.rejections.logs.count },
    rejections: {
      spans: { count: rows.rejections.spans.count, message: rows.rejections.spans.message('spans') },
      logs: { count: rows.rejections.logs.count, message: rows.rejections.logs.message('log records') },
    },
    duplicate,
  };
}
