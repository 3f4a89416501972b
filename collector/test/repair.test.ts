/**
 * The repair of a block cut short by a crash, against the real embedded store.
 * ClickHouse records a block's deduplication token before it commits the
 * block's part, so a crash can leave a table with the token and without the
 * rows: replaying the block with the same token then leaves that table short
 * (shown below). repairBlock puts every table right whatever subset of them
 * the block reached.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TABLES, type Store } from '@flowtrace/store';
import { ClickHouseSink, DEFAULT_BLOCKS, DEFAULT_DEDUP, logsFromProtobuf, spansFromProtobuf, timeWindow } from '@flowtrace/collector';
import { INSERT_FORMAT, LOG_COLUMNS, SPAN_COLUMNS, encodeLogs, encodeSpans } from '../src/sink/encode.js';
import { repairBlock } from '../src/sink/repair.js';
import type { WalBlock } from '../src/sink/wal.js';
import { openTempStore, tempDir } from '../../test/support/store.js';
import { memoryLogger } from '../../test/support/http.js';

let store: Store;
let cleanup: () => Promise<void>;
const log = memoryLogger();
const window = timeWindow({ ttlDays: 0, maxFutureSkewSeconds: 3600 });

beforeAll(async () => {
  const opened = await openTempStore(0);
  store = opened.store;
  cleanup = () => opened.dispose();
});
afterAll(() => cleanup());

/** A block of `executions` workflow executions (a root and two steps each) of `project`. */
function spanBlock(project: string, executions: number, token: string): WalBlock {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': project }), spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('t');
  for (let i = 0; i < executions; i++) {
    tracer.startActiveSpan('workflow execution', { kind: SpanKind.SERVER, attributes: { 'flowtrace.kind': 'workflow_execution', 'flowtrace.status': i % 3 === 0 ? 'FAILED' : 'SUCCEEDED', 'flowtrace.integration': 'salesforce' } }, (root) => {
      tracer.startSpan('step 1').end();
      tracer.startSpan('step 2').end();
      root.end();
    });
  }
  const rows = spansFromProtobuf(Buffer.from(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!), project, window).rows;
  return { kind: 's', token, keys: [`${token}-request.s`], rows: rows.length, text: encodeSpans(rows) };
}

function logBlock(project: string, records: number, token: string): WalBlock {
  const exporter = new InMemoryLogRecordExporter();
  const logger = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] }).getLogger('l');
  for (let i = 0; i < records; i++) logger.emit({ body: `log ${i} of ${project}`, attributes: { 'flowtrace.log.type': 'Workflow' } });
  const rows = logsFromProtobuf(Buffer.from(ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())!), project, window, BigInt(Date.now()) * 1_000_000n).rows;
  return { kind: 'l', token, keys: [`${token}-request.l`], rows: rows.length, text: encodeLogs(rows) };
}

const insert = (block: WalBlock, token = block.token) =>
  block.kind === 's'
    ? store.insertEncoded('test', TABLES.traces, SPAN_COLUMNS, INSERT_FORMAT, block.text, token)
    : store.insertEncoded('test', TABLES.logs, LOG_COLUMNS, INSERT_FORMAT, block.text, token);

const one = async (sql: string, project: string) => Number((await store.select<{ n: string }>('test', sql, { project }))[0]!.n);

/** What each table holds of a span block's project: [rows, distinct]. */
async function spanFigures(project: string) {
  const where = 'WHERE ProjectId = {project:String}';
  return {
    spans: [await one(`SELECT count() AS n FROM ${TABLES.traces} ${where}`, project), await one(`SELECT uniqExact(TraceId, SpanId) AS n FROM ${TABLES.traces} ${where}`, project)],
    records: [
      await one(`SELECT count() AS n FROM ${TABLES.traceRecords} ${where} AND Record = 'span'`, project),
      await one(`SELECT uniqExact(TraceId, JSONExtractString(Payload, 'SpanId')) AS n FROM ${TABLES.traceRecords} ${where} AND Record = 'span'`, project),
    ],
    executions: [await one(`SELECT count() AS n FROM ${TABLES.executions} ${where}`, project), await one(`SELECT uniqExact(TraceId, SpanId) AS n FROM ${TABLES.executions} ${where}`, project)],
    counts: [await one(`SELECT sum(Executions) AS n FROM ${TABLES.executionCounts} ${where}`, project), await one(`SELECT sum(Failures) AS n FROM ${TABLES.executionCounts} ${where}`, project)],
    countsBy: [
      await one(`SELECT sum(Executions) AS n FROM ${TABLES.executionCountsBy} ${where} AND Dimension = ''`, project),
      await one(`SELECT sum(Failures) AS n FROM ${TABLES.executionCountsBy} ${where} AND Dimension = ''`, project),
    ],
  };
}

