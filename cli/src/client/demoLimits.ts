import { ConfigError } from '../config.js';

/** `flowtrace demo`'s numbers: defaults and ranges (kept apart from the demo, so that --help loads no SDK). */
export const DEMO_DEFAULTS = { scale: 300, days: 7, seed: 42 } as const;
export const DEMO_LIMITS = { scale: [1, 2000], days: [1, 30], seed: [0, 4_294_967_295] } as const;

/** A demo number, checked against its range: a ConfigError naming the option otherwise. */
export function demoNumber(name: keyof typeof DEMO_LIMITS, value: number | undefined): number {
  if (value === undefined) return DEMO_DEFAULTS[name];
  const [min, max] = DEMO_LIMITS[name];
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`--${name}: must be a whole number from ${min} to ${max} (got ${Number.isNaN(value) ? 'not a number' : value})`);
  return value;
}
