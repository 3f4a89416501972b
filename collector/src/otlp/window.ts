import { OtlpRequestError, type PathFn } from './errors.js';

/**
 * The timestamps a record may carry and still be stored. Older than the
 * retention period, a row would be deleted by the TTL at once; further ahead than
 * the allowed clock skew, it is a broken clock or a unit mistake (micro- for
 * nanoseconds), and would sit at the top of every "newest first" list.
 * Records outside are rejected one by one (partial success), not the request.
 */
export interface TimeWindow {
  earliestNanos: bigint;
  latestNanos: bigint;
}

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * The latest time otel_traces and otel_logs can hold: DateTime64(9) is a signed
 * 64-bit count of nanoseconds, so it ends at 2262-04-11T23:47:16.854775807Z.
 * OTLP times are unsigned 64-bit. Every time of a record (a span's start and end,
 * an event's, a log's time and observed time) is checked against this before the
 * window: a later one is not a clock off by an hour but a value ClickHouse cannot
 * hold (a view computing a span's end fails mid-insert), so the request is
 * refused whole, a 400 naming the field. With start and end storable, a span's
 * duration (end - start) fits in the Int64 the views take it as.
 */
export const LATEST_STORABLE_NANOS = 0x7fff_ffff_ffff_ffffn;

/** Why `nanos` cannot be stored, after the field's path. */
export const afterLatest = (nanos: bigint | string) => `${nanos} is after 2262-04-11, the latest time ClickHouse stores`;

/** `nanos`, or an OtlpRequestError naming the field when ClickHouse cannot store it. */
export function storableTime(nanos: bigint, path: PathFn): bigint {
  if (nanos > LATEST_STORABLE_NANOS) throw new OtlpRequestError(`${path()}: ${afterLatest(nanos)}`);
  return nanos;
}

export function timeWindow(options: { ttlDays: number; maxFutureSkewSeconds: number }, now = Date.now()): TimeWindow {
  const nowNanos = BigInt(now) * 1_000_000n;
  const earliestNanos = options.ttlDays > 0 ? nowNanos - BigInt(options.ttlDays) * 86_400n * NANOS_PER_SECOND : 1n;
  return { earliestNanos, latestNanos: nowNanos + BigInt(options.maxFutureSkewSeconds) * NANOS_PER_SECOND };
}

/** Why a timestamp is outside the window, or undefined when it is inside. */
export function outsideWindow(nanos: bigint, window: TimeWindow): string | undefined {
  if (nanos === 0n) return 'has no timestamp';
  if (nanos < window.earliestNanos) return 'is older than the retention period';
  if (nanos > window.latestNanos) return 'is too far in the future (check the clock and that the unit is nanoseconds)';
  return undefined;
}

/** Collects per-record rejections: a count and the first few reasons, for partial_success.error_message. */
export class Rejections {
  count = 0;
  readonly #reasons: string[] = [];

  add(reason: string): void {
    this.count++;
    if (this.#reasons.length < 5) this.#reasons.push(reason);
  }

  message(noun: string): string {
    if (this.count === 0) return '';
    const more = this.count > this.#reasons.length ? `; and ${this.count - this.#reasons.length} more` : '';
    return `${this.count} ${noun} rejected: ${this.#reasons.join('; ')}${more}`;
  }
}
