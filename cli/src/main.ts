import { CONFIG_HELP, ConfigError, loadConfig } from './config.js';
import { DEFAULT_API_URL, DEFAULT_ENDPOINT, loadClientConfig, loadDemoConfig } from './client/config.js';
import { UsageError, commandUsage, parseCommand, type CommandSpec, type Values } from './client/args.js';
import { COLLECTOR_TARGET, QUERY_API_TARGET, reachable } from './client/http.js';
import { importReport, importWorkato } from './client/import.js';
import { GRAFANA_USER, grafanaUser } from './client/grafanaUser.js';
import { DEMO_DEFAULTS, DEMO_LIMITS, demoNumber } from './client/demoLimits.js';
import { createLogger } from './log.js';
import { MIGRATE, runMigrate } from './migrate.js';
import type { Parts } from './serve.js';

const CONFIGURATION = `Configuration is read from the environment, once at start (an empty variable counts as unset;
a bad value stops the start, naming the variable):

${Object.entries(CONFIG_HELP)
  .map(([name, [fallback, meaning]]) => `  ${name.padEnd(38)}${meaning} (default ${fallback})`)
  .join('\n')}`;

const USAGE = `Usage: flowtrace <command> [options]

Commands:
  start                 collector and query API in one process (the embedded store needs this)
  collector             the collector only: OTLP/HTTP, OTLP/gRPC, Workato (server mode: CLICKHOUSE_URL)
  query-api             the query API only (server mode: CLICKHOUSE_URL)
  migrate [--print]     apply pending migrations and exit (once, before several server processes
                        start), or print the SQL, in its cluster form with CLICKHOUSE_CLUSTER / --cluster
  import workato <dir>  load a Workato export tree (user_id/jobs/recipe_id/YYYYMMDD/job_id/*.json)
                        into a running Flowtrace; files already imported are skipped
  demo                  fill two demo projects with a week of realistic traffic for every event family
  grafana-user <projectId> [--rotate]
                        give a project a read-only ClickHouse user for its own Grafana datasource
                        (server mode), or a new password; prints the datasource provisioning file
  help [command]        this text, or a command's

Every command takes -h / --help: its usage, every option and its default.

Client commands (import, demo) send to FLOWTRACE_ENDPOINT (default ${DEFAULT_ENDPOINT})
with the project key in FLOWTRACE_API_KEY; --endpoint and --key override them.

${CONFIGURATION}`;

const SERVERS: Record<string, { parts: Parts; spec: CommandSpec }> = {
  start: {
    parts: { collector: true, queryApi: true },
    spec: { name: 'start', about: 'Runs the collector (OTLP/HTTP, OTLP/gRPC, Workato) and the query API in one process: the embedded store allows one process per data directory.', options: {}, more: CONFIGURATION },
  },
  collector: {
    parts: { collector: true, queryApi: false },
    spec: { name: 'collector', about: 'Runs the collector alone: OTLP/HTTP, OTLP/gRPC, Workato (server mode: CLICKHOUSE_URL).', options: {}, more: CONFIGURATION },
  },
  'query-api': {
    parts: { collector: false, queryApi: true },
    spec: { name: 'query-api', about: 'Runs the query API alone (server mode: CLICKHOUSE_URL).', options: {}, more: CONFIGURATION },
  },
};

const ENDPOINT_OPTION = { type: 'string', value: 'URL', description: "the collector's URL", default: `FLOWTRACE_ENDPOINT, else ${DEFAULT_ENDPOINT}` } as const;

