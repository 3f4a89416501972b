import type { ReactNode } from 'react';
import { Alert, Button, Center, Group, Loader, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { ApiError } from '../api/client';

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite" data-state="loading">
      <Group gap="sm">
        <Loader size="sm" aria-hidden />
        <Text size="sm">{label}…</Text>
      </Group>
    </Center>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Center py="xl" data-state="empty">
      <Text size="sm">{children}</Text>
    </Center>
  );
}

/** The API's own message, and a way to try again. */
export function ErrorState({ error, retry }: { error: Error; retry?: () => void }) {
  return (
    <Alert color="red" title="Flowtrace answered with an error" role="alert" data-state="error" my="md">
      <Text size="sm">{error.message}</Text>
      {error instanceof ApiError && error.status === 401 ? (
        <Button mt="sm" size="xs" variant="outline" color="red.9" component={Link} to="/signin">
          Sign in again
        </Button>
      ) : (
        retry && (
          <Button mt="sm" size="xs" variant="outline" color="red.9" onClick={retry}>
            Try again
          </Button>
        )
      )}
    </Alert>
  );
}

/**
 * The loading, error and empty states of one API read, then its data. While a
 * new page loads, the previous one stays (dimmed) rather than flashing away.
 */
export function QueryView<T>({ query, isEmpty, empty, children }: { query: UseQueryResult<T, Error>; isEmpty?: (data: T) => boolean; empty?: ReactNode; children: (data: T) => ReactNode }) {
  if (query.isError) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  if (query.data === undefined) return <Loading />;
  if (isEmpty?.(query.data)) return <Empty>{empty ?? 'Nothing matches.'}</Empty>;
  return (
    <div aria-busy={query.isFetching} style={{ opacity: query.isPlaceholderData ? 0.6 : 1, transition: 'opacity 120ms' }}>
      {children(query.data)}
    </div>
  );
}
