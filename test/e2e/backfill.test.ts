/**
 * A backfill recorded with @flowtrace/instrumentation into `flowtrace start`,
 * as a new user runs one: a script that records thousands of workflow
 * executions, configured only by OTEL_EXPORTER_OTLP_ENDPOINT and
 * FLOWTRACE_API_KEY. With the documented bulk API every execution arrives;
 * a plain loop that overflows the SDK's export queues loses executions, but
 * never silently: it warns with the count, and the count is exactly what
 * Task History misses.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/store.js';
import { REPO_ROOT, createProject, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const run = promisify(execFile);
const APP = `${REPO_ROOT}test/e2e/backfill-app.mjs`;
/** The backfill: 20,000 workflow executions of two spans and a log or two each. */
const BULK_COUNT = 20_000;
const dir = tempDir('flowtrace-backfill-');
let flowtrace: RunningFlowtrace;

beforeAll(async () => {
  flowtrace = await startFlowtrace(dir.path);
});
afterAll(async () => {
  await flowtrace?.stop();
  dir.remove();
});

async function recordBackfill(project: { key: string }, env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [APP], {
    cwd: REPO_ROOT,
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: flowtrace.otlpUrl, FLOWTRACE_API_KEY: project.key, OTEL_SERVICE_NAME: 'backfill', ...env },
    maxBuffer: 16 << 20,
  });
}

async function taskHistoryTotal(project: { id: string; key: string }, query = ''): Promise<number> {
  const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}/task-history/workflow-executions?limit=1${query}`, { headers: { authorization: `Bearer ${project.key}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { total: number }).total;
}

describe('a backfill recorded with recordWorkflowExecutions', () => {
  it(`arrives whole: all ${BULK_COUNT} executions are in Task History, and the script reports nothing lost`, async () => {
    const project = await createProject(flowtrace, 'bulk');
    const { stdout, stderr } = await recordBackfill(project, { MODE: 'bulk', COUNT: String(BULK_COUNT), STEPS: '1' });
    const result = JSON.parse(stdout.trim()) as { recorded: number; lost: unknown };
    expect(result).toMatchObject({ recorded: BULK_COUNT, lost: { dropped: { spans: 0, logs: 0 }, failed: { spans: 0, logs: 0 } } });
    expect(stderr).not.toContain('FlowtraceWarning');
    expect(await taskHistoryTotal(project)).toBe(BULK_COUNT);
    // Every tenth execution failed: the failures arrive with the rest.
    expect(await taskHistoryTotal(project, '&status=FAILED')).toBe(Math.ceil(BULK_COUNT / 10));
  });
});

describe('a plain loop of recordWorkflowExecution that overflows the export queues', () => {
  it('loses executions, warns with how many spans and logs were dropped, and the count is exactly what Task History misses', async () => {
    const project = await createProject(flowtrace, 'loop');
    const count = 2_000;
    // Queues of 64 (the default is 2,048): one span and one log per execution, so a dropped span is a lost execution.
    const { stdout, stderr } = await recordBackfill(project, { MODE: 'loop', COUNT: String(count), STEPS: '0', OTEL_BSP_MAX_QUEUE_SIZE: '64', OTEL_BLRP_MAX_QUEUE_SIZE: '64' });
    expect(JSON.parse(stdout.trim())).toMatchObject({ recorded: count });

    const warning = /FlowtraceWarning: flowtrace: dropped (\d+) spans and (\d+) logs: the export queue was full \(spans: 64, OTEL_BSP_MAX_QUEUE_SIZE; logs: 64, OTEL_BLRP_MAX_QUEUE_SIZE\)\. To record in bulk without loss, use `await flowtrace\.recordAll\(items, record\)`/.exec(stderr);
    expect(warning, stderr).not.toBeNull();
    const [droppedSpans, droppedLogs] = [Number(warning![1]), Number(warning![2])];
    expect(stderr.match(/FlowtraceWarning/g)).toHaveLength(1);
    // The final report, when the SDK shuts down on exit, repeats the total.
    expect(stderr).toContain(`flowtrace: in all, ${droppedSpans} spans and ${droppedLogs} logs dropped with the export queue full since start; none of them reached Flowtrace`);

    const stored = await taskHistoryTotal(project);
    expect(stored).toBeGreaterThan(0);
    expect(count - stored).toBe(droppedSpans);
    const logs = await fetch(`${flowtrace.apiUrl}/projects/${project.id}/event-logs?type=Workflow&limit=500`, { headers: { authorization: `Bearer ${project.key}` } });
    const page = (await logs.json()) as { logs: unknown[]; nextCursor?: string };
    expect(page.nextCursor).toBeUndefined();
    expect(count - page.logs.length).toBe(droppedLogs);
  });
});

describe('an app that calls process.exit() right after recording', () => {
  it('cannot wait for the export, and says on its way out how much it leaves unsent', async () => {
    const project = await createProject(flowtrace, 'exit');
    const { stderr } = await recordBackfill(project, { MODE: 'exit', COUNT: '100', STEPS: '0' });
    expect(stderr).toContain('flowtrace: exiting with 100 spans and 100 logs not yet exported; they are lost. Call `await shutdown()` (or `await flowtrace.flush()`) before process.exit().');
    expect(await taskHistoryTotal(project)).toBe(0);
  });
});
