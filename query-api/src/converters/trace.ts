import { ATTR_FLOWTRACE_SPAN_FRAGMENT } from '@flowtrace/conventions/semconv';
import { MAX_TIMELINE_ROWS, type LogRecord, type SpanRecord, type TraceRecords } from '../repositories/traces.js';
import { isoFromNanos, msFromNanos } from './time.js';

export interface TimelineSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  serviceName: string;
  startTime: string;
  endTime: string;
  durationMs: number;
  status: { code: string; message: string };
  attributes: Record<string, string>;
  resourceAttributes: Record<string, string>;
  scope: { name: string; version: string };
  traceState: string;
  events: Array<{ timestamp: string; name: string; attributes: Record<string, string> }>;
  links: Array<{ traceId: string; spanId: string; traceState: string; attributes: Record<string, string> }>;
  /** 0 for a root, or for a span whose parent is not (yet) in the trace. */
  depth: number;
}

export interface TimelineLog {
  timestamp: string;
  severityText: string;
  severityNumber: number;
  eventName: string;
  body: string;
  spanId: string | null;
  serviceName: string;
  attributes: Record<string, string>;
}

export interface Timeline {
  traceId: string;
  startTime: string;
  endTime: string;
  durationMs: number;
  spans: TimelineSpan[];
  logs: TimelineLog[];
  /** True when the trace has more spans or logs than one answer carries. */
  truncated: boolean;
}

export function toTimeline(traceId: string, records: TraceRecords): Timeline {
  const truncated = records.spans.length > MAX_TIMELINE_ROWS || records.logs.length > MAX_TIMELINE_ROWS;
  const spanRecords = mergeFragments(records.spans.slice(0, MAX_TIMELINE_ROWS));
  const logRecords = records.logs.slice(0, MAX_TIMELINE_ROWS);
  const depths = spanDepths(spanRecords);
  // By start; a parent before a child that starts at the same instant.
  const spans = spanRecords
    .map((record) => toSpan(record, depths.get(record.SpanId) ?? 0))
    .sort((a, b) => (a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : a.depth - b.depth));
  const logs = logRecords.map(toLog);
  const bounds = traceBounds(spanRecords, logRecords);
  return {
    traceId,
    startTime: isoFromNanos(bounds.start),
    endTime: isoFromNanos(bounds.end),
    durationMs: msFromNanos(bounds.end - bounds.start),
    spans,
    logs,
    truncated,
  };
}

function toSpan(r: SpanRecord, depth: number): TimelineSpan {
  const start = BigInt(r.startNanos);
  return {
    spanId: r.SpanId,
    parentSpanId: r.ParentSpanId || null,
    name: r.SpanName,
    kind: r.SpanKind,
    serviceName: r.ServiceName,
    startTime: isoFromNanos(start),
    endTime: isoFromNanos(start + BigInt(r.Duration)),
    durationMs: msFromNanos(r.Duration),
    status: { code: r.StatusCode, message: r.StatusMessage },
    attributes: r.SpanAttributes,
    resourceAttributes: r.ResourceAttributes,
    scope: { name: r.ScopeName, version: r.ScopeVersion },
    traceState: r.TraceState,
    events: r.eventNames.map((name, i) => ({ timestamp: isoFromNanos(r.eventNanos[i] ?? r.startNanos), name, attributes: r.eventAttributes[i] ?? {} })),
    links: r.linkSpanIds.map((spanId, i) => ({
      traceId: r.linkTraceIds[i] ?? '',
      spanId,
      traceState: r.linkTraceStates[i] ?? '',
      attributes: r.linkAttributes[i] ?? {},
    })),
    depth,
  };
}

function toLog(r: LogRecord): TimelineLog {
  return {
    timestamp: isoFromNanos(r.nanos),
    severityText: r.SeverityText,
    severityNumber: Number(r.SeverityNumber),
    eventName: r.EventName,
    body: r.Body,
    spanId: r.SpanId || null,
    serviceName: r.ServiceName,
    attributes: r.LogAttributes,
  };
}

/** Marks a row that is one part of a span reported in parts (see @flowtrace/instrumentation). */
const FRAGMENT = ATTR_FLOWTRACE_SPAN_FRAGMENT;
const STATUS_RANK: Record<string, number> = { Unset: 0, Ok: 1, Error: 2 };

/**
 * One record per span id. A span can arrive as several rows: the same export
 * retried, or an event stream reporting its start and its end separately. The
 * merged span runs from the earliest start to the latest end, takes its name
 * and kind from the part that ended last, the most severe status, and the union
 * of attributes (later parts win), events and links.
 */
