import { TABLES, dateTime64ToNanos, type SpanRow, type Store } from '@flowtrace/store';

const KIND = 'flowtrace.kind';
const FRAGMENT = 'flowtrace.span.fragment';

/** The rows flowtrace_executions_mv takes: an execution's root span, whole. */
export function isExecutionRoot(row: SpanRow): boolean {
  return row.ParentSpanId === '' && (row.SpanAttributes[KIND] ?? '') !== '' && row.SpanAttributes[FRAGMENT] === undefined;
}

const identity = (traceId: string, spanId: string, start: bigint | string, duration: bigint | string) => `${traceId}/${spanId}/${start}/${duration}`;

/** One writer at a time per project for batches with execution roots: the check and the insert must not interleave. */
const writers = new Map<string, Promise<unknown>>();

async function serialized<T>(projectId: string, work: () => Promise<T>): Promise<T> {
  const before = writers.get(projectId) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(work);
  writers.set(projectId, mine);
  try {
    return await mine;
  } finally {
    if (writers.get(projectId) === mine) writers.delete(projectId);
  }
}

export interface SpansStored {
  /** Rows inserted. */
  inserted: number;
  /** Execution root spans already stored (an exporter's retry), not stored again. */
  duplicates: number;
}

/**
 * Inserts span rows of one project in one INSERT. An execution's root span
 * that is already stored — same trace, span, start and duration, as a retried
 * export re-sends it — is left out, so executions and their counts never
 * double: the answer is still a success, since the span is stored. Other
 * spans of a retry are inserted again and merged by readers (by span id).
 */
export async function insertSpans(store: Store, caller: string, projectId: string, rows: SpanRow[]): Promise<SpansStored> {
  const roots = rows.filter(isExecutionRoot);
  if (roots.length === 0) {
    await store.insert(caller, TABLES.traces, rows);
    return { inserted: rows.length, duplicates: 0 };
  }
  return serialized(projectId, async () => {
    const starts = roots.map((row) => dateTime64ToNanos(row.Timestamp));
    const min = starts.reduce((a, b) => (b < a ? b : a));
    const max = starts.reduce((a, b) => (b > a ? b : a));
    const stored = await store.select<{ TraceId: string; SpanId: string; start: string; duration: string }>(
      `${caller}.dedup`,
      `SELECT TraceId, SpanId, toString(toUnixTimestamp64Nano(Start)) AS start,
              toString(toUnixTimestamp64Nano(End) - toUnixTimestamp64Nano(Start)) AS duration
       FROM ${TABLES.executions}
       WHERE ProjectId = {projectId:String} AND Kind IN {kinds:Array(String)}
         AND Start BETWEEN fromUnixTimestamp64Nano({min:Int64}) AND fromUnixTimestamp64Nano({max:Int64})
         AND TraceId IN {traceIds:Array(String)}`,
      {
        projectId,
        kinds: [...new Set(roots.map((row) => row.SpanAttributes[KIND]!))],
        min: min.toString(),
        max: max.toString(),
        traceIds: [...new Set(roots.map((row) => row.TraceId))],
      },
    );
    const seen = new Set(stored.map((row) => identity(row.TraceId, row.SpanId, row.start, row.duration)));
    let duplicates = 0;
    const fresh = rows.filter((row) => {
      if (!isExecutionRoot(row)) return true;
      const key = identity(row.TraceId, row.SpanId, dateTime64ToNanos(row.Timestamp), row.Duration);
      if (seen.has(key)) {
        duplicates++;
        return false;
      }
      seen.add(key);
      return true;
    });
    await store.insert(caller, TABLES.traces, fresh);
    return { inserted: fresh.length, duplicates };
  });
}
