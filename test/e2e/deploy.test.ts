import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationPlan } from '@flowtrace/store';
import { CONFIG_VARIABLES } from '../../cli/src/config.js';
import { FLOWTRACE_BIN, REPO_ROOT } from '../support/flowtrace.js';
import { tempDir } from '../support/store.js';

const run = promisify(execFile);

// What these tests read: the deployment files as docker compose and docker build would.
interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  hostname?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const cluster = parse(read('deploy/cluster/docker-compose.yml'), { merge: true }) as Compose;
const envExample = read('.env.example');

/** Host ports a service publishes ("127.0.0.1:8123:8123" → 8123). */
function publishedPorts(service: Service): number[] {
  return (service.ports ?? []).map((port) => Number(port.split(':').at(-2)));
}

/** Variables a compose value interpolates: ${NAME}, ${NAME:-default}, ${NAME:?message}. */
function interpolated(value: string): Array<{ name: string; form: string }> {
  return [...value.matchAll(/\$\{([A-Z0-9_]+)(:[-?])?[^}]*\}/g)].map((m) => ({ name: m[1]!, form: m[2] ?? '' }));
}

/** The inner text of each <tag>…</tag> in a (simple, un-nested) XML configuration file. */
function elements(xml: string, tag: string): string[] {
  return [...xml.replace(/<!--[\s\S]*?-->/g, '').matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!.trim());
}

function checkImagesPinned(file: Compose): void {
  for (const [name, service] of Object.entries(file.services)) {
    if (service.build !== undefined) {
      // Built here, from the repository's Dockerfile.
      expect(service.image, name).toBe('flowtrace:local');
      continue;
    }
    // An exact release: name:major.minor.patch[.build][-variant]; never latest, never a bare major.
    expect(service.image, name).toMatch(/^[a-z0-9./-]+:\d+\.\d+\.\d+(\.\d+)?(-[a-z0-9]+)?$/);
  }
}

function checkBindMounts(file: Compose, dir: string): void {
  for (const [name, service] of Object.entries(file.services)) {
    for (const volume of service.volumes ?? []) {
      const [source] = volume.split(':');
      if (source!.startsWith('.')) {
        expect(existsSync(resolve(REPO_ROOT, dir, source!)), `${name}: ${source} exists`).toBe(true);
      } else {
        expect(file.volumes, `${name}: volume ${source} is declared`).toHaveProperty(source!);
      }
    }
  }
}

function checkDependencies(file: Compose): void {
  for (const [name, service] of Object.entries(file.services)) {
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      const target = file.services[dependency];
      expect(target, `${name} depends on ${dependency}`).toBeDefined();
      if (condition === 'service_healthy') expect(target!.healthcheck, `${dependency} has a health check`).toBeDefined();
      else expect([name, condition]).toEqual([name, 'service_completed_successfully']);
    }
    // Everything that keeps running says how to tell it is healthy.
    if (service.restart !== 'no') expect(service.healthcheck?.test, `${name} health check`).toBeDefined();
  }
}

/** Every password, token and secret comes from the environment, required: none is written in the file. */
function checkSecrets(file: Compose): void {
  for (const [name, service] of Object.entries(file.services)) {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (!/PASSWORD|TOKEN|SECRET/.test(key)) continue;
      expect(interpolated(String(value)), `${name}.${key}`).toEqual([{ name: expect.any(String), form: ':?' }]);
      expect(String(value), `${name}.${key}`).toMatch(/^\$\{[A-Z0-9_]+:\?[^}]*\}$/);
    }
  }
}

/** The Flowtrace services set only variables the configuration knows. */
function checkFlowtraceEnvironment(file: Compose): void {
  for (const [name, service] of Object.entries(file.services)) {
    if (service.build === undefined) continue;
    for (const key of Object.keys(service.environment ?? {})) expect(CONFIG_VARIABLES, `${name}: ${key}`).toContain(key);
  }
}

