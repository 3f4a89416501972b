import { ConfigError } from '../config.js';
import { UsageError, type CommandSpec, type Values } from './args.js';
import { DEFAULT_API_URL } from './config.js';
import { QUERY_API_TARGET, send } from './http.js';

export const GRAFANA_USER: CommandSpec = {
  name: 'grafana-user',
  args: ['<projectId>'],
  about: `Gives a project a read-only ClickHouse user for its own Grafana datasource, through the admin API
(POST /admin/projects/:projectId/grafana-user): row policies keep it to the project's rows. Prints the
user, its password (shown this once, kept nowhere) and a Grafana datasource provisioning file. A project
that has a user already is shown (without its password) unless --rotate asks for a new password, which
replaces the old one at once. Server deployment only (CLICKHOUSE_URL): the embedded engine has no users.`,
  options: {
    rotate: { type: 'boolean', description: 'give an existing user a new password (creates the user if there is none)', default: 'off' },
    remove: { type: 'boolean', description: 'remove the user, its quota and row policies', default: 'off' },
    json: { type: 'boolean', description: "print the admin API's answer as JSON", default: 'off' },
    'api-url': { type: 'string', value: 'URL', description: "the query API's URL", default: `FLOWTRACE_API_URL, else ${DEFAULT_API_URL}` },
    'admin-token': { type: 'string', value: 'TOKEN', description: 'the admin token', default: 'FLOWTRACE_ADMIN_TOKEN; required' },
  },
  more: 'Exit code: 0 on success; 1 when the query API refuses (unknown project, embedded engine, …); 2 for a bad command line or configuration.',
};

interface GrafanaUserAnswer {
  projectId: string;
  user: string;
  rotatedAt: string;
  password?: string;
  rotated?: boolean;
  datasource: { uid: string; passwordVariable: string; yaml: string };
}

/** `flowtrace grafana-user <projectId>`: prints what to give Grafana; returns the exit code. */
export async function grafanaUser(values: Values, projectId: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (values.rotate && values.remove) throw new UsageError('flowtrace grafana-user: --rotate and --remove exclude each other; see flowtrace grafana-user --help');
  const apiUrl = ((values['api-url'] as string | undefined) ?? env.FLOWTRACE_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const adminToken = (values['admin-token'] as string | undefined) ?? env.FLOWTRACE_ADMIN_TOKEN ?? '';
  const problems: string[] = [];
  if (!/^https?:\/\/[^\s]+$/.test(apiUrl)) problems.push(`FLOWTRACE_API_URL (or --api-url): must be an http:// or https:// URL (got ${JSON.stringify(apiUrl)})`);
  if (!adminToken) problems.push('FLOWTRACE_ADMIN_TOKEN (or --admin-token): the admin token is required (printed on the first start)');
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));

  const url = `${apiUrl}/admin/projects/${encodeURIComponent(projectId)}/grafana-user`;
  const call = (method: string) => send(url, { method, headers: { authorization: `Bearer ${adminToken}` } }, QUERY_API_TARGET);
  const out = (text: string) => process.stdout.write(`${text}\n`);

  if (values.remove) {
    await expectStatus(await call('DELETE'), [204]);
    out(values.json ? JSON.stringify({ projectId, removed: true }) : `Removed the Grafana user of project ${projectId}, its quota and row policies.`);
    return 0;
  }
  if (!values.rotate) {
    const shown = await call('GET');
    if (shown.status === 200) {
      const answer = (await shown.json()) as GrafanaUserAnswer;
      if (values.json) out(JSON.stringify(answer, null, 2));
      else {
        out(`Project ${projectId} has a Grafana user already: ${answer.user} (password set ${answer.rotatedAt}).`);
        out(`Its password is kept nowhere: flowtrace grafana-user ${projectId} --rotate gives it a new one.\n`);
        out(answer.datasource.yaml);
      }
      return 0;
    }
    // 404 for the project itself (unknown) is an error; 404 for its user means: create it.
    const refusal = await errorMessage(shown);
    if (shown.status !== 404 || !refusal.includes('no Grafana user')) throw new Error(`the query API answered ${shown.status}: ${refusal}`);
  }
  const created = await call('POST');
  await expectStatus(created, [200, 201]);
  const answer = (await created.json()) as Required<GrafanaUserAnswer>;
  if (values.json) {
    out(JSON.stringify(answer, null, 2));
    return 0;
  }
  out(`${answer.rotated ? 'New password for' : 'Created'} the Grafana user of project ${projectId}:`);
  out(`  user      ${answer.user}`);
  out(`  password  ${answer.password}   (shown this once; kept nowhere)\n`);
  out(`Grafana datasource (${answer.datasource.uid}): save as a file under Grafana's provisioning/datasources/, and set`);
  out(`${answer.datasource.passwordVariable} to the password in Grafana's environment.\n`);
  out(answer.datasource.yaml);
  return 0;
}

async function expectStatus(answer: Response, ok: number[]): Promise<void> {
  if (!ok.includes(answer.status)) throw new Error(`the query API answered ${answer.status}: ${await errorMessage(answer)}`);
}

/** The message of an error answer ({ error: { message } }), else its status text. */
async function errorMessage(answer: Response): Promise<string> {
  const body = (await answer.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? answer.statusText;
}
