import { createHash } from 'node:crypto';
import type { CaptureOptions } from '@flowtrace/instrumentation';
import type { TimeWindow } from '../otlp/window.js';
import type { Sink } from '../sink/sink.js';
import { WHOLE_BODY_BYTES, WorkatoParseError, itemChunks, type ChunkLimits, type Item } from './parse.js';
import { mergeSurveys, storeChunks, surveyChunks, type Survey } from './ingest.js';
import type { RedactionSource } from '../ingest/redact.js';

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

/**
 * The idempotency token of an import request: its source and the files it
 * imports, by path and content. Re-sending the same files (a retry) carries the
 * same token, so the sink stores their records once.
 */
export function importToken(projectId: string, source: string, files: Array<{ path: string; sha256: string }>): string {
  const pairs = files.map((f) => JSON.stringify([f.path, f.sha256])).sort();
  return createHash('sha256').update(JSON.stringify(['workato-import', projectId, source, pairs])).digest('base64url').slice(0, 32);
}

/**
 * Imports files of an export tree: skips those already imported, validates
 * each of the others on its own (so one unreadable file fails alone, named),
 * stores the rest as one request through the sink — in chunks, as a stream's
 * big body is (workato/ingest.ts) — then records them in the ledger.
 * `duplicate`: the same files had been stored before (a retry), nothing was
 * written again; `storedLogs`: log records this call stored.
 */
export async function importFiles(
  sink: Sink,
  projectId: string,
  source: string,
  files: ImportFile[],
  capture: CaptureOptions,
  window: TimeWindow,
  redaction?: RedactionSource,
): Promise<{ result: ImportResult; storedLogs: number; duplicate: boolean }> {
  const done = await sink.workato.importedFiles(projectId, source, files);
  const result: ImportResult = { imported: [], skipped: [], failed: [], spans: 0, logs: 0, rejected: 0 };
  const receivedAt = Date.now();
  const surveys: Survey[] = [];
  const importing: Array<{ path: string; sha256: string; items: number; text: string }> = [];
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
      const survey = surveyChunks((limits) => itemChunks(Buffer.from(file.text), limits), capture, window, receivedAt);
      if (survey.items === 0) throw new WorkatoParseError('the file is empty');
      surveys.push(survey);
      result.imported.push({ path: file.path, items: survey.items });
      importing.push({ path: file.path, sha256: file.sha256, items: survey.items, text: file.text });
    } catch (err) {
      if (!(err instanceof WorkatoParseError)) throw err;
      result.failed.push({ path: file.path, error: err.message });
    }
  }
  if (importing.length === 0) return { result, storedLogs: 0, duplicate: false };
  const chunks = (limits: ChunkLimits) => importChunks(importing, limits);
  const token = importToken(projectId, source, importing);
  const { stored, duplicate, storedLogs } = await storeChunks(sink, projectId, chunks, mergeSurveys(surveys), capture, window, token, redaction, receivedAt);
  Object.assign(result, { spans: stored.spans, logs: stored.logs, rejected: stored.rejected });
  // Only once their records are stored.
  await sink.workato.recordImports(projectId, source, importing);
  return { result, storedLogs, duplicate };
}

/**
 * The items of the files, in order, in chunks: a big file's own chunks, and
 * small files (most files of an export tree are one job) gathered into chunks
 * of up to `limits`, so a thousand files are not a thousand batches.
 */
function* importChunks(files: Array<{ text: string }>, limits: ChunkLimits): Generator<Item[]> {
  let gathered: Item[] = [];
  let bytes = 0;
  for (const file of files) {
    const body = Buffer.from(file.text);
    for (const items of itemChunks(body, limits)) {
      if (body.length > WHOLE_BODY_BYTES) {
        // Already a chunk's worth.
        if (gathered.length > 0) yield gathered;
        gathered = [];
        bytes = 0;
        yield items;
        continue;
      }
      if (gathered.length > 0 && (bytes + body.length > limits.bytes || gathered.length + items.length > limits.items)) {
        yield gathered;
        gathered = [];
        bytes = 0;
      }
      gathered.push(...items);
      bytes += body.length;
    }
  }
  if (gathered.length > 0) yield gathered;
}
