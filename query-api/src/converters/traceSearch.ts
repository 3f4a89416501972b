import type { TraceCursor, TraceSummaryRow } from '../repositories/traces.js';
import { isoFromNanos, msBetween } from './time.js';

/** A trace in a search's answer: what Jaeger's, Tempo's and Grafana's trace lists show. */
export function toTraceSummary(row: TraceSummaryRow) {
  const root = Number(row.hasRoot) > 0;
  return {
    traceId: row.traceId,
    rootServiceName: root ? row.rootService : null,
    rootSpanName: root ? row.rootName : null,
    startTime: isoFromNanos(row.startNanos),
    durationMs: msBetween(row.startNanos, row.endNanos),
    spanCount: Number(row.spans),
    errorCount: Number(row.errors),
  };
}

/** The cursor of the page after `row`: opaque to clients. */
export const traceCursorAfter = (row: TraceSummaryRow): string => Buffer.from(`${row.matchNanos}.${row.traceId}.${row.windowNs}`).toString('base64url');

/** The widest window a cursor may name (about 146 years). */
const MAX_WINDOW_NS = 1n << 62n;

export function parseTraceCursor(cursor: string): TraceCursor | undefined {
  const match = /^(\d{1,19})\.([0-9a-f]{32})(?:\.(\d{1,19}))?$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || BigInt(match[1]!) > 0x7fff_ffff_ffff_ffffn) return undefined;
  const windowNs = match[3] === undefined ? undefined : BigInt(match[3]);
  if (windowNs !== undefined && (windowNs < 1n || windowNs > MAX_WINDOW_NS)) return undefined;
  return { nanos: BigInt(match[1]!), traceId: match[2]!, windowNs };
}
