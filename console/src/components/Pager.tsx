import { Button, Group, Text } from '@mantine/core';
import { useLocation, useNavigate } from 'react-router-dom';
import { nextOffset } from '../api/client';
import { useUrlState } from '../hooks/useUrlState';
import { formatNumber } from '../lib/time';

/** Paging of an offset list: the next page is the offset in the API's nextLink. */
export function OffsetPager({ total, shown, nextLink, pageSize }: { total: number; shown: number; nextLink?: string; pageSize: number }) {
  const { get, set } = useUrlState();
  const offset = Number(get('offset') ?? 0) || 0;
  const next = nextOffset(nextLink);
  return (
    <Group justify="space-between" mt="sm" component="nav" aria-label="Pages">
      <Text size="sm" aria-live="polite">
        {shown === 0 ? `0 of ${formatNumber(total)}` : `${formatNumber(offset + 1)}–${formatNumber(offset + shown)} of ${formatNumber(total)}`}
      </Text>
      <Group gap="xs">
        <Button size="xs" variant="default" disabled={offset === 0} onClick={() => set({ offset: offset > pageSize ? String(offset - pageSize) : undefined }, { keepPage: true })}>
          Previous
        </Button>
        <Button size="xs" variant="default" disabled={next === undefined} onClick={() => set({ offset: String(next) }, { keepPage: true })}>
          Next
        </Button>
      </Group>
    </Group>
  );
}

/**
 * Paging of a cursor list (Event Logs, trace search): the next page is the API's nextCursor;
 * the way back is the browser's history (a shared link opens on its own page).
 */
export function CursorPager({ nextCursor, shown, noun = ['log', 'logs'] }: { nextCursor?: string; shown: number; noun?: readonly [string, string] }) {
  const { get, set } = useUrlState();
  const navigate = useNavigate();
  const location = useLocation();
  const cursor = get('cursor');
  const cameFromList = (location.state as { pagedFrom?: boolean } | null)?.pagedFrom === true;
  return (
    <Group justify="space-between" mt="sm" component="nav" aria-label="Pages">
      <Text size="sm" aria-live="polite">
        {shown} {shown === 1 ? noun[0] : noun[1]} on this page{cursor ? '' : ', newest first'}
      </Text>
      <Group gap="xs">
        <Button size="xs" variant="default" disabled={!cursor} onClick={() => set({ cursor: undefined }, { keepPage: true })}>
          Newest
        </Button>
        <Button size="xs" variant="default" disabled={!cursor || !cameFromList} onClick={() => navigate(-1)}>
          Newer
        </Button>
        <Button
          size="xs"
          variant="default"
          disabled={!nextCursor}
          onClick={() => {
            const params = new URLSearchParams(location.search);
            params.set('cursor', nextCursor!);
            params.delete('open');
            navigate({ search: `?${params.toString()}` }, { state: { pagedFrom: true } });
          }}
        >
          Older
        </Button>
      </Group>
    </Group>
  );
}
