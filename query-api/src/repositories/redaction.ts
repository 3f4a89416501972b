import { TABLES, type Store } from '@flowtrace/store';

/** A project's redaction patterns, as the collector applies them. */
export interface RedactionPatterns {
  patterns: string[];
  /** ISO-8601; null when the project never had any set. */
  updatedAt: string | null;
}

/** The project's latest patterns (none set: an empty list). */
export async function getRedactionPatterns(store: Store, projectId: string): Promise<RedactionPatterns> {
  const rows = await store.select<{ patterns: string[]; updatedAt: string }>(
    'query.redaction.get',
    `SELECT argMax(Patterns, UpdatedAt) AS patterns, max(UpdatedAt) AS updatedAt
     FROM ${TABLES.redactionRules} WHERE ProjectId = {projectId:String} GROUP BY ProjectId`,
    { projectId },
  );
  const row = rows[0];
  return row ? { patterns: row.patterns, updatedAt: `${row.updatedAt.replace(' ', 'T').slice(0, 23)}Z` } : { patterns: [], updatedAt: null };
}

let lastMicros = 0n;

/** Replaces the project's patterns; collectors apply them within their cache time (FLOWTRACE_KEY_CACHE_SECONDS). */
export async function setRedactionPatterns(store: Store, projectId: string, patterns: string[]): Promise<RedactionPatterns> {
  // Microseconds, increasing within this process: two changes in one millisecond still order.
  const now = BigInt(Date.now()) * 1000n;
  lastMicros = now > lastMicros ? now : lastMicros + 1n;
  await store.insert('query.redaction.set', TABLES.redactionRules, [
    { ProjectId: projectId, Patterns: patterns, UpdatedAt: `${lastMicros / 1_000_000n}.${String(lastMicros % 1_000_000n).padStart(6, '0')}` },
  ]);
  return { patterns, updatedAt: new Date(Number(lastMicros / 1000n)).toISOString() };
}
