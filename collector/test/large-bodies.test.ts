/**
 * Workato bodies near FLOWTRACE_WORKATO_MAX_BODY_BYTES, against the real
 * embedded store: every body under the limit is stored whole (NDJSON and one
 * JSON array alike), read and stored in chunks rather than held as objects at
 * once; an invalid item near the end still fails the batch with its position
 * and stores nothing; a retry — also after a failure halfway through — stores
 * nothing twice.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRunTraceId, jobTraceId } from '@flowtrace/conventions';
import { Projects, TABLES, type Store } from '@flowtrace/store';
import { Admission, OverloadedError, createCollectorApp, openCollector, type Collector, type Sink } from '@flowtrace/collector';
import { itemChunks, parseBody, WHOLE_BODY_BYTES, type Item } from '../src/workato/parse.js';
import { openTempStore } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';

/** FLOWTRACE_WORKATO_MAX_BODY_BYTES' default. */
const MAX_BODY = 64 << 20;
const MiB = 2 ** 20;
const JOB = JSON.parse(readFileSync(new URL('./fixtures/workato/01_job_history_success.json', import.meta.url), 'utf8')) as Record<string, unknown>;

let store: Store;
let projects: Projects;
let collector: Collector;
let url: string;
/** The same collector behind a sink whose chosen write fails once. */
let flakyUrl: string;
let failWrite = -1;
let writes = 0;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  // The sample job is from 2022: no retention, or it would be refused as expired.
  const opened = await openTempStore(0);
  store = opened.store;
  projects = new Projects(store, { keyCacheMs: 0 });
  const options = { store, projects, log: memoryLogger(), maxBodyBytes: MAX_BODY, workatoMaxBodyBytes: MAX_BODY, ttlDays: 0, maxFutureSkewSeconds: 3600 };
  collector = await openCollector(options);
  const flaky: Sink = {
    workato: collector.sink.workato,
    close: () => collector.sink.close(),
    write: (batch) => (writes++ === failWrite ? Promise.reject(new OverloadedError('the queue is full (test)', 1)) : collector.sink.write(batch)),
  };
  const server = await listenApp(collector.app);
  const flakyServer = await listenApp(createCollectorApp(options, collector.ingest, collector.metrics, flaky, new Admission(MAX_BODY * 2)));
  url = server.url;
  flakyUrl = flakyServer.url;
  cleanup = async () => {
    await server.close();
    await flakyServer.close();
    await collector.close();
    await opened.dispose();
  };
});
afterAll(() => cleanup());

async function newProject(name: string): Promise<{ id: string; key: string }> {
  const id = (await projects.createProject(name)).id;
  return { id, key: (await projects.createApiKey(id, 'k')).key };
}

/** Jobs `j-<prefix>-0…` of the sample's shape, one JSON text each, until `bytes` of text. */
function jobTexts(prefix: string, bytes: number): string[] {
  const texts: string[] = [];
  for (let size = 0; size < bytes; ) {
    const text = JSON.stringify({ ...JOB, id: `j-${prefix}-${texts.length}` });
    texts.push(text);
    size += text.length + 1;
  }
  return texts;
}

const ndjson = (texts: string[]) => Buffer.from(texts.join('\n'));
const jsonArray = (texts: string[]) => Buffer.from(`[\n${texts.join(',\n')}\n]`);

