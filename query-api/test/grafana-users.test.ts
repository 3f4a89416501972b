/**
 * /admin/projects/:projectId/grafana-user in server mode (CLICKHOUSE_URL),
 * against a stand-in ClickHouse server: an HTTP server speaking ClickHouse's
 * HTTP interface that records every statement. Statements that read and
 * write tables run on the real embedded engine; access-control statements
 * (which the embedded engine cannot run) are checked with the engine's own
 * parser and kept as a server would keep them: a user must exist before a
 * policy, quota or grant names it, and ALTER USER of an unknown user fails.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  AdminToken,
  Projects,
  Store,
  createGrafanaUserStatements,
  dropGrafanaUserStatements,
  grafanaUserName,
  rotateGrafanaUserStatements,
} from '@flowtrace/store';
import { createQueryApp } from '@flowtrace/query-api';
import { openTempStore } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';
import { FLOWTRACE_BIN, REPO_ROOT } from '../../test/support/flowtrace.js';

const ADMIN = 'admin-token-for-tests-0123456789';
const ACCESS = /^(CREATE (USER|QUOTA|ROW POLICY|ROLE|SETTINGS PROFILE)|ALTER (USER|QUOTA|ROW POLICY)|GRANT|REVOKE|DROP (USER|QUOTA|ROW POLICY|ROLE))\b/;

/** What the stand-in saw: every request's raw text (URL and body), and the access-control statements in order. */
const seen = { requests: [] as string[], access: [] as string[] };
/** The users the stand-in server has. */
const users = new Set<string>();
/** Set: the stand-in answers access-control statements as a server does to a user without ACCESS MANAGEMENT. */
let refuseAccessManagement = false;

let embedded: Store;
let server: Store;
let dispose: () => Promise<void>;
let standIn: Server;
let api: { url: string; close: () => Promise<void> };
let embeddedApi: { url: string; close: () => Promise<void> };
const log = memoryLogger();
let acme: { id: string; name: string };

function clickHouseError(code: number, type: string, message: string) {
  return { status: code === 62 ? 400 : 500, body: `Code: ${code}. DB::Exception: ${message}. (${type}) (version 26.7.2.1 (official build))\n` };
}

/** One access-control statement, as a server would take it. */
async function access(statement: string): Promise<{ status: number; body: string }> {
  try {
    await embedded.select('stand-in.parse', 'SELECT formatQuery({statement:String})', { statement });
  } catch (err) {
    return clickHouseError(62, 'SYNTAX_ERROR', (err as Error).message);
  }
  if (refuseAccessManagement) {
    return clickHouseError(497, 'ACCESS_DENIED', "default: Not enough privileges. To execute this query, it's necessary to have the grant CREATE USER ON *.*");
  }
  seen.access.push(statement);
  const user = /^(?:CREATE USER OR REPLACE|CREATE USER IF NOT EXISTS|CREATE USER|ALTER USER|DROP USER IF EXISTS) `?(\w+)`?/.exec(statement)?.[1];
  const grantee = / TO `?(\w+)`?$/.exec(statement)?.[1];
  if (statement.startsWith('CREATE USER')) users.add(user!);
  else if (statement.startsWith('DROP USER')) users.delete(user!);
  else if (statement.startsWith('ALTER USER') && !users.has(user!)) return clickHouseError(192, 'UNKNOWN_USER', `There is no user \`${user}\` in local_directory`);
  if (grantee && !users.has(grantee)) return clickHouseError(192, 'UNKNOWN_USER', `There is no user \`${grantee}\` in local_directory`);
  return { status: 200, body: '' };
}

