import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import type { ImportResult } from '@flowtrace/collector';
import { Progress } from './progress.js';

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
  spans: number;
  logs: number;
  rejected: number;
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
  const summary: ImportSummary = { files: paths.length, imported: 0, skipped: 0, failed: [], spans: 0, logs: 0, rejected: 0 };
  const progress = new Progress('import', paths.length);
  const batchFiles = options.batchFiles ?? 100;
  const batchBytes = options.batchBytes ?? 8 * 1024 * 1024;
  let batch: Array<{ path: string; sha256: string; text: string }> = [];
  let bytes = 0;

  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${options.endpoint}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
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
      summary.spans += answer.spans;
      summary.logs += answer.logs;
      summary.rejected += answer.rejected;
    }
    progress.advance(files.length, `${summary.imported} imported, ${summary.skipped} skipped, ${summary.failed.length} failed`);
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
