import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { Projects, TABLES, type Store } from '@flowtrace/store';
import { ExportTraceServiceRequest, openCollector, spansFromRequest, timeWindow } from '@flowtrace/collector';
import { fmt, row } from './stats.js';
import { listen, quietLog } from './support.js';
import { workflowSpanBatches } from './spans.js';
import { bodyTemplate, uniqueBody } from './unique.js';

const BATCH = 500;
const BATCHES = 40;


export async function benchIngest(store: Store): Promise<void> {
  const projects = new Projects(store, { keyCacheMs: 60_000 });
  const projectId = (await projects.createProject('bench-ingest')).id;
  const key = (await projects.createApiKey(projectId, 'bench')).key;
  const batches = workflowSpanBatches(BATCHES, BATCH / 5);
  const total = BATCH * BATCHES;
  const protoBodies = batches.map((spans) => ProtobufTraceSerializer.serializeRequest(spans)!);
  const jsonBodies = batches.map((spans) => JsonTraceSerializer.serializeRequest(spans)!);
  const window = timeWindow({ ttlDays: 30, maxFutureSkewSeconds: 3600 });

  process.stdout.write(`\nIngestion: ${BATCHES} requests of ${BATCH} spans (${fmt(protoBodies.reduce((n, b) => n + b.length, 0) / total, 0)} protobuf bytes/span, ${fmt(jsonBodies.reduce((n, b) => n + b.length, 0) / total, 0)} JSON bytes/span)\n`);
  row('', 'spans/s', 'vs baseline');

  const decodeProto = () => protoBodies.map((body) => spansFromRequest(ExportTraceServiceRequest.decode(body), 'protobuf', projectId, window).rows);
  let start = performance.now();
  const rows = decodeProto();
  const decodeProtoRate = total / ((performance.now() - start) / 1000);
  start = performance.now();
  for (const body of jsonBodies) spansFromRequest(JSON.parse(new TextDecoder().decode(body)), 'json', projectId, window);
  const decodeJsonRate = total / ((performance.now() - start) / 1000);

  // Baseline: the INSERT alone, of rows already decoded — the floor under any receiver.
  start = performance.now();
  for (const batch of rows) await store.insert('bench.baseline', TABLES.traces, batch);
  const baselineRate = total / ((performance.now() - start) / 1000);
  row('baseline: INSERT of decoded rows', fmt(baselineRate, 0), '1.00');
  row('decode protobuf (protobufjs) -> rows (no insert)', fmt(decodeProtoRate, 0), fmt(decodeProtoRate / baselineRate, 2));
  row('decode JSON -> rows (no insert)', fmt(decodeJsonRate, 0), fmt(decodeJsonRate / baselineRate, 2));

  const server = await listen((await openCollector({ store, projects, log: quietLog, maxBodyBytes: 20 << 20, ttlDays: 30, maxFutureSkewSeconds: 3600 })).app);
  for (const [label, bodies, type] of [['POST /v1/traces protobuf, 1 at a time', protoBodies, 'application/x-protobuf'], ['POST /v1/traces JSON, 1 at a time', jsonBodies, 'application/json']] as const) {
    start = performance.now();
    for (const body of bodies) {
      const res = await fetch(`${server.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': type, authorization: `Bearer ${key}` } });
      if (res.status !== 200) throw new Error(`${label}: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
    const rate = total / ((performance.now() - start) / 1000);
    row(label, fmt(rate, 0), fmt(rate / baselineRate, 2));
  }
  // The same bodies again would be retries to the collector (acknowledged, not stored): new trace ids make them new requests.
  const freshBodies = protoBodies.map((body, i) => uniqueBody(bodyTemplate(body, batches[i]!.map((span) => span.spanContext().traceId)), i));
  // 40 at once exceed the collector's in-flight budget: like exporters, senders refused with 429 retry after Retry-After.
  let refused = 0;
  const send = async (body: Uint8Array): Promise<void> => {
    const r = await fetch(`${server.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${key}` } });
    await r.arrayBuffer();
    if (r.status === 429) {
      refused++;
      await new Promise((resolve) => setTimeout(resolve, Number(r.headers.get('retry-after') ?? 1) * 1000));
      return send(body);
    }
    if (r.status !== 200) throw new Error(`POST /v1/traces protobuf, 40 concurrent: HTTP ${r.status}`);
  };
  start = performance.now();
  await Promise.all(freshBodies.map(send));
  const concurrentRate = total / ((performance.now() - start) / 1000);
  row(`POST /v1/traces protobuf, 40 concurrent (${refused} × 429, retried)`, fmt(concurrentRate, 0), fmt(concurrentRate / baselineRate, 2));
  await server.close();

  await store.command('bench.optimize', `OPTIMIZE TABLE ${TABLES.traces} FINAL`);
  const [parts] = await store.select<{ rows: string; bytes: string }>(
    'bench.parts',
    `SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts WHERE active AND database = currentDatabase() AND table = {table:String}`,
    { table: TABLES.traces },
  );
  process.stdout.write(`otel_traces on disk: ${fmt(Number(parts!.bytes) / Number(parts!.rows), 1)} bytes/span (${parts!.rows} spans, compressed)\n`);
}