/** Everything else runs on the embedded engine. */
async function data(url: URL, body: string): Promise<{ status: number; body: string }> {
  const params = Object.fromEntries([...url.searchParams].filter(([name]) => name.startsWith('param_')).map(([name, value]) => [name.slice(6), value]));
  const insert = url.searchParams.get('query');
  try {
    if (insert) {
      await embedded.command('stand-in', `${insert}\n${body}`);
      return { status: 200, body: '' };
    }
    const select = /^([\s\S]*?)\s*\nFORMAT JSONEachRow$/.exec(body.trim());
    if (select) {
      const rows = await embedded.select<object>('stand-in', select[1]!, params);
      return { status: 200, body: rows.map((row) => `${JSON.stringify(row)}\n`).join('') };
    }
    await embedded.command('stand-in', body, params);
    return { status: 200, body: '' };
  } catch (err) {
    const message = (err as Error).message;
    return { status: 500, body: /^Code: \d+/.test(message) ? message : `Code: 1000. DB::Exception: ${message}. (POCO_EXCEPTION)` };
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  const opened = await openTempStore();
  embedded = opened.store;
  dispose = opened.dispose;
  standIn = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const body = await readBody(req);
    seen.requests.push(`${req.method} ${url.pathname}${url.search}\n${body}`);
    if (url.pathname === '/ping') {
      res.end('Ok.\n');
      return;
    }
    const answer = ACCESS.test(body.trim()) ? await access(body.trim()) : await data(url, body);
    if (answer.status !== 200) res.setHeader('X-ClickHouse-Exception-Code', answer.body.slice(6, answer.body.indexOf('.')));
    res.writeHead(answer.status, { 'Content-Type': 'text/plain; charset=UTF-8' });
    res.end(answer.body);
  });
  standIn.listen(0, '127.0.0.1');
  await once(standIn, 'listening');
  const clickhouseUrl = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
  // What CLICKHOUSE_URL (with CLICKHOUSE_USER/PASSWORD/DATABASE at their defaults) gives `flowtrace start`.
  server = await Store.connect({ dataDir: '', server: { url: clickhouseUrl, username: 'default', password: '', database: 'default' } });
  const projects = new Projects(server, { keyCacheMs: 0 });
  acme = await projects.createProject('acme');
  api = await listenApp(createQueryApp({ store: server, projects, adminToken: await AdminToken.load(server, ADMIN), log }));
  embeddedApi = await listenApp(
    createQueryApp({ store: embedded, projects: new Projects(embedded, { keyCacheMs: 0 }), adminToken: await AdminToken.load(embedded, ADMIN), log: memoryLogger() }),
  );
});
afterAll(async () => {
  await Promise.all([api.close(), embeddedApi.close()]);
  await server.close();
  await new Promise((resolve) => standIn.close(resolve));
  await dispose();
});

const call = (method: string, projectId: string, { token = ADMIN, base = api.url }: { token?: string | null; base?: string } = {}) =>
  fetch(`${base}/admin/projects/${projectId}/grafana-user`, { method, headers: token === null ? {} : { authorization: `Bearer ${token}` } });

interface Created {
  projectId: string;
  user: string;
  password: string;
  rotated: boolean;
  createdAt: string;
  rotatedAt: string;
  datasource: { uid: string; passwordVariable: string; yaml: string };
}

/** The access-control statements a call sent. */
async function statementsOf(run: () => Promise<Response>): Promise<{ answer: Response; statements: string[] }> {
  const before = seen.access.length;
  const answer = await run();
  return { answer, statements: seen.access.slice(before) };
}

/** The salt and hash a statement gave the server, and whether they are the password's. */
function identification(statement: string, password: string) {
  const [, sha256, salt] = /IDENTIFIED WITH sha256_hash BY '([0-9a-f]{64})' SALT '([0-9a-f]+)'/.exec(statement) ?? [];
  return { sha256: sha256!, salt: salt!, matches: createHash('sha256').update(password + salt).digest('hex') === sha256 };
}

describe('who may ask', () => {
  it('needs the admin token', async () => {
    const { answer, statements } = await statementsOf(() => call('POST', acme.id, { token: null }));
    expect(answer.status).toBe(401);
    expect(statements).toEqual([]);
    expect((await call('POST', acme.id, { token: 'not-the-admin-token' })).status).toBe(401);
    expect((await call('GET', acme.id, { token: null })).status).toBe(401);
    expect((await call('DELETE', acme.id, { token: null })).status).toBe(401);
  });

  it('an unknown project is 404, and nothing is sent', async () => {
    const { answer, statements } = await statementsOf(() => call('POST', randomUUID()));
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ error: { code: 'not_found', message: 'project not found' } });
    expect(statements).toEqual([]);
  });

  it('a project id that is not a UUID is 400, naming it', async () => {
    const answer = await call('POST', "x' OR 1=1 --");
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { message: string } }).error.message).toMatch(/projectId: must be a project id/);
  });
});

