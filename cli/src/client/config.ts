import { ConfigError } from '../config.js';

/** Where client commands (import, demo) send data, and as whom. */
export interface ClientConfig {
  endpoint: string;
  apiKey: string;
}

/** Client variables: the collector's URL and a project key. Documented in the README beside the server's. */
export const CLIENT_VARIABLES = ['FLOWTRACE_ENDPOINT', 'FLOWTRACE_API_KEY'] as const;
export const DEFAULT_ENDPOINT = 'http://localhost:4318';

export function loadClientConfig(flags: { endpoint?: string; key?: string }, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const endpoint = (flags.endpoint ?? env.FLOWTRACE_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const apiKey = flags.key ?? env.FLOWTRACE_API_KEY ?? '';
  const problems: string[] = [];
  if (!/^https?:\/\/[^\s]+$/.test(endpoint)) problems.push(`FLOWTRACE_ENDPOINT (or --endpoint): must be an http:// or https:// URL (got ${JSON.stringify(endpoint)})`);
  if (!apiKey) problems.push('FLOWTRACE_API_KEY (or --key): a project API key is required (create one with POST /admin/projects/:projectId/api-keys)');
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return { endpoint, apiKey };
}
