import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store, TABLES, loadMigrations, migrate, type SpanRow } from '@flowtrace/store';
import { tempDir } from '../../test/support/store.js';

// Its own file: chDB allows one data directory per process.
const dir = tempDir();
let store: Store;

beforeAll(async () => {
  store = await Store.connect({ dataDir: dir.path });
});
afterAll(async () => {
  await store.close();
  dir.remove();
});

const span = (spanId: string, parentSpanId: string, second: number): SpanRow => ({
  ProjectId: 'p1',
  Timestamp: `2026-11-01 10:00:0${second}.123456789`,
  TraceId: 'a'.repeat(32),
  SpanId: spanId,
  ParentSpanId: parentSpanId,
  TraceState: 'k=v',
  SpanName: `span ${spanId}`,
  SpanKind: 'Client',
  ServiceName: 'svc',
  ResourceAttributes: { 'service.name': 'svc' },
  ScopeName: 'scope',
  ScopeVersion: '1.0',
  SpanAttributes: { 'user.id': 'u-1', quote: 'say "hi"\n' },
  Duration: '9007199254740993',
  StatusCode: 'Error',
  StatusMessage: 'boom',
  'Events.Timestamp': [`2026-11-01 10:00:0${second}.5`],
  'Events.Name': ['exception'],
  'Events.Attributes': [{ 'exception.message': 'boom' }],
  'Links.TraceId': ['b'.repeat(32)],
  'Links.SpanId': ['c'.repeat(16)],
  'Links.TraceState': [''],
  'Links.Attributes': [{ reason: 'skill' }],
});

const records = () =>
  store.select<{ Record: string; nanos: string; Payload: string }>(
    'test',
    `SELECT toString(Record) AS Record, toString(toUnixTimestamp64Nano(Timestamp)) AS nanos, Payload FROM ${TABLES.traceRecords}
     WHERE ProjectId = 'p1' ORDER BY Timestamp, Record`,
  );

describe('migration 0009 (trace records as payloads)', () => {
  it('copies the spans and logs stored before it, and the views copy those stored after', async () => {
    const all = loadMigrations();
    await migrate(store, all.filter((m) => m.version <= 8));
    await store.insert('test', TABLES.traces, [span('1111111111111111', '', 1)]);
    await store.insert('test', TABLES.logs, [
      { ProjectId: 'p1', Timestamp: '2026-11-01 10:00:02', TraceId: 'a'.repeat(32), SpanId: '1111111111111111', SeverityText: 'ERROR', SeverityNumber: 17, ServiceName: 'svc', Body: 'failed', LogAttributes: { a: '1' }, EventName: 'step.failed' },
      { ProjectId: 'p1', Timestamp: '2026-11-01 10:00:02', TraceId: '', SpanId: '', SeverityText: 'INFO', SeverityNumber: 9, ServiceName: 'svc', Body: 'no trace', LogAttributes: {}, EventName: '' },
    ]);

    const started: string[] = [];
    const applied = await migrate(store, all, (name) => started.push(name));
    expect(applied).toEqual(all.filter((m) => m.version > 8).map((m) => m.name));
    expect(started).toEqual(applied);
    await store.insert('test', TABLES.traces, [span('2222222222222222', '1111111111111111', 3)]);

    const rows = await records();
    expect(rows.map((r) => [r.Record, r.nanos])).toEqual([
      ['span', '1793527201123456789'],
      ['log', '1793527202000000000'],
      ['span', '1793527203123456789'],
    ]);
    const payloads = rows.map((r) => JSON.parse(r.Payload) as Record<string, unknown>);
    for (const [i, spanId, parent] of [[0, '1111111111111111', ''], [2, '2222222222222222', '1111111111111111']] as const) {
      expect(payloads[i]).toEqual({
        SpanId: spanId,
        ParentSpanId: parent,
        SpanName: `span ${spanId}`,
        SpanKind: 'Client',
        ServiceName: 'svc',
        Duration: '9007199254740993',
        StatusCode: 'Error',
        StatusMessage: 'boom',
        TraceState: 'k=v',
        ScopeName: 'scope',
        ScopeVersion: '1.0',
        SpanAttributes: { 'user.id': 'u-1', quote: 'say "hi"\n' },
        ResourceAttributes: { 'service.name': 'svc' },
        eventNanos: [`179352720${i + 1}500000000`],
        eventNames: ['exception'],
        eventAttributes: [{ 'exception.message': 'boom' }],
        linkTraceIds: ['b'.repeat(32)],
        linkSpanIds: ['c'.repeat(16)],
        linkTraceStates: [''],
        linkAttributes: [{ reason: 'skill' }],
      });
    }
    expect(payloads[1]).toEqual({
      SpanId: '1111111111111111',
      SeverityText: 'ERROR',
      SeverityNumber: 17,
      EventName: 'step.failed',
      Body: 'failed',
      ServiceName: 'svc',
      LogAttributes: { a: '1' },
    });
  });
});