async function ingest(project: { key: string }, body: Buffer, to = url) {
  const res = await fetch(`${to}/ingest/workato`, { method: 'POST', body, headers: { authorization: `Bearer ${project.key}`, 'content-type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Spans, distinct traces, distinct span ids, and logs of a project. */
async function stored(projectId: string) {
  const [spans] = await store.select<{ rows: string; traces: string; ids: string }>(
    'test',
    `SELECT count() AS rows, uniqExact(TraceId) AS traces, uniqExact(TraceId, SpanId) AS ids FROM ${TABLES.traces} WHERE ProjectId = {projectId:String}`,
    { projectId },
  );
  const [logs] = await store.select<{ rows: string }>('test', `SELECT count() AS rows FROM ${TABLES.logs} WHERE ProjectId = {projectId:String}`, { projectId });
  return { spans: Number(spans!.rows), traces: Number(spans!.traces), spanIds: Number(spans!.ids), logs: Number(logs!.rows) };
}

const hasTrace = async (projectId: string, traceId: string) =>
  (await store.select<{ n: string }>('test', `SELECT count() AS n FROM ${TABLES.traces} WHERE ProjectId = {projectId:String} AND TraceId = {traceId:String}`, { projectId, traceId }))[0]!.n !== '0';

/** Resident memory now and at its peak (the kernel's high-water mark, reset by resetPeak), in MiB. */
function residentMiB(): { now: number; peak: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)![1]) / 1024;
  return { now: field('VmRSS'), peak: field('VmHWM') };
}
const resetPeak = () => writeFileSync('/proc/self/clear_refs', '5');

describe('bodies under the limit are stored whole', () => {
  it('a 60 MiB NDJSON body: every job, in bounded memory', async () => {
    const project = await newProject('ndjson-60');
    const texts = jobTexts('nd', 60 * MiB);
    const body = ndjson(texts);
    expect(body.length).toBeLessThan(MAX_BODY);
    // Peak resident memory while the request is served; this process also holds the client's copy of the body.
    const before = residentMiB().now;
    resetPeak();
    const { status, body: answer } = await ingest(project, body);
    const growth = residentMiB().peak - before;
    console.log(`60 MiB NDJSON (${texts.length} jobs): resident memory +${growth.toFixed(0)} MiB at peak (${(growth / (body.length / MiB)).toFixed(1)}x the body)`);
    expect(status, JSON.stringify(answer)).toBe(200);
    expect(answer).toMatchObject({ accepted: texts.length, rejected: 0, kinds: { job: texts.length }, logs: texts.length });
    const rows = await stored(project.id);
    expect(rows).toEqual({ spans: answer.spans, traces: texts.length, spanIds: answer.spans, logs: texts.length });
    expect(await hasTrace(project.id, jobTraceId('j-nd-0'))).toBe(true);
    expect(await hasTrace(project.id, jobTraceId(`j-nd-${texts.length - 1}`))).toBe(true);
    // Before chunking: +1.6 GB (27x) for 61.6 MiB; now 9-11x here. Generous: the client's copies count too.
    expect(growth).toBeLessThan(18 * (body.length / MiB));
  }, 120_000);

  it('a 30 MiB JSON array document: every job', async () => {
    const project = await newProject('array-30');
    const texts = jobTexts('arr', 30 * MiB);
    const { status, body: answer } = await ingest(project, jsonArray(texts));
    expect(status, JSON.stringify(answer)).toBe(200);
    expect(answer).toMatchObject({ accepted: texts.length, rejected: 0, kinds: { job: texts.length } });
    expect(await stored(project.id)).toEqual({ spans: answer.spans, traces: texts.length, spanIds: answer.spans, logs: texts.length });
  }, 60_000);
});

describe('joins across the chunks of one body', () => {
  it('a topic_assigned at the start joins its run, whose events come at the end', async () => {
    const project = await newProject('topic');
    const sample = (name: string) => JSON.stringify(JSON.parse(readFileSync(new URL(`./fixtures/workato/${name}`, import.meta.url), 'utf8')));
    const body = ndjson([sample('44_topic_assigned.json'), ...jobTexts('topic', 3 * MiB), sample('45_user_message.json')]);
    const { status, body: answer } = await ingest(project, body);
    expect(status, JSON.stringify(answer)).toBe(200);
    const topics = await store.select<{ TraceId: string; pending: string }>(
      'test',
      `SELECT TraceId, LogAttributes['flowtrace.join.pending'] AS pending FROM ${TABLES.logs} WHERE ProjectId = {projectId:String} AND EventName = 'topic_assigned'`,
      { projectId: project.id },
    );
    expect(topics).toEqual([{ TraceId: agentRunTraceId('95ce2c49-de8f-418e-9818-2f648e15aff2'), pending: '' }]);
  }, 60_000);
});

describe('an invalid item near the end of a big body', () => {
  it('fails the batch with its position (NDJSON), storing nothing', async () => {
    const project = await newProject('bad-line');
    const texts = jobTexts('bad', 8 * MiB);
    texts.splice(texts.length - 2, 0, JSON.stringify({ ...JOB, id: 'j-bad-date', started_at: 'yesterday-ish' }));
    const { status, body } = await ingest(project, ndjson(texts));
    expect(status).toBe(400);
    const n = texts.length - 2;
    expect(body).toEqual({ error: { code: 'invalid_request', message: `event ${n} (line ${n}): started_at: not a date-time: "yesterday-ish"` } });
    expect(await stored(project.id)).toEqual({ spans: 0, traces: 0, spanIds: 0, logs: 0 });
  }, 60_000);

  it('fails the batch with its position (JSON array), storing nothing', async () => {
    const project = await newProject('bad-element');
    const texts = jobTexts('bad', 8 * MiB);
    texts.push('42');
    const { status, body } = await ingest(project, jsonArray(texts));
    expect(status).toBe(400);
    expect(body).toEqual({ error: { code: 'invalid_request', message: `event ${texts.length}: expected a JSON object, got number` } });
    expect(await stored(project.id)).toEqual({ spans: 0, traces: 0, spanIds: 0, logs: 0 });
  }, 60_000);
});

describe('a retried big body is stored once', () => {
  it('re-sent after it was stored: acknowledged, nothing stored again', async () => {
    const project = await newProject('retry');
    const body = ndjson(jobTexts('again', 8 * MiB));
    const first = await ingest(project, body);
    expect(first.status).toBe(200);
    const rows = await stored(project.id);
    const second = await ingest(project, body);
    expect(second).toEqual(first);
    expect(await stored(project.id)).toEqual(rows);
  }, 60_000);

  it('re-sent after a failure halfway through: the rest is stored, nothing twice', async () => {
    const project = await newProject('retry-halfway');
    const texts = jobTexts('half', 8 * MiB);
    const body = ndjson(texts);
    // The third of its four chunks fails (the queue is full, say): the two before it are stored.
    writes = 0;
    failWrite = 2;
    const failed = await ingest(project, body, flakyUrl);
    expect(failed.status).toBe(429);
    const partial = await stored(project.id);
    expect(partial.traces).toBeGreaterThan(0);
    expect(partial.traces).toBeLessThan(texts.length);
    const retried = await ingest(project, body, flakyUrl);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ accepted: texts.length, kinds: { job: texts.length } });
    const rows = await stored(project.id);
    expect(rows).toEqual({ spans: retried.body.spans, traces: texts.length, spanIds: retried.body.spans, logs: texts.length });
  }, 60_000);
});

