import { keepPreviousData, useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useParams } from 'react-router-dom';
import { useSession } from '../auth/SessionContext';
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
    queryKey: ['api', session?.projectId, url],
    queryFn: ({ signal }) => request<T>(session!.key, 'GET', url!, { signal }),
    enabled: url !== null && session !== undefined,
    placeholderData: options.keepPrevious === false ? undefined : keepPreviousData,
  });
}
