import { parseArgs } from 'node:util';
import { CONFIG_HELP, ConfigError, loadConfig } from './config.js';
import { loadClientConfig, loadDemoConfig } from './client/config.js';
import { importWorkato } from './client/import.js';
import { runDemo } from './client/demo.js';
import { createLogger } from './log.js';
import { serve, type Parts } from './serve.js';

const USAGE = `Usage: flowtrace <command>

Commands:
  start       collector and query API in one process (the embedded store needs this)
  collector   the collector only: OTLP/HTTP, OTLP/gRPC, Workato (server mode: CLICKHOUSE_URL)
  query-api   the query API only (server mode: CLICKHOUSE_URL)
  import workato <dir> [--source NAME]
              load a Workato export tree (user_id/jobs/recipe_id/YYYYMMDD/job_id/*.json)
              into a running Flowtrace; files already imported are skipped
  demo [--scale N] [--json]
              create two demo projects and send them a day of realistic traffic
              for every event family (needs FLOWTRACE_ADMIN_TOKEN or --admin-token)
  help        this text

Client commands (import, demo) send to FLOWTRACE_ENDPOINT (default http://localhost:4318)
with the project key in FLOWTRACE_API_KEY; --endpoint and --key override them.

Configuration is read from the environment, once at start (an empty variable counts as unset;
a bad value stops the start, naming the variable):

${Object.entries(CONFIG_HELP)
  .map(([name, [fallback, meaning]]) => `  ${name.padEnd(38)}${meaning} (default ${fallback})`)
  .join('\n')}`;

const COMMANDS: Record<string, Parts> = {
  start: { collector: true, queryApi: true },
  collector: { collector: true, queryApi: false },
  'query-api': { collector: false, queryApi: true },
};

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'import') return withClientConfig(() => runImport(argv.slice(1)));
  if (command === 'demo') return withClientConfig(() => demo(argv.slice(1)));
  const parts = COMMANDS[command];
  if (!parts) {
    process.stderr.write(`flowtrace: unknown command ${JSON.stringify(command)}\n\n${USAGE}\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`flowtrace: invalid configuration\n${err.message.replace(/^/gm, '  ')}\n`);
    return 2;
  }
  const log = createLogger(config.logLevel);
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
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { source: { type: 'string' }, endpoint: { type: 'string' }, key: { type: 'string' } },
  });
  const [format, dir] = positionals;
  if (format !== 'workato' || !dir) {
    process.stderr.write(`flowtrace: usage: flowtrace import workato <dir> [--source NAME] [--endpoint URL] [--key KEY]\n`);
    return 2;
  }
  const client = loadClientConfig(values);
  const summary = await importWorkato({ dir, source: values.source, ...client });
  process.stdout.write(
    `${summary.files} files: ${summary.imported} imported (${summary.spans} spans, ${summary.logs} logs), ` +
      `${summary.skipped} skipped as already imported, ${summary.failed.length} could not be read\n`,
  );
  if (summary.rejected > 0) process.stdout.write(`${summary.rejected} records were older than the retention period and not stored\n`);
  for (const failure of summary.failed) process.stdout.write(`  ${failure.path}: ${failure.error}\n`);
  return summary.failed.length > 0 ? 1 : 0;
}

async function demo(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { endpoint: { type: 'string' }, 'api-url': { type: 'string' }, 'admin-token': { type: 'string' }, scale: { type: 'string' }, json: { type: 'boolean' } },
  });
  const config = loadDemoConfig(values);
  const scale = values.scale === undefined ? undefined : Number(values.scale);
  if (scale !== undefined && (!Number.isInteger(scale) || scale < 1 || scale > 1000)) throw new ConfigError('--scale: must be a whole number from 1 to 1000');
  const projects = await runDemo({ ...config, scale });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ projects }, null, 2)}\n`);
    return 0;
  }
  for (const project of projects) {
    const total = Object.values(project.counts).reduce((a, b) => a + b, 0);
    process.stdout.write(`\n${project.name}: ${total} executions\n  project ${project.id}\n  key     ${project.key}\n  open a trace of each kind:\n`);
    for (const [kind, traceId] of Object.entries(project.traces)) {
      process.stdout.write(`    ${kind.padEnd(22)} curl -s ${config.apiUrl}/projects/${project.id}/traces/${traceId} -H "Authorization: Bearer ${project.key}"\n`);
    }
  }
  return 0;
}

/** Runs a client command; a configuration problem is reported with its variable, exit code 2. */
async function withClientConfig(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`flowtrace: invalid configuration\n${err.message.replace(/^/gm, '  ')}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`flowtrace: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