const IMPORT_WORKATO: CommandSpec = {
  name: 'import workato',
  args: ['<dir>'],
  about: `Loads a Workato export tree (user_id/jobs/recipe_id/YYYYMMDD/job_id/*.json) into a running Flowtrace,
with a progress bar on stderr. Files already imported (same path, same content) are skipped. A file
is imported whole or not at all: one with records older than what the project keeps (FLOWTRACE_TTL_DAYS
of the server, the project's retention) is refused, not recorded as imported, and imported by a later
run once the retention covers it; the summary says which retention that takes.`,
  options: {
    source: { type: 'string', value: 'NAME', description: 'names this export in the import ledger (files are skipped per source)', default: "the directory's name" },
    endpoint: ENDPOINT_OPTION,
    key: { type: 'string', value: 'KEY', description: 'a project API key (ftk_…)', default: 'FLOWTRACE_API_KEY; required' },
  },
  more: 'Exit code: 0 when every file is imported or already was; 1 when a file was refused or could not be read; 2 for a bad command line or configuration.',
};

const IMPORT: CommandSpec = {
  name: 'import',
  args: ['<format>', '<dir>'],
  about: 'Loads an export into a running Flowtrace. Formats: workato (flowtrace import workato --help).',
  options: {},
};

const DEMO: CommandSpec = {
  name: 'demo',
  about: `Fills two demo projects with a week of coherent traffic for every event family, sent through the
OpenTelemetry SDK: workflow executions and their trigger runs on a working-day rhythm, ActionKit tool
calls and trigger events, Managed Sync runs on their schedules, credential refreshes, agent runs and
Workato jobs, with the failures each product names (provider 4xx/5xx and rate limits, revoked
credentials, delivery failures and retries, guardrail blocks, failed jobs). Then checks with the query
API that every execution arrived, and prints each project's id, a new API key, the counts by family
and status, and a trace of each kind to open. The projects are found by name when an earlier demo
made them: they get a new key and nothing else unless --append.`,
  options: {
    scale: { type: 'string', value: 'N', description: `about N workflow executions a day per project, the other families in proportion (${DEMO_LIMITS.scale[0]} to ${DEMO_LIMITS.scale[1]})`, default: String(DEMO_DEFAULTS.scale) },
    days: { type: 'string', value: 'N', description: `days of traffic, ending now (${DEMO_LIMITS.days[0]} to ${DEMO_LIMITS.days[1]})`, default: String(DEMO_DEFAULTS.days) },
    seed: { type: 'string', value: 'N', description: 'the same seed sends the same executions with the same ids (their times end at now)', default: String(DEMO_DEFAULTS.seed) },
    append: { type: 'boolean', description: 'send the days again to demo projects that exist already, with new ids (adding to what is there)', default: 'off: existing demo projects get a new key, nothing else' },
    json: { type: 'boolean', description: 'print the result as JSON: the projects, their keys, counts and traces', default: 'off' },
    endpoint: ENDPOINT_OPTION,
    'api-url': { type: 'string', value: 'URL', description: "the query API's URL, where the projects are created", default: `FLOWTRACE_API_URL, else ${DEFAULT_API_URL}` },
    'admin-token': { type: 'string', value: 'TOKEN', description: 'the admin token', default: 'FLOWTRACE_ADMIN_TOKEN; required' },
  },
  more: 'Exit code: 0 when everything sent is counted by the query API; 1 when something was refused or is missing (the output says what); 2 for a bad command line or configuration.',
};

/** Command names `flowtrace help <command>` knows. */
const HELP_TOPICS: Record<string, CommandSpec> = {
  ...Object.fromEntries(Object.entries(SERVERS).map(([name, s]) => [name, s.spec])),
  import: IMPORT,
  'import workato': IMPORT_WORKATO,
  demo: DEMO,
  migrate: MIGRATE,
  'grafana-user': GRAFANA_USER,
};

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  if (command === 'help' || command === '--help' || command === '-h') {
    const topic = argv.slice(1).join(' ');
    const spec = HELP_TOPICS[topic];
    if (topic && !spec) throw new UsageError(`flowtrace help: unknown command ${JSON.stringify(topic)}; see flowtrace help`);
    process.stdout.write(`${spec ? commandUsage(spec) : USAGE}\n`);
    return 0;
  }
  if (command === 'import') return runImport(argv.slice(1));
  if (command === 'demo') return runCommand(DEMO, argv.slice(1), (values) => demo(values));
  if (command === 'migrate') return runCommand(MIGRATE, argv.slice(1), (values) => runMigrate(values));
  if (command === 'grafana-user') return runCommand(GRAFANA_USER, argv.slice(1), (values, [projectId]) => grafanaUser(values, projectId!));
  const server = SERVERS[command];
  if (!server) throw new UsageError(`flowtrace: unknown command ${JSON.stringify(command)}; see flowtrace help`);
  return runCommand(server.spec, argv.slice(1), () => runServer(server.parts));
}

