import { benchWritePath } from './writepath.js';

/** `npm run bench:write`: the write-path benchmark alone (BENCH_WRITE_SECONDS per phase, default 20). */
process.stdout.write(`Flowtrace write-path benchmark, node ${process.version}\n`);
await benchWritePath();
