import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import type { ImportResult } from '@flowtrace/collector';
import { COLLECTOR_TARGET, send } from './http.js';
import { Progress } from './progress.js';

type ImportRefusal = ImportResult['refusals'][number];
type ImportLimits = ImportResult['limits'];

export interface ImportOptions {
  dir: string;
  /** Names this export in the ledger; default the directory's name. */
  source?: string;
  endpoint: string;
  apiKey: string;
  /** Files per request. */
  batchFiles?: number;
  /** Bytes per request (a larger file goes alone). */
  batchBytes?: number;
}

export interface ImportSummary {
  files: number;
  imported: number;
  skipped: number;
  failed: Array<{ path: string; error: string }>;
  /** Files not imported for records outside what the project keeps: not recorded, a later run imports them. */
  refused: ImportResult['refused'];
  spans: number;
  logs: number;
  /** Records not stored, all reasons. */
  rejected: number;
  /** The same records per reason, over every batch. */
  refusals: ImportRefusal[];
  /** What the collector checked the records against (its latest answer). */
  limits?: ImportLimits;
}

/**
 * Loads a Workato export tree (user_id/jobs/recipe_id/YYYYMMDD/job_id/*.json)
 * into Flowtrace through a running collector: files already imported (same
 * path, same content) are skipped, the rest are sent in batches; a file that
 * cannot be read or parsed is reported and the others go on.
 */
export async function importWorkato(options: ImportOptions): Promise<ImportSummary> {
  const root = resolve(options.dir);
  const source = options.source ?? basename(root);
  const paths = await jsonFiles(root);
  const summary: ImportSummary = { files: paths.length, imported: 0, skipped: 0, failed: [], refused: [], spans: 0, logs: 0, rejected: 0, refusals: [] };
  const progress = new Progress('import', paths.length);
  const batchFiles = options.batchFiles ?? 100;
  const batchBytes = options.batchBytes ?? 8 * 1024 * 1024;
  let batch: Array<{ path: string; sha256: string; text: string }> = [];
  let bytes = 0;

  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await send(
      `${options.endpoint}${path}`,
      { method: 'POST', headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) },
      COLLECTOR_TARGET,
    );
    const answer = (await res.json().catch(() => ({}))) as T & { error?: { message: string } };
    if (!res.ok) throw new Error(`${options.endpoint}${path} answered ${res.status}: ${answer.error?.message ?? 'no message'}`);
    return answer;
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const files = batch;
    batch = [];
    bytes = 0;
    const { imported } = await post<{ imported: string[] }>('/ingest/workato/import/check', { source, files: files.map(({ path, sha256 }) => ({ path, sha256 })) });
    const known = new Set(imported);
    const fresh = files.filter((f) => !known.has(f.path));
    summary.skipped += files.length - fresh.length;
    if (fresh.length > 0) {
      const answer = await post<ImportResult>('/ingest/workato/import', { source, files: fresh });
      summary.imported += answer.imported.length;
      summary.skipped += answer.skipped.length;
      summary.failed.push(...answer.failed);
      summary.refused.push(...answer.refused);
      summary.spans += answer.spans;
      summary.logs += answer.logs;
      summary.rejected += answer.rejected;
      for (const refusal of answer.refusals) mergeRefusal(summary.refusals, refusal);
      summary.limits = answer.limits;
    }
    progress.advance(files.length, `${summary.imported} imported, ${summary.skipped} skipped, ${summary.refused.length} refused, ${summary.failed.length} failed`);
  };

  for (const path of paths) {
    const rel = relative(root, path);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      summary.failed.push({ path: rel, error: `cannot read: ${(err as Error).message}` });
      progress.advance(1);
      continue;
    }
    if (batch.length > 0 && (batch.length >= batchFiles || bytes + text.length > batchBytes)) await flush();
    batch.push({ path: rel, sha256: createHash('sha256').update(text).digest('hex'), text });
    bytes += text.length;
  }
  await flush();
  progress.finish();
  return summary;
}

/** Every .json file under `dir`, in a stable order. */
async function jsonFiles(dir: string): Promise<string[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`${dir} is not a directory`);
  const out: string[] = [];
  const walk = async (current: string) => {
    const entries = await readdir(current, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.endsWith('.json')) out.push(full);
    }
  };
  await walk(dir);
  return out;
}

/** Adds a batch's refusal to the run's, by reason. */
function mergeRefusal(into: ImportRefusal[], refusal: ImportRefusal): void {
  const known = into.find((r) => r.reason === refusal.reason);
  if (!known) {
    into.push({ ...refusal });
    return;
  }
  known.records += refusal.records;
  known.files += refusal.files;
  if (refusal.oldest && (!known.oldest || refusal.oldest < known.oldest)) known.oldest = refusal.oldest;
  if (refusal.newest && (!known.newest || refusal.newest > known.newest)) known.newest = refusal.newest;
  known.message ??= refusal.message;
}

const DAY_MS = 86_400_000;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const day = (iso: string) => iso.slice(0, 10);

/**
 * What `flowtrace import workato` prints, and its exit code: 0 when every file
 * is imported or was already, 1 when any was refused or could not be read (a
 * run that stored nothing among them). Refused records are counted per
 * reason; for history older than what is kept, the retention it needs and
 * how to set it.
 */