/** Parses a command line against `spec`: --help prints its usage, a bad line is a UsageError; else runs it. */
async function runCommand(spec: CommandSpec, args: string[], run: (values: Values, positionals: string[]) => Promise<number>): Promise<number> {
  const parsed = parseCommand(spec, args);
  if (parsed.help) {
    process.stdout.write(`${commandUsage(spec)}\n`);
    return 0;
  }
  return run(parsed.values, parsed.positionals);
}

async function runServer(parts: Parts): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  // Loaded here: the client commands and --help need none of the servers (nor the embedded ClickHouse).
  const { serve } = await import('./serve.js');
  const running = await serve(parts, config, log, (text) => process.stdout.write(`${text}\n`));
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info('stopping', { signal });
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await running.stop();
  log.info('stopped');
  return 0;
}

async function runImport(args: string[]): Promise<number> {
  const format = args[0];
  if (format === 'workato') {
    return runCommand(IMPORT_WORKATO, args.slice(1), async (values, [dir]) => {
      const client = loadClientConfig({ endpoint: values.endpoint as string | undefined, key: values.key as string | undefined });
      const summary = await importWorkato({ dir: dir!, source: values.source as string | undefined, ...client });
      const report = importReport(summary, dir!);
      process.stdout.write(`${report.text}\n`);
      return report.code;
    });
  }
  if (format === undefined || format.startsWith('-')) {
    // --help, or a mistake parseCommand names; options before the format are not taken.
    return runCommand(IMPORT, args, async () => {
      throw new UsageError('flowtrace import: the format comes first: flowtrace import workato <dir>; see flowtrace import --help');
    });
  }
  throw new UsageError(`flowtrace import: unknown format ${JSON.stringify(format)} (formats: workato); see flowtrace import --help`);
}

async function demo(values: Values): Promise<number> {
  const config = loadDemoConfig({ endpoint: values.endpoint as string | undefined, 'api-url': values['api-url'] as string | undefined, 'admin-token': values['admin-token'] as string | undefined });
  const number = (name: 'scale' | 'days' | 'seed') => demoNumber(name, values[name] === undefined ? undefined : Number(values[name]));
  const numbers = { scale: number('scale'), days: number('days'), seed: number('seed') };
  // Both servers first: a demo half sent to a collector that is not there helps no one.
  await reachable(`${config.apiUrl}/healthz`, QUERY_API_TARGET);
  await reachable(`${config.endpoint}/`, COLLECTOR_TARGET);
  // Loaded here: the OpenTelemetry SDK is the demo's alone.
  const { sendDemo, demoReport } = await import('./client/demo.js');
  const result = await sendDemo({ ...config, ...numbers, append: values.append === true });
  process.stdout.write(`${values.json ? JSON.stringify(result, null, 2) : demoReport(result, config.apiUrl)}\n`);
  return result.problems.length > 0 ? 1 : 0;
}

/** The message of an error no command handled: a failed fetch says where it went (node says only "fetch failed"). */
function failureMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { message?: string } }).cause;
  return err instanceof TypeError && err.message === 'fetch failed' && cause?.message ? `${err.message}: ${cause.message}` : err.message;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`flowtrace: invalid configuration\n${err.message.replace(/^/gm, '  ')}\n`);
      process.exit(2);
    }
    process.stderr.write(`flowtrace: ${failureMessage(err)}\n`);
    process.exit(1);
  },
);
