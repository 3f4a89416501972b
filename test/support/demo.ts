import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FLOWTRACE_BIN, startFlowtrace } from './flowtrace.js';
import { tempDir } from './store.js';

const run = promisify(execFile);

/** One project `flowtrace demo` created, as its `--json` output describes it. */
export interface DemoProject {
  id: string;
  name: string;
  key: string;
  /** One trace id per family (workflow_execution, tool_call, sync_run, …). */
  traces: Record<string, string>;
  /** Executions sent per family. */
  counts: Record<string, number>;
}

export interface DemoData {
  /** A data directory holding the demo's projects and data; no process has it open. */
  dataDir: string;
  projects: DemoProject[];
  /** Deletes the data directory. */
  remove: () => void;
}

/**
 * Loads `flowtrace demo` data into a fresh data directory: runs the built
 * `flowtrace start` on it in a child process, sends the demo to it with the
 * built `flowtrace demo`, waits until every family's trace can be read back,
 * and stops the child. The caller then opens the directory with openStore in
 * its own process (chDB binds one data directory per process, so the child
 * has to be gone first).
 */
export async function loadDemoData(options: { scale?: number } = {}): Promise<DemoData> {
  const dir = tempDir('flowtrace-demo-data-');
  try {
    const flowtrace = await startFlowtrace(dir.path);
    let projects: DemoProject[];
    try {
      if (!flowtrace.adminToken) throw new Error(`flowtrace start printed no admin token on a fresh data directory:\n${flowtrace.stdout()}`);
      const { stdout } = await run(process.execPath, [FLOWTRACE_BIN, 'demo', '--json', '--scale', String(options.scale ?? 12)], {
        env: { ...process.env, FLOWTRACE_ENDPOINT: flowtrace.otlpUrl, FLOWTRACE_API_URL: flowtrace.apiUrl, FLOWTRACE_ADMIN_TOKEN: flowtrace.adminToken },
        maxBuffer: 16 * 1024 * 1024,
      });
      projects = (JSON.parse(stdout) as { projects: DemoProject[] }).projects;
      await waitUntilReadable(flowtrace.apiUrl, projects);
    } catch (err) {
      await flowtrace.stop();
      throw new Error(`loading the demo data failed: ${err instanceof Error ? err.message : String(err)}\nflowtrace stderr: ${flowtrace.stderr()}`);
    }
    const code = await flowtrace.stop();
    if (code !== 0) throw new Error(`flowtrace start exited with ${code} on SIGTERM\nstderr: ${flowtrace.stderr()}`);
    return { dataDir: dir.path, projects, remove: dir.remove };
  } catch (err) {
    dir.remove();
    throw err;
  }
}

/** Reads one trace of every family of every project through the query API, until each answers. */
async function waitUntilReadable(apiUrl: string, projects: readonly DemoProject[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const project of projects) {
    for (const [family, traceId] of Object.entries(project.traces)) {
      for (;;) {
        const res = await fetch(`${apiUrl}/projects/${project.id}/traces/${traceId}`, { headers: { authorization: `Bearer ${project.key}` } });
        await res.arrayBuffer();
        if (res.status === 200) break;
        if (res.status !== 404 || Date.now() > deadline) {
          throw new Error(`the ${family} trace ${traceId} of ${project.name} is not readable: HTTP ${res.status}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}