export function importReport(summary: ImportSummary, dir: string, now = Date.now()): { text: string; code: number } {
  const lines: string[] = [];
  if (summary.files === 0) {
    return { text: `found no .json files under ${dir}: an export tree holds user_id/jobs/recipe_id/YYYYMMDD/job_id/*.json`, code: 1 };
  }
  lines.push(
    `${summary.files} files: ${summary.imported} imported (${summary.spans} spans, ${summary.logs} logs), ` +
      `${summary.skipped} skipped as already imported, ${summary.refused.length} refused, ${summary.failed.length} could not be read`,
  );
  const storedNothing = summary.imported === 0 && summary.skipped < summary.files;
  if (storedNothing) lines.push('Nothing was stored.');
  if (summary.rejected > 0) {
    lines.push(`${plural(summary.rejected, 'record was', 'records were')} not stored:`);
    for (const refusal of summary.refusals) lines.push(`  ${refusalLine(refusal, summary.limits)}`);
  }
  if (summary.refused.length > 0) {
    lines.push('Refused files (not recorded as imported: a later run imports them once what the project keeps covers them):');
    for (const file of summary.refused.slice(0, 20)) lines.push(`  ${file.path}: ${file.reason === 'older_than_retention' ? 'older than the retention' : 'ahead of the clock'}`);
    if (summary.refused.length > 20) lines.push(`  … and ${summary.refused.length - 20} more`);
  }
  const older = summary.refusals.find((r) => r.reason === 'older_than_retention');
  if (older?.oldest && summary.limits) lines.push(...historyHelp(older.oldest, summary.limits, summary.imported > 0, now));
  if (summary.failed.length > 0) {
    lines.push('Could not be read:');
    for (const failure of summary.failed) lines.push(`  ${failure.path}: ${failure.error}`);
  }
  return { text: lines.join('\n'), code: summary.refused.length > 0 || summary.failed.length > 0 || storedNothing ? 1 : 0 };
}

function refusalLine(refusal: ImportRefusal, limits: ImportLimits | undefined): string {
  const records = plural(refusal.records, 'record');
  const files = plural(refusal.files, 'file');
  switch (refusal.reason) {
    case 'older_than_retention':
      return `${records} in ${files} older than what this project keeps${limits ? ` (${keptSince(limits)})` : ''}: from ${day(refusal.oldest ?? '')} to ${day(refusal.newest ?? '')}`;
    case 'ahead_of_clock':
      return `${records} in ${files} ahead of the collector's clock by more than FLOWTRACE_MAX_FUTURE_SKEW_SECONDS${limits ? `=${limits.maxFutureSkewSeconds}` : ''} (the latest at ${refusal.newest}): check the export's times and the host's clock`;
    case 'same_file':
      return `${records} within the retention, held back with the rest of their ${files}: a file is imported whole or not at all`;
    case 'invalid':
      return `${records} in ${files} invalid in the file itself, not stored (the files' other records are, and running again will not change these): ${refusal.message ?? ''}`;
    default:
      return `${records}: ${String(refusal.reason)}`;
  }
}

/** "records from 2026-10-30 on: FLOWTRACE_TTL_DAYS=30, the project's retention 7 days". */
function keptSince(limits: ImportLimits): string {
  const why = [`FLOWTRACE_TTL_DAYS=${limits.ttlDays}${limits.ttlDays === 0 ? ' (forever)' : ''}`];
  const policy = limits.projectRetention;
  if (policy && policy.maxAgeDays > 0) why.push(`the project's retention (plan ${policy.plan}) ${policy.maxAgeDays} days`);
  return `${limits.earliest ? `records since ${day(limits.earliest)}` : 'every record'}: ${why.join(', ')}`;
}

/** How to get history older than what is kept in: the retention it needs, and where to set it. */
function historyHelp(oldest: string, limits: ImportLimits, someImported: boolean, now: number): string[] {
  const needed = Math.ceil((now - Date.parse(oldest)) / DAY_MS) + 1;
  const steps: string[] = [];
  if (limits.ttlDays !== 0 && limits.ttlDays < needed) {
    steps.push(`restart Flowtrace (flowtrace start) with FLOWTRACE_TTL_DAYS=${needed} or more, or FLOWTRACE_TTL_DAYS=0 to keep everything (it bounds every project)`);
  }
  const policy = limits.projectRetention;
  if (policy && policy.maxAgeDays > 0 && policy.maxAgeDays < needed) {
    const body = JSON.stringify({ plan: 'custom', maxAgeDays: Math.min(needed, 3650), ...(policy.maxLogs > 0 ? { maxLogs: policy.maxLogs } : {}) });
    steps.push(
      `set the project's retention to at least ${needed} days (it keeps ${policy.maxAgeDays}; the most is 3650): ` +
        `PUT /admin/projects/${limits.projectId}/retention with ${body} on the query API, with the admin token` +
        (policy.maxLogs > 0 ? `; its limit of ${policy.maxLogs} logs also applies, the oldest going first` : ''),
    );
  }
  steps.push(`run this import again: refused files were not recorded as imported, so they are imported then${someImported ? ' (the files imported now are skipped)' : ''}`);
  return [
    `To import this history: the oldest record is from ${day(oldest)}, ${plural(needed - 1, 'day')} ago, so records must be kept for at least ${needed} days:`,
    ...steps.map((step, i) => `  ${i + 1}. ${step}`),
  ];
}
