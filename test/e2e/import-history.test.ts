/**
 * A new user imports a Workato export of 2022–2024 into `flowtrace start` as
 * it comes (30 days of retention): the import stores nothing, says so with
 * exit code 1, says why and which retention it takes, and records no file as
 * imported. Restarted with FLOWTRACE_TTL_DAYS=0, the same import brings
 * everything in, and a third run skips every file. A project with a retention
 * of its own is told to widen it too, and once it has, gets the same records.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobTraceId } from '@flowtrace/conventions';
import type { Timeline } from '@flowtrace/query-api';
import { tempDir } from '../support/store.js';
import { FLOWTRACE_BIN, REPO_ROOT, createProject, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const run = promisify(execFile);
const data = tempDir('flowtrace-history-data-');
const tree = tempDir('flowtrace-history-tree-');
let flowtrace: RunningFlowtrace | undefined;
let adminToken: string;
/** No retention of its own: only FLOWTRACE_TTL_DAYS. */
let plain: { id: string; key: string };
/** The trial plan: 7 days. */
let trial: { id: string; key: string };

// Seed 004's samples (as the collector's fixtures hold them), placed as Workato exports them.
const SAMPLES: Array<[string, string]> = [
  ['33359/jobs/3026581/20221019/j-AEcaNzd9-dGQ4Bf/33359-3026581-j-AEcaNzd9-dGQ4Bf-20221019-succeeded.json', '01_job_history_success.json'],
  ['33359/jobs/3026581/20221019/j-AEcaQsxm-Ec4PRe/33359-3026581-j-AEcaQsxm-Ec4PRe-20221019-failed.json', '03_job_history_failure.json'],
  ['12345/jobs/654321/20230907/j-1234ABC/12345-654321-j-1234ABC-20230907-succeeded.json', '31_full_job_details.json'],
  ['12345/jobs/35428227/20231222/job-123456789/12345-35428227-job-123456789-20231222-succeeded.json', '02_job_history_summary.json'],
  ['12345/jobs/98765/20240311/job-000001/12345-98765-job-000001-20240311-succeeded.json', '30_job_status_only.json'],
];
const JOBS = ['j-AEcaNzd9-dGQ4Bf', 'j-AEcaQsxm-Ec4PRe', 'j-1234ABC', 'job-123456789', 'job-000001'];

beforeAll(async () => {
  for (const [path, sample] of SAMPLES) {
    mkdirSync(join(tree.path, path, '..'), { recursive: true });
    writeFileSync(join(tree.path, path), readFileSync(`${REPO_ROOT}collector/test/fixtures/workato/${sample}`));
  }
  flowtrace = await startFlowtrace(data.path);
  adminToken = flowtrace.adminToken!;
  plain = await createProject(flowtrace, 'history');
  trial = await createProject(flowtrace, 'history on trial');
  const res = await admin('PUT', `/admin/projects/${trial.id}/retention`, { plan: 'trial' });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await flowtrace?.stop();
  data.remove();
  tree.remove();
});

