import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI, run as its own process: chDB opens one data directory per process. */
const FLOWTRACE_BIN = fileURLToPath(new URL('../../cli/bin/flowtrace.js', import.meta.url));

/** The admin token every benchmark server is started with (32 characters; never a real one). */
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcd';

export interface ServerChild {
  pid: number;
  otlpUrl: string;
  /** host:port of OTLP/gRPC. */
  grpcAddress: string;
  apiUrl: string;
  /** Resident and peak resident memory of the server process, in bytes (/proc/<pid>/status). */
  memory(): { rss: number; peak: number };
  /** What the server wrote to stderr (its JSON log). */
  stderr(): string;
  /** Sends SIGTERM; resolves with the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

/** Starts `flowtrace start` on `dataDir`, on ephemeral loopback ports; resolves once its banner is printed. */
export async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerChild> {
  const child = spawn(process.execPath, [FLOWTRACE_BIN, 'start'], {
    env: {
      ...process.env,
      FLOWTRACE_DATA_DIR: dataDir,
      FLOWTRACE_HOST: '127.0.0.1',
      FLOWTRACE_OTLP_HTTP_PORT: '0',
      FLOWTRACE_OTLP_GRPC_PORT: '0',
      FLOWTRACE_API_PORT: '0',
      FLOWTRACE_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      FLOWTRACE_SPOOL_DIR: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/\n {2}Data {7}.*\n/.test(stdout)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`flowtrace did not start.\nstdout: ${stdout}\nstderr: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const port = (pattern: RegExp) => {
    const found = pattern.exec(stdout)?.[1];
    if (!found) throw new Error(`no ${pattern.source} in the banner:\n${stdout}`);
    return found;
  };
  const pid = child.pid!;
  return {
    pid,
    otlpUrl: `http://127.0.0.1:${port(/OTLP\/HTTP {2}http:\/\/127\.0\.0\.1:(\d+)/)}`,
    grpcAddress: `127.0.0.1:${port(/OTLP\/gRPC {2}127\.0\.0\.1:(\d+)/)}`,
    apiUrl: `http://127.0.0.1:${port(/Query API {2}http:\/\/127\.0\.0\.1:(\d+)/)}`,
    memory: () => processMemory(pid),
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function processMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Creates a project and an API key through the admin API; returns the key. */
export async function createProjectKey(apiUrl: string, name: string): Promise<string> {
  const admin = async <T>(path: string, body: object): Promise<T> => {
    const res = await fetch(`${apiUrl}/admin${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST /admin${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const project = await admin<{ id: string }>('/projects', { name });
  const apiKey = await admin<{ key: string }>(`/projects/${project.id}/api-keys`, { name: 'bench' });
  return apiKey.key;
}
