import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Metadata, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TABLES, openStore, type Store } from '@flowtrace/store';
import { ExportTraceServiceRequest, SPAN_COLUMNS, encodeSpans, spansFromRequest, timeWindow } from '@flowtrace/collector';
import { createProjectKey, startServer, type ServerChild } from './server-child.js';
import { fmt, percentile } from './stats.js';
import { workflowSpanBatches } from './spans.js';
import { bodyTemplate, uniqueBody, type BodyTemplate } from './unique.js';

/**
 * The write path, end to end: the built server in a child process, 8 senders
 * of 500-span OTLP requests for BENCH_WRITE_SECONDS (default 20) per phase,
 * each phase on a fresh data directory. Every rate is divided by the engine's
 * own ceiling measured in this run: INSERT … SELECT of generated spans into
 * otel_traces with every view attached. Stored rows are counted (and their
 * bytes on disk summed) once the server has exited, from its data directory.
 */
const SECONDS = Number(process.env.BENCH_WRITE_SECONDS ?? 20);
const SENDERS = 8;
const TRACES_PER_BATCH = 100;
const SPANS_PER_BATCH = TRACES_PER_BATCH * 5;
const TEMPLATES = 20;
const CEILING_ROWS = 200_000;
const TTL_DAYS = 30;
const TARGET = 0.5;
const GRPC_TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const MiB = 2 ** 20;

/** What one send came to: acknowledged, or refused with a retry delay (an exporter would retry). */
type Outcome = { ok: true; partial: boolean } | { ok: false; reason: string; retryAfterMs: number };
/** Sends one request as sender `sender` (0…SENDERS-1: each sender has its own connection). */
type Send = (body: Buffer, sender: number) => Promise<Outcome>;

interface Load {
  acknowledgedSpans: number;
  seconds: number;
  /** Latencies of acknowledged requests, ms, sorted. */
  latencies: number[];
  /** Refusals by reason (429, UNAVAILABLE…), each retried. */
  refusals: Map<string, number>;
  /** Acknowledged with a partial_success (some spans rejected). */
  partial: number;
}

interface Stored {
  spans: number;
  tracesBytes: number;
  allBytes: number;
}

interface PhaseResult {
  label: string;
  load: Load;
  stored: Stored;
  peakRss: number;
  /** Spool phase: seconds from the first send until the spool was empty. */
  storedAfterSeconds?: number;
}

export async function benchWritePath(): Promise<void> {
  process.stdout.write(`\nWrite path: built server in a child process, ${SENDERS} senders × ${SPANS_PER_BATCH}-span OTLP requests, ${SECONDS} s per phase, a fresh data dir per phase\n`);
  const templates = workflowBodies();
  const bytesPerSpan = templates.reduce((n, t) => n + t.body.length, 0) / (TEMPLATES * SPANS_PER_BATCH);
  process.stdout.write(`  ${TEMPLATES} request bodies from the OTel SDK serializer, ${fmt(bytesPerSpan, 0)} protobuf bytes/span; trace ids rewritten per send\n`);

  process.stdout.write(`  engine ceiling: INSERT … SELECT of ${fmt(CEILING_ROWS, 0)} spans into ${TABLES.traces}, every view attached, best of 3 …\n`);
  const { ceiling, closedLoop } = await engineCeiling(templates);
  process.stdout.write(`  engine ceiling: ${fmt(ceiling, 0)} rows/s\n`);

  const results: PhaseResult[] = [];
  results.push(await phase('OTLP/HTTP protobuf', {}, templates, (server, key) => httpSender(server.otlpUrl, key)));
  results.push(await phase('OTLP/gRPC', {}, templates, (server, key) => grpcSender(server.grpcAddress, key)));
  results.push(await phase('OTLP/HTTP protobuf + spool', { spool: true }, templates, (server, key) => httpSender(server.otlpUrl, key)));

  printTable(ceiling, closedLoop, results);
}

/** Requests of 100 workflow executions each (bench/src/spans.ts); encoded once. */
function workflowBodies(): BodyTemplate[] {
  return workflowSpanBatches(TEMPLATES, TRACES_PER_BATCH).map((spans) => {
    const body = ProtobufTraceSerializer.serializeRequest(spans);
    if (!body) throw new Error('the serializer returned no body');
    return bodyTemplate(body, spans.map((span) => span.spanContext().traceId));
  });
}

