/**
 * The console's one door to Flowtrace: same-origin requests to the public
 * query API, the credential in the Authorization header. An error answer
 * ({ error: { code, message } }) becomes an ApiError carrying the API's message,
 * which the views show as is.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type QueryParams = Record<string, string | number | readonly string[] | undefined | null>;

/** `path?query` with the empty parameters left out, in a stable order; a list repeats its parameter. */
export function withQuery(path: string, params: QueryParams = {}): string {
  const query = new URLSearchParams();
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (Array.isArray(value)) for (const item of value as readonly string[]) query.append(name, item);
    else if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export async function request<T>(credential: string, method: string, path: string, options: { body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${credential}`,
        accept: 'application/json',
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: options.signal,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'Flowtrace did not answer: is it running?');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${res.status} ${res.statusText}`);
  }
  return body as T;
}

/** The offset a nextLink points at: the console follows it through its own URL, not as an absolute link. */
export function nextOffset(nextLink: string | undefined): number | undefined {
  if (!nextLink) return undefined;
  const offset = new URL(nextLink, window.location.origin).searchParams.get('offset');
  return offset === null ? undefined : Number(offset);
}
