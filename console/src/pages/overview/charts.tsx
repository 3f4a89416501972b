import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { StatBucket } from '../../api/types';
import type { Pivot } from './pivot';
import { toneOf } from '../../api/vocabulary';
import { formatDuration } from '../../lib/time';

/** Series colors, distinct and dark enough against white. */
const PALETTE = ['#1864ab', '#e8590c', '#2b8a3e', '#862e9c', '#0b7285', '#5c940d', '#d6336c', '#495057', '#a61e4d', '#364fc7'];
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

/** An axis label: 250 ms, 12 s, 1.5 min. */
function shortDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

const hourLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

const tickFormatter = (interval: string) => (t: number) => (interval === 'day' ? dayLabel : hourLabel).format(t);

/** A stacked bar per time bucket; a click on a bar opens the list behind it. */
export function StackedBars({ data, interval, label, onBarClick, colors }: { data: Pivot; interval: string; label: string; onBarClick?: (group: string, time: number) => void; colors: 'status' | readonly string[] }) {
  return (
    <figure aria-label={label} style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={data.rows} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="t" tickFormatter={tickFormatter(interval)} fontSize={11} minTickGap={24} />
          <YAxis allowDecimals={false} fontSize={11} />
          <Tooltip labelFormatter={(t) => tickFormatter(interval)(Number(t))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {data.groups.map((group) => (
            <Bar
              key={group}
              dataKey={group}
              stackId="a"
              fill={colorOf(group, colors)}
              isAnimationActive={false}
              cursor={onBarClick ? 'pointer' : undefined}
              onClick={onBarClick ? (entry: { payload?: { t?: number } }) => entry.payload?.t !== undefined && onBarClick(group, entry.payload.t) : undefined}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** p50 and p95 duration per bucket. */
export function DurationLines({ buckets, interval, label }: { buckets: StatBucket[]; interval: string; label: string }) {
  const rows = buckets.filter((b) => b.executions > 0).map((b) => ({ t: Date.parse(b.time), p50: b.durationMs.p50, p95: b.durationMs.p95 }));
  return (
    <figure aria-label={label} style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={tickFormatter(interval)} fontSize={11} minTickGap={24} />
          <YAxis tickFormatter={(v: number) => shortDuration(v)} fontSize={11} width={64} />
          <Tooltip labelFormatter={(t) => tickFormatter(interval)(Number(t))} formatter={(v) => formatDuration(Number(v))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Line dataKey="p50" name="p50" stroke={PALETTE[0]} dot={false} isAnimationActive={false} />
          <Line dataKey="p95" name="p95" stroke={PALETTE[1]} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
