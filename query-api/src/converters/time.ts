/**
 * Times in answers: every instant is an ISO-8601 string in UTC with the
 * precision the value has. Times recorded by telemetry (span starts and ends,
 * log times) are stored in nanoseconds and keep all nine fractional digits;
 * times Flowtrace makes itself (createdAt, hourly buckets) have milliseconds.
 * Task History, whose shape comes from the API it is compatible with, gives
 * milliseconds throughout. Durations are numbers of milliseconds.
 */

/** Nanoseconds since the epoch (decimal text) as ISO-8601 with all nine fractional digits. */
export function isoFromNanos(nanos: string | bigint): string {
  const n = BigInt(nanos);
  const ms = new Date(Number(n / 1_000_000n)).toISOString();
  return `${ms.slice(0, 19)}.${(n % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

/** Nanoseconds since the epoch as ISO-8601 with milliseconds (Task History's format), truncated. */
export function isoMillisFromNanos(nanos: string | bigint): string {
  return new Date(Number(BigInt(nanos) / 1_000_000n)).toISOString();
}

/** An ISO-8601 instant with nanoseconds (from isoFromNanos) cut to milliseconds. */
export const isoMillisFromIso = (iso: string): string => `${iso.slice(0, 23)}Z`;

/** Epoch seconds (a whole hour or day bucket) as ISO-8601 with milliseconds. */
export const isoFromSeconds = (seconds: number | bigint): string => new Date(Number(seconds) * 1000).toISOString();

export function msFromNanos(nanos: string | bigint): number {
  return Number(BigInt(nanos)) / 1e6;
}

/** The milliseconds between two instants given in nanoseconds. */
export const msBetween = (startNanos: string | bigint, endNanos: string | bigint): number => msFromNanos(BigInt(endNanos) - BigInt(startNanos));