const WHOLE = { spans: [30, 30], records: [30, 30], executions: [10, 10], counts: [10, 4], countsBy: [10, 4] };

describe('a span block cut short by a crash', () => {
  it('replayed with its token, leaves a table that recorded the token without the rows short', async () => {
    const block = spanBlock('replay-short', 10, 'blk:replay-short');
    await insert(block);
    // The crash: the counts' part is gone, its token is not.
    await store.command('test', `DELETE FROM ${TABLES.executionCounts} WHERE ProjectId = {project:String}`, { project: 'replay-short' });
    await insert(block);
    expect((await spanFigures('replay-short')).counts).toEqual([0, 0]);
  });

  it('is repaired whatever subset of the tables it reached, each table then holding it once', { timeout: 180_000 }, async () => {
    const cases: Array<[string, string[]]> = [
      ['counts-lost', [TABLES.executionCounts]],
      ['spans-lost', [TABLES.traces]],
      ['all-but-spans-lost', [TABLES.traceRecords, TABLES.executions, TABLES.executionCounts, TABLES.executionCountsBy]],
      ['nothing-lost', []],
    ];
    for (const [project, lost] of cases) {
      const block = spanBlock(project, 10, `blk:${project}`);
      await insert(block);
      for (const table of lost) await store.command('test', `DELETE FROM ${table} WHERE ProjectId = {project:String}`, { project });
      await insert(block); // the replay a crash-unaware collector would do: same token
      const started = performance.now();
      await repairBlock(store, block, log);
      console.log(`${project}: repaired in ${(performance.now() - started).toFixed(0)} ms`);
      expect(await spanFigures(project), project).toEqual(WHOLE);
    }
  });

  it('repaired twice (a crash during the repair), still holds each row once', { timeout: 120_000 }, async () => {
    const project = 'twice';
    const block = spanBlock(project, 10, `blk:${project}`);
    await insert(block);
    await store.command('test', `DELETE FROM ${TABLES.executionCountsBy} WHERE ProjectId = {project:String}`, { project });
    await repairBlock(store, block, log);
    await repairBlock(store, block, log);
    expect(await spanFigures(project)).toEqual(WHOLE);
  });
});

describe('a log block cut short by a crash', () => {
  it('is repaired: logs, Event Logs and trace records each hold it once', { timeout: 120_000 }, async () => {
    const project = 'logs-lost';
    const block = logBlock(project, 12, 'blk:logs-lost');
    await insert(block);
    await store.command('test', `DELETE FROM ${TABLES.eventLogs} WHERE ProjectId = {project:String}`, { project });
    await repairBlock(store, block, log);
    await repairBlock(store, block, log);
    const where = 'WHERE ProjectId = {project:String}';
    expect(await one(`SELECT count() AS n FROM ${TABLES.logs} ${where}`, project)).toBe(12);
    expect(await one(`SELECT count() AS n FROM ${TABLES.eventLogs} ${where}`, project)).toBe(12);
  });
});

describe('at start', () => {
  it('repairs the blocks left written down, then knows their requests as stored', { timeout: 120_000 }, async () => {
    const walDir = tempDir('flowtrace-wal-');
    try {
      const block = spanBlock('left-behind', 10, 'blk:left-behind');
      await insert(block);
      await store.command('test', `DELETE FROM ${TABLES.executions} WHERE ProjectId = {project:String}`, { project: 'left-behind' });
      mkdirSync(walDir.path, { recursive: true });
      writeFileSync(join(walDir.path, `${block.token}.block`), `${JSON.stringify({ kind: block.kind, token: block.token, keys: block.keys, rows: block.rows })}\n${block.text}`);
      const sink = await ClickHouseSink.open({ store, log, blocks: DEFAULT_BLOCKS, maxQueueBytes: 1 << 30, dedup: DEFAULT_DEDUP, walDir: walDir.path });
      try {
        expect(await spanFigures('left-behind')).toEqual(WHOLE);
        // The retry of the request whose block it was: acknowledged, not stored again.
        const rows = block.text; // the same request's rows
        expect(rows.length).toBeGreaterThan(0);
        const retry = await sink.write({ projectId: 'left-behind', token: 'blk:left-behind-request', spans: spansFromProtobufRows(block), logs: [] });
        expect(retry).toEqual({ duplicate: true });
        expect(await spanFigures('left-behind')).toEqual(WHOLE);
      } finally {
        await sink.close();
      }
    } finally {
      walDir.remove();
    }
  });
});

/** The block's rows as SpanRow objects again (for a write of the same request). */
function spansFromProtobufRows(block: WalBlock) {
  return block.text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => Object.fromEntries(SPAN_COLUMNS.map((c, i) => [c, (JSON.parse(line) as unknown[])[i]]))) as never[];
}
