/**
 * Mapped Workato items become the same rows, rejections and errors directly
 * (workatoRows) as through OTLP/JSON and the collector's decoders (toOtlpJson,
 * spansFromRequest, logsFromRequest), the path they took before.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { agentRunTrace, toOtlpJson, traceIdFor, type LogSpec, type TraceSpec } from '@flowtrace/conventions';
import { ATTR_FLOWTRACE_KIND, ATTR_FLOWTRACE_SPAN_FRAGMENT } from '@flowtrace/conventions/semconv';
import { logsFromRequest } from '../src/otlp/logs.js';
import { spansFromRequest } from '../src/otlp/traces.js';
import { timeWindow, type TimeWindow } from '../src/otlp/window.js';
import { mapItems } from '../src/workato/map.js';
import { parseBody } from '../src/workato/parse.js';
import { WORKATO_RESOURCE, workatoRows } from '../src/workato/rows.js';

const FIXTURES = new URL('./fixtures/workato/', import.meta.url);
const fixtureNames = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();
const PROJECT = 'project-1';
const NOW = Date.UTC(2025, 5, 1);
const RECEIVED = BigInt(NOW) * 1_000_000n;
/** Everything inside. */
const OPEN: TimeWindow = { earliestNanos: 1n, latestNanos: RECEIVED * 2n };
/** The samples are years old: a 30-day retention rejects them. */
const RECENT = timeWindow({ ttlDays: 30, maxFutureSkewSeconds: 300 }, NOW);

function oldPath(traces: TraceSpec[], logs: LogSpec[], window: TimeWindow) {
  const otlp = toOtlpJson(traces, logs, WORKATO_RESOURCE);
  const spans = spansFromRequest(otlp.traces, 'json', PROJECT, window);
  const logRows = logsFromRequest(otlp.logs, 'json', PROJECT, window, RECEIVED);
  return { spans: spans.rows, logs: logRows.rows, spanRejections: spans.rejections.message('spans'), logRejections: logRows.rejections.message('log records') };
}

function newPath(traces: TraceSpec[], logs: LogSpec[], window: TimeWindow) {
  const rows = workatoRows(traces, logs, PROJECT, window, RECEIVED);
  return { spans: rows.spans, logs: rows.logs, spanRejections: rows.rejections.spans.message('spans'), logRejections: rows.rejections.logs.message('log records') };
}

function expectSameRows(traces: TraceSpec[], logs: LogSpec[], window: TimeWindow) {
  const expected = oldPath(traces, logs, window);
  const actual = newPath(traces, logs, window);
  expect(actual).toEqual(expected);
  // Byte for byte as inserted (JSONEachRow), key order of every attribute map included.
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  return actual;
}

const errorOf = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
  return 'no error';
};

describe('every Workato sample maps to the rows the OTLP/JSON path gives', () => {
  const cases = fixtureNames.flatMap((name) => [true, false].map((captureContent) => [name, captureContent] as const));

  it.each(cases)('%s (captureContent %s)', (name, captureContent) => {
    const capture = { captureContent };
    const mapped = mapItems(parseBody(readFileSync(new URL(name, FIXTURES), 'utf8')), capture, NOW);
    // A topic joined to its run, as resolveTopics gives it.
    const traces = [...mapped.traces, ...mapped.topics.map((t) => agentRunTrace({ ...t.run, runId: 'joined-run' }, capture))];
    const accepted = expectSameRows(traces, mapped.logs, OPEN);
    expect(accepted.spans.length + accepted.logs.length).toBeGreaterThan(0);
    const rejected = expectSameRows(traces, mapped.logs, RECENT);
    expect(rejected.spans.length + rejected.logs.length).toBe(0);
    expect(rejected.spanRejections + rejected.logRejections).not.toBe('');
  });
});

