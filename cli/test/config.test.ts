import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_HELP, CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config.js';
import { CLIENT_VARIABLES } from '../src/client/config.js';

describe('configuration', () => {
  it('has a documented default for every variable', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      dataDir: './.flowtrace-data',
      server: undefined,
      host: '0.0.0.0',
      otlpHttpPort: 4318,
      apiPort: 8080,
      adminToken: undefined,
      ttlDays: 30,
      maxBodyBytes: 20 * 1024 * 1024,
      maxFutureSkewSeconds: 3600,
      keyCacheMs: 2000,
      shutdownTimeoutMs: 10_000,
      workatoMaxBodyBytes: 64 * 1024 * 1024,
      captureContent: false,
    });
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const name of [...CONFIG_VARIABLES, ...CLIENT_VARIABLES]) expect(readme).toContain(`| \`${name}\` |`);
  });

  it('describes every variable, with its default, for flowtrace help', () => {
    expect(Object.keys(CONFIG_HELP).sort()).toEqual([...CONFIG_VARIABLES].sort());
    const config = loadConfig({});
    expect(CONFIG_HELP.FLOWTRACE_BATCH_LINGER_MS[0]).toBe(String(config.blocks.lingerMs));
    expect(CONFIG_HELP.FLOWTRACE_MAX_QUEUE_BYTES[0]).toBe(String(config.maxQueueBytes));
    expect(CONFIG_HELP.FLOWTRACE_OTLP_GRPC_PORT[0]).toBe(String(config.otlpGrpcPort));
    expect(CONFIG_HELP.FLOWTRACE_DEDUP_WINDOW_SECONDS[0]).toBe(String(config.dedupWindowMs / 1000));
  });

  it('switches to server mode with CLICKHOUSE_URL', () => {
    const config = loadConfig({ CLICKHOUSE_URL: 'http://clickhouse:8123', CLICKHOUSE_DATABASE: 'otel', CLICKHOUSE_PASSWORD: 's3cret' });
    expect(config.server).toEqual({ url: 'http://clickhouse:8123', username: 'default', password: 's3cret', database: 'otel' });
  });

  it('names every bad variable and what it accepts', () => {
    let error: unknown;
    try {
      loadConfig({ FLOWTRACE_OTLP_HTTP_PORT: '70000', CLICKHOUSE_URL: 'clickhouse:8123', CLICKHOUSE_DATABASE: 'a-b', FLOWTRACE_ADMIN_TOKEN: 'short', FLOWTRACE_API_PORT: '' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.split('\n')).toEqual([
      'CLICKHOUSE_URL: must be an http:// or https:// URL (got "clickhouse:8123")',
      'CLICKHOUSE_DATABASE: must be a plain identifier (letters, digits, _) (got "a-b")',
      'FLOWTRACE_OTLP_HTTP_PORT: must be from 0 to 65535 (got "70000")',
      'FLOWTRACE_ADMIN_TOKEN: must be at least 16 characters (got a value not shown here)',
    ]);
  });
});
