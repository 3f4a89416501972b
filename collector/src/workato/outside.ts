import type { TimeWindow } from '../otlp/window.js';

/** How many records, and the earliest and latest of their times (nanoseconds). */
export class TimeRange {
  count = 0;
  min: bigint | undefined;
  max: bigint | undefined;

  add(nanos: bigint): void {
    this.count++;
    if (this.min === undefined || nanos < this.min) this.min = nanos;
    if (this.max === undefined || nanos > this.max) this.max = nanos;
  }

  merge(other: TimeRange): void {
    if (other.count === 0) return;
    this.count += other.count;
    if (this.min === undefined || other.min! < this.min) this.min = other.min;
    if (this.max === undefined || other.max! > this.max) this.max = other.max;
  }
}

/**
 * Records refused for their time, by side of the window: older than what is
 * kept, or further ahead than the clock allows. Unlike a record the data
 * itself gets wrong (a span ending before it starts), these would be stored
 * under another retention or clock, so an import refuses their files whole
 * and leaves them unrecorded (workato/imports.ts).
 */
export class OutsideWindow {
  readonly older = new TimeRange();
  readonly ahead = new TimeRange();

  /** Notes a record refused by `window` at `nanos` (a record without a time is neither). */
  note(nanos: bigint, window: TimeWindow): void {
    if (nanos === 0n) return;
    if (nanos < window.earliestNanos) this.older.add(nanos);
    else if (nanos > window.latestNanos) this.ahead.add(nanos);
  }

  merge(other: OutsideWindow): void {
    this.older.merge(other.older);
    this.ahead.merge(other.ahead);
  }

  get count(): number {
    return this.older.count + this.ahead.count;
  }
}
