import { memo } from 'react';
import type { Pivot } from './pivot';
import { colorOf, niceTicks, tickFormatter } from './axis';
import { formatNumber } from '../../lib/time';

const HEIGHT = 240;
const AXIS = 20;
const PLOT = HEIGHT - AXIS - 8;
const LABELS = 5;

/**
 * A stacked bar per time bucket; a click on a bar opens the list behind it.
 * Plain SVG, positioned in percentages of the width (no measuring, no chart
 * library): the Overview's first chart is on screen as soon as its answer is.
 * Each bar's title names its time, group and count; the figure around it
 * (the Overview's ChartCard) names the chart. Drawn again only for
 * other data: `onBarClick` of the same data opens the same lists.
 */
export const StackedBars = memo(StackedBarsChart, (a, b) => a.data === b.data && a.interval === b.interval && sameColors(a.colors, b.colors));

const sameColors = (a: 'status' | readonly string[], b: 'status' | readonly string[]) => a === b || (typeof a !== 'string' && typeof b !== 'string' && a.join('\u0000') === b.join('\u0000'));

function StackedBarsChart({ data, interval, onBarClick, colors }: { data: Pivot; interval: string; onBarClick?: (group: string, time: number) => void; colors: 'status' | readonly string[] }) {
  const format = tickFormatter(interval);
  const totals = data.rows.map((row) => data.groups.reduce((sum, g) => sum + Number(row[g] ?? 0), 0));
  const ticks = niceTicks(Math.max(0, ...totals));
  const top = ticks.at(-1)!;
  const y = (v: number) => 8 + PLOT - (v / top) * PLOT;
  const band = 100 / Math.max(1, data.rows.length);
  const every = Math.max(1, Math.ceil(data.rows.length / LABELS));
  return (
    <div>
      <div style={{ display: 'flex', height: HEIGHT }}>
        <svg width={44} height={HEIGHT} aria-hidden="true" style={{ flex: 'none' }}>
          {ticks.map((v) => (
            <text key={v} x={38} y={y(v)} dy="0.32em" textAnchor="end" fontSize={11} fill="#495057">
              {formatNumber(v)}
            </text>
          ))}
        </svg>
        <svg width="100%" height={HEIGHT} style={{ flex: 1, minWidth: 0, overflow: 'visible' }}>
          {ticks.map((v) => (
            <line key={v} x1="0" x2="100%" y1={y(v)} y2={y(v)} stroke="#dee2e6" strokeDasharray={v === 0 ? undefined : '3 3'} />
          ))}
          {data.rows.map((row, i) => {
            const t = Number(row.t);
            let base = 0;
            return (
              <g key={t}>
                {data.groups.map((group) => {
                  const value = Number(row[group] ?? 0);
                  if (value <= 0) return null;
                  const from = base;
                  base += value;
                  return (
                    <rect
                      key={group}
                      x={`${i * band + band * 0.1}%`}
                      width={`${band * 0.8}%`}
                      y={y(base)}
                      height={Math.max(0.5, y(from) - y(base))}
                      fill={colorOf(group, colors)}
                      style={onBarClick ? { cursor: 'pointer' } : undefined}
                      onClick={onBarClick ? () => onBarClick(group, t) : undefined}
                    >
                      <title>{`${format(t)} · ${group}: ${formatNumber(value)}`}</title>
                    </rect>
                  );
                })}
                {i % every === 0 && (
                  <text x={`${(i + 0.5) * band}%`} y={HEIGHT - 4} textAnchor="middle" fontSize={11} fill="#495057">
                    {format(t)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      <ul style={{ display: 'flex', flexWrap: 'wrap', justifyContent: 'center', gap: '4px 12px', listStyle: 'none', margin: '4px 0 0', padding: 0, fontSize: 12 }}>
        {data.groups.map((group) => (
          <li key={group} style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
            <span aria-hidden="true" style={{ width: 10, height: 10, background: colorOf(group, colors), display: 'inline-block' }} />
            {group}
          </li>
        ))}
      </ul>
    </div>
  );
}
