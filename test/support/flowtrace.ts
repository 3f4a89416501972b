import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FLOWTRACE_BIN = `${REPO_ROOT}cli/bin/flowtrace.js`;

export interface RunningFlowtrace {
  otlpUrl: string;
  /** host:port of the OTLP/gRPC receiver. */
  otlpGrpcAddress: string;
  /** The child process id (for SIGKILL in crash tests). */
  pid: number;
  apiUrl: string;
  /** Printed only on the first start of a data directory. */
  adminToken: string | undefined;
  stdout: () => string;
  stderr: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<number | null>;
}

/** Runs the built `flowtrace start` on a data directory, on ephemeral loopback ports. */
export async function startFlowtrace(dataDir: string, env: Record<string, string> = {}): Promise<RunningFlowtrace> {
  const child = spawn(process.execPath, [FLOWTRACE_BIN, 'start'], {
    env: { ...process.env, FLOWTRACE_DATA_DIR: dataDir, FLOWTRACE_HOST: '127.0.0.1', FLOWTRACE_OTLP_HTTP_PORT: '0', FLOWTRACE_OTLP_GRPC_PORT: '0', FLOWTRACE_API_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await waitFor(() => /Data {7}.*\n/.test(stdout), child, () => `flowtrace did not start.\nstdout: ${stdout}\nstderr: ${stderr}`);
  // The admin token, when there is one, is printed in the same write as the banner.
  const otlpPort = /OTLP\/HTTP {2}http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
  const apiPort = /Query API {2}http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
  const grpcPort = /OTLP\/gRPC {2}127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
  return {
    otlpUrl: `http://127.0.0.1:${otlpPort}`,
    otlpGrpcAddress: `127.0.0.1:${grpcPort}`,
    pid: child.pid!,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    adminToken: /Admin token .*: (fta_\S+)/.exec(stdout)?.[1],
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function waitFor(ready: () => boolean, child: ChildProcess, explain: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(explain());
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs a fixture script to completion with the given environment; returns its stdout. */
export async function runScript(script: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited ${code}\nstdout: ${stdout}\nstderr: ${stderr}`);
  return stdout;
}

/** A project and one API key, created through the admin API (the admin token: the banner's, or the one given). */
export async function createProject(flowtrace: RunningFlowtrace, name: string, adminToken = flowtrace.adminToken): Promise<{ id: string; key: string }> {
  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const created = await fetch(`${flowtrace.apiUrl}/admin/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ name }) });
  if (created.status !== 201) throw new Error(`creating project ${name}: HTTP ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const key = await fetch(`${flowtrace.apiUrl}/admin/projects/${id}/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'app' }) });
  if (key.status !== 201) throw new Error(`creating a key of project ${name}: HTTP ${key.status} ${await key.text()}`);
  return { id, key: ((await key.json()) as { key: string }).key };
}