describe('create, show, rotate, remove', () => {
  let created: Created;

  it('POST creates the user: the generator’s statements, with the hash of the password it answers', async () => {
    const { answer, statements } = await statementsOf(() => call('POST', acme.id));
    expect(answer.status).toBe(201);
    created = (await answer.json()) as Created;
    expect(created).toMatchObject({ projectId: acme.id, user: grafanaUserName(acme.id), rotated: false });
    expect(created.password).toMatch(/^ftg_/);
    const given = identification(statements[0]!, created.password);
    expect(given.matches).toBe(true);
    expect(statements).toEqual(createGrafanaUserStatements({ projectId: acme.id, database: 'default' }, given));
    expect(users).toEqual(new Set([created.user]));
  });

  it('the answer’s datasource file: the project’s user, OTel mode on the Flowtrace tables, the password by reference', () => {
    const file = parse(created.datasource.yaml) as { apiVersion: number; datasources: Array<Record<string, any>> };
    expect(file.apiVersion).toBe(1);
    expect(file.datasources).toHaveLength(1);
    const [ds] = file.datasources;
    expect(ds).toMatchObject({
      name: 'Flowtrace (acme)',
      uid: `ftc-${acme.id}`,
      type: 'grafana-clickhouse-datasource',
      jsonData: {
        host: '127.0.0.1',
        port: Number(new URL(server.location).port),
        protocol: 'http',
        secure: false,
        username: created.user,
        defaultDatabase: 'default',
        logs: { defaultDatabase: 'default', defaultTable: 'otel_logs', otelEnabled: true },
        traces: { defaultDatabase: 'default', defaultTable: 'otel_traces', otelEnabled: true, durationUnit: 'nanoseconds', traceTimestampTableSuffix: '_trace_id_ts' },
      },
      secureJsonData: { password: `\${${created.datasource.passwordVariable}}` },
    });
    expect(created.datasource.uid).toBe(ds!.uid);
    expect(created.datasource.yaml).not.toContain(created.password);
  });

  it('configures the plugin as the shared datasource does (grafana/provisioning/datasources/flowtrace.yaml), but for the user and server', async () => {
    const shared = parse(await readFile(`${REPO_ROOT}grafana/provisioning/datasources/flowtrace.yaml`, 'utf8')) as { datasources: Array<Record<string, any>> };
    const [ds] = (parse(created.datasource.yaml) as { datasources: Array<Record<string, any>> }).datasources;
    const { host: _h, port: _p, username: _u, defaultDatabase: _d, logs, traces, ...rest } = shared.datasources[0]!.jsonData;
    const database = (section: Record<string, unknown>) => ({ ...section, defaultDatabase: 'default' });
    expect(ds!.jsonData).toEqual({ ...rest, host: '127.0.0.1', port: ds!.jsonData.port, username: created.user, defaultDatabase: 'default', logs: database(logs), traces: database(traces) });
    expect({ type: ds!.type, access: ds!.access, editable: ds!.editable }).toEqual({ type: shared.datasources[0]!.type, access: shared.datasources[0]!.access, editable: shared.datasources[0]!.editable });
  });

  it('GET shows the user and its datasource, never the password', async () => {
    const answer = await call('GET', acme.id);
    expect(answer.status).toBe(200);
    const shown = (await answer.json()) as Record<string, unknown>;
    expect(shown).toEqual({ projectId: acme.id, user: created.user, createdAt: created.createdAt, rotatedAt: created.rotatedAt, datasource: created.datasource });
    expect(JSON.stringify(shown)).not.toContain(created.password);
  });

  it('POST again rotates: one ALTER USER with the new password’s hash; the old password no longer matches', async () => {
    const { answer, statements } = await statementsOf(() => call('POST', acme.id));
    expect(answer.status).toBe(200);
    const rotated = (await answer.json()) as Created;
    expect(rotated).toMatchObject({ user: created.user, rotated: true, createdAt: created.createdAt });
    expect(rotated.password).not.toBe(created.password);
    const given = identification(statements[0]!, rotated.password);
    expect(given.matches).toBe(true);
    expect(identification(statements[0]!, created.password).matches).toBe(false);
    expect(statements).toEqual(rotateGrafanaUserStatements({ projectId: acme.id, database: 'default' }, given));
    created = rotated;
  });

  it('a user dropped on the server behind Flowtrace’s back is created again on rotation', async () => {
    users.delete(created.user);
    const { answer, statements } = await statementsOf(() => call('POST', acme.id));
    expect(answer.status).toBe(201);
    const again = (await answer.json()) as Created;
    expect(again.rotated).toBe(false);
    expect(statements[0]).toMatch(/^ALTER USER /);
    const given = identification(statements[1]!, again.password);
    expect(given.matches).toBe(true);
    expect(statements.slice(1)).toEqual(createGrafanaUserStatements({ projectId: acme.id, database: 'default' }, given));
    created = again;
  });

  it('DELETE drops the user, its quota and policies; then GET and DELETE are 404', async () => {
    const { answer, statements } = await statementsOf(() => call('DELETE', acme.id));
    expect(answer.status).toBe(204);
    expect(statements).toEqual(dropGrafanaUserStatements({ projectId: acme.id, database: 'default' }));
    expect(users).toEqual(new Set());
    expect((await call('GET', acme.id)).status).toBe(404);
    expect((await call('DELETE', acme.id)).status).toBe(404);
  });

  it('no password ever reached the server, or the log: they were in their own answers only', () => {
    const sent = seen.requests.join('\n');
    expect(sent).toContain(created.user);
    expect(sent).not.toMatch(/ftg_/);
    expect(JSON.stringify(log.entries)).not.toMatch(/ftg_/);
  });
});