describe('itemChunks', () => {
  // Bodies over WHOLE_BODY_BYTES are cut without being parsed whole; the items are parseBody's.
  const pad = (n: number) => 'x'.repeat(n);
  const filler = (count: number) => Array.from({ length: count }, (_, i) => ({ i, text: `${pad(100)} ] } , \\" ${i} é 😀` }));
  const positions = (chunks: Iterable<Item[]>) => [...chunks].flat().map((item) => [item.value, item.position]);
  const count = Math.ceil(WHOLE_BODY_BYTES / 130) + 10;

  it('cuts NDJSON at line ends, with parseBody positions, repairs and unwrapped strings', () => {
    const lines = filler(count).map((v) => JSON.stringify(v));
    lines[1] = '{"a": 007, "b": [1,],}\r';
    lines[2] = '';
    lines[3] = JSON.stringify(JSON.stringify({ event: 'recipe_started' }));
    const text = `\ufeff${lines.join('\n')}\n\n`;
    expect(text.length).toBeGreaterThan(WHOLE_BODY_BYTES);
    const chunks = [...itemChunks(Buffer.from(text), { bytes: 64 << 10, items: 100 })];
    expect(chunks.length).toBeGreaterThan(count / 100);
    expect(chunks.every((c) => c.length <= 100)).toBe(true);
    expect(positions(chunks)).toEqual(positions([parseBody(text)]));
  });

  it('cuts a JSON array at its top-level elements, strings and nesting respected', () => {
    const values = filler(count);
    const text = `  [\n${values.map((v, i) => (i === 5 ? '{"nested": [[1, {"a": "]"}], 02],}' : JSON.stringify(v))).join(' ,\n')},\n]\n`;
    expect(text.length).toBeGreaterThan(WHOLE_BODY_BYTES);
    const chunks = [...itemChunks(Buffer.from(text), { bytes: 64 << 10, items: 1000 })];
    expect(chunks.length).toBeGreaterThan(1);
    expect(positions(chunks)).toEqual(positions([parseBody(text)]));
  });

  it('leaves what the scan cannot cut to parseBody: one pretty-printed object, a malformed array', () => {
    const object = JSON.stringify({ lines: filler(count) }, null, 2);
    expect([...itemChunks(Buffer.from(object))].flat().map((i) => i.value)).toEqual([JSON.parse(object)]);
    for (const malformed of [`[${filler(count).map((v) => JSON.stringify(v)).join(',')},,]`, `[1,${pad(WHOLE_BODY_BYTES)}`]) {
      expect(() => [...itemChunks(Buffer.from(malformed))]).toThrow(/^invalid JSON/);
    }
  });
});

