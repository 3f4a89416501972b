import { formatLocal, formatUtc, preciseMillis } from '../lib/time';

/** A time in the browser's zone; UTC on hover. */
export function Time({ value }: { value: string | number | null | undefined }) {
  if (value === null || value === undefined || value === '') return <span>—</span>;
  const ms = typeof value === 'number' ? value : preciseMillis(value);
  if (!Number.isFinite(ms)) return <span>{String(value)}</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatUtc(ms)} style={{ whiteSpace: 'nowrap' }}>
      {formatLocal(ms)}
    </time>
  );
}
