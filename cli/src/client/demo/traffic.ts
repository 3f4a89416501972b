import type { Random } from './random.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The span of time the demo fills: epoch milliseconds, `end` a minute before the demo started. */
export interface Window {
  start: number;
  end: number;
}

/** The busiest hour's weight (see `weight`): the ceiling rejection sampling draws under. */
const PEAK = 1.15;

/**
 * When a tenant's users are active: a working day in the tenant's time zone
 * (a morning peak near 10:30, a second one near 15:00, a quiet night) and a
 * weekend at a third of a weekday.
 */
export class Traffic {
  readonly window: Window;
  readonly #offsetMs: number;

  constructor(window: Window, utcOffsetHours: number) {
    this.window = window;
    this.#offsetMs = utcOffsetHours * HOUR;
  }

  /** The relative intensity of traffic at `t`, from 0.03 (a weekend night) to about 1.1 (a weekday at 10:30). */
  weight(t: number): number {
    const local = new Date(t + this.#offsetMs);
    const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
    const day = local.getUTCDay();
    const diurnal = 0.08 + Math.exp(-((hour - 10.5) ** 2) / 8) + 0.85 * Math.exp(-((hour - 15) ** 2) / 6);
    return diurnal * (day === 0 || day === 6 ? 0.3 : 1);
  }

  /** How busy `t` is, from 0 to 1: peak hours make rate limits likelier. */
  load(t: number): number {
    return Math.min(1, this.weight(t) / PEAK);
  }

  /** A time in the window, drawn as the traffic is: more on weekday afternoons than on Sunday nights. */
  sample(rnd: Random): number {
    const { start, end } = this.window;
    for (;;) {
      const t = start + rnd.next() * (end - start);
      if (rnd.next() * PEAK < this.weight(t)) return Math.floor(t);
    }
  }

  /** A time in the last `withinMs` of the window (the demo's exemplars: what the first screen shows). */
  recent(rnd: Random, withinMs: number, notBeforeMs = 0): number {
    return Math.floor(this.window.end - notBeforeMs - rnd.next() * (withinMs - notBeforeMs));
  }

  /** `t` moved back so that something lasting `durationMs` ends inside the window. */
  fit(t: number, durationMs: number): number {
    return Math.max(this.window.start, Math.min(t, this.window.end - durationMs));
  }
}

/** Windows of time, and whether a time falls in one: outages, incidents. */
export interface Interval {
  from: number;
  to: number;
}

export function within<T extends Interval>(intervals: readonly T[] | undefined, t: number): T | undefined {
  return intervals?.find((i) => t >= i.from && t < i.to);
}
