import { createHash } from 'node:crypto';
import type { CaptureOptions } from '@flowtrace/conventions';
import type { RetentionPolicy } from '@flowtrace/store';
import { timeWindow, type TimeWindow } from '../otlp/window.js';
import type { Sink } from '../sink/sink.js';
import { WHOLE_BODY_BYTES, WorkatoParseError, itemChunks, type ChunkLimits, type Item } from './parse.js';
import { mergeSurveys, storeChunks, surveyChunks, type Survey } from './ingest.js';
import { TimeRange } from './outside.js';
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

/**
 * Why records of an import were not stored. `older_than_retention` and
 * `ahead_of_clock` refuse the record's whole file (nothing of it stored, the
 * file not recorded: a run under a retention or clock that covers it imports
 * it); `same_file` counts the other records of those files, held back with
 * them; `invalid` records are wrong in the file itself (a span that ends
 * before it starts): the file's other records are stored and the file is
 * recorded, since running again would not change them.
 */
export type RefusalReason = 'older_than_retention' | 'ahead_of_clock' | 'same_file' | 'invalid';

export interface ImportRefusal {
  reason: RefusalReason;
  records: number;
  /** Files with such records. */
  files: number;
  /** The earliest and latest time among these records (ISO-8601), for the reasons that are about time. */
  oldest?: string;
  newest?: string;
  /** The first few records and why, for `invalid`. */
  message?: string;
}

/** What the records of an import were checked against. */
export interface ImportLimits {
  projectId: string;
  /** Records before this (ISO-8601) are not kept; null: no limit by age. */
  earliest: string | null;
  /** Records after this (ISO-8601) are ahead of the clock. */
  latest: string;
  /** FLOWTRACE_TTL_DAYS (0: forever). */
  ttlDays: number;
  /** FLOWTRACE_MAX_FUTURE_SKEW_SECONDS. */
  maxFutureSkewSeconds: number;
  /** The project's retention (PUT /admin/projects/:projectId/retention); null: none, only FLOWTRACE_TTL_DAYS. */
  projectRetention: RetentionPolicy | null;
}

export interface ImportResult {
  /** Files whose records are stored (but `invalid` ones), now recorded in the ledger. */
  imported: Array<{ path: string; items: number }>;
  /** Already imported with the same content. */
  skipped: string[];
  failed: Array<{ path: string; error: string }>;
  /** Files not imported for records outside what the project keeps: nothing of them stored, not recorded. */
  refused: Array<{ path: string; reason: 'older_than_retention' | 'ahead_of_clock'; records: number }>;
  spans: number;
  logs: number;
  /** Records not stored, all reasons (those of refused files, invalid ones of imported files). */
  rejected: number;
  /** The same records, per reason. */
  refusals: ImportRefusal[];
  limits: ImportLimits;
}

/** Where the records of an import must fall, and how to say so. */
export interface ImportWindow {
  window: TimeWindow;
  limits: ImportLimits;
}

const DAY_NS = 86_400_000_000_000n;
const iso = (nanos: bigint) => new Date(Number(nanos / 1_000_000n)).toISOString();

/**
 * The window of an import into `projectId`: the collector's (FLOWTRACE_TTL_DAYS,
 * FLOWTRACE_MAX_FUTURE_SKEW_SECONDS), narrowed by the project's retention by
 * age, since records older than that would be deleted by its next enforcement:
 * stored only to vanish, an import would be recorded for records the project
 * does not have.
 */
