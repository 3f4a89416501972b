/**
 * Execution pages located through the hourly counts, against the same pages
 * cut from the generated executions in memory: quiet, empty and crowded hours,
 * ranges with and without partial hours at either end, every order, offsets
 * up to and past the end, and both ways of counting the partial hours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanosToDateTime64, TABLES, type Store } from '@flowtrace/store';
import { listExecutions, type ExecutionQuery } from '../src/repositories/executions.js';
import { openTempStore } from '../../test/support/store.js';

const HOUR_NS = 3_600_000_000_000n;
const INTEGRATIONS = ['salesforce', 'hubspot', 'slack', 'jira'];
const STATUSES = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

interface Execution {
  id: string;
  traceId: string;
  start: bigint;
  integration: string;
  status: string;
  userId: string;
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = random(7);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
// 72 hours ending an hour before the start of this one: most hours hold a few
// executions, some none, two hold hundreds; a few executions share a start.
const firstHour = (BigInt(Date.now()) * 1_000_000n) / HOUR_NS - 73n;
const executions: Execution[] = [];
for (let h = 0n; h < 72n; h++) {
  const n = h === 20n || h === 71n ? 450 : h % 9n === 4n ? 0 : Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) {
    const start = (firstHour + h) * HOUR_NS + BigInt(Math.floor(rand() * 3_600_000)) * 1_000_000n + BigInt(Math.floor(rand() * 1_000_000));
    const seq = executions.length;
    const tied = seq % 50 === 7 && executions.length > 0;
    executions.push({
      id: `exec-${seq}`,
      traceId: (seq * 2654435761).toString(16).padStart(32, '0').slice(-32),
      start: tied ? executions[executions.length - 1]!.start : start,
      integration: pick(INTEGRATIONS),
      status: pick(STATUSES),
      userId: `user-${seq % 7}`,
    });
  }
}

let opened: Awaited<ReturnType<typeof openTempStore>>;
let store: Store;
const projectId = 'listing-project';

beforeAll(async () => {
  opened = await openTempStore();
  store = opened.store;
  await store.insert(
    'test.listing',
    TABLES.traces,
    executions.map((e) => ({
      ProjectId: projectId,
      Timestamp: nanosToDateTime64(e.start),
      TraceId: e.traceId,
      SpanId: e.traceId.slice(0, 16),
      ParentSpanId: '',
      SpanName: 'workflow execution',
      SpanKind: 'Internal',
      ServiceName: 'runner',
      SpanAttributes: {
        'flowtrace.kind': 'workflow_execution',
        'flowtrace.execution.id': e.id,
        'flowtrace.integration': e.integration,
        'flowtrace.status': e.status,
        'user.id': e.userId,
      },
      Duration: '1000000',
      StatusCode: e.status === 'FAILED' ? 'Error' : 'Ok',
    })),
  );
}, 60_000);
afterAll(() => opened.dispose());

type Case = Omit<ExecutionQuery, 'projectId' | 'kind'>;

function expected(c: Case): { ids: string[]; total: number } {
  const matching = executions
    .filter(
      (e) =>
        (c.from === undefined || e.start >= c.from) &&
        (c.to === undefined || e.start < c.to) &&
        (c.rollup.integration === undefined || e.integration === c.rollup.integration) &&
        (c.rollup.status === undefined || c.rollup.status.includes(e.status)) &&
        (c.rows.userId === undefined || e.userId === c.rows.userId),
    )
    .sort((a, b) => (a.start === b.start ? (a.traceId < b.traceId ? -1 : 1) : a.start < b.start ? -1 : 1));
  if (c.order === 'DESC') matching.reverse();
  return { ids: matching.slice(c.offset, c.offset + c.limit).map((e) => e.id), total: matching.length };
}

async function check(c: Case, onePassRows?: number): Promise<void> {
  const page = await listExecutions(store, { projectId, kind: 'workflow_execution', ...c }, { onePassRows });
  const label = JSON.stringify({ ...c, from: c.from?.toString(), to: c.to?.toString(), onePassRows });
  expect({ ids: page.rows.map((r) => r.executionId), total: page.total }, label).toEqual(expected(c));
}

/** A time in hour h of the data: at its start, or some way into it. */
const at = (h: number, aligned: boolean) => (firstHour + BigInt(h)) * HOUR_NS + (aligned ? 0n : BigInt(Math.floor(rand() * 3_600_000)) * 1_000_000n);

describe('execution pages through the hourly counts', () => {
  it('stores every generated execution once', async () => {
    const [row] = await store.select<{ n: string }>('test.listing.count', `SELECT count() AS n FROM ${TABLES.executions} WHERE ProjectId = {projectId:String}`, { projectId });
    expect(Number(row!.n)).toBe(executions.length);
  });

  it('cuts the same pages as the executions themselves, for every range shape, order, offset and filter', async () => {
    const ranges: Array<[bigint | undefined, bigint | undefined]> = [
      [undefined, undefined],
      [at(3, false), undefined],
      [undefined, at(60, false)],
      [at(3, false), at(60, false)],
      [at(3, true), at(60, true)],
      [at(19, false), at(21, false)], // crowded hour inside, quiet partial hours
      [at(20, false), at(22, true)], // a crowded partial hour at the start
      [at(50, true), at(71, false)], // a crowded partial hour at the end
      [at(71, false), at(71, false) + 20n * 60n * 1_000_000_000n], // both ends in one crowded hour
      [at(13, false), at(13, false) + 1_000_000n], // an empty hour
      [at(10, false), at(10, false)], // an empty range
    ];
    const filters: Array<Pick<Case, 'rollup' | 'rows'>> = [
      { rollup: {}, rows: {} },
      { rollup: { integration: 'hubspot' }, rows: {} },
      { rollup: { status: ['FAILED', 'CANCELLED'] }, rows: {} },
      { rollup: { integration: 'slack', status: ['SUCCEEDED'] }, rows: {} },
      { rollup: { integration: 'jira' }, rows: { userId: 'user-3' } },
    ];
    for (const [from, to] of ranges) {
      for (const filter of filters) {
        for (const order of ['ASC', 'DESC'] as const) {
          const { total } = expected({ from, to, order, offset: 0, limit: 0, ...filter });
          const offsets = [0, 1, Math.floor(total / 2), Math.max(0, total - 3), total, total + 10];
          for (const offset of offsets) {
            const limit = offset % 2 === 0 ? 100 : 7;
            await check({ from, to, order, offset, limit, ...filter });
          }
          // Counting the partial hours on their own first, and a page of none.
          await check({ from, to, order, offset: Math.floor(total / 3), limit: 100, ...filter }, 0);
          await check({ from, to, order, offset: 0, limit: 0, ...filter });
        }
      }
    }
  }, 120_000);
});
