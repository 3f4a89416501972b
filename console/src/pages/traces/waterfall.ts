import type { Timeline, TimelineLog, TimelineSpan } from '../../api/types';
import { preciseMillis } from '../../lib/time';

/** One row of the waterfall: a span, or a log shown in place under its span. */
export type WaterfallRow =
  | { type: 'span'; span: TimelineSpan; depth: number; childCount: number; startMs: number; endMs: number; error: boolean }
  | { type: 'log'; log: TimelineLog; depth: number; atMs: number; key: string };

export interface Waterfall {
  rows: WaterfallRow[];
  startMs: number;
  endMs: number;
  /** Span rows in the tree, collapsed or not. */
  spanCount: number;
}

/**
 * The trace as rows, depth first: each span after its parent, children by
 * start time, and (with `withLogs`) each span's logs right under it. A span
 * whose parent is not in the trace is a root. Iterative, so that a trace of
 * 10,000 nested spans cannot overflow the stack.
 */
export function buildWaterfall(timeline: Timeline, collapsed: ReadonlySet<string>, withLogs: boolean): Waterfall {
  const ids = new Set(timeline.spans.map((s) => s.spanId));
  const children = new Map<string, TimelineSpan[]>();
  const roots: TimelineSpan[] = [];
  for (const span of timeline.spans) {
    if (span.parentSpanId && ids.has(span.parentSpanId) && span.parentSpanId !== span.spanId) {
      const list = children.get(span.parentSpanId);
      if (list) list.push(span);
      else children.set(span.parentSpanId, [span]);
    } else {
      roots.push(span);
    }
  }
  const logsBySpan = new Map<string, TimelineLog[]>();
  const traceLogs: TimelineLog[] = [];
  for (const log of timeline.logs) {
    if (log.spanId && ids.has(log.spanId)) {
      const list = logsBySpan.get(log.spanId);
      if (list) list.push(log);
      else logsBySpan.set(log.spanId, [log]);
    } else {
      traceLogs.push(log);
    }
  }

  const rows: WaterfallRow[] = [];
  if (withLogs) traceLogs.forEach((log, i) => rows.push({ type: 'log', log, depth: 0, atMs: preciseMillis(log.timestamp), key: `trace-${i}` }));
  const seen = new Set<string>();
  const stack: Array<{ span: TimelineSpan; depth: number }> = roots
    .slice()
    .reverse()
    .map((span) => ({ span, depth: 0 }));
  while (stack.length > 0) {
    const { span, depth } = stack.pop()!;
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    const kids = children.get(span.spanId) ?? [];
    rows.push({
      type: 'span',
      span,
      depth,
      childCount: kids.length,
      startMs: preciseMillis(span.startTime),
      endMs: preciseMillis(span.endTime),
      error: span.status.code === 'Error',
    });
    if (collapsed.has(span.spanId)) continue;
    if (withLogs) {
      (logsBySpan.get(span.spanId) ?? []).forEach((log, i) => rows.push({ type: 'log', log, depth: depth + 1, atMs: preciseMillis(log.timestamp), key: `${span.spanId}-${i}` }));
    }
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1 });
  }
  // A cycle of parents (a malformed trace) leaves spans unreached: show them as roots.
  for (const span of timeline.spans) {
    if (!seen.has(span.spanId)) {
      seen.add(span.spanId);
      rows.push({ type: 'span', span, depth: 0, childCount: 0, startMs: preciseMillis(span.startTime), endMs: preciseMillis(span.endTime), error: span.status.code === 'Error' });
    }
  }
  const startMs = preciseMillis(timeline.startTime);
  const endMs = Math.max(preciseMillis(timeline.endTime), startMs + 0.001);
  return { rows, startMs, endMs, spanCount: seen.size };
}

/** About five round tick offsets (ms from the trace start) across a duration. */
export function ticks(durationMs: number): number[] {
  if (durationMs <= 0) return [0];
  const raw = durationMs / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = 0; t <= durationMs + step * 1e-9; t += step) out.push(t);
  return out;
}