/** What the engine alone takes, measured in the same store before any load. */
interface EngineFigures {
  /** /work/shared/probes/engine-ceiling.mjs, full schema only: one in five spans an execution root. */
  ceiling: number;
  /**
   * The bench's own requests, decoded and encoded as the sink does, inserted
   * straight into the engine in blocks of SENDERS × SPANS_PER_BATCH spans:
   * the largest block a closed loop of SENDERS senders can ever hand the
   * collector. Into otel_traces with every view, and into a bare copy.
   */
  closedLoop: { full: number; bare: number; blockRows: number };
}

async function engineCeiling(templates: BodyTemplate[]): Promise<EngineFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'flowtrace-bench-ceiling-'));
  const { store } = await openStore({ dataDir: dir, ttlDays: TTL_DAYS });
  try {
    let best = 0;
    for (let round = 0; round < 3; round++) {
      const start = performance.now();
      await store.command('bench.ceiling', generatedSpansInsert(CEILING_ROWS));
      best = Math.max(best, CEILING_ROWS / ((performance.now() - start) / 1000));
    }
    const blocks = closedLoopBlocks(templates);
    await store.command('bench.ceiling', `CREATE TABLE bench_bare AS ${TABLES.traces}`);
    const full = await insertRate(store, TABLES.traces, blocks);
    const bare = await insertRate(store, 'bench_bare', blocks);
    process.stdout.write(
      `  engine alone, ${blocks.length} blocks of ${fmt(SENDERS * SPANS_PER_BATCH, 0)} of these spans (the most ${SENDERS} senders can have in flight): ` +
        `${fmt(full, 0)} rows/s with every view (${fmt(full / best, 2)} × ceiling), ${fmt(bare, 0)} into a bare copy of ${TABLES.traces} (${fmt(bare / best, 2)} ×)\n`,
    );
    return { ceiling: best, closedLoop: { full, bare, blockRows: SENDERS * SPANS_PER_BATCH } };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const CLOSED_LOOP_BLOCKS = 25;

/** The templates' spans as the sink encodes them, SENDERS requests to a block, trace ids made unique per request. */
function closedLoopBlocks(templates: BodyTemplate[]): string[] {
  const window = timeWindow({ ttlDays: TTL_DAYS, maxFutureSkewSeconds: 3600 });
  return Array.from({ length: CLOSED_LOOP_BLOCKS }, (_, b) =>
    Array.from({ length: SENDERS }, (_, i) => {
      const n = b * SENDERS + i;
      const request = ExportTraceServiceRequest.decode(uniqueBody(templates[n % templates.length]!, n));
      return encodeSpans(spansFromRequest(request, 'protobuf', 'bench-closed-loop', window).rows);
    }).join(''),
  );
}

async function insertRate(store: Store, table: string, blocks: string[]): Promise<number> {
  const start = performance.now();
  // bench_bare is the bench's own table, outside TABLES.
  for (const block of blocks) await store.insertEncoded('bench.closed-loop', table as typeof TABLES.traces, SPAN_COLUMNS, 'JSONCompactEachRow', block);
  return (blocks.length * SENDERS * SPANS_PER_BATCH) / ((performance.now() - start) / 1000);
}

function generatedSpansInsert(rows: number): string {
  return `INSERT INTO ${TABLES.traces} (ProjectId, Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage)
SELECT 'p1', fromUnixTimestamp64Nano(toUnixTimestamp64Nano(now64(9)) - toInt64(number) * 1000000), lower(hex(MD5(toString(intDiv(number, 5))))), lower(hex(substring(MD5(toString(number)), 1, 8))),
  if(number % 5 = 0, '', lower(hex(substring(MD5(toString(number - number % 5)), 1, 8)))), '',
  if(number % 5 = 0, 'workflow execution', concat('step ', toString(number % 5), ': Salesforce Create Record')),
  if(number % 5 = 0, 'Server', 'Client'), 'workflow-runner',
  map('service.name', 'workflow-runner', 'service.version', '1.4.2', 'deployment.environment', 'prod'), 'bench', '1.0.0',
  if(number % 5 = 0,
     map('flowtrace.kind', 'workflow_execution', 'flowtrace.workflow.id', concat('wf-', toString(number % 50)), 'user.id', concat('user-', toString(number % 300)), 'flowtrace.integration', 'salesforce', 'flowtrace.status', if(number % 7 = 0, 'FAILED', 'SUCCEEDED'), 'flowtrace.task_count', '4', 'flowtrace.execution.id', toString(generateUUIDv4())),
     map('http.request.method', 'POST', 'url.full', 'https://acme.my.salesforce.com/services/data/v59.0/sobjects/Contact', 'http.response.status_code', '201', 'flowtrace.step_id', concat('step-', toString(number % 5)), 'server.address', 'acme.my.salesforce.com')),
  1000000 + number % 100000, if(number % 7 = 0, 'Error', 'Unset'), ''
FROM numbers(${rows})`;
}

/**
 * One phase: a fresh server, a project and key, SECONDS of load, then (spool)
 * the wait until the spool is empty, SIGTERM, and the data dir read back.
 */
async function phase(label: string, options: { spool?: boolean }, templates: BodyTemplate[], sender: (server: ServerChild, key: string) => Send & { close?: () => void }): Promise<PhaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'flowtrace-bench-write-'));
  const dataDir = join(dir, 'data');
  try {
    const server = await startServer(dataDir, options.spool ? { FLOWTRACE_SPOOL_DIR: join(dir, 'spool') } : {});
    const key = await createProjectKey(server.apiUrl, 'bench-write');
    process.stdout.write(`  ${label}: server pid ${server.pid} up, ${fmt(server.memory().rss / MiB, 0)} MiB RSS idle; ${SENDERS} senders for ${SECONDS} s …\n`);
    const send = sender(server, key);
    let load: Load;
    let storedAfterSeconds: number | undefined;
    try {
      const started = performance.now();
      load = await sustain(templates, send);
      if (options.spool) {
        await spoolEmpty(server.otlpUrl);
        storedAfterSeconds = (performance.now() - started) / 1000;
      }
    } finally {
      send.close?.();
    }
    const blocks = insertBlocks(await (await fetch(`${server.otlpUrl}/metrics`)).text());
    const peakRss = server.memory().peak;
    const code = await server.stop();
    if (code !== 0) throw new Error(`${label}: the server exited ${code}\n${server.stderr().slice(-4000)}`);
    const stored = await readBack(dataDir);
    const refusals = [...load.refusals].map(([reason, n]) => `${n} × ${reason}`).join(', ');
    process.stdout.write(
      `  ${label}: ${fmt(load.acknowledgedSpans, 0)} spans acknowledged in ${fmt(load.seconds, 1)} s` +
        (storedAfterSeconds === undefined ? '' : `, spool empty after ${fmt(storedAfterSeconds, 1)} s`) +
        `; refused and retried: ${refusals || 'none'}${load.partial ? `; ${load.partial} partial successes` : ''}` +
        `; server peak RSS ${fmt(peakRss / MiB, 0)} MiB, exit ${code}\n`,
    );
    process.stdout.write(`  ${label}: ${blocks}\n`);
    const complaints = serverComplaints(server.stderr());
    if (complaints) process.stdout.write(`  ${label}: server log: ${complaints}\n`);
    process.stdout.write(`  ${label}: stored = acknowledged: ${stored.spans === load.acknowledgedSpans ? 'yes' : 'no'} (${stored.spans} vs ${load.acknowledgedSpans})\n`);
    return { label, load, stored, peakRss, storedAfterSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sink's INSERT blocks into otel_traces, and requests taken as duplicates, from GET /metrics. */
function insertBlocks(metrics: string): string {
  const sum = (name: string, ...labels: string[]) => {
    let total = 0;
    for (const line of metrics.split('\n')) {
      if (line.startsWith(`${name}{`) && labels.every((label) => line.includes(label))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
  };
  const table = `table="${TABLES.traces}"`;
  const blocks = sum('flowtrace_sink_block_rows_count', table);
  const rows = sum('flowtrace_sink_block_rows_sum', table);
  const seconds = sum('flowtrace_sink_insert_seconds_sum', table, 'outcome="ok"');
  const duplicates = sum('flowtrace_collector_requests_total', 'signal="traces"', 'outcome="duplicate"');
  return `${blocks} INSERT blocks into ${TABLES.traces}, mean ${fmt(rows / blocks, 0)} rows, mean ${fmt((1000 * seconds) / blocks, 0)} ms each; ${duplicates} requests taken as duplicates`;
}

/** Warnings and errors in the server's JSON log, counted by message; empty when there are none. */
function serverComplaints(log: string): string {
  const counts = new Map<string, number>();
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { level?: string; msg?: string };
    if (entry.level !== 'warn' && entry.level !== 'error') continue;
    const key = `${entry.level}: ${entry.msg ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${n} × ${key}`).join('; ');
}

/** SENDERS loops of send → await acknowledgement → next, until SECONDS are up; a refusal is retried after its delay. */
async function sustain(templates: BodyTemplate[], send: Send): Promise<Load> {
  const load: Load = { acknowledgedSpans: 0, seconds: 0, latencies: [], refusals: new Map(), partial: 0 };
  let next = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: SENDERS }, async (_, sender) => {
      while (performance.now() < deadline) {
        const n = next++;
        const body = uniqueBody(templates[n % templates.length]!, n);
        for (;;) {
          const sent = performance.now();
          const outcome = await send(body, sender);
          if (outcome.ok) {
            load.latencies.push(performance.now() - sent);
            load.acknowledgedSpans += SPANS_PER_BATCH;
            if (outcome.partial) load.partial++;
            break;
          }
          load.refusals.set(outcome.reason, (load.refusals.get(outcome.reason) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, outcome.retryAfterMs));
        }
      }
    }),
  );
  load.seconds = (performance.now() - started) / 1000;
  load.latencies.sort((a, b) => a - b);
  return load;
}