export function mergeFragments(rows: SpanRecord[]): SpanRecord[] {
  const bySpan = new Map<string, SpanRecord[]>();
  for (const row of rows) {
    const parts = bySpan.get(row.SpanId);
    if (parts) parts.push(row);
    else bySpan.set(row.SpanId, [row]);
  }
  const merged: SpanRecord[] = [];
  for (const parts of bySpan.values()) {
    if (parts.length === 1) {
      merged.push(parts[0]!);
      continue;
    }
    const endOf = (r: SpanRecord) => BigInt(r.startNanos) + BigInt(r.Duration);
    parts.sort((a, b) => (endOf(a) < endOf(b) ? -1 : endOf(a) > endOf(b) ? 1 : 0));
    const last = parts[parts.length - 1]!;
    const start = parts.reduce((min, r) => (BigInt(r.startNanos) < min ? BigInt(r.startNanos) : min), BigInt(last.startNanos));
    const worst = parts.reduce((w, r) => ((STATUS_RANK[r.StatusCode] ?? 0) >= (STATUS_RANK[w.StatusCode] ?? 0) ? r : w));
    const attributes = Object.assign({}, ...parts.map((r) => r.SpanAttributes)) as Record<string, string>;
    if (parts.some((r) => r.SpanAttributes[FRAGMENT] === undefined)) delete attributes[FRAGMENT];
    const events = new Set<string>();
    const links = new Set<string>();
    const out: SpanRecord = {
      ...last,
      startNanos: start.toString(),
      Duration: (endOf(last) - start).toString(),
      ParentSpanId: parts.find((r) => r.ParentSpanId)?.ParentSpanId ?? '',
      StatusCode: worst.StatusCode,
      StatusMessage: worst.StatusMessage,
      SpanAttributes: attributes,
      ResourceAttributes: Object.assign({}, ...parts.map((r) => r.ResourceAttributes)) as Record<string, string>,
      eventNanos: [],
      eventNames: [],
      eventAttributes: [],
      linkTraceIds: [],
      linkSpanIds: [],
      linkTraceStates: [],
      linkAttributes: [],
    };
    for (const r of parts) {
      r.eventNames.forEach((name, i) => {
        const id = `${r.eventNanos[i]}/${name}`;
        if (events.has(id)) return;
        events.add(id);
        out.eventNanos.push(r.eventNanos[i] ?? r.startNanos);
        out.eventNames.push(name);
        out.eventAttributes.push(r.eventAttributes[i] ?? {});
      });
      r.linkSpanIds.forEach((spanId, i) => {
        const id = `${r.linkTraceIds[i]}/${spanId}`;
        if (links.has(id)) return;
        links.add(id);
        out.linkTraceIds.push(r.linkTraceIds[i] ?? '');
        out.linkSpanIds.push(spanId);
        out.linkTraceStates.push(r.linkTraceStates[i] ?? '');
        out.linkAttributes.push(r.linkAttributes[i] ?? {});
      });
    }
    merged.push(out);
  }
  return merged.sort((a, b) => {
    const d = BigInt(a.startNanos) - BigInt(b.startNanos);
    return d < 0n ? -1 : d > 0n ? 1 : a.SpanId < b.SpanId ? -1 : 1;
  });
}

/**
 * Depth of each span in the tree. Walks up from each span to the first span of
 * known depth (or a root, a missing parent, or a cycle), then numbers the chain
 * down: iterative, so a deep trace cannot overflow the stack.
 */
function spanDepths(spans: SpanRecord[]): Map<string, number> {
  const parentOf = new Map(spans.map((s) => [s.SpanId, s.ParentSpanId]));
  const depths = new Map<string, number>();
  for (const span of spans) {
    const chain: string[] = [];
    const onChain = new Set<string>();
    let base = -1;
    let current: string | undefined = span.SpanId;
    while (current !== undefined && !onChain.has(current)) {
      const known = depths.get(current);
      if (known !== undefined) {
        base = known;
        break;
      }
      chain.push(current);
      onChain.add(current);
      const parent = parentOf.get(current);
      current = parent && parentOf.has(parent) ? parent : undefined;
    }
    for (let i = chain.length - 1, depth = base + 1; i >= 0; i--, depth++) depths.set(chain[i]!, depth);
  }
  return depths;
}

function traceBounds(spans: SpanRecord[], logs: LogRecord[]): { start: bigint; end: bigint } {
  let start: bigint | undefined;
  let end: bigint | undefined;
  const widen = (from: bigint, to: bigint) => {
    if (start === undefined || from < start) start = from;
    if (end === undefined || to > end) end = to;
  };
  for (const s of spans) widen(BigInt(s.startNanos), BigInt(s.startNanos) + BigInt(s.Duration));
  for (const l of logs) widen(BigInt(l.nanos), BigInt(l.nanos));
  return { start: start ?? 0n, end: end ?? 0n };
}
