/**
 * The date-times Workato streams carry, as epoch milliseconds with the
 * sub-millisecond digits kept as a fraction:
 * "2022-10-19T22:30:46-07:00", "2026-05-20T16:51:03.14646Z",
 * "2020-05-02 02:39:22 UTC", "2019-11-24 14:29:30 -0800", and epoch numbers in
 * seconds, milliseconds, microseconds or nanoseconds.
 */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    if (value > 1e17) return value / 1e6;
    if (value > 1e14) return value / 1e3;
    if (value > 1e11) return value;
    return value * 1000;
  }
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?/i.exec(value.trim());
  if (!match) return undefined;
  const [, date, time, fraction, zone] = match;
  const offset = !zone || /^(Z|UTC|GMT)$/i.test(zone) ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const whole = Date.parse(`${date}T${time}${offset}`);
  if (Number.isNaN(whole)) return undefined;
  return fraction ? whole + Number(`0.${fraction}`) * 1000 : whole;
}
