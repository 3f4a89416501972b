import { ConfigError } from '../config.js';

/** Where client commands (import, demo) send data, and as whom. */
export interface ClientConfig {
  endpoint: string;
  apiKey: string;
}

/** Client variables: the collector's URL and a project key. Documented in the README beside the server's. */
export const CLIENT_VARIABLES = ['FLOWTRACE_ENDPOINT', 'FLOWTRACE_API_KEY', 'FLOWTRACE_API_URL'] as const;
export const DEFAULT_ENDPOINT = 'http://localhost:4318';
export const DEFAULT_API_URL = 'http://localhost:8080';

export function loadClientConfig(flags: { endpoint?: string; key?: string }, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const endpoint = (flags.endpoint ?? env.FLOWTRACE_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const apiKey = flags.key ?? env.FLOWTRACE_API_KEY ?? '';
  const problems: string[] = [];
  if (!/^https?:\/\/[^\s]+$/.test(endpoint)) problems.push(`FLOWTRACE_ENDPOINT (or --endpoint): must be an http:// or https:// URL (got ${JSON.stringify(endpoint)})`);
  if (!apiKey) problems.push('FLOWTRACE_API_KEY (or --key): a project API key is required (create one with POST /admin/projects/:projectId/api-keys)');
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return { endpoint, apiKey };
}

/** `flowtrace demo` creates projects, so it needs the query API's URL and the admin token instead of a key. */
export function loadDemoConfig(flags: { endpoint?: string; 'api-url'?: string; 'admin-token'?: string }, env: NodeJS.ProcessEnv = process.env) {
  const endpoint = (flags.endpoint ?? env.FLOWTRACE_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const apiUrl = (flags['api-url'] ?? env.FLOWTRACE_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const adminToken = flags['admin-token'] ?? env.FLOWTRACE_ADMIN_TOKEN ?? '';
  const problems: string[] = [];
  for (const [name, url] of [['FLOWTRACE_ENDPOINT (or --endpoint)', endpoint], ['FLOWTRACE_API_URL (or --api-url)', apiUrl]] as const) {
    if (!/^https?:\/\/[^\s]+$/.test(url)) problems.push(`${name}: must be an http:// or https:// URL (got ${JSON.stringify(url)})`);
  }
  if (!adminToken) problems.push('FLOWTRACE_ADMIN_TOKEN (or --admin-token): the admin token is required to create the demo projects (printed on the first start)');
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return { endpoint, apiUrl, adminToken };
}