describe('docker-compose.yml (the server deployment)', () => {
  const s = compose.services;

  it('runs ClickHouse, the schema migration, the collector, the query API and Grafana on their ports', () => {
    expect(Object.keys(s).sort()).toEqual(['clickhouse', 'collector', 'grafana', 'migrate', 'query-api']);
    expect(s.collector!.command).toEqual(['collector']);
    expect(s['query-api']!.command).toEqual(['query-api']);
    expect(s.migrate!.command).toEqual(['migrate']);
    expect(publishedPorts(s.collector!).sort()).toEqual([4317, 4318]);
    expect(publishedPorts(s['query-api']!)).toEqual([8080]);
    expect(publishedPorts(s.grafana!)).toEqual([3000]);
    expect(publishedPorts(s.clickhouse!).sort()).toEqual([8123, 9000]);
    // ClickHouse is for the operator on this machine only.
    expect(s.clickhouse!.ports!.every((port) => port.startsWith('127.0.0.1:'))).toBe(true);
  });

  it('pins every image to an exact release, and builds Flowtrace from the Dockerfile', () => {
    checkImagesPinned(compose);
    for (const name of ['migrate', 'collector', 'query-api']) expect(s[name]!.build).toBe('.');
    expect(s.clickhouse!.image).toMatch(/^clickhouse\/clickhouse-server:/);
    expect(s.grafana!.image).toMatch(/^grafana\/grafana:/);
  });

  it('points the Flowtrace services at the ClickHouse service, as its user, migrated once before they start', () => {
    const ch = s.clickhouse!.environment!;
    for (const name of ['migrate', 'collector', 'query-api']) {
      const env = s[name]!.environment!;
      expect(env.CLICKHOUSE_URL).toBe('http://clickhouse:8123');
      expect([env.CLICKHOUSE_USER, env.CLICKHOUSE_PASSWORD, env.CLICKHOUSE_DATABASE]).toEqual([ch.CLICKHOUSE_USER, ch.CLICKHOUSE_PASSWORD, ch.CLICKHOUSE_DB]);
      expect(s[name]!.depends_on!.clickhouse).toEqual({ condition: 'service_healthy' });
    }
    expect(s.migrate!.restart).toBe('no');
    // Only `migrate` changes the schema: the others start once it has finished.
    expect(s.collector!.depends_on!.migrate).toEqual({ condition: 'service_completed_successfully' });
    expect(s['query-api']!.depends_on!.migrate).toEqual({ condition: 'service_completed_successfully' });
    checkFlowtraceEnvironment(compose);
  });

  it('has health checks, conditions on every dependency, restart policies and declared volumes', () => {
    checkDependencies(compose);
    for (const name of ['clickhouse', 'collector', 'query-api', 'grafana']) expect(s[name]!.restart).toBe('unless-stopped');
    expect(s.collector!.healthcheck!.test).toEqual(['CMD', 'node', 'deploy/healthcheck.mjs', 'http://127.0.0.1:4318/metrics']);
    expect(s['query-api']!.healthcheck!.test).toEqual(['CMD', 'node', 'deploy/healthcheck.mjs', 'http://127.0.0.1:8080/healthz']);
    expect(s.clickhouse!.volumes).toContain('clickhouse-data:/var/lib/clickhouse');
    expect(s.grafana!.volumes).toContain('grafana-data:/var/lib/grafana');
    checkBindMounts(compose, '.');
  });

  it('takes every secret from the environment, and .env.example names each one', () => {
    checkSecrets(compose);
    const required = new Set(Object.values(s).flatMap((service) => Object.values(service.environment ?? {}).flatMap((v) => interpolated(String(v)))).map((v) => v.name));
    for (const name of required) expect(envExample, name).toMatch(new RegExp(`^${name}=$`, 'm'));
    for (const secret of ['CLICKHOUSE_PASSWORD', 'FLOWTRACE_ADMIN_TOKEN', 'GF_SECURITY_ADMIN_PASSWORD', 'CLICKHOUSE_GRAFANA_PASSWORD']) expect(required).toContain(secret);
  });

  it("mounts Grafana's provisioning and dashboards, installs the pinned plugin and sets every variable the provisioning reads", () => {
    const grafana = s.grafana!;
    expect(grafana.volumes).toEqual(expect.arrayContaining(['./grafana/provisioning:/etc/grafana/provisioning:ro', './grafana/dashboards:/var/lib/grafana/dashboards:ro']));
    expect(readdirSync(join(REPO_ROOT, 'grafana/dashboards')).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
    const provisioning = join(REPO_ROOT, 'grafana/provisioning');
    const files = readdirSync(provisioning, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(provisioning, f)).isFile());
    expect(files).toEqual(expect.arrayContaining([expect.stringMatching(/^datasources\/.+\.ya?ml$/), expect.stringMatching(/^dashboards\/.+\.ya?ml$/)]));
    const env = grafana.environment!;
    const plugin = /^(grafana-clickhouse-datasource)@(\d+\.\d+\.\d+)$/.exec(env.GF_PLUGINS_PREINSTALL_SYNC ?? '');
    expect(plugin).not.toBeNull();
    const referenced = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(provisioning, file), 'utf8').replace(/^\s*#.*$/gm, '');
      for (const m of text.matchAll(/\$\{?([A-Z][A-Z0-9_]*)\}?/g)) referenced.add(m[1]!);
    }
    expect(referenced.size).toBeGreaterThan(0);
    for (const name of referenced) expect(env, `grafana sets ${name}`).toHaveProperty(name);
    // The datasource reaches the ClickHouse service as the read-only user the server defines.
    const datasource = parse(readFileSync(join(provisioning, files.find((f) => f.startsWith('datasources/'))!), 'utf8')) as { datasources: Array<{ type: string }> };
    expect(datasource.datasources.map((d) => d.type)).toContain(plugin![1]);
    expect([env.CLICKHOUSE_GRAFANA_HOST, env.CLICKHOUSE_GRAFANA_PORT, env.CLICKHOUSE_GRAFANA_DATABASE]).toEqual(['clickhouse', '8123', 'flowtrace']);
    const users = read('deploy/clickhouse/users.d/grafana.xml');
    expect(elements(users, 'users')[0]).toMatch(new RegExp(`^<${env.CLICKHOUSE_GRAFANA_USER}>`));
    expect(users).toContain('<password from_env="CLICKHOUSE_GRAFANA_PASSWORD"/>');
    expect(elements(users, 'readonly')).toEqual(['2']);
    expect(s.clickhouse!.environment!.CLICKHOUSE_GRAFANA_PASSWORD).toBe(env.CLICKHOUSE_GRAFANA_PASSWORD);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => /^(\w+)\s+(.*)$/.exec(line.trim())!)
    .map(([, instruction, args]) => ({ instruction: instruction!, args: args! }));
  const all = (name: string) => instructions.filter((i) => i.instruction === name).map((i) => i.args);

  it('builds with the steps the README gives: npm ci, then npm run build', () => {
    const runs = all('RUN').filter((r) => r.startsWith('npm '));
    expect(runs).toEqual(['npm ci', 'npm run build', 'npm prune --omit=dev']);
    const readme = read('README.md');
    const commands = [...readme.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n')).map((line) => line.replace(/#.*$/, '').trim());
    // The README installs with `npm ci` and starts with `npm start`, which is the build, then the command.
    expect(commands.some((c) => c.startsWith('npm ci'))).toBe(true);
    expect(commands.some((c) => /\bnpm start\b/.test(c))).toBe(true);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const start = scripts.start!.split('&&').map((step) => step.trim());
    const build = scripts.build!.split('&&').map((step) => step.trim());
    expect(build).toEqual(expect.arrayContaining(start.slice(0, -1)));
    const entrypoint = JSON.parse(all('ENTRYPOINT')[0]!) as string[];
    const cmd = JSON.parse(all('CMD')[0]!) as string[];
    expect([...entrypoint, ...cmd].join(' ')).toBe(start.at(-1));
  });

  it('pins Node 20 on Debian, runs as a non-root user, exposes the ports and checks /healthz', () => {
    const from = all('FROM');
    expect(from).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE}']);
    expect(all('ARG')).toEqual(['NODE_IMAGE=node:20.20.2-bookworm-slim']);
    expect(all('USER')).toEqual(['node']);
    expect(all('EXPOSE')).toEqual(['4317 4318 8080']);
    expect(all('HEALTHCHECK')[0]).toMatch(/CMD \["node", "deploy\/healthcheck\.mjs"\]$/);
    expect(existsSync(join(REPO_ROOT, 'deploy/healthcheck.mjs'))).toBe(true);
    expect(JSON.parse(all('ENTRYPOINT')[0]!)).toEqual(['node', 'cli/bin/flowtrace.js']);
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.env', '.git']));
  });

  describe('deploy/healthcheck.mjs', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.statusCode = req.url === '/healthz' ? 200 : 503;
        res.end();
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    const check = async (...args: string[]) =>
      run(process.execPath, [join(REPO_ROOT, 'deploy/healthcheck.mjs'), ...args]).then(
        () => 0,
        (err: { code?: number }) => err.code,
      );

    it('exits 0 on a 2xx answer, 1 on a 503 or no answer', async () => {
      expect(await check(`${base}/healthz`)).toBe(0);
      expect(await check(`${base}/metrics`)).toBe(1);
      const closed = createServer();
      await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((done) => closed.close(() => done()));
      expect(await check(`http://127.0.0.1:${port}/healthz`)).toBe(1);
    });
  });
});

