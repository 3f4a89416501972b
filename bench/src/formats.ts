import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TABLES, type SpanRow, type Store } from '@flowtrace/store';
import { ExportTraceServiceRequest, SPAN_COLUMNS, encodeSpans, spansFromRequest, timeWindow } from '@flowtrace/collector';
import { fmt, row } from './stats.js';
import { workflowSpanBatches } from './spans.js';

const BLOCK = 20_000;
const BLOCKS = 4;

/** Workflow executions (bench/src/spans.ts), decoded as the collector decodes them. */
function spanRows(count: number): SpanRow[] {
  const window = timeWindow({ ttlDays: 30, maxFutureSkewSeconds: 3600 });
  return workflowSpanBatches(Math.ceil(count / 500)).flatMap(
    (spans) => spansFromRequest(ExportTraceServiceRequest.decode(ProtobufTraceSerializer.serializeRequest(spans)!), 'protobuf', 'bench-formats', window).rows,
  ).slice(0, count);
}

/**
 * The insert format, measured: the same blocks of spans into otel_traces (every
 * view attached) as JSONEachRow objects through the client, and as the
 * collector's JSONCompactEachRow text, each with the time to encode them.
 */
export async function benchFormats(store: Store): Promise<void> {
  const rows = spanRows(BLOCK * BLOCKS);
  const blocks = Array.from({ length: BLOCKS }, (_, i) => rows.slice(i * BLOCK, (i + 1) * BLOCK));
  process.stdout.write(`\nInsert format: ${BLOCKS} blocks of ${fmt(BLOCK, 0)} spans into otel_traces with its views\n`);
  row('', 'rows/s', 'vs JSONEachRow');
  let start = performance.now();
  for (const block of blocks) await store.insert('bench.formats.json', TABLES.traces, block);
  const objects = rows.length / ((performance.now() - start) / 1000);
  row('JSONEachRow objects through the client', fmt(objects, 0), '1.00');
  start = performance.now();
  for (const block of blocks) await store.insertEncoded('bench.formats.compact', TABLES.traces, SPAN_COLUMNS, 'JSONCompactEachRow', encodeSpans(block));
  const compact = rows.length / ((performance.now() - start) / 1000);
  row('JSONCompactEachRow text (encoded by the sink)', fmt(compact, 0), fmt(compact / objects, 2));
  start = performance.now();
  for (const block of blocks) encodeSpans(block);
  row('  of which encoding alone', fmt(rows.length / ((performance.now() - start) / 1000), 0), '');
}
