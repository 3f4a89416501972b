/**
 * End to end, SIGTERM under load from keep-alive senders (as every OTel exporter
 * is): new requests are refused at once (HTTP 503 with Retry-After and
 * Connection: close, gRPC UNAVAILABLE), requests in flight finish and are
 * answered, the process exits 0 well within the shutdown timeout, and what is
 * stored afterwards is exactly what was acknowledged.
 */
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, Metadata, credentials, status as Status, type ServiceError } from '@grpc/grpc-js';
import { TABLES, openStore } from '@flowtrace/store';
import { ExportTraceServiceRequest } from '@flowtrace/collector';
import { RpcStatus } from '../../collector/src/otlp/proto.js';
import { tempDir } from '../support/store.js';
import { createProject, startFlowtrace, type RunningFlowtrace } from '../support/flowtrace.js';

const SENDERS = 8;
const SPANS_PER_REQUEST = 100;
const LOAD_MS = 1500;
/** FLOWTRACE_SHUTDOWN_TIMEOUT_SECONDS' default: past it, requests in flight are cut. */
const SHUTDOWN_TIMEOUT_MS = 10_000;
const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

const dir = tempDir('flowtrace-e2e-shutdown-');
let flowtrace: RunningFlowtrace | undefined;
afterAll(async () => {
  await flowtrace?.stop();
  dir.remove();
});

type Project = { id: string; key: string };


/** One export request of 100 spans in a trace of its own. */
function exportRequest(sender: string): { traceId: string; body: Buffer } {
  const traceId = randomBytes(16);
  const startMs = Date.now() - 1000;
  const spans = Array.from({ length: SPANS_PER_REQUEST }, (_, i) => ({
    traceId,
    spanId: randomBytes(8),
    name: `${sender} op ${i}`,
    kind: 1,
    startTimeUnixNano: `${startMs + i}000000`,
    endTimeUnixNano: `${startMs + i + 1}000000`,
    attributes: [{ key: 'sender', value: { stringValue: sender } }],
  }));
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shutdown-senders' } }] }, scopeSpans: [{ scope: { name: 'e2e-shutdown' }, spans }] }],
  });
  return { traceId: traceId.toString('hex'), body: Buffer.from(ExportTraceServiceRequest.encode(message).finish()) };
}

/** What became of one request: its status and headers, or the connection's error. */
interface Outcome {
  traceId: string;
  /** Date.now() before the request was written. */
  startedAt: number;
  status?: number;
  retryAfter?: string;
  connection?: string;
  error?: string;
}

function postHttp(f: RunningFlowtrace, project: Project, agent: http.Agent, sender: string): Promise<Outcome> {
  const { traceId, body } = exportRequest(sender);
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const req = http.request(
      `${f.otlpUrl}/v1/traces`,
      { method: 'POST', agent, headers: { authorization: `Bearer ${project.key}`, 'content-type': 'application/x-protobuf', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ traceId, startedAt, status: res.statusCode, retryAfter: res.headers['retry-after'], connection: res.headers.connection }));
        res.on('error', (err) => resolve({ traceId, startedAt, error: err.message }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ traceId, startedAt, error: err.code ?? err.message }));
    req.end(body);
  });
}

