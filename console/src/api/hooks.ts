import { keepPreviousData, useQuery, type QueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useParams } from 'react-router-dom';
import { useSession } from '../auth/SessionContext';
import type { Session } from '../auth/session';
import { request, withQuery, type QueryParams } from './client';

/** `/projects/<id>` of the project in the console's URL. */
export function useProjectBase(): string {
  const { projectId } = useParams();
  return `/projects/${encodeURIComponent(projectId ?? '')}`;
}

/**
 * A GET of the query API under the signed-in project, cached by path and
 * parameters; a new page keeps the previous one on screen until it arrives.
 * `path` null: nothing to fetch yet.
 */
export function useApi<T>(path: string | null, params: QueryParams = {}, options: { keepPrevious?: boolean } = {}): UseQueryResult<T, Error> {
  const { session } = useSession();
  const url = path === null ? null : withQuery(path, params);
  return useQuery<T, Error>({
    queryKey: apiKey(session, url),
    queryFn: ({ signal }) => request<T>(session!.key, 'GET', url!, { signal }),
    enabled: url !== null && session !== undefined,
    placeholderData: options.keepPrevious === false ? undefined : keepPreviousData,
  });
}

const apiKey = (session: Session | undefined, url: string | null) => ['api', session?.projectId, url];

/**
 * Starts the GET that useApi(path, params) will ask for, before anything
 * renders (a view's first render takes a while on a cold load): useApi then
 * takes its answer, or waits for it, rather than asking again.
 */
export function prefetchApi(client: QueryClient, session: Session, path: string, params: QueryParams = {}): void {
  const url = withQuery(path, params);
  void client.prefetchQuery({ queryKey: apiKey(session, url), queryFn: ({ signal }) => request(session.key, 'GET', url, { signal }) });
}
