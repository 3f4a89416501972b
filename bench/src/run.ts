import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@flowtrace/store';
import { benchIngest } from './ingest.js';
import { benchTimeline } from './timeline.js';
import { benchWorkato } from './workato.js';

/**
 * `npm run bench`: each figure is printed next to a baseline measured in the same
 * run on the same machine, since the machine is shared and absolute times drift.
 * BENCH_SPANS sets the size of the timeline data set (default 1,000,000).
 */
const spans = Number(process.env.BENCH_SPANS ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'flowtrace-bench-'));
const { store } = await openStore({ dataDir: dir, ttlDays: 30 });
try {
  process.stdout.write(`Flowtrace benchmarks — embedded store in ${dir}, node ${process.version}\n`);
  await benchIngest(store);
  await benchWorkato(store);
  await benchTimeline(store, spans);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
