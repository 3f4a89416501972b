/** Nanoseconds since the epoch (decimal text) as ISO-8601 with all nine fractional digits. */
export function isoFromNanos(nanos: string | bigint): string {
  const n = BigInt(nanos);
  const ms = new Date(Number(n / 1_000_000n)).toISOString();
  return `${ms.slice(0, 19)}.${(n % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

export function msFromNanos(nanos: string | bigint): number {
  return Number(BigInt(nanos)) / 1e6;
}