describe('a server that does not let Flowtrace manage users', () => {
  it('answers 409 saying what the ClickHouse user needs, and records no user', async () => {
    refuseAccessManagement = true;
    try {
      const answer = await call('POST', acme.id);
      expect(answer.status).toBe(409);
      const { error } = (await answer.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('access_management_denied');
      expect(error.message).toMatch(/CLICKHOUSE_USER.*ACCESS MANAGEMENT.*CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT=1/);
    } finally {
      refuseAccessManagement = false;
    }
    expect((await call('GET', acme.id)).status).toBe(404);
  });
});

describe('embedded mode', () => {
  it('answers 409: the embedded engine has no users; Grafana needs the server deployment', async () => {
    for (const method of ['POST', 'GET', 'DELETE']) {
      const { answer, statements } = await statementsOf(() => call(method, acme.id, { base: embeddedApi.url }));
      expect(answer.status).toBe(409);
      const { error } = (await answer.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('embedded_engine');
      expect(error.message).toContain('CLICKHOUSE_URL');
      expect(statements).toEqual([]);
    }
    expect((await call('POST', randomUUID(), { base: embeddedApi.url })).status).toBe(404);
  });
});

describe('flowtrace grafana-user (the built CLI, through the admin API)', () => {
  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [FLOWTRACE_BIN, 'grafana-user', ...args, '--api-url', api.url], {
        env: { ...process.env, FLOWTRACE_ADMIN_TOKEN: ADMIN },
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const failed = err as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  it('creates, then shows without the password, rotates on --rotate, removes on --remove', async () => {
    const created = await cli(acme.id);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created the Grafana user of project ${acme.id}:`);
    const password = /password {2}(ftg_\S+)/.exec(created.stdout)?.[1];
    expect(password).toBeDefined();
    expect(created.stdout).toContain(`uid: "ftc-${acme.id}"`);

    const shown = await cli(acme.id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`has a Grafana user already: ${grafanaUserName(acme.id)}`);
    expect(shown.stdout).not.toContain('ftg_');

    const rotated = await cli(acme.id, '--rotate');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain('New password for');
    expect(rotated.stdout).not.toContain(password);

    const removed = await cli(acme.id, '--remove');
    expect(removed.code).toBe(0);
    expect(users).toEqual(new Set());
  }, 120_000);

  it('an unknown project exits 1, saying so', async () => {
    const unknown = await cli(randomUUID());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/the query API answered 404: project not found/);
  }, 60_000);
});