function callGrpc(client: Client, project: Project): Promise<Outcome & { code: number }> {
  const { traceId, body } = exportRequest('grpc');
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${project.key}`);
  const startedAt = Date.now();
  return new Promise((resolve) => {
    client.makeUnaryRequest(TRACES, (b: Buffer) => b, (b: Buffer) => b, body, metadata, { deadline: Date.now() + 5000 }, (err: ServiceError | null) =>
      resolve({ traceId, startedAt, code: err ? err.code : Status.OK, error: err?.details }),
    );
  });
}

interface RawResponse {
  status?: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * A request on a connection of its own, sent in two parts: the first before the
 * signal, the rest (by finish()) once the process is stopping. Split after the
 * request line, it is a new request the server has not read yet; split in the
 * body, it is a request in flight. Resolves when the server closes the connection.
 */
function twoPartRequest(url: string, path: string, headers: Record<string, string>, body: Buffer, split: 'request-line' | 'body') {
  const { hostname, port } = new URL(url);
  const head = `POST ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n${Object.entries({ ...headers, 'content-length': String(body.length) })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  const whole = Buffer.concat([Buffer.from(head, 'latin1'), body]);
  const at = split === 'request-line' ? head.indexOf('\r\n') + 2 : head.length + Math.floor(body.length / 2);
  const socket = net.connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<RawResponse>((resolve) => socket.on('close', () => resolve(parseResponse(Buffer.concat(chunks)))));
  socket.write(whole.subarray(0, at));
  return {
    finish: () => {
      socket.write(whole.subarray(at));
      return closed;
    },
  };
}

function parseResponse(bytes: Buffer): RawResponse {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { headers: {}, body: bytes };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine!.split(' ')[1]), headers, body: bytes.subarray(end + 4) };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** When the process logged that it is stopping (ms, truncated): every request it reads after that is refused. */
function stoppingAt(stderr: string): number {
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; time?: string };
    if (entry.msg === 'stopping') return Date.parse(entry.time!);
  }
  throw new Error(`no "stopping" in the log:\n${stderr}`);
}

