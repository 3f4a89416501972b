/** Runs `fn` `runs` times after `warmup` untimed runs; returns sorted latencies in ms. */
/**
 * Times `runs` calls after `warmup` untimed ones, sorted. Every call gets its
 * own index (warm-ups 0…warmup-1, then the timed ones), so that a caller can
 * ask a different question each time: ClickHouse's caches (the query condition
 * cache above all) answer a repeated question faster than a new one.
 */
export async function timeRuns(runs: number, warmup: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times: number[] = [];
  for (let i = warmup; i < warmup + runs; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Prints one aligned row: a label, then columns. */
export function row(label: string, ...columns: string[]): void {
  process.stdout.write(`${label.padEnd(46)}${columns.map((c) => c.padStart(16)).join('')}\n`);
}