export function importWindow(options: { ttlDays: number; maxFutureSkewSeconds: number }, projectId: string, policy: RetentionPolicy | undefined, now = Date.now()): ImportWindow {
  const window = timeWindow(options, now);
  if (policy && policy.maxAgeDays > 0) {
    const projectEarliest = BigInt(now) * 1_000_000n - BigInt(policy.maxAgeDays) * DAY_NS;
    if (projectEarliest > window.earliestNanos) window.earliestNanos = projectEarliest;
  }
  return {
    window,
    limits: {
      projectId,
      earliest: window.earliestNanos > 1n ? iso(window.earliestNanos) : null,
      latest: iso(window.latestNanos),
      ttlDays: options.ttlDays,
      maxFutureSkewSeconds: options.maxFutureSkewSeconds,
      projectRetention: policy ?? null,
    },
  };
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
 * refuses whole each file with records outside `window` (older than what the
 * project keeps, ahead of the clock), stores the rest as one request through
 * the sink — in chunks, as a stream's big body is (workato/ingest.ts) — then
 * records them in the ledger. Only stored files are recorded: a refused file
 * is imported by a later run whose window covers it.
 * `duplicate`: the same files had been stored before (a retry), nothing was
 * written again; `storedLogs`: log records this call stored.
 */
export async function importFiles(
  sink: Sink,
  projectId: string,
  source: string,
  files: ImportFile[],
  capture: CaptureOptions,
  { window, limits }: ImportWindow,
  redaction?: RedactionSource,
): Promise<{ result: ImportResult; storedLogs: number; duplicate: boolean }> {
  const done = await sink.workato.importedFiles(projectId, source, files);
  const result: ImportResult = { imported: [], skipped: [], failed: [], refused: [], spans: 0, logs: 0, rejected: 0, refusals: [], limits };
  const receivedAt = Date.now();
  const surveys: Survey[] = [];
  const importing: Array<{ path: string; sha256: string; items: number; text: string }> = [];
  const older = { range: new TimeRange(), files: 0 };
  const ahead = { range: new TimeRange(), files: 0 };
  const heldBack = { records: 0, files: 0 };
  for (const file of files) {
    if (done.has(file.path)) {
      result.skipped.push(file.path);
      continue;
    }
    if (createHash('sha256').update(file.text).digest('hex') !== file.sha256) {
      result.failed.push({ path: file.path, error: 'sha256 does not match the content sent' });
      continue;
    }
    let survey: Survey;
    try {
      survey = surveyChunks((limits) => itemChunks(Buffer.from(file.text), limits), capture, window, receivedAt);
      if (survey.items === 0) throw new WorkatoParseError('the file is empty');
    } catch (err) {
      if (!(err instanceof WorkatoParseError)) throw err;
      result.failed.push({ path: file.path, error: err.message });
      continue;
    }
    const { outside } = survey;
    if (outside.count > 0) {
      // Whole or not at all: the ledger then says exactly which files are in.
      result.refused.push({ path: file.path, reason: outside.older.count > 0 ? 'older_than_retention' : 'ahead_of_clock', records: survey.records });
      result.rejected += survey.records;
      if (outside.older.count > 0) older.files++;
      if (outside.ahead.count > 0) ahead.files++;
      older.range.merge(outside.older);
      ahead.range.merge(outside.ahead);
      if (survey.records > outside.count) {
        heldBack.records += survey.records - outside.count;
        heldBack.files++;
      }
      continue;
    }
    surveys.push(survey);
    result.imported.push({ path: file.path, items: survey.items });
    importing.push({ path: file.path, sha256: file.sha256, items: survey.items, text: file.text });
  }
  for (const [reason, { range, files: count }] of [
    ['older_than_retention', older],
    ['ahead_of_clock', ahead],
  ] as const) {
    if (range.count > 0) result.refusals.push({ reason, records: range.count, files: count, oldest: iso(range.min!), newest: iso(range.max!) });
  }
  if (heldBack.records > 0) result.refusals.push({ reason: 'same_file', records: heldBack.records, files: heldBack.files });
  if (importing.length === 0) return { result, storedLogs: 0, duplicate: false };
  const chunks = (limits: ChunkLimits) => importChunks(importing, limits);
  const token = importToken(projectId, source, importing);
  const { stored, duplicate, storedLogs } = await storeChunks(sink, projectId, chunks, mergeSurveys(surveys), capture, window, token, redaction, receivedAt);
  result.spans = stored.spans;
  result.logs = stored.logs;
  result.rejected += stored.rejected;
  if (stored.rejected > 0) {
    result.refusals.push({ reason: 'invalid', records: stored.rejected, files: surveys.filter((s) => s.rejected > 0).length, message: stored.errorMessage });
  }
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
