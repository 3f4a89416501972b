/**
 * What `flowtrace import workato` says at the end, and its exit code, for the
 * summaries the collector's answers add up to: every reason a record was not
 * stored on its own line, and for history older than what is kept, the
 * retention it takes and where each limit is set.
 */
import { describe, expect, it } from 'vitest';
import { importReport, type ImportSummary } from '../src/client/import.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const limits = {
  projectId: 'b2c1e8a0-0000-4000-8000-000000000001',
  earliest: '2026-10-30T12:00:00.000Z',
  latest: '2026-11-29T13:00:00.000Z',
  ttlDays: 30,
  maxFutureSkewSeconds: 3600,
  projectRetention: null,
};
const summary = (over: Partial<ImportSummary>): ImportSummary => ({ files: 0, imported: 0, skipped: 0, failed: [], refused: [], spans: 0, logs: 0, rejected: 0, refusals: [], limits, ...over });

describe('importReport', () => {
  it('a run that stored part: exit 1, every reason counted, the retention it takes', () => {
    const { text, code } = importReport(
      summary({
        files: 4,
        imported: 1,
        spans: 3,
        logs: 2,
        refused: [
          { path: 'a/old.json', reason: 'older_than_retention', records: 6 },
          { path: 'a/ahead.json', reason: 'ahead_of_clock', records: 2 },
        ],
        rejected: 9,
        refusals: [
          { reason: 'older_than_retention', records: 4, files: 1, oldest: '2022-03-04T10:00:00.000Z', newest: '2022-03-05T10:00:00.000Z' },
          { reason: 'ahead_of_clock', records: 2, files: 1, oldest: '2030-01-01T00:00:00.000Z', newest: '2030-01-01T00:00:01.000Z' },
          { reason: 'same_file', records: 2, files: 1 },
          { reason: 'invalid', records: 1, files: 1, message: '1 spans rejected: resourceSpans[0].scopeSpans[0].spans[0] (span 1): endTimeUnixNano is before startTimeUnixNano' },
        ],
        failed: [{ path: 'a/broken.json', error: 'invalid JSON' }],
      }),
      'export',
      NOW,
    );
    expect(code).toBe(1);
    expect(text.split('\n')).toEqual([
      '4 files: 1 imported (3 spans, 2 logs), 0 skipped as already imported, 2 refused, 1 could not be read',
      '9 records were not stored:',
      '  4 records in 1 file older than what this project keeps (records since 2026-10-30: FLOWTRACE_TTL_DAYS=30): from 2022-03-04 to 2022-03-05',
      "  2 records in 1 file ahead of the collector's clock by more than FLOWTRACE_MAX_FUTURE_SKEW_SECONDS=3600 (the latest at 2030-01-01T00:00:01.000Z): check the export's times and the host's clock",
      '  2 records within the retention, held back with the rest of their 1 file: a file is imported whole or not at all',
      "  1 record in 1 file invalid in the file itself, not stored (the files' other records are, and running again will not change these): 1 spans rejected: resourceSpans[0].scopeSpans[0].spans[0] (span 1): endTimeUnixNano is before startTimeUnixNano",
      'Refused files (not recorded as imported: a later run imports them once what the project keeps covers them):',
      '  a/old.json: older than the retention',
      '  a/ahead.json: ahead of the clock',
      'To import this history: the oldest record is from 2022-03-04, 1732 days ago, so records must be kept for at least 1733 days:',
      '  1. restart Flowtrace (flowtrace start) with FLOWTRACE_TTL_DAYS=1733 or more, or FLOWTRACE_TTL_DAYS=0 to keep everything (it bounds every project)',
      '  2. run this import again: refused files were not recorded as imported, so they are imported then (the files imported now are skipped)',
      'Could not be read:',
      '  a/broken.json: invalid JSON',
    ]);
  });

  it("names the project's retention when it is the limit, keeping its log limit", () => {
    const { text, code } = importReport(
      summary({
        files: 1,
        refused: [{ path: 'old.json', reason: 'older_than_retention', records: 2 }],
        rejected: 2,
        refusals: [{ reason: 'older_than_retention', records: 2, files: 1, oldest: '2026-11-01T12:00:00.000Z', newest: '2026-11-01T12:00:01.000Z' }],
        limits: { ...limits, ttlDays: 0, earliest: '2026-11-22T12:00:00.000Z', projectRetention: { plan: 'trial', maxAgeDays: 7, maxLogs: 50_000 } },
      }),
      'export',
      NOW,
    );
    expect(code).toBe(1);
    expect(text).toContain('Nothing was stored.');
    expect(text).toContain("(records since 2026-11-22: FLOWTRACE_TTL_DAYS=0 (forever), the project's retention (plan trial) 7 days)");
    expect(text).not.toContain('restart Flowtrace');
    expect(text).toContain(
      "  1. set the project's retention to at least 29 days (it keeps 7; the most is 3650): PUT /admin/projects/b2c1e8a0-0000-4000-8000-000000000001/retention " +
        'with {"plan":"custom","maxAgeDays":29,"maxLogs":50000} on the query API, with the admin token; its limit of 50000 logs also applies, the oldest going first',
    );
  });

  it('a run with nothing new to import succeeds; a tree without files does not', () => {
    expect(importReport(summary({ files: 5, skipped: 5 }), 'export', NOW)).toEqual({
      text: '5 files: 0 imported (0 spans, 0 logs), 5 skipped as already imported, 0 refused, 0 could not be read',
      code: 0,
    });
    expect(importReport(summary({}), '/data/export', NOW)).toEqual({
      text: 'found no .json files under /data/export: an export tree holds user_id/jobs/recipe_id/YYYYMMDD/job_id/*.json',
      code: 1,
    });
  });
});
