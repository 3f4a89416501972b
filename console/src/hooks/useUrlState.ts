import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

export type Patch = Record<string, string | readonly string[] | undefined | null>;

/** Parameters that say which page of a list is shown: a filter change starts again from the first. */
const PAGING = ['offset', 'cursor'];

/**
 * A view's state in the URL's query string, so that a link shows the same
 * thing to whoever opens it. `set` changes some parameters (empty removes one);
 * changing a filter goes back to the first page unless `keepPage`.
 */
export function useUrlState() {
  const [params, setParams] = useSearchParams();
  const get = useCallback((name: string): string | undefined => params.get(name) ?? undefined, [params]);
  const set = useCallback(
    (patch: Patch, options: { keepPage?: boolean; replace?: boolean } = {}) => {
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const [name, value] of Object.entries(patch)) {
            next.delete(name);
            if (Array.isArray(value)) for (const item of value as readonly string[]) next.append(name, item);
            else if (typeof value === 'string' && value !== '') next.set(name, value);
          }
          if (!options.keepPage && !Object.keys(patch).some((name) => PAGING.includes(name))) {
            for (const name of PAGING) next.delete(name);
          }
          return next;
        },
        { replace: options.replace },
      );
    },
    [setParams],
  );
  return { params, get, set };
}

/** The parameters of `names` that are set, as an object for the API; those in `lists` may repeat. */
export function pick(params: URLSearchParams, names: readonly string[], lists: readonly string[] = []): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of names) {
    if (lists.includes(name)) {
      const values = params.getAll(name).filter(Boolean);
      if (values.length > 0) out[name] = values;
      continue;
    }
    const value = params.get(name);
    if (value) out[name] = value;
  }
  return out;
}
