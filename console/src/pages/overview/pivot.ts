import type { StatBucket } from '../../api/types';

export interface Pivot {
  rows: Array<Record<string, number | string>>;
  groups: string[];
}

/** Buckets of (time, group) as one row per time with a column per group, every time of the range present. */
export function pivot(buckets: StatBucket[], value: 'executions' | 'failures', from: string, to: string, interval: string): Pivot {
  const step = interval === 'day' ? 86_400_000 : 3_600_000;
  const groupTotals = new Map<string, number>();
  const byTime = new Map<number, Record<string, number | string>>();
  for (let t = Date.parse(from); t < Date.parse(to); t += step) byTime.set(t, { t });
  for (const b of buckets) {
    const t = Date.parse(b.time);
    const row = byTime.get(t) ?? { t };
    byTime.set(t, row);
    const group = b.group || '(none)';
    row[group] = ((row[group] as number | undefined) ?? 0) + b[value];
    groupTotals.set(group, (groupTotals.get(group) ?? 0) + b[value]);
  }
  const groups = [...groupTotals.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).map(([g]) => g);
  const rows = [...byTime.values()].sort((a, b) => (a.t as number) - (b.t as number));
  for (const row of rows) for (const g of groups) row[g] ??= 0;
  return { rows, groups };
}
