import { UsageError, type CommandSpec, type Values } from './client/args.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const MIGRATE: CommandSpec = {
  name: 'migrate',
  about: `Applies the migrations the store does not have yet, then exits. Every server command also migrates
as it starts; with several processes on one ClickHouse server or cluster, run this once before
starting them (the compose files do): two processes migrating at once could both run a migration
that re-creates a table, and copy its rows twice. With --print, writes the statements instead,
without connecting: on a cluster (CLICKHOUSE_CLUSTER or --cluster), their cluster form, to review
before running it.`,
  options: {
    print: { type: 'boolean', description: 'print every statement of every migration, in order, instead of applying them', default: 'off' },
    cluster: { type: 'string', value: 'NAME', description: 'with --print: the cluster (remote_servers) to print the cluster form for', default: 'CLICKHOUSE_CLUSTER, else the one-server form' },
    database: { type: 'string', value: 'NAME', description: 'with --print: the database the Distributed tables name', default: 'CLICKHOUSE_DATABASE, else default' },
  },
  more: `Applying reads the configuration as \`flowtrace start\` does: FLOWTRACE_DATA_DIR, or CLICKHOUSE_URL with
CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, CLICKHOUSE_DATABASE and CLICKHOUSE_CLUSTER (see flowtrace help).
Exit code: 0 once applied (or printed); 1 when a migration fails; 2 for a bad command line or configuration.`,
};

export async function runMigrate(values: Values, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (values.print === true) {
    process.stdout.write(await printedMigrations(values, env));
    return 0;
  }
  if (values.cluster !== undefined || values.database !== undefined) {
    throw new UsageError('flowtrace migrate: --cluster and --database go with --print (to apply, set CLICKHOUSE_CLUSTER and CLICKHOUSE_DATABASE); see flowtrace migrate --help');
  }
  const config = loadConfig(env);
  const log = createLogger(config.logLevel);
  const { openStore } = await import('@flowtrace/store');
  const { store, migrationsApplied } = await openStore({
    dataDir: config.dataDir,
    server: config.server,
    ttlDays: config.ttlDays,
    onMigration: (migration) => log.info('applying migration', { migration }),
  });
  await store.close();
  process.stdout.write(
    migrationsApplied.length === 0
      ? `${store.location}: up to date, no migration to apply\n`
      : `${store.location}: applied ${migrationsApplied.length} migrations (${migrationsApplied.join(', ')})\n`,
  );
  return 0;
}

/** Every statement `flowtrace migrate` runs on an empty store, in order, as SQL. */
async function printedMigrations(values: Values, env: NodeJS.ProcessEnv): Promise<string> {
  const cluster = pick(values.cluster, '--cluster', env.CLICKHOUSE_CLUSTER, 'CLICKHOUSE_CLUSTER');
  const database = pick(values.database, '--database', env.CLICKHOUSE_DATABASE, 'CLICKHOUSE_DATABASE') ?? 'default';
  const { migrationPlan } = await import('@flowtrace/store');
  const plan = migrationPlan(undefined, cluster === undefined ? undefined : { cluster, database });
  const where = cluster === undefined ? 'one server' : `cluster ${cluster}, database ${database}`;
  const sections = [
    `-- What \`flowtrace migrate\` runs on an empty store (${where}), in order.\n-- The ledger of applied migrations:\n${plan.ledger.map((s) => `${s};\n`).join('\n')}`,
    ...plan.migrations.map((m) => `-- ${m.name}\n${m.statements.map((s) => `${s};\n`).join('\n')}`),
  ];
  return sections.join('\n');
}

/** An option, else its variable (an empty one counts as unset); either must be a plain identifier. */
function pick(option: string | boolean | undefined, flag: string, variable: string | undefined, name: string): string | undefined {
  if (typeof option === 'string') {
    if (!IDENTIFIER.test(option)) throw new UsageError(`flowtrace migrate: ${flag} must be a plain identifier (letters, digits, _), got ${JSON.stringify(option)}`);
    return option;
  }
  if (variable === undefined || variable === '') return undefined;
  if (!IDENTIFIER.test(variable)) throw new ConfigError(`${name}: must be a plain identifier (letters, digits, _) (got ${JSON.stringify(variable)})`);
  return variable;
}
