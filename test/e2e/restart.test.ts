import { afterAll, describe, expect, it } from 'vitest';
import { createProject, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';
import { tempDir } from '../support/store.js';

const dir = tempDir('flowtrace-restart-');
let flowtrace: RunningFlowtrace | undefined;

afterAll(async () => {
  await flowtrace?.stop();
  dir.remove();
});

/** The messages of the JSON log lines, in the order they were written. */
const messages = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; projects?: number });

describe('a restart on a store with retention policies', () => {
  it('serves first, then trims in the background and says so', async () => {
    // First start: a project with a log limit, over which it then writes.
    flowtrace = await startFlowtrace(dir.path);
    const adminToken = flowtrace.adminToken!;
    const project = await createProject(flowtrace, 'restart-retention');
    const retention = await fetch(`${flowtrace.apiUrl}/admin/projects/${project.id}/retention`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ plan: 'custom', maxLogs: 10 }),
    });
    expect(retention.status).toBe(200);
    const now = Date.now();
    const logRecords = Array.from({ length: 40 }, (_, i) => ({ timeUnixNano: (BigInt(now - 60_000 + i * 1000) * 1_000_000n).toString(), severityNumber: 9, body: { stringValue: `log ${i}` } }));
    const sent = await fetch(`${flowtrace.otlpUrl}/v1/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${project.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: {}, logRecords }] }] }),
    });
    expect(sent.status).toBe(200);
    expect(await flowtrace.stop()).toBe(0);

    // The restart: the banner and the `serving` line come before the pass over the project's policy.
    flowtrace = await startFlowtrace(dir.path);
    const deadline = Date.now() + 60_000;
    while (!messages(flowtrace.stderr()).some((m) => m.msg === 'retention pass finished')) {
      if (Date.now() > deadline) throw new Error(`no 'retention pass finished' in the log:\n${flowtrace.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const log = messages(flowtrace.stderr());
    const at = (msg: string) => log.findIndex((m) => m.msg === msg);
    expect(at('serving')).toBeGreaterThanOrEqual(0);
    expect(at('retention pass started')).toBeGreaterThan(at('serving'));
    expect(at('retention pass finished')).toBeGreaterThan(at('retention pass started'));
    expect(log[at('retention pass finished')]).toMatchObject({ projects: 1 });
    // The limit holds after the pass: 10 logs of 40.
    const logs = await fetch(`${flowtrace.apiUrl}/projects/${project.id}/event-logs?limit=100`, { headers: { authorization: `Bearer ${project.key}` } });
    expect(logs.status).toBe(200);
    expect(((await logs.json()) as { logs: unknown[] }).logs).toHaveLength(10);
  });
});
