/** Times: the API speaks ISO-8601 UTC; the console shows the browser's zone, with UTC on hover. */

const local = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  hourCycle: 'h23',
});

export function formatLocal(ms: number): string {
  return Number.isFinite(ms) ? local.format(ms) : '—';
}

/** `2026-11-29 10:25:52.054 UTC` */
export function formatUtc(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

/**
 * Milliseconds since the epoch, with the sub-millisecond part of an ISO time
 * with up to nine fractional digits kept (a span of 40 µs still has a width).
 */
export function preciseMillis(iso: string): number {
  const match = /^(.{19})(?:\.(\d+))?Z$/.exec(iso);
  if (!match) return Date.parse(iso);
  const whole = Date.parse(`${match[1]}Z`);
  const fraction = match[2] ? Number(`0.${match[2]}`) * 1000 : 0;
  return whole + fraction;
}

/** A datetime-local input's value (the browser's zone) as ISO UTC, or undefined. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** ISO UTC as a datetime-local input's value in the browser's zone. */
export function isoToLocalInput(iso: string | undefined | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** 12 ms, 1.48 s, 2 min 05 s, 3 h 02 min */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms === 0) return '0';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export const formatNumber = (n: number): string => new Intl.NumberFormat().format(n);
