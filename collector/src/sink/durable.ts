import { open, rename } from 'node:fs/promises';

/** Writes a file so that a crash leaves the old content or the new, fsynced (write beside, fsync, rename). */
export async function writeDurably(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

/** How long the sink waits before trying a failed store again: from 500 ms, doubling, at most 30 s. */
export function nextBackoff(previousMs: number): number {
  return previousMs === 0 ? 500 : Math.min(30_000, previousMs * 2);
}

/** Waits `ms`, or less if `signal` aborts first. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
