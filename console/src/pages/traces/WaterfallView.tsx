import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { VisuallyHidden } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Timeline } from '../../api/types';
import { formatDuration } from '../../lib/time';
import { buildWaterfall, ticks, type WaterfallRow } from './waterfall';

const ROW_HEIGHT = 26;

/**
 * The spans of a trace on a time axis, nested, errors marked, logs in place.
 * Rows are virtualized: 10,000 spans draw as fast as 40. A WAI-ARIA tree: the
 * arrow keys move (Right/Left open and close a subtree), Enter selects.
 */
export function WaterfallView({ timeline, selected, onSelect, withLogs }: { timeline: Timeline; selected: string | undefined; onSelect: (spanId: string) => void; withLogs: boolean }) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const waterfall = useMemo(() => buildWaterfall(timeline, collapsed, withLogs), [timeline, collapsed, withLogs]);
  const { rows, startMs, endMs } = waterfall;
  const total = endMs - startMs;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 15 });
  const items = virtualizer.getVirtualItems();

  // The selected span (from the URL) is the active row, scrolled into view once.
  useEffect(() => {
    if (!selected) return;
    const index = rows.findIndex((r) => r.type === 'span' && r.span.spanId === selected);
    if (index >= 0) {
      setActive(index);
      virtualizer.scrollToIndex(index, { align: 'auto' });
    }
  }, [selected, timeline]);

  const toggle = (spanId: string, open?: boolean) =>
    setCollapsed((current) => {
      const next = new Set(current);
      const isOpen = !next.has(spanId);
      if (open ?? !isOpen) next.delete(spanId);
      else next.add(spanId);
      return next;
    });

  const move = (index: number) => {
    const i = Math.max(0, Math.min(rows.length - 1, index));
    setActive(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const row = rows[active];
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      PageDown: () => move(active + page),
      PageUp: () => move(active - page),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      ArrowRight: () => {
        if (row?.type === 'span' && row.childCount > 0 && collapsed.has(row.span.spanId)) toggle(row.span.spanId, true);
        else move(active + 1);
      },
      ArrowLeft: () => {
        if (row?.type === 'span' && row.childCount > 0 && !collapsed.has(row.span.spanId)) return toggle(row.span.spanId, false);
        const parentId = row?.type === 'span' ? row.span.parentSpanId : row?.log.spanId;
        const parent = rows.findIndex((r) => r.type === 'span' && r.span.spanId === parentId);
        if (parent >= 0) move(parent);
      },
      Enter: () => row && onSelect(row.type === 'span' ? row.span.spanId : (row.log.spanId ?? '')),
      ' ': () => row && onSelect(row.type === 'span' ? row.span.spanId : (row.log.spanId ?? '')),
    };
    const action = keys[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  };

  const frac = (ms: number) => (ms - startMs) / total;
  const at = (ms: number) => `${(frac(ms) * 100).toFixed(4)}%`;
  const mainService = timeline.spans[0]?.serviceName;
  const activeRendered = items.some((item) => item.index === active);

  return (
    <div className="ft-waterfall" data-testid="waterfall" data-span-count={waterfall.spanCount}>
      <div className="ft-wf-axis" aria-hidden>
        <div style={{ padding: '4px 8px', fontWeight: 600 }}>Span</div>
        <div className="ft-wf-ticks">
          {ticks(total).map((t) => (
            <span key={t} className="ft-wf-tick" style={{ left: `${(t / total) * 100}%` }}>
              {formatDuration(t)}
            </span>
          ))}
        </div>
      </div>
      <div
        ref={scrollRef}
        className="ft-waterfall-scroll"
        style={{ height: Math.min(560, rows.length * ROW_HEIGHT + 4) }}
        role="tree"
        aria-label={`Spans of trace ${timeline.traceId} on a time axis`}
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-activedescendant={activeRendered ? rowId(rows[active]!) : undefined}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }} role="none">
          {items.map((item) => {
            const row = rows[item.index]!;
            const isActive = item.index === active;
            return row.type === 'span' ? (
              <SpanRow
                key={row.span.spanId}
                row={row}
                top={item.start}
                at={at}
                frac={frac}
                total={total}
                selected={row.span.spanId === selected}
                active={isActive}
                collapsed={collapsed.has(row.span.spanId)}
                showService={row.span.serviceName !== mainService}
                onToggle={() => toggle(row.span.spanId)}
                onClick={() => {
                  setActive(item.index);
                  onSelect(row.span.spanId);
                }}
              />
            ) : (
              <LogRow key={row.key} row={row} top={item.start} at={at} active={isActive} onClick={() => setActive(item.index)} />
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** A bar's duration label: right of the bar, or left of it when the bar ends near the end of the axis. */
function labelPlace(frac: (ms: number) => number, row: Extract<WaterfallRow, { type: 'span' }>) {
  const pct = (x: number) => `${(x * 100).toFixed(4)}%`;
  if (frac(row.endMs) <= 0.8) return { left: `calc(${pct(frac(row.endMs))} + 2px)` };
  if (frac(row.startMs) >= 0.2) return { right: `calc(${pct(1 - frac(row.startMs))} + 4px)`, paddingLeft: 0 };
  // A bar across most of the axis: the label sits on its end, on a light patch.
  return { right: `calc(${pct(1 - frac(row.endMs))} + 4px)`, top: '20%', height: '60%', padding: '0 4px', background: 'rgba(255,255,255,0.9)', borderRadius: 2 };
}

const rowId = (row: WaterfallRow) => (row.type === 'span' ? `wf-span-${row.span.spanId}` : `wf-log-${row.key}`);

function SpanRow({
  row,
  top,
  at,
  frac,
  total,
  selected,
  active,
  collapsed,
  showService,
  onToggle,
  onClick,
}: {
  row: Extract<WaterfallRow, { type: 'span' }>;
  top: number;
  at: (ms: number) => string;
  frac: (ms: number) => number;
  total: number;
  selected: boolean;
  active: boolean;
  collapsed: boolean;
  showService: boolean;
  onToggle: () => void;
  onClick: () => void;
}) {
  const { span } = row;
  const width = Math.max(((row.endMs - row.startMs) / total) * 100, 0);
  return (
    <div
      id={`wf-span-${span.spanId}`}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-selected={selected}
      aria-expanded={row.childCount > 0 ? !collapsed : undefined}
      className="ft-wf-row"
      data-active={active || undefined}
      style={{ top, height: ROW_HEIGHT, outline: active ? '1px dashed var(--mantine-color-blue-5)' : undefined, outlineOffset: -1 }}
      onClick={onClick}
    >
      <div className="ft-wf-name" style={{ paddingLeft: 6 + row.depth * 14 }}>
        {row.childCount > 0 ? (
          <span
            className="ft-wf-toggle"
            aria-hidden
            onClick={(e) => {
              e.stopPropagation();
              onToggle();
            }}
          >
            {collapsed ? '▸' : '▾'}
          </span>
        ) : (
          <span className="ft-wf-toggle" aria-hidden />
        )}
        {row.error && (
          <span aria-hidden style={{ color: 'var(--mantine-color-red-8)', fontWeight: 700 }}>
            !
          </span>
        )}
        <span title={span.name} style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>
          {span.name}
        </span>
        {showService && <span style={{ color: 'var(--mantine-color-dark-4)' }}>{span.serviceName}</span>}
        {row.error && <VisuallyHidden>, error,</VisuallyHidden>}
      </div>
      <div className="ft-wf-track">
        <div className="ft-wf-bar" data-testid="span-bar" data-span-id={span.spanId} data-error={row.error} style={{ left: at(row.startMs), width: `${width}%` }} />
        <span className="ft-wf-bar-label" style={labelPlace(frac, row)}>
          {formatDuration(span.durationMs)}
        </span>
      </div>
    </div>
  );
}

function LogRow({ row, top, at, active, onClick }: { row: Extract<WaterfallRow, { type: 'log' }>; top: number; at: (ms: number) => string; active: boolean; onClick: () => void }) {
  const { log } = row;
  return (
    <div
      id={`wf-log-${row.key}`}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-selected={false}
      className="ft-wf-row"
      data-log-level={log.severityText}
      style={{ top, height: ROW_HEIGHT, outline: active ? '1px dashed var(--mantine-color-blue-5)' : undefined, outlineOffset: -1 }}
      onClick={onClick}
    >
      <div className="ft-wf-name" style={{ paddingLeft: 6 + row.depth * 14 + 16, color: 'var(--mantine-color-dark-5)' }}>
        <VisuallyHidden>Log</VisuallyHidden>
        <span style={{ fontWeight: 600 }}>{log.severityText || 'LOG'}</span>
        <span title={log.body} style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>
          {log.body}
        </span>
      </div>
      <div className="ft-wf-track">
        <span className="ft-wf-log-dot" data-level={log.severityText} style={{ left: at(row.atMs) }} />
      </div>
    </div>
  );
}
