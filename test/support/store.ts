import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type OpenedStore } from '@flowtrace/store';

/** A fresh temp directory, removed by the returned function. */
export function tempDir(prefix = 'flowtrace-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The real embedded store in a fresh temp directory, migrated. */
export async function openTempStore(ttlDays = 30): Promise<OpenedStore & { dispose: () => Promise<void> }> {
  const dir = tempDir();
  const opened = await openStore({ dataDir: dir.path, ttlDays });
  return {
    ...opened,
    dispose: async () => {
      await opened.store.close();
      dir.remove();
    },
  };
}