/** POST /v1/traces over keep-alive connections, one per sender. */
function httpSender(otlpUrl: string, key: string): Send & { close: () => void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
  const url = new URL('/v1/traces', otlpUrl);
  const send = (body: Buffer) =>
    new Promise<Outcome>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length, authorization: `Bearer ${key}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const answer = Buffer.concat(chunks);
          if (res.statusCode === 200) resolve({ ok: true, partial: answer.length > 0 });
          else if (res.statusCode === 429 || res.statusCode === 503) resolve({ ok: false, reason: `HTTP ${res.statusCode}`, retryAfterMs: Number(res.headers['retry-after'] ?? 1) * 1000 });
          else reject(new Error(`POST /v1/traces: HTTP ${res.statusCode} ${answer.toString().slice(0, 500)}`));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  return Object.assign(send, { close: () => agent.destroy() });
}

/**
 * TraceService/Export as a raw unary call (the encoded request in, the encoded
 * response out), one channel per sender as one exporter per process would have.
 */
function grpcSender(address: string, key: string): Send & { close: () => void } {
  // A local subchannel pool: without it, clients of the same target share one connection.
  const clients = Array.from({ length: SENDERS }, () => new Client(address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
  const bytes = (buffer: Buffer) => buffer;
  const send = (body: Buffer, sender: number) =>
    new Promise<Outcome>((resolve, reject) => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${key}`);
      clients[sender]!.makeUnaryRequest<Buffer, Buffer>(GRPC_TRACE_EXPORT, bytes, bytes, body, metadata, (err: ServiceError | null, answer?: Buffer) => {
        if (!err) resolve({ ok: true, partial: (answer?.length ?? 0) > 0 });
        else if (err.code === GrpcStatus.UNAVAILABLE || err.code === GrpcStatus.RESOURCE_EXHAUSTED) resolve({ ok: false, reason: GrpcStatus[err.code], retryAfterMs: 1000 });
        else reject(err);
      });
    });
  return Object.assign(send, { close: () => clients.forEach((client) => client.close()) });
}

