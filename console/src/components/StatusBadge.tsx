import { Badge } from '@mantine/core';
import { toneOf } from '../api/vocabulary';

const COLORS = { failed: 'red', warning: 'yellow', ok: 'green', neutral: 'gray' } as const;

/** A status or a level, colored by what it means; the word is always there (color is never the only cue). */
export function StatusBadge({ value }: { value: string | null | undefined }) {
  if (!value) return <span>—</span>;
  const tone = toneOf(value);
  return (
    <Badge color={COLORS[tone]} variant={tone === 'neutral' ? 'outline' : 'light'} radius="sm" tt="none" data-tone={tone} className={`ft-badge ft-badge-${tone}`}>
      {value}
    </Badge>
  );
}