const admin = (method: string, path: string, body: unknown) =>
  fetch(`${flowtrace!.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

const importTree = (key: string) =>
  run(process.execPath, [FLOWTRACE_BIN, 'import', 'workato', tree.path, '--source', 'workato-2022-2024'], {
    env: { ...process.env, FLOWTRACE_ENDPOINT: flowtrace!.otlpUrl, FLOWTRACE_API_KEY: key },
  }).then(
    (out) => ({ code: 0, ...out }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );

/** The files the collector's ledger holds as imported, asked as the import asks. */
async function recorded(key: string): Promise<string[]> {
  const files = SAMPLES.map(([path]) => ({ path, sha256: createHash('sha256').update(readFileSync(join(tree.path, path))).digest('hex') }));
  const res = await fetch(`${flowtrace!.otlpUrl}/ingest/workato/import/check`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source: 'workato-2022-2024', files }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { imported: string[] }).imported;
}

async function jobTrace(project: { id: string; key: string }, job: string): Promise<{ status: number; timeline?: Timeline }> {
  const res = await fetch(`${flowtrace!.apiUrl}/projects/${project.id}/traces/${jobTraceId(job)}`, { headers: { authorization: `Bearer ${project.key}` } });
  return { status: res.status, timeline: res.status === 200 ? ((await res.json()) as Timeline) : undefined };
}

/** "N records were not stored" of a report. */
const notStored = (stdout: string) => Number(/^(\d+) records? (?:was|were) not stored:$/m.exec(stdout)?.[1]);

let refusedRecords = 0;

describe('importing history older than the retention', () => {
  it('with 30 days of retention: stores nothing, exits 1, says why and how, records no file', async () => {
    const first = await importTree(plain.key);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('5 files: 0 imported (0 spans, 0 logs), 0 skipped as already imported, 5 refused, 0 could not be read');
    expect(first.stdout).toContain('Nothing was stored.');
    refusedRecords = notStored(first.stdout);
    expect(refusedRecords).toBeGreaterThanOrEqual(JOBS.length);
    // Why, per reason: every record is older than the 30 days kept.
    expect(first.stdout).toMatch(new RegExp(`^  ${refusedRecords} records in 5 files older than what this project keeps \\(records since \\d{4}-\\d\\d-\\d\\d: FLOWTRACE_TTL_DAYS=30\\): from 2022-10-20 to 2024-03-1\\d$`, 'm'));
    // How: the retention it takes.
    const days = Math.ceil((Date.now() - Date.parse('2022-10-20T05:30:46Z')) / 86_400_000) + 1;
    expect(first.stdout).toContain(`To import this history: the oldest record is from 2022-10-20, ${days - 1} days ago, so records must be kept for at least ${days} days:`);
    expect(first.stdout).toContain(`1. restart Flowtrace (flowtrace start) with FLOWTRACE_TTL_DAYS=${days} or more, or FLOWTRACE_TTL_DAYS=0 to keep everything`);
    expect(first.stdout).toContain('2. run this import again: refused files were not recorded as imported');
    for (const [path] of SAMPLES) expect(first.stdout).toContain(`  ${path}: older than the retention`);

    expect(await recorded(plain.key)).toEqual([]);
    for (const job of JOBS) expect((await jobTrace(plain, job)).status, job).toBe(404);
  });

  it('restarted with FLOWTRACE_TTL_DAYS=0: imports every file, then skips them all', async () => {
    await flowtrace!.stop();
    flowtrace = await startFlowtrace(data.path, { FLOWTRACE_TTL_DAYS: '0' });

    const second = await importTree(plain.key);
    expect(second.stderr).toMatch(/import \[#+\] 5\/5 100%/);
    expect(second.code).toBe(0);
    const counts = /^5 files: 5 imported \((\d+) spans, (\d+) logs\), 0 skipped as already imported, 0 refused, 0 could not be read$/m.exec(second.stdout);
    expect(counts, second.stdout).not.toBeNull();
    // The records refused before, every one of them.
    expect(Number(counts![1]) + Number(counts![2])).toBe(refusedRecords);
    expect(second.stdout).not.toContain('not stored');
    expect((await recorded(plain.key)).sort()).toEqual(SAMPLES.map(([path]) => path).sort());
    let spans = 0;
    let logs = 0;
    for (const job of JOBS) {
      const { status, timeline } = await jobTrace(plain, job);
      expect(status, job).toBe(200);
      spans += timeline!.spans.length;
      logs += timeline!.logs.length;
    }
    expect([spans, logs]).toEqual([Number(counts![1]), Number(counts![2])]);
    const failed = await jobTrace(plain, 'j-AEcaQsxm-Ec4PRe');
    expect(failed.timeline!.spans.map((s) => s.name)).toEqual(['job Update customer contact details', 'workato_recipe_function.execute', 'salesforce.create_custom_object']);

    const third = await importTree(plain.key);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('5 files: 0 imported (0 spans, 0 logs), 5 skipped as already imported, 0 refused, 0 could not be read');
    expect(third.stdout).not.toContain('Nothing was stored');
  });

  it("a project with its own retention is told to widen it, and once it has, gets the same records", async () => {
    const refused = await importTree(trial.key);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('Nothing was stored.');
    expect(refused.stdout).toContain("FLOWTRACE_TTL_DAYS=0 (forever), the project's retention (plan trial) 7 days");
    expect(refused.stdout).not.toContain('restart Flowtrace');
    const widen = new RegExp(`set the project's retention to at least (\\d+) days \\(it keeps 7; the most is 3650\\): PUT /admin/projects/${trial.id}/retention with (\\{.*?\\}) on the query API`).exec(refused.stdout);
    expect(widen, refused.stdout).not.toBeNull();
    expect(JSON.parse(widen![2]!)).toEqual({ plan: 'custom', maxAgeDays: Number(widen![1]), maxLogs: 50_000 });
    expect(await recorded(trial.key)).toEqual([]);

    // As printed.
    expect((await admin('PUT', `/admin/projects/${trial.id}/retention`, JSON.parse(widen![2]!))).status).toBe(200);
    const imported = await importTree(trial.key);
    expect(imported.code).toBe(0);
    const counts = /^5 files: 5 imported \((\d+) spans, (\d+) logs\)/m.exec(imported.stdout);
    expect(Number(counts![1]) + Number(counts![2])).toBe(refusedRecords);
    for (const job of JOBS) expect((await jobTrace(trial, job)).status, job).toBe(200);
  });
});
