/**
 * The README's "no code change" path, taken as a user outside this repository
 * takes it: `npm pack` the two client packages, install the tarballs into a new
 * app in a temp folder (their dependencies come from the registry), start the
 * app with `node --import @flowtrace/instrumentation/register app.js`, make a
 * request, and find the trace in `flowtrace start`. And the other side of the
 * split: the collector and the query API carry the conventions, not the SDK.
 */
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, workflowExecutionSpanName, workflowExecutionTraceId } from '@flowtrace/conventions';
import type { Timeline } from '@flowtrace/query-api';
import { tempDir } from '../support/store.js';
import { REPO_ROOT, createProject, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const exec = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** Without the npm_* variables of an enclosing `npm test`, which would point npm at this repository. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
const npm = (args: string[], cwd: string) => exec(NPM, args, { cwd, env: cleanEnv, maxBuffer: 64 * 1024 * 1024 });

const PACKAGES = ['@flowtrace/conventions', '@flowtrace/instrumentation'] as const;
const packDir = tempDir('flowtrace-pack-');
const appDir = tempDir('flowtrace-installed-app-');
const dataDir = tempDir('flowtrace-installable-');
let flowtrace: RunningFlowtrace;
let project: { id: string; key: string };
let packed: { name: string; filename: string; files: { path: string }[] }[];
let installSeconds: number;

// An Express service that knows nothing of tracing, stopped as services are (SIGTERM).
const APP_JS = `import express from 'express';

const app = express();
app.get('/orders/:id', (req, res) => res.json({ order: req.params.id }));
const server = app.listen(0, '127.0.0.1', () => console.log(\`listening on \${server.address().port}\`));
process.on('SIGTERM', () => server.close());
`;

// The same package used for domain events: one workflow execution with a step.
const RECORD_JS = `import { Flowtrace } from '@flowtrace/instrumentation';

const at = Date.parse('2026-11-20T10:00:00.000Z');
new Flowtrace().recordWorkflowExecution({
  executionId: 'exec-installed-1',
  workflowId: 'wf-sync-contacts',
  workflowName: 'Sync contacts',
  userId: 'user-1',
  integration: 'salesforce',
  status: 'SUCCEEDED',
  startedAt: at,
  endedAt: at + 1200,
  steps: [{ stepId: 'step-1', name: 'Fetch contacts', status: 'SUCCEEDED', startedAt: at + 10, endedAt: at + 900 }],
});
`;

// What a TypeScript user compiles against the installed declarations.
const CHECK_TS = `import { Flowtrace, type WorkflowExecution } from '@flowtrace/instrumentation';
import { ATTR_FLOWTRACE_KIND } from '@flowtrace/instrumentation/semconv';

const kind: 'flowtrace.kind' = ATTR_FLOWTRACE_KIND;
// @ts-expect-error an execution has an id, a user, an integration, a status and times (unused if the types resolved to any)
const incomplete: WorkflowExecution = { workflowId: 'wf' };
export const used = [kind, incomplete, new Flowtrace()];
`;

beforeAll(async () => {
  const packing = npm(['pack', '--json', '--pack-destination', packDir.path, ...PACKAGES.flatMap((p) => ['-w', p])], REPO_ROOT);
  const starting = startFlowtrace(dataDir.path);
  packed = JSON.parse((await packing).stdout) as typeof packed;
  writeFileSync(join(appDir.path, 'package.json'), JSON.stringify({ name: 'orders-service', version: '1.0.0', private: true, type: 'module' }, null, 2));
  writeFileSync(join(appDir.path, 'app.js'), APP_JS);
  writeFileSync(join(appDir.path, 'record.js'), RECORD_JS);
  writeFileSync(join(appDir.path, 'check.ts'), CHECK_TS);
  writeFileSync(
    join(appDir.path, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['check.ts'] }),
  );
  // The app's own dependency, at the version this repository uses (so npm's cache has it).
  const express = (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/express/package.json'), 'utf8')) as { version: string }).version;
  const began = performance.now();
  await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', ...packed.map((p) => join(packDir.path, p.filename)), `express@${express}`], appDir.path);
  installSeconds = (performance.now() - began) / 1000;
  console.info(`installable: npm install of the two tarballs and express took ${installSeconds.toFixed(1)} s`);
  flowtrace = await starting;
  project = await createProject(flowtrace, 'installed-app');
}, 300_000);
afterAll(async () => {
  await flowtrace?.stop();
  for (const dir of [packDir, appDir, dataDir]) dir.remove();
});

const installedJson = (name: string) => JSON.parse(readFileSync(join(appDir.path, 'node_modules', name, 'package.json'), 'utf8')) as Record<string, unknown>;

interface RunningApp {
  stdout: () => string;
  stderr: () => string;
  exited: () => boolean;
}

/**
 * Runs `node --import @flowtrace/instrumentation/register <script>` in the app,
 * exporting to Flowtrace, until it exits; or, given `drive`, talks to it with
 * `drive` and then stops it with SIGTERM.
 */
async function runApp(script: string, service: string, drive?: (app: RunningApp) => Promise<void>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', '@flowtrace/instrumentation/register', script], {
    cwd: appDir.path,
    env: { ...cleanEnv, OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: flowtrace.otlpUrl, FLOWTRACE_API_KEY: project.key },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (drive) {
    try {
      await drive({ stdout: () => stdout, stderr: () => stderr, exited: () => child.exitCode !== null });
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
    }
  }
  return { code: await exited, stderr };
}

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}${path}`, { headers: { authorization: `Bearer ${project.key}` } });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
}

describe('@flowtrace/instrumentation installed from its tarball into an app outside the repository', () => {
  it('packs the build and its docs only, and installs with its dependencies, without any part of the server', async () => {
    expect(packed.map((p) => p.name).sort()).toEqual([...PACKAGES]);
    for (const p of packed) {
      const dir = join(REPO_ROOT, p.name.replace('@flowtrace/', ''));
      const sources = new Set(listFiles(join(dir, 'src')).map((f) => f.replace(/\.ts$/, '')));
      for (const { path } of p.files) {
        if (['package.json', 'README.md', 'LICENSE'].includes(path)) continue;
        // Everything else is the compiled output of a current source file (no stale or build-state files).
        expect(path, `${p.name}: ${path}`).toMatch(/^dist\/.+\.(js|d\.ts)(\.map)?$/);
        expect(sources.has(path.replace(/^dist\//, '').replace(/\.(js|d\.ts)(\.map)?$/, '')), `${p.name}: ${path} has no source`).toBe(true);
      }
      expect(p.files.map((f) => f.path)).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']));
    }

    // Every dependency of the installed tree is present and satisfies its range.
    await npm(['ls', '--all'], appDir.path);
    const lock = JSON.parse(readFileSync(join(appDir.path, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    const installed = Object.keys(lock.packages).filter(Boolean).map((path) => path.replace(/^.*node_modules\//, ''));
    expect(installed.filter((name) => name.startsWith('@flowtrace/')).sort()).toEqual([...PACKAGES]);
    expect(installed.filter((name) => /^(chdb|@chdb\/|@clickhouse\/|prom-client|zod$)/.test(name))).toEqual([]);
    expect(installed).toEqual(expect.arrayContaining(['@opentelemetry/sdk-node', '@opentelemetry/exporter-trace-otlp-proto', '@opentelemetry/instrumentation-express']));
    // The conventions the instrumentation depends on are the tarball's, not something else of that name.
    expect(lock.packages['node_modules/@flowtrace/conventions']!.resolved).toMatch(/flowtrace-conventions-.*\.tgz$/);
    expect(readdirSync(join(appDir.path, 'node_modules/@flowtrace/instrumentation'))).not.toContain('node_modules');

    for (const name of PACKAGES) {
      const pkg = installedJson(name);
      expect(pkg.private, name).toBeUndefined();
      expect(pkg.license, name).toBe('Apache-2.0');
      expect(pkg.devDependencies, name).toBeUndefined();
      for (const [dep, range] of Object.entries(pkg.dependencies as Record<string, string>)) {
        // Registry ranges only: nothing that points into this repository's workspaces.
        expect(range, `${name} -> ${dep}`).toMatch(/^[\^~]?\d+\.\d+\.\d+$/);
      }
    }
    expect(installedJson('@flowtrace/instrumentation').version).toBe(INSTRUMENTATION_VERSION);
  });

  it('compiles against the installed type declarations, subpaths included', async () => {
    await exec(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', appDir.path], { cwd: appDir.path });
  });

  it('traces the unmodified app started with --import @flowtrace/instrumentation/register', async () => {
    const answers: unknown[] = [];
    const { code, stderr } = await runApp('app.js', 'orders-service', async (app) => {
      const port = await waitForLine(app, /listening on (\d+)/);
      const res = await fetch(`http://127.0.0.1:${port}/orders/42`);
      answers.push(await res.json());
    });
    expect(answers).toEqual([{ order: '42' }]);
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(/flowtrace:|Error/);

    const { traces } = await get<{ traces: { traceId: string; rootServiceName: string; rootSpanName: string }[] }>('/traces?service=orders-service');
    expect(traces.map((t) => [t.rootServiceName, t.rootSpanName])).toEqual([['orders-service', 'GET /orders/:id']]);
    const t = await get<Timeline>(`/traces/${traces[0]!.traceId}`);
    expect(t.spans.map((s) => [s.name, s.kind, s.depth, s.scope.name])).toEqual([
      ['GET /orders/:id', 'Server', 0, '@opentelemetry/instrumentation-http'],
      ['request handler', 'Internal', 1, '@opentelemetry/instrumentation-express'],
    ]);
    expect(t.spans[0]!.attributes).toMatchObject({ 'http.route': '/orders/:id', 'http.response.status_code': '200' });
  });

  it('records a workflow execution with the installed package, under the id the server derives for it', async () => {
    const { code, stderr } = await runApp('record.js', 'contacts-sync');
    expect(code, stderr).toBe(0);
    const t = await get<Timeline>(`/traces/${workflowExecutionTraceId('exec-installed-1')}`);
    expect(t.spans.map((s) => [s.name, s.depth, s.scope.name, s.scope.version])).toEqual([
      [workflowExecutionSpanName({ workflowId: 'wf-sync-contacts', workflowName: 'Sync contacts' }), 0, INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION],
      ['step Fetch contacts', 1, INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION],
    ]);
  });
});

