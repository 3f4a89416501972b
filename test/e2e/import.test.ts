/**
 * `flowtrace import workato <dir>` against a running `flowtrace start`: an
 * export tree is loaded with progress, files already imported are skipped on a
 * second run, unreadable files are reported, and a job whose lines exceeded
 * Workato's size limit keeps its context.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobTraceId } from '@flowtrace/conventions';
import type { Timeline } from '@flowtrace/query-api';
import { tempDir } from '../support/store.js';
import { FLOWTRACE_BIN, REPO_ROOT, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const run = promisify(execFile);
const data = tempDir('flowtrace-import-data-');
const tree = tempDir('flowtrace-import-tree-');
let flowtrace: RunningFlowtrace;
let project: { id: string; key: string };

const sample = (name: string) => readFileSync(`${REPO_ROOT}collector/test/fixtures/workato/${name}`, 'utf8');
function put(path: string, text: string) {
  mkdirSync(join(tree.path, path, '..'), { recursive: true });
  writeFileSync(join(tree.path, path), text);
}

beforeAll(async () => {
  // Export trees hold old jobs: no retention, or they would be refused as expired.
  flowtrace = await startFlowtrace(data.path, { FLOWTRACE_TTL_DAYS: '0' });
  const admin = { authorization: `Bearer ${flowtrace.adminToken}`, 'content-type': 'application/json' };
  const created = (await (await fetch(`${flowtrace.apiUrl}/admin/projects`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'import' }) })).json()) as { id: string };
  const key = (await (await fetch(`${flowtrace.apiUrl}/admin/projects/${created.id}/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'import' }) })).json()) as { key: string };
  project = { id: created.id, key: key.key };
  put('33359/jobs/3026581/20221019/j-AEcaNzd9-dGQ4Bf/33359-3026581-j-AEcaNzd9-dGQ4Bf-20221019-succeeded.json', sample('01_job_history_success.json'));
  put('33359/jobs/3026581/20221019/j-AEcaQsxm-Ec4PRe/33359-3026581-j-AEcaQsxm-Ec4PRe-20221019-failed.json', sample('03_job_history_failure.json'));
  const big = JSON.parse(sample('01_job_history_success.json'));
  big.id = 'j-too-big';
  big.lines = 'Log lines exceed size limit';
  put('33359/jobs/3026581/20221019/j-too-big/33359-3026581-j-too-big-20221019-succeeded.json', JSON.stringify(big));
  for (let i = 0; i < 120; i++) {
    put(`1/jobs/9/20221020/j-bulk-${i}/1-9-j-bulk-${i}-20221020-succeeded.json`, JSON.stringify({ id: `j-bulk-${i}`, recipe_id: 9, status: 'succeeded', started_at: '2022-10-20T10:00:00Z', completed_at: '2022-10-20T10:00:01Z' }));
  }
  put('1/jobs/9/20221020/j-broken/broken.json', '{"id": "j-broken", "recipe_id": ');
  put('1/jobs/9/20221020/j-empty/empty.json', '');
});
afterAll(async () => {
  await flowtrace?.stop();
  data.remove();
  tree.remove();
});

const importTree = () =>
  run(process.execPath, [FLOWTRACE_BIN, 'import', 'workato', tree.path, '--source', 'export-2022'], {
    env: { ...process.env, FLOWTRACE_ENDPOINT: flowtrace.otlpUrl, FLOWTRACE_API_KEY: project.key },
  }).then(
    (out) => ({ code: 0, ...out }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );

describe('flowtrace import workato', () => {
  it('loads the tree, reports what it could not read, and skips everything on a second run', async () => {
    const first = await importTree();
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('125 files: 123 imported');
    expect(first.stdout).toContain('0 skipped as already imported, 0 refused, 2 could not be read');
    expect(first.stdout).toMatch(/1\/jobs\/9\/20221020\/j-broken\/broken.json: invalid JSON/);
    expect(first.stdout).toContain('1/jobs/9/20221020/j-empty/empty.json: the file is empty');
    expect(first.stderr).toMatch(/import \[#+\] 125\/125 100%/);

    const res = await fetch(`${flowtrace.apiUrl}/projects/${project.id}/traces/${jobTraceId('j-AEcaQsxm-Ec4PRe')}`, { headers: { authorization: `Bearer ${project.key}` } });
    expect(((await res.json()) as Timeline).spans.map((s) => s.name)).toEqual(['job Update customer contact details', 'workato_recipe_function.execute', 'salesforce.create_custom_object']);
    const big = (await (await fetch(`${flowtrace.apiUrl}/projects/${project.id}/traces/${jobTraceId('j-too-big')}`, { headers: { authorization: `Bearer ${project.key}` } })).json()) as Timeline;
    expect(big.spans[0]!.attributes).toMatchObject({ 'flowtrace.job.lines_omitted': 'true', 'flowtrace.recipe.name': 'Update customer contact details', 'user.id': '33359' });
    expect(big.logs.map((l) => l.body)).toContain('Log lines exceed size limit');

    const second = await importTree();
    expect(second.stdout).toContain('125 files: 0 imported (0 spans, 0 logs), 123 skipped as already imported, 0 refused, 2 could not be read');
    // Nothing new, but two files still not in: not a success.
    expect(second.code).toBe(1);
  });

  it('names the missing key', async () => {
    const out = await run(process.execPath, [FLOWTRACE_BIN, 'import', 'workato', tree.path], { env: { ...process.env, FLOWTRACE_API_KEY: '' } }).catch((err: { code: number; stderr: string }) => err);
    expect((out as { code: number }).code).toBe(2);
    expect((out as { stderr: string }).stderr).toContain('FLOWTRACE_API_KEY (or --key): a project API key is required');
  });
});
