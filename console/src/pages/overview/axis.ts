import { toneOf } from '../../api/vocabulary';

/** Series colors, distinct and dark enough against white. */
export const PALETTE = ['#1864ab', '#e8590c', '#2b8a3e', '#862e9c', '#0b7285', '#5c940d', '#d6336c', '#495057', '#a61e4d', '#364fc7'];
const TONES = { failed: '#c92a2a', warning: '#f08c00', ok: '#2f9e44', neutral: '#868e96' } as const;

/**
 * A color per group: by what a status means, or by the group's place among
 * `all` (sorted by name, so that both charts of one answer agree and up to ten
 * groups never share a color).
 */
export function colorOf(group: string, by: 'status' | readonly string[]): string {
  if (by === 'status') return TONES[toneOf(group)];
  const index = [...by].sort().indexOf(group);
  return PALETTE[(index < 0 ? 0 : index) % PALETTE.length]!;
}

const hourLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** A time axis label: the day, and the hour for hourly buckets. */
export const tickFormatter = (interval: string) => (t: number) => (interval === 'day' ? dayLabel : hourLabel).format(t);

/** Up to about `count` round steps from 0 to at least `max`: 0, 5, 10, 15… */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude);
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(v);
  return ticks;
}
