import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@flowtrace/store';
import { benchIngest } from './ingest.js';
import { benchTimeline } from './timeline.js';
import { benchWorkato } from './workato.js';
import { benchWritePath } from './writepath.js';
import { benchDecode } from './decode.js';
import { benchFormats } from './formats.js';
import { benchConsole } from './console.js';

/**
 * `npm run bench`: each figure is printed next to a baseline measured in the same
 * run on the same machine, since the machine is shared and absolute times drift.
 * BENCH_SPANS sets the size of the timeline data set (default 1,000,000);
 * BENCH_WRITE_SECONDS the length of each write-path phase (default 20).
 */
const spans = Number(process.env.BENCH_SPANS ?? 1_000_000);
process.stdout.write(`Flowtrace benchmarks, node ${process.version}\n`);
// First, and before this process opens a store of its own: the write path runs the
// server in child processes and opens their data dirs here only after they exit.
await benchWritePath();
await benchDecode();
// Its server is a child process too, on a data dir of its own.
await benchConsole();
const dir = mkdtempSync(join(tmpdir(), 'flowtrace-bench-'));
const { store } = await openStore({ dataDir: dir, ttlDays: 30 });
try {
  process.stdout.write(`\nEmbedded store in ${dir}\n`);
  await benchFormats(store);
  await benchIngest(store);
  await benchWorkato(store);
  await benchTimeline(store, spans);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