describe('values the samples do not carry', () => {
  const traceId = traceIdFor('test', 'edge');
  const otherTraceId = traceIdFor('test', 'other');
  const t0 = Date.UTC(2025, 0, 1) + 0.123456;

  it('render, time and link as the decoders do', () => {
    const traces: TraceSpec[] = [
      {
        traceId,
        spans: [
          {
            key: 'root',
            name: 'root',
            kind: SpanKind.SERVER,
            startTime: t0,
            endTime: t0 + 1500.5,
            attributes: {
              s: 'text',
              yes: true,
              no: false,
              int: 42,
              negative: -7,
              big: 2 ** 60,
              min: -(2 ** 62),
              double: 1.25,
              tiny: 1e-7,
              inf: Infinity,
              negInf: -Infinity,
              absent: undefined,
              strings: ['a', '"quoted"', 'ü'],
              mixed: [1, 2.5, true, null, 'x', Infinity] as unknown as string[],
              empty: [],
              [ATTR_FLOWTRACE_KIND]: 'edge',
            },
            status: { code: SpanStatusCode.ERROR, message: 'failed' },
            events: [
              { name: 'at start (time 0)', time: 0 },
              { name: 'later', time: t0 + 10, attributes: { n: 3 } },
            ],
            links: [{ traceId: otherTraceId.toUpperCase(), spanId: 'ABCDEF0123456789', attributes: { why: 'test' } }],
          },
          // No parentKey: a child of the root. No end: a fragment.
          { key: 'child', name: 'fragment', kind: SpanKind.CLIENT, startTime: t0 + 1, attributes: { [ATTR_FLOWTRACE_SPAN_FRAGMENT]: null as unknown as string, a: 1 } },
          { key: 'grandchild', parentKey: 'child', name: 'ok', kind: SpanKind.INTERNAL, startTime: t0 + 2, endTime: t0 + 2.000_4, attributes: {}, status: { code: SpanStatusCode.OK } },
          { key: 'backwards', name: 'ends before it starts', kind: SpanKind.PRODUCER, startTime: t0 + 5, endTime: t0 + 4, attributes: {} },
        ],
        logs: [
          { spanKey: 'grandchild', time: t0 + 3, severityNumber: SeverityNumber.WARN, severityText: 'WARN', eventName: '', body: 'named by attribute', attributes: { 'event.name': 'from.attribute' } },
          { time: t0 + 999.999_999_9, severityNumber: SeverityNumber.INFO, severityText: 'INFO', eventName: 'whole.trace', body: 'rounded up to the last microsecond', attributes: {} },
        ],
      },
    ];
    const logs: LogSpec[] = [{ time: 0, severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', eventName: 'no.time', body: 'takes the time received', attributes: { list: [1, 2] } }];
    const rows = expectSameRows(traces, logs, OPEN);
    expect(rows.spanRejections).toMatch(/endTimeUnixNano is before startTimeUnixNano/);
    expectSameRows(traces, logs, { earliestNanos: BigInt(Math.round(t0 + 2)) * 1_000_000n, latestNanos: BigInt(Math.round(t0 + 100)) * 1_000_000n });
    expectSameRows([], [], OPEN);
  });

  it.each([
    ['an integer beyond 64 bits', { attributes: { n: 1e21 } }],
    ['a 19-digit integer beyond int64 (refused, not wrapped)', { attributes: { n: 9.3e18 } }],
    // toOtlpJson writes String(n): int64's minimum as a double prints as -9223372036854776000, beyond it.
    ['int64 minimum as JS prints it', { attributes: { n: -(2 ** 63) } }],
    ['NaN', { attributes: { n: NaN } }],
    ['NaN in an array', { attributes: { n: [1, NaN] as number[] } }],
    ['a time before 1970', { startTime: -5 }],
    ['a link without a valid id', { links: [{ traceId: 'not-hex', spanId: 'abcdef0123456789' }] }],
    ['a span kind that is not one', { kind: undefined as unknown as SpanKind }],
  ])('fail or render as the decoders do: %s', (_, change) => {
    const traces: TraceSpec[] = [
      { traceId, spans: [{ key: 'root', name: 'root', kind: SpanKind.INTERNAL, startTime: t0, endTime: t0 + 1, attributes: {}, ...change }], logs: [] },
    ];
    const expected = errorOf(() => oldPath(traces, [], OPEN));
    expect(errorOf(() => newPath(traces, [], OPEN))).toBe(expected);
    if (expected === 'no error') expectSameRows(traces, [], OPEN);
  });

  it('fail as the decoders do: a log severity out of range, a trace id that is not one', () => {
    const log: LogSpec = { time: t0, severityNumber: 99 as SeverityNumber, severityText: 'X', eventName: 'x', body: 'x', attributes: {} };
    expect(errorOf(() => newPath([], [log], OPEN))).toBe(errorOf(() => oldPath([], [log], OPEN)));
    const traces: TraceSpec[] = [{ traceId: '00000000000000000000000000000000', spans: [], logs: [{ ...log, severityNumber: SeverityNumber.INFO }] }];
    expect(errorOf(() => newPath(traces, [], OPEN))).toBe(errorOf(() => oldPath(traces, [], OPEN)));
  });
});
