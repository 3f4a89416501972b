/** A server a client command talks to, and where its URL comes from. */
export interface Target {
  /** "the collector", "the query API". */
  what: string;
  /** The variable and flag that set its URL, and their default: "FLOWTRACE_ENDPOINT (or --endpoint; default http://localhost:4318)". */
  setBy: string;
}

export const COLLECTOR_TARGET: Target = { what: 'the collector', setBy: 'FLOWTRACE_ENDPOINT (or --endpoint; default http://localhost:4318)' };
export const QUERY_API_TARGET: Target = { what: 'the query API', setBy: 'FLOWTRACE_API_URL (or --api-url; default http://localhost:8080)' };

/** A server that could not be reached: the URL, why, and which variable to check. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

/** What node's fetch gives as the cause of "fetch failed", in words. */
const CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens there',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS)',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  UND_ERR_SOCKET: 'the connection closed before an answer',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed",
};

/** The code and message under a fetch failure ("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:4318"). */
function causeOf(err: unknown): { code?: string; message: string } {
  let cause: unknown = (err as { cause?: unknown }).cause ?? err;
  // An AggregateError (IPv4 and IPv6 both refused) holds the attempts.
  const errors = (cause as { errors?: unknown[] }).errors;
  if (Array.isArray(errors) && errors.length > 0 && !(cause as { code?: string }).code) cause = errors[0];
  const c = cause as { code?: string; message?: string };
  return { code: c.code, message: c.message ?? String(cause) };
}

/** "cannot reach the collector at URL: why (CODE). Is Flowtrace running there? Its URL is set by …". */
export function unreachable(url: string, target: Target, err: unknown): UnreachableError {
  const { code, message } = causeOf(err);
  const why = code ? `${CAUSES[code] ?? message} (${code})` : message;
  return new UnreachableError(`cannot reach ${target.what} at ${url}: ${why}. Is Flowtrace running there (flowtrace start)? The URL is set by ${target.setBy}.`);
}

/** fetch, with a failure to connect told as an UnreachableError naming the URL, the cause and its variable. */
export async function send(url: string, init: RequestInit, target: Target): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (err instanceof TypeError) throw unreachable(url, target, err);
    throw err;
  }
}

/** Resolves once `url` answers anything over HTTP; an UnreachableError otherwise. For a command to check its servers before it starts. */
export async function reachable(url: string, target: Target): Promise<void> {
  const res = await send(url, { method: 'GET' }, target);
  await res.body?.cancel();
}
