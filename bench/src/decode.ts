import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ExportTraceServiceRequest, spansFromProtobuf, spansFromRequest, timeWindow } from '@flowtrace/collector';
import { fmt, row } from './stats.js';
import { workflowSpanBatches } from './spans.js';

const BATCH = 500;
const REQUESTS = 20;
const ROUNDS = 7;


/**
 * OTLP trace requests → rows, no insert: protobufjs's decode then the walk
 * (what the collector did), OTLP/JSON's JSON.parse then the same walk, and the
 * wire decoder reading protobuf straight into rows. The same requests, decoded
 * in turn for several rounds; each figure is the median round, and each ratio
 * is against JSON in the same run. Rows are kept until the round ends, as a
 * request's are until they are stored.
 */
export async function benchDecode(): Promise<void> {
  const requests = workflowSpanBatches(REQUESTS, BATCH / 5);
  const protoBodies = requests.map((spans) => Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!));
  const jsonBodies = requests.map((spans) => Buffer.from(JsonTraceSerializer.serializeRequest(spans)!));
  const window = timeWindow({ ttlDays: 30, maxFutureSkewSeconds: 3600 });
  const projectId = 'bench-decode';
  const total = BATCH * REQUESTS;

  const ways = [
    { label: 'protobufjs decode + walk', decode: (i: number) => spansFromRequest(ExportTraceServiceRequest.decode(protoBodies[i]!), 'protobuf', projectId, window) },
    { label: 'JSON.parse + walk', decode: (i: number) => spansFromRequest(JSON.parse(jsonBodies[i]!.toString('utf8')), 'json', projectId, window) },
    { label: 'wire decoder (protobuf)', decode: (i: number) => spansFromProtobuf(protoBodies[i]!, projectId, window) },
  ];
  for (const way of ways) {
    const rows = way.decode(0).rows.length;
    if (rows !== BATCH) throw new Error(`${way.label}: ${rows} rows of ${BATCH} spans`);
  }
  const rates: number[][] = ways.map(() => []);
  // Round 0 warms each way up and is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    for (let w = 0; w < ways.length; w++) {
      const decode = ways[w]!.decode;
      const kept: unknown[] = [];
      const start = performance.now();
      for (let i = 0; i < REQUESTS; i++) kept.push(decode(i).rows);
      if (round > 0) rates[w]!.push(total / ((performance.now() - start) / 1000));
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const [protobufjs, json, wire] = rates.map(median) as [number, number, number];

  const bytesPerSpan = (bodies: Buffer[]) => fmt(bodies.reduce((n, b) => n + b.length, 0) / total, 0);
  process.stdout.write(`\nDecode OTLP traces -> rows: ${REQUESTS} requests of ${BATCH} spans (${bytesPerSpan(protoBodies)} protobuf bytes/span, ${bytesPerSpan(jsonBodies)} JSON bytes/span), median of ${ROUNDS} rounds\n`);
  row('', 'spans/s', 'vs JSON');
  row(ways[0]!.label, fmt(protobufjs, 0), fmt(protobufjs / json, 2));
  row(ways[1]!.label, fmt(json, 0), '1.00');
  row(ways[2]!.label, fmt(wire, 0), fmt(wire / json, 2));
}