describe('OTLP/JSON near the body limit (the 17 MiB body that took +1.1 GB)', () => {
  it('a 17 MiB OTLP/JSON body is stored whole', async () => {
    const project = await newProject('otlp-json-17');
    const now = BigInt(Date.now()) * 1_000_000n;
    const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
    const spans: string[] = [];
    let size = 0;
    for (let i = 0; size < 17 * 2 ** 20; i++) {
      const span = JSON.stringify({
        traceId: hex(Math.floor(i / 5) + 1, 16),
        spanId: hex(i + 1, 8),
        name: `step ${i % 5}: Salesforce Create Record`,
        kind: 3,
        startTimeUnixNano: String(now - BigInt(i) * 1_000_000n),
        endTimeUnixNano: String(now - BigInt(i) * 1_000_000n + 5_000_000n),
        attributes: [
          { key: 'http.request.method', value: { stringValue: 'POST' } },
          { key: 'url.full', value: { stringValue: 'https://acme.my.salesforce.com/services/data/v59.0/sobjects/Contact' } },
          { key: 'http.response.status_code', value: { intValue: 201 } },
          { key: 'flowtrace.step_id', value: { stringValue: `step-${i % 5}` } },
        ],
        status: {},
      });
      spans.push(span);
      size += span.length + 1;
    }
    const body = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"big"}}]},"scopeSpans":[{"spans":[${spans.join(',')}]}]}]}`;
    const before = process.memoryUsage().rss;
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${project.key}` } });
    console.log(`OTLP/JSON ${(body.length / 2 ** 20).toFixed(1)} MiB, ${spans.length} spans: RSS +${Math.round((process.memoryUsage().rss - before) / 2 ** 20)} MiB (test and collector in one process)`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const stored = await store.select<{ n: string }>('test', `SELECT count() AS n FROM ${TABLES.traces} WHERE ProjectId = {project:String}`, { project: project.id });
    expect(Number(stored[0]!.n)).toBe(spans.length);
  });
});
