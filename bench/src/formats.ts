import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TABLES, type SpanRow, type Store } from '@flowtrace/store';
import { ExportTraceServiceRequest, SPAN_COLUMNS, encodeSpans, spansFromRequest, timeWindow } from '@flowtrace/collector';
import { fmt, row } from './stats.js';

const BLOCK = 20_000;
const BLOCKS = 4;

/** Workflow executions from the official SDK, decoded as the collector decodes them. */
function spanRows(count: number): SpanRow[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'workflow-runner' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bench', '1.0.0');
  const window = timeWindow({ ttlDays: 30, maxFutureSkewSeconds: 3600 });
  const rows: SpanRow[] = [];
  while (rows.length < count) {
    exporter.reset();
    for (let t = 0; t < 100; t++) {
      tracer.startActiveSpan('workflow execution', { kind: SpanKind.SERVER, attributes: { 'flowtrace.kind': 'workflow_execution', 'flowtrace.workflow.id': `wf-${t % 50}`, 'user.id': `user-${t % 300}`, 'flowtrace.integration': 'salesforce', 'flowtrace.status': 'SUCCEEDED', 'flowtrace.task_count': 4 } }, (root) => {
        for (let s = 0; s < 4; s++) {
          const step = tracer.startSpan(`step ${s}: Salesforce Create Record`, { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'url.full': 'https://acme.my.salesforce.com/services/data/v59.0/sobjects/Contact', 'http.response.status_code': s === 3 ? 429 : 201 } });
          if (s === 3) step.setStatus({ code: SpanStatusCode.ERROR, message: 'HTTP 429' });
          step.end();
        }
        root.end();
      });
    }
    const body = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
    rows.push(...spansFromRequest(ExportTraceServiceRequest.decode(body), 'protobuf', 'bench-formats', window).rows);
  }
  return rows.slice(0, count);
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
