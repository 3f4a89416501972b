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
  const spanRecords = records.spans.slice(0, MAX_TIMELINE_ROWS);
  const logRecords = records.logs.slice(0, MAX_TIMELINE_ROWS);
  const depths = spanDepths(spanRecords);
  const spans = spanRecords.map((record) => toSpan(record, depths.get(record.SpanId) ?? 0));
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
