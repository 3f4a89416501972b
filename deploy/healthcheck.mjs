// A container health check without curl (the slim Node image has none):
// exits 0 when the URL answers 2xx within 4 seconds, 1 otherwise.
//   node deploy/healthcheck.mjs [URL]
// Without a URL: the query API's /healthz on FLOWTRACE_API_PORT (default 8080),
// which answers 503 when ClickHouse is unreachable.
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.FLOWTRACE_API_PORT || 8080}/healthz`;
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