describe('deploy/cluster (2 shards × 2 replicas, 3 Keeper nodes)', () => {
  const s = cluster.services;
  const config = read('deploy/cluster/clickhouse/cluster.xml');
  const keeper = read('deploy/cluster/keeper/keeper_config.xml');
  const clickhouseNodes = Object.keys(s).filter((name) => name.startsWith('clickhouse-'));
  const keeperNodes = Object.keys(s).filter((name) => name.startsWith('keeper-'));

  it('defines the cluster in remote_servers: 2 shards of 2 replicas, the replicas being the ClickHouse services', () => {
    const [definition] = elements(config, 'flowtrace');
    const shards = elements(definition!, 'shard');
    expect(shards).toHaveLength(2);
    const hosts = shards.map((shard) => {
      expect(elements(shard, 'internal_replication')).toEqual(['true']);
      return elements(shard, 'host');
    });
    expect(hosts.map((h) => h.length)).toEqual([2, 2]);
    expect(hosts.flat().sort()).toEqual(clickhouseNodes.sort());
    expect(definition).toContain('<secret from_env="CLICKHOUSE_CLUSTER_SECRET"/>');
  });

  it('gives each node its own {shard} and {replica}, agreeing with remote_servers', () => {
    const shards = elements(elements(config, 'flowtrace')[0]!, 'shard').map((shard) => elements(shard, 'host'));
    const seen = new Set<string>();
    for (const node of clickhouseNodes) {
      const mounts = s[node]!.volumes!.filter((v) => v.includes('/etc/clickhouse-server/config.d/'));
      expect(mounts).toEqual(['./clickhouse/cluster.xml:/etc/clickhouse-server/config.d/cluster.xml:ro', expect.stringMatching(/^\.\/clickhouse\/macros\/\w+\.xml:\/etc\/clickhouse-server\/config\.d\/macros\.xml:ro$/)]);
      const macros = read(join('deploy/cluster', mounts[1]!.split(':')[0]!));
      const shard = elements(macros, 'shard')[0]!;
      const replica = elements(macros, 'replica')[0]!;
      expect(shards[Number(shard) - 1], `${node} is in shard ${shard}`).toContain(node);
      expect(replica).toBe(node);
      expect(s[node]!.hostname).toBe(node);
      seen.add(`${shard}/${replica}`);
    }
    expect(seen.size).toBe(4);
  });

  it('runs 3 Keeper nodes, each with its own id in the Raft configuration, and points ClickHouse at all of them', () => {
    expect(keeperNodes).toHaveLength(3);
    const servers = elements(keeper, 'server').map((server) => ({ id: elements(server, 'id')[0], host: elements(server, 'hostname')[0] }));
    expect(servers.map((x) => x.host).sort()).toEqual(keeperNodes.sort());
    for (const node of keeperNodes) {
      const id = s[node]!.environment!.KEEPER_SERVER_ID;
      expect(servers.find((x) => x.host === node)!.id).toBe(id);
      expect(s[node]!.volumes).toContain('./keeper/keeper_config.xml:/etc/clickhouse-keeper/keeper_config.xml:ro');
    }
    expect(keeper).toContain('<server_id from_env="KEEPER_SERVER_ID"/>');
    const zookeeper = elements(elements(config, 'zookeeper')[0]!, 'node').map((node) => `${elements(node, 'host')[0]}:${elements(node, 'port')[0]}`);
    expect(zookeeper.sort()).toEqual(keeperNodes.map((k) => `${k}:9181`).sort());
    for (const node of clickhouseNodes) for (const k of keeperNodes) expect(s[node]!.depends_on![k]).toEqual({ condition: 'service_healthy' });
  });

  it('runs the collectors and query APIs with CLICKHOUSE_CLUSTER set to the cluster, after one migration on every node', () => {
    const flowtrace = Object.entries(s).filter(([, service]) => service.build !== undefined);
    expect(flowtrace.map(([name]) => name).sort()).toEqual(['collector-1', 'collector-2', 'migrate', 'query-api-1', 'query-api-2']);
    for (const [name, service] of flowtrace) {
      expect(service.environment!.CLICKHOUSE_CLUSTER, name).toBe('flowtrace');
      expect(clickhouseNodes).toContain(new URL(service.environment!.CLICKHOUSE_URL!).hostname);
      if (name !== 'migrate') expect(service.depends_on!.migrate).toEqual({ condition: 'service_completed_successfully' });
    }
    for (const node of clickhouseNodes) expect(s.migrate!.depends_on![node]).toEqual({ condition: 'service_healthy' });
    checkFlowtraceEnvironment(cluster);
    const nginx = read('deploy/cluster/nginx/nginx.conf');
    const upstreams = [...nginx.matchAll(/server ([\w-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(upstreams.sort()).toEqual(['collector-1:4317', 'collector-1:4318', 'collector-2:4317', 'collector-2:4318', 'query-api-1:8080', 'query-api-2:8080']);
    expect(publishedPorts(s.nginx!).sort()).toEqual([4317, 4318, 8080]);
  });

  it('pins every image (Keeper and server of one release), checks health, mounts what exists, takes secrets from the environment', () => {
    checkImagesPinned(cluster);
    const release = (image: string) => image.split(':')[1];
    expect(new Set([...clickhouseNodes, ...keeperNodes].map((name) => release(s[name]!.image!))).size).toBe(1);
    expect(release(s['clickhouse-s1r1']!.image!)).toBe(release(compose.services.clickhouse!.image!));
    checkDependencies(cluster);
    checkBindMounts(cluster, 'deploy/cluster');
    checkSecrets(cluster);
  });
});

describe('flowtrace migrate', () => {
  it('prints, without connecting, exactly the cluster DDL migrate() runs', async () => {
    const { stdout } = await run(process.execPath, [FLOWTRACE_BIN, 'migrate', '--print', '--cluster', 'flowtrace', '--database', 'flowtrace'], { maxBuffer: 16 * 1024 * 1024 });
    const plan = migrationPlan(undefined, { cluster: 'flowtrace', database: 'flowtrace' });
    for (const statement of [...plan.ledger, ...plan.migrations.flatMap((m) => m.statements)]) expect(stdout).toContain(`${statement};\n`);
    for (const migration of plan.migrations) expect(stdout).toContain(`-- ${migration.name}\n`);
    expect(stdout).toMatch(/^-- What `flowtrace migrate` runs on an empty store \(cluster flowtrace, database flowtrace\), in order\./);
  });

  it('applies the migrations to a data directory once, then finds nothing to apply', async () => {
    const dir = tempDir();
    try {
      const env = { ...process.env, FLOWTRACE_DATA_DIR: dir.path, FLOWTRACE_LOG_LEVEL: 'error' };
      const first = await run(process.execPath, [FLOWTRACE_BIN, 'migrate'], { env });
      expect(first.stdout).toMatch(/: applied \d+ migrations \(0001_create_flowtrace_meta\.sql, /);
      const second = await run(process.execPath, [FLOWTRACE_BIN, 'migrate'], { env });
      expect(second.stdout).toMatch(/: up to date, no migration to apply\n$/);
    } finally {
      dir.remove();
    }
  });

  it('refuses CLICKHOUSE_CLUSTER on the embedded store, naming the variable', async () => {
    const dir = tempDir();
    try {
      for (const command of ['start', 'migrate']) {
        const failed = await run(process.execPath, [FLOWTRACE_BIN, command], { env: { ...process.env, FLOWTRACE_DATA_DIR: dir.path, CLICKHOUSE_CLUSTER: 'flowtrace', CLICKHOUSE_URL: '' } }).then(
          () => undefined,
          (err: { code: number; stderr: string }) => err,
        );
        expect(failed?.code, command).toBe(2);
        expect(failed?.stderr).toContain('CLICKHOUSE_CLUSTER: needs a ClickHouse server (set CLICKHOUSE_URL)');
      }
      // Nothing was started or created.
      expect(readdirSync(dir.path)).toEqual([]);
    } finally {
      dir.remove();
    }
  });
});