describe('SIGTERM with keep-alive senders', () => {
  it('refuses new requests at once, answers those in flight, exits 0, and stores exactly what it acknowledged', async () => {
    const f = (flowtrace = await startFlowtrace(dir.path));
    const project = await createProject(f, 'shutdown');

    let exited = false;
    const httpOutcomes: Outcome[] = [];
    const grpcOutcomes: Array<Outcome & { code: number }> = [];
    const senders = Array.from({ length: SENDERS }, async (_, i) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (!exited) {
          const outcome = await postHttp(f, project, agent, `sender-${i}`);
          httpOutcomes.push(outcome);
          // Refused: wait a little, as an exporter would (Retry-After is longer than this test).
          if (outcome.status !== 200) await pause(20);
        }
      } finally {
        agent.destroy();
      }
    });
    const grpcSender = (async () => {
      const client = new Client(f.otlpGrpcAddress, credentials.createInsecure());
      try {
        while (!exited) {
          const outcome = await callGrpc(client, project);
          grpcOutcomes.push(outcome);
          if (outcome.code !== Status.OK) await pause(20);
        }
      } finally {
        client.close();
      }
    })();

    // Beside the senders, on connections of their own: a request in flight at the
    // signal (half its body sent) and two new ones (only their request line sent).
    const auth = { authorization: `Bearer ${project.key}` };
    const slow = exportRequest('in-flight');
    const inFlight = twoPartRequest(f.otlpUrl, '/v1/traces', { ...auth, 'content-type': 'application/x-protobuf' }, slow.body, 'body');
    const late = exportRequest('late');
    const lateOtlp = twoPartRequest(f.otlpUrl, '/v1/traces', { ...auth, 'content-type': 'application/x-protobuf' }, late.body, 'request-line');
    const lateWorkato = twoPartRequest(f.otlpUrl, '/ingest/workato', { ...auth, 'content-type': 'application/json' }, Buffer.from('[]'), 'request-line');

    await pause(LOAD_MS);
    const signalledAt = Date.now();
    const exit = f.stop();
    while (!f.stderr().includes('"msg":"stopping"')) await pause(5);
    const [inFlightResponse, lateOtlpResponse, lateWorkatoResponse] = await Promise.all([inFlight.finish(), lateOtlp.finish(), lateWorkato.finish()]);
    const code = await exit;
    const exitMs = Date.now() - signalledAt;
    exited = true;
    flowtrace = undefined;
    await Promise.all([...senders, grpcSender]);

    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(f.stderr()).not.toContain('still in flight after');
    const stopped = stoppingAt(f.stderr());

    // The request in flight is answered, and its connection closed; the new ones are refused.
    expect({ status: inFlightResponse.status, connection: inFlightResponse.headers.connection }).toEqual({ status: 200, connection: 'close' });
    expect(lateOtlpResponse).toMatchObject({ status: 503, headers: { 'retry-after': '5', connection: 'close', 'content-type': 'application/x-protobuf' } });
    expect(RpcStatus.toObject(RpcStatus.decode(lateOtlpResponse.body))).toEqual({ code: 14, message: 'the collector is shutting down; retry later' });
    expect(lateWorkatoResponse).toMatchObject({ status: 503, headers: { 'retry-after': '5', connection: 'close' } });
    expect(JSON.parse(lateWorkatoResponse.body.toString())).toEqual({ error: { code: 'unavailable', message: 'the collector is shutting down; retry later' } });

    // Before the signal the senders were served; after it, no new request was.
    const acknowledged = httpOutcomes.filter((o) => o.status === 200);
    expect(acknowledged.length).toBeGreaterThan(SENDERS);
    const begunAfterStop = httpOutcomes.filter((o) => o.startedAt >= stopped + 1);
    expect(begunAfterStop.length).toBeGreaterThan(0);
    for (const o of begunAfterStop) {
      if (o.status === undefined) continue; // connection refused or closed before the request was read
      expect(o).toMatchObject({ status: 503, retryAfter: '5', connection: 'close' });
    }
    // Each sender had at most one request in flight at the signal: at most that many answered 200 after it.
    expect(acknowledged.filter((o) => o.startedAt >= stopped - 1).length).toBeLessThanOrEqual(SENDERS);
    for (const o of httpOutcomes) {
      if (o.status !== undefined) expect([200, 503]).toContain(o.status);
    }

    const grpcAcknowledged = grpcOutcomes.filter((o) => o.code === Status.OK);
    expect(grpcAcknowledged.length).toBeGreaterThan(0);
    const grpcAfterStop = grpcOutcomes.filter((o) => o.startedAt >= stopped + 1);
    expect(grpcAfterStop.length).toBeGreaterThan(0);
    for (const o of grpcAfterStop) expect({ code: o.code, error: o.error }).toMatchObject({ code: Status.UNAVAILABLE });

    // The data directory after the process is gone: every acknowledged span is there, nothing refused is.
    const { store } = await openStore({ dataDir: dir.path, ttlDays: 30 });
    let stored: Map<string, number>;
    try {
      const rows = await store.select<{ traceId: string; spans: string }>(
        'test.shutdown',
        `SELECT TraceId AS traceId, count() AS spans FROM ${TABLES.traces} WHERE ProjectId = {projectId:String} GROUP BY TraceId`,
        { projectId: project.id },
      );
      stored = new Map(rows.map((r) => [r.traceId, Number(r.spans)]));
    } finally {
      await store.close();
    }
    expect(stored.get(slow.traceId), 'the request in flight at the signal').toBe(SPANS_PER_REQUEST);
    expect(stored.has(late.traceId), 'the request refused after the signal').toBe(false);
    const missing = [...acknowledged, ...grpcAcknowledged].filter((o) => stored.get(o.traceId) !== SPANS_PER_REQUEST);
    expect(missing, 'acknowledged but not stored whole').toEqual([]);
    const refused = httpOutcomes.filter((o) => o.status === 503);
    expect(refused.filter((o) => stored.has(o.traceId)), 'refused (503) but stored').toEqual([]);
    const grpcRefused = grpcOutcomes.filter((o) => o.code === Status.UNAVAILABLE && o.error?.includes('shutting down'));
    expect(grpcRefused.filter((o) => stored.has(o.traceId)), 'refused (UNAVAILABLE) but stored').toEqual([]);
  });
});
