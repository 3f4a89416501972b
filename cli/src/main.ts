import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { serve, type Parts } from './serve.js';

const USAGE = `Usage: flowtrace <command>

Commands:
  start       collector and query API in one process (the embedded store needs this)
  collector   the OTLP/HTTP collector only (server mode: CLICKHOUSE_URL)
  query-api   the query API only (server mode: CLICKHOUSE_URL)
  help        this text

Configuration is read from the environment; see the README for every variable.`;

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
  const log = createLogger();
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`flowtrace: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
