/**
 * `flowtrace demo` against a running `flowtrace start`: two projects, and a
 * readable trace of every event family in each.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeline } from '@flowtrace/query-api';
import { tempDir } from '../support/store.js';
import { FLOWTRACE_BIN, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const run = promisify(execFile);
const dir = tempDir('flowtrace-demo-');
let flowtrace: RunningFlowtrace;

beforeAll(async () => {
  flowtrace = await startFlowtrace(dir.path);
});
afterAll(async () => {
  await flowtrace?.stop();
  dir.remove();
});

const FAMILIES = ['trigger', 'workflow_execution', 'tool_call', 'trigger_event', 'trigger_subscription', 'sync_run', 'credential_refresh', 'agent_run', 'job'];

describe('flowtrace demo', () => {
  it('populates two projects with every family, each trace readable with its project key', async () => {
    const { stdout, stderr } = await run(process.execPath, [FLOWTRACE_BIN, 'demo', '--json', '--scale', '4'], {
      env: { ...process.env, FLOWTRACE_ENDPOINT: flowtrace.otlpUrl, FLOWTRACE_API_URL: flowtrace.apiUrl, FLOWTRACE_ADMIN_TOKEN: flowtrace.adminToken! },
    });
    expect(stderr).toMatch(/demo \[#+\]/);
    const { projects } = JSON.parse(stdout) as { projects: Array<{ id: string; key: string; traces: Record<string, string>; counts: Record<string, number> }> };
    expect(projects).toHaveLength(2);
    for (const project of projects) {
      expect(Object.keys(project.traces).sort()).toEqual([...FAMILIES].sort());
      expect(project.counts.workflow_execution).toBe(4);
      for (const family of FAMILIES) {
        const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}/traces/${project.traces[family]}`, { headers: { authorization: `Bearer ${project.key}` } });
        expect(res.status, `${family} of ${project.id}`).toBe(200);
        const t = (await res.json()) as Timeline;
        expect(t.spans.length).toBeGreaterThan(0);
        expect(t.spans[0]!.attributes['flowtrace.kind']).toBe(family);
      }
    }
    // Each project's key reads its own traces only.
    const [a, b] = projects;
    const foreign = await fetch(`${flowtrace.apiUrl}/projects/${a!.id}/traces/${a!.traces.workflow_execution}`, { headers: { authorization: `Bearer ${b!.key}` } });
    expect(foreign.status).toBe(404);
  });

  it('names the missing admin token', async () => {
    const out = await run(process.execPath, [FLOWTRACE_BIN, 'demo'], { env: { ...process.env, FLOWTRACE_ADMIN_TOKEN: '' } }).catch((err: { code: number; stderr: string }) => err);
    expect((out as { code: number }).code).toBe(2);
    expect((out as { stderr: string }).stderr).toContain('FLOWTRACE_ADMIN_TOKEN (or --admin-token): the admin token is required');
  });
});
