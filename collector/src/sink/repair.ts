import { randomUUID } from 'node:crypto';
import { TABLES, dateTime64ToNanos, type Logger, type Store } from '@flowtrace/store';
import { INSERT_FORMAT, LOG_COLUMNS, SPAN_COLUMNS } from './encode.js';
import type { WalBlock } from './wal.js';

/** Column positions in the encoded rows (see encode.ts). */
const SPAN_AT = { project: SPAN_COLUMNS.indexOf('ProjectId'), trace: SPAN_COLUMNS.indexOf('TraceId'), span: SPAN_COLUMNS.indexOf('SpanId') };
const LOG_AT = { project: LOG_COLUMNS.indexOf('ProjectId'), time: LOG_COLUMNS.indexOf('Timestamp'), trace: LOG_COLUMNS.indexOf('TraceId'), span: LOG_COLUMNS.indexOf('SpanId') };

/** The views that sum executions, and the tables they feed: rebuilt by the hour. */
const COUNT_VIEWS = [
  { view: 'flowtrace_execution_counts_mv', table: TABLES.executionCounts },
  { view: 'flowtrace_execution_counts_by_mv', table: TABLES.executionCountsBy },
] as const;

/**
 * Repairs, at start, a block an earlier run was inserting when it was
 * killed. Its INSERT may have reached any subset of the tables the views
 * feed — and ClickHouse records a block's deduplication token before it
 * commits the block's part, so a table may even hold the token without the
 * rows, and skip a replay with the same token. So the block is not replayed:
 * its rows are deleted wherever they may be (spans, trace records,
 * executions; or logs, their trace records, Event Logs), inserted once more
 * with a token of their own (every view runs once on them), and the hourly
 * counts of the hours its executions fall in are recomputed from the
 * executions, which now hold each of them once.
 */
export async function repairBlock(store: Store, block: WalBlock, log: Logger): Promise<void> {
  const rows = block.text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown[]);
  if (rows.length === 0) return;
  // A token of this attempt's own: an earlier repair cut short may have left its token without its rows.
  const token = `${block.token}:repair:${randomUUID()}`;
  if (block.kind === 's') {
    const projects = [...new Set(rows.map((r) => String(r[SPAN_AT.project])))];
    const ids = rows.map((r) => [String(r[SPAN_AT.trace]), String(r[SPAN_AT.span])]);
    const params = { projects, traceIds: ids.map(([t]) => t), pairs: ids.map(([t, s]) => `${t}/${s}`) };
    const match = `ProjectId IN {projects:Array(String)} AND TraceId IN {traceIds:Array(String)}`;
    await store.command('collector.repair.traces', `DELETE FROM ${TABLES.traces} WHERE ${match} AND has({pairs:Array(String)}, concat(TraceId, '/', SpanId))`, params);
    await store.command(
      'collector.repair.trace_records',
      `DELETE FROM ${TABLES.traceRecords} WHERE ${match} AND Record = 'span' AND has({pairs:Array(String)}, concat(TraceId, '/', JSONExtractString(Payload, 'SpanId')))`,
      params,
    );
    await store.command('collector.repair.executions', `DELETE FROM ${TABLES.executions} WHERE ${match} AND has({pairs:Array(String)}, concat(TraceId, '/', SpanId))`, params);
    await store.insertEncoded('collector.repair.traces', TABLES.traces, SPAN_COLUMNS, INSERT_FORMAT, block.text, token);
    const hours = await store.select<{ ProjectId: string; Kind: string; hour: string }>(
      'collector.repair.hours',
      `SELECT DISTINCT ProjectId, Kind, toUnixTimestamp(toStartOfHour(Start, 'UTC')) AS hour FROM ${TABLES.executions}
       WHERE ${match} AND has({pairs:Array(String)}, concat(TraceId, '/', SpanId))`,
      params,
    );
    for (const { view, table } of COUNT_VIEWS) {
      const [definition] = await store.select<{ as_select: string }>(
        'collector.repair.view',
        `SELECT as_select FROM system.tables WHERE database = currentDatabase() AND name = {view:String}`,
        { view },
      );
      if (!definition) throw new Error(`the view ${view} is missing`);
      for (const h of hours) {
        const hourParams = { project: h.ProjectId, kind: h.Kind, hour: Number(h.hour) };
        await store.command(
          'collector.repair.counts',
          `DELETE FROM ${table} WHERE ProjectId = {project:String} AND Kind = {kind:String} AND Bucket = toDateTime({hour:UInt32}, 'UTC')`,
          hourParams,
        );
        // The view's own SELECT, over that hour's executions only (on a cluster the view reads
        // flowtrace_executions_local; the hour is read back through the Distributed table).
        const select = definition.as_select.replace(
          /FROM\s+(?:`?\w+`?\.)?`?flowtrace_executions(?:_local)?`?(?=[\s)]|$)/,
          `FROM (SELECT * FROM ${TABLES.executions} WHERE ProjectId = {project:String} AND Kind = {kind:String} AND toStartOfHour(Start, 'UTC') = toDateTime({hour:UInt32}, 'UTC')) AS ${TABLES.executions}`,
        );
        if (select === definition.as_select) throw new Error(`cannot read the source of ${view}`);
        await store.command('collector.repair.counts', `INSERT INTO ${table} ${select}`, hourParams);
      }
    }
    log.info('repaired a block cut short by a crash', { spans: rows.length, hours: hours.length });
  } else {
    const projects = [...new Set(rows.map((r) => String(r[LOG_AT.project])))];
    const nanos = rows.map((r) => dateTime64ToNanos(String(r[LOG_AT.time])));
    const keys = rows.map((r, i) => `${nanos[i]}/${String(r[LOG_AT.trace])}/${String(r[LOG_AT.span])}`);
    const from = nanos.reduce((a, b) => (b < a ? b : a));
    const to = nanos.reduce((a, b) => (b > a ? b : a));
    const params = { projects, keys, from: from.toString(), to: to.toString() };
    const window = `ProjectId IN {projects:Array(String)} AND Timestamp BETWEEN fromUnixTimestamp64Nano({from:Int64}) AND fromUnixTimestamp64Nano({to:Int64})`;
    const key = `concat(toString(toUnixTimestamp64Nano(Timestamp)), '/', TraceId, '/', SpanId)`;
    await store.command('collector.repair.logs', `DELETE FROM ${TABLES.logs} WHERE ${window} AND has({keys:Array(String)}, ${key})`, params);
    await store.command('collector.repair.event_logs', `DELETE FROM ${TABLES.eventLogs} WHERE ${window} AND has({keys:Array(String)}, ${key})`, params);
    await store.command(
      'collector.repair.trace_records',
      `DELETE FROM ${TABLES.traceRecords} WHERE ${window} AND Record = 'log' AND has({keys:Array(String)}, concat(toString(toUnixTimestamp64Nano(Timestamp)), '/', TraceId, '/', JSONExtractString(Payload, 'SpanId')))`,
      params,
    );
    await store.insertEncoded('collector.repair.logs', TABLES.logs, LOG_COLUMNS, INSERT_FORMAT, block.text, token);
    log.info('repaired a block cut short by a crash', { logs: rows.length });
  }
}
