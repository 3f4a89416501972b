import { memo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { StatBucket } from '../../api/types';
import { formatDuration } from '../../lib/time';
import { PALETTE, tickFormatter } from './axis';

/** An axis label: 250 ms, 12 s, 1.5 min. */
function shortDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

/** p50 and p95 duration per bucket (in a figure of the Overview's ChartCard); drawn again only for other buckets. */
export const DurationLines = memo(DurationLinesChart);

function DurationLinesChart({ buckets, interval }: { buckets: StatBucket[]; interval: string }) {
  const rows = buckets.filter((b) => b.executions > 0).map((b) => ({ t: Date.parse(b.time), p50: b.durationMs.p50, p95: b.durationMs.p95 }));
  return (
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
  );
}
