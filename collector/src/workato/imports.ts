import { createHash } from 'node:crypto';
import type { CaptureOptions } from '@flowtrace/instrumentation';
import { TABLES, type Store } from '@flowtrace/store';
import type { TimeWindow } from '../otlp/window.js';
import { WorkatoParseError, parseBody } from './parse.js';
import { mapItems, mergeMapped, type Mapped } from './map.js';
import { storeMapped } from './ingest.js';

/** At most this many files in one import request. */
export const MAX_IMPORT_FILES = 1000;

export interface ImportFile {
  /** The file's path in the export tree. */
  path: string;
  /** SHA-256 of `text`, hex. */
  sha256: string;
  text: string;
}

export interface ImportResult {
  imported: Array<{ path: string; items: number }>;
  /** Already imported with the same content. */
  skipped: string[];
  failed: Array<{ path: string; error: string }>;
  spans: number;
  logs: number;
  rejected: number;
}

export class ImportRequestError extends Error {
  override readonly name = 'ImportRequestError';
}

/** Validates an import request body: `{ source, files: [{ path, sha256, text? }] }`. */
export function parseImportRequest(body: unknown, withText: boolean): { source: string; files: ImportFile[] } {
  const problems: string[] = [];
  const b = (typeof body === 'object' && body !== null ? body : {}) as { source?: unknown; files?: unknown };
  if (typeof b.source !== 'string' || b.source.length === 0 || b.source.length > 200) problems.push('source: must be a string of 1 to 200 characters');
  if (!Array.isArray(b.files)) problems.push('files: must be an array');
  else if (b.files.length > MAX_IMPORT_FILES) problems.push(`files: at most ${MAX_IMPORT_FILES} per request, got ${b.files.length}`);
  const files: ImportFile[] = [];
  (Array.isArray(b.files) ? b.files : []).slice(0, MAX_IMPORT_FILES).forEach((f: unknown, i) => {
    const file = (typeof f === 'object' && f !== null ? f : {}) as Record<string, unknown>;
    if (typeof file.path !== 'string' || file.path === '') problems.push(`files[${i}].path: must be a non-empty string`);
    if (typeof file.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(file.sha256)) problems.push(`files[${i}].sha256: must be 64 lowercase hex characters`);
    if (withText && typeof file.text !== 'string') problems.push(`files[${i}].text: must be a string`);
    files.push({ path: String(file.path), sha256: String(file.sha256), text: typeof file.text === 'string' ? file.text : '' });
  });
  if (problems.length > 0) throw new ImportRequestError(problems.join('; '));
  return { source: b.source as string, files };
}

/** The paths among `files` already imported into the project from `source` with the same content. */
export async function alreadyImported(store: Store, projectId: string, source: string, files: Array<{ path: string; sha256: string }>): Promise<Set<string>> {
  if (files.length === 0) return new Set();
  const rows = await store.select<{ Path: string }>(
    'collector.workato.import.ledger',
    `SELECT DISTINCT Path FROM ${TABLES.imports}
     WHERE ProjectId = {projectId:String} AND Source = {source:String}
       AND Path IN {paths:Array(String)}
       AND has(arrayZip({paths:Array(String)}, {hashes:Array(String)}), (Path, Sha256))`,
    { projectId, source, paths: files.map((f) => f.path), hashes: files.map((f) => f.sha256) },
  );
  return new Set(rows.map((row) => row.Path));
}

/**
 * Imports files of an export tree: skips those already imported, maps each of
 * the others on its own (so one unreadable file fails alone, named), stores
 * the rest in one batch, then records them in the ledger.
 */
export async function importFiles(store: Store, projectId: string, source: string, files: ImportFile[], capture: CaptureOptions, window: TimeWindow): Promise<ImportResult> {
  const done = await alreadyImported(store, projectId, source, files);
  const result: ImportResult = { imported: [], skipped: [], failed: [], spans: 0, logs: 0, rejected: 0 };
  const mapped: Mapped[] = [];
  for (const file of files) {
    if (done.has(file.path)) {
      result.skipped.push(file.path);
      continue;
    }
    if (createHash('sha256').update(file.text).digest('hex') !== file.sha256) {
      result.failed.push({ path: file.path, error: 'sha256 does not match the content sent' });
      continue;
    }
    try {
      const items = parseBody(file.text);
      if (items.length === 0) throw new WorkatoParseError('the file is empty');
      mapped.push(mapItems(items, capture));
      result.imported.push({ path: file.path, items: items.length });
    } catch (err) {
      if (!(err instanceof WorkatoParseError)) throw err;
      result.failed.push({ path: file.path, error: err.message });
    }
  }
  if (mapped.length > 0) {
    const stored = await storeMapped(store, projectId, mergeMapped(mapped), capture, window);
    Object.assign(result, { spans: stored.spans, logs: stored.logs, rejected: stored.rejected });
    const hashes = new Map(files.map((f) => [f.path, f.sha256]));
    await store.insert(
      'collector.workato.import.ledger',
      TABLES.imports,
      result.imported.map((f) => ({ ProjectId: projectId, Source: source, Path: f.path, Sha256: hashes.get(f.path)!, Items: f.items })),
    );
  }
  return result;
}