describe('the server side of the split', () => {
  const SDK = /^@opentelemetry\/(sdk-|exporter-|instrumentation|resources$|core$)|^@flowtrace\/instrumentation$/;

  it.each(['@flowtrace/collector', '@flowtrace/query-api'])('%s: its installed dependency closure has the conventions and no OpenTelemetry SDK', async (workspace) => {
    const { stdout } = await npm(['ls', '--omit=dev', '--all', '--parseable', '-w', workspace], REPO_ROOT);
    const names = stdout
      .split('\n')
      .filter((path) => path.includes('node_modules/'))
      .map((path) => path.replace(/^.*node_modules\//, ''));
    expect(names).toContain('@flowtrace/conventions');
    expect(names.filter((name) => SDK.test(name))).toEqual([]);
  });

  it.each(['collector', 'query-api', 'conventions'])('%s/src imports only packages it declares, none of them the SDK', (workspace) => {
    const declared = Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, workspace, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    const src = join(REPO_ROOT, workspace, 'src');
    for (const file of listFiles(src).filter((f) => f.endsWith('.ts'))) {
      for (const specifier of importsOf(readFileSync(join(src, file), 'utf8'))) {
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        expect(declared, `${workspace}/src/${file} imports ${specifier}`).toContain(name);
        expect(SDK.test(name), `${workspace}/src/${file} imports ${specifier}`).toBe(false);
      }
    }
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'([@\w][^'\s]*)'/gm)].map((m) => m[1]!);
}

async function waitForLine(app: RunningApp, pattern: RegExp): Promise<string> {
  for (;;) {
    const match = pattern.exec(app.stdout());
    if (match) return match[1]!;
    if (app.exited()) throw new Error(`the app exited before printing ${pattern}\nstdout: ${app.stdout()}\nstderr: ${app.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
