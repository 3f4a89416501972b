/**
 * Times before 1973-03-03 (fewer than 9 digits of seconds), found by the fuzz
 * test: ClickHouse read "99999999.000000000" as a date, and the INSERT of the
 * whole block failed (500). They are stored as the times they are, on both
 * encodings, when the retention keeps everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { Projects, TABLES, type Store } from '@flowtrace/store';
import { openCollector } from '@flowtrace/collector';
import { openTempStore } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';

let store: Store;
let url: string;
let key: string;
let project: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const opened = await openTempStore(0);
  store = opened.store;
  const projects = new Projects(store, { keyCacheMs: 0 });
  project = (await projects.createProject('early')).id;
  key = (await projects.createApiKey(project, 'k')).key;
  const collector = await openCollector({ store, projects, log: memoryLogger(), maxBodyBytes: 1 << 20, ttlDays: 0, maxFutureSkewSeconds: 3600 });
  const server = await listenApp(collector.app);
  url = server.url;
  cleanup = async () => {
    await server.close();
    await collector.close();
    await opened.dispose();
  };
});
afterAll(() => cleanup());

const stored = (prefix: string) =>
  store.select<{ nanos: string; Body: string }>(
    'test',
    `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS nanos, Body FROM ${TABLES.logs} WHERE ProjectId = {project:String} AND startsWith(Body, {prefix:String}) ORDER BY Body`,
    { project, prefix },
  );

describe('times before 1973', () => {
  it('are stored as sent over OTLP/JSON', async () => {
    for (const [i, nanos] of ['1', '99999999000000000', '99999999999999999'].entries()) {
      const body = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: nanos, body: { stringValue: `json-${i}` } }] }] }] });
      const res = await fetch(`${url}/v1/logs`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });
      expect(res.status, nanos).toBe(200);
    }
    expect(await stored('json-')).toEqual([
      { nanos: '1', Body: 'json-0' },
      { nanos: '99999999000000000', Body: 'json-1' },
      { nanos: '99999999999999999', Body: 'json-2' },
    ]);
  });

  it('are stored as sent over OTLP/HTTP protobuf', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('t');
    logger.emit({ body: 'proto-0', timestamp: [1, 0] });
    logger.emit({ body: 'proto-1', timestamp: [99_999_999, 999_999_999] });
    await provider.forceFlush();
    expect(exporter.getFinishedLogRecords()).toHaveLength(2);
    const res = await fetch(`${url}/v1/logs`, {
      method: 'POST',
      body: ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())!,
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array()); // partial_success unset: nothing refused
    expect(await stored('proto-')).toEqual([
      { nanos: '1000000000', Body: 'proto-0' },
      { nanos: '99999999999999999', Body: 'proto-1' },
    ]);
  });
});