/** Polls the collector's metrics until flowtrace_spool_records is 0: everything acknowledged is in ClickHouse. */
async function spoolEmpty(otlpUrl: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await (await fetch(`${otlpUrl}/metrics`)).text();
    const records = /^flowtrace_spool_records(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1];
    if (records === undefined) throw new Error('no flowtrace_spool_records in GET /metrics');
    if (Number(records) === 0) return;
    if (Date.now() > deadline) throw new Error(`the spool still holds ${records} records after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Opens a stopped server's data dir in this process: spans stored and bytes on disk. */
async function readBack(dataDir: string): Promise<Stored> {
  const { store } = await openStore({ dataDir, ttlDays: TTL_DAYS });
  try {
    const [count] = await store.select<{ n: string }>('bench.count', `SELECT count() AS n FROM ${TABLES.traces}`);
    const [bytes] = await store.select<{ traces: string; all: string }>(
      'bench.bytes',
      `SELECT sumIf(bytes_on_disk, table = {table:String}) AS traces, sum(bytes_on_disk) AS all FROM system.parts WHERE active AND database = currentDatabase()`,
      { table: TABLES.traces },
    );
    return { spans: Number(count!.n), tracesBytes: Number(bytes!.traces), allBytes: Number(bytes!.all) };
  } finally {
    await store.close();
  }
}

function printTable(ceiling: number, closedLoop: EngineFigures['closedLoop'], results: PhaseResult[]): void {
  const cells = (...values: string[]) => `| ${values.join(' | ')} |\n`;
  const rate = (r: PhaseResult) => r.load.acknowledgedSpans / r.load.seconds;
  let out = `\nWrite path (${SENDERS} senders × ${SPANS_PER_BATCH}-span requests, ${SECONDS} s per phase, server in its own process, fresh data dir per phase):\n\n`;
  out += cells('write path', 'spans/s', '× ceiling', 'p50 ms', 'p99 ms', 'server peak RSS', 'stored = acknowledged', 'otel_traces B/span', 'all tables incl. derived B/span');
  out += cells('---', '---:', '---:', '---:', '---:', '---:', '---', '---:', '---:');
  out += cells(`engine ceiling: INSERT … SELECT of ${fmt(CEILING_ROWS, 0)} spans, every view (best of 3)`, fmt(ceiling, 0), '1.00', '', '', '', '', '', '');
  out += cells(`engine alone, ${fmt(closedLoop.blockRows, 0)}-span blocks of these requests, every view`, fmt(closedLoop.full, 0), fmt(closedLoop.full / ceiling, 2), '', '', '', '', '', '');
  out += cells(`engine alone, ${fmt(closedLoop.blockRows, 0)}-span blocks, bare ${TABLES.traces} (no view)`, fmt(closedLoop.bare, 0), fmt(closedLoop.bare / ceiling, 2), '', '', '', '', '', '');
  for (const r of results) {
    const storedOk = r.stored.spans === r.load.acknowledgedSpans;
    const ack = rate(r);
    const label = r.storedAfterSeconds === undefined ? r.label : `${r.label}, acknowledged (fsynced)`;
    out += cells(
      label,
      fmt(ack, 0),
      fmt(ack / ceiling, 2),
      fmt(percentile(r.load.latencies, 50), 0),
      fmt(percentile(r.load.latencies, 99), 0),
      `${fmt(r.peakRss / MiB, 0)} MiB`,
      `${storedOk ? 'yes' : 'no'} (${r.stored.spans} vs ${r.load.acknowledgedSpans})`,
      fmt(r.stored.tracesBytes / r.stored.spans, 1),
      fmt(r.stored.allBytes / r.stored.spans, 1),
    );
    if (r.storedAfterSeconds !== undefined) {
      const endToEnd = r.stored.spans / r.storedAfterSeconds;
      out += cells(`${r.label}, stored end to end`, fmt(endToEnd, 0), fmt(endToEnd / ceiling, 2), '', '', '', '', '', '');
    }
  }
  out += `\ntarget: ≥ ${TARGET} × ceiling (${fmt(TARGET * ceiling, 0)} spans/s)\n`;
  for (const r of results) {
    out += `  ${r.label}: ${fmt(rate(r) / ceiling, 2)} × ceiling — ${rate(r) >= TARGET * ceiling ? 'met' : 'not met'}\n`;
  }
  const spooled = results.find((r) => r.storedAfterSeconds !== undefined);
  if (spooled) out += `spooled: ${fmt(rate(spooled), 0)} spans/s acknowledged, ${fmt(spooled.stored.spans / spooled.storedAfterSeconds!, 0)} spans/s stored end to end\n`;
  process.stdout.write(out);
}
