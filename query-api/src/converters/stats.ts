import type { StatRow } from '../repositories/stats.js';
import { isoFromSeconds } from './time.js';

export interface StatBucket {
  time: string;
  group?: string;
  executions: number;
  failures: number;
  durationMs: { p50: number; p95: number; p99: number };
}

export function toStatBucket(row: StatRow, grouped: boolean): StatBucket {
  return {
    time: isoFromSeconds(row.t),
    ...(grouped ? { group: row.g } : {}),
    executions: Number(row.executions),
    failures: Number(row.failures),
    durationMs: percentiles(row.durations, [0.5, 0.95, 0.99]),
  };
}

/**
 * Percentiles of a log-scale duration histogram: bucket i > 0 holds
 * 2^((i-1)/4) ≤ ms < 2^(i/4), bucket 0 holds 0 ms; a value is given as its
 * bucket's geometric middle, so within 9% of the true one.
 */
export function percentiles(histogram: Record<string, string>, ps: readonly [number, number, number]): { p50: number; p95: number; p99: number } {
  const buckets = Object.entries(histogram)
    .map(([bucket, n]) => [Number(bucket), Number(n)] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  const at = (p: number) => {
    if (total === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * total));
    let seen = 0;
    for (const [bucket, n] of buckets) {
      seen += n;
      if (seen >= rank) return bucket === 0 ? 0 : Math.round(2 ** ((bucket - 0.5) / 4));
    }
    return 0;
  };
  return { p50: at(ps[0]), p95: at(ps[1]), p99: at(ps[2]) };
}
