import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { writeDurably } from './durable.js';
import { join } from 'node:path';

/** A block as it is inserted: its table, its deduplication token, the requests it carries, its rows. */
export interface WalBlock {
  kind: 's' | 'l';
  /** insert_deduplication_token of the INSERT: the same on every attempt. */
  token: string;
  /** Ledger keys of the requests in the block. */
  keys: string[];
  rows: number;
  text: string;
}

/**
 * The blocks being inserted, written down (fsynced) before their INSERT runs
 * and removed once they are stored and their requests' tokens recorded. An
 * INSERT into otel_traces is not atomic with the views it feeds: a process
 * killed in the middle leaves some derived tables with the block and others
 * without. At the next start every block still here is inserted again with
 * its own token, and ClickHouse, which remembers the tokens of the blocks each
 * table took (migration 0013), stores it only in the tables that lack it — so
 * executions, their counts and every other table agree again, and no block
 * is stored twice. An INSERT that fails without a crash is replayed the same
 * way.
 */
export class BlockWal {
  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<BlockWal> {
    await mkdir(dir, { recursive: true });
    return new BlockWal(dir);
  }

  /** Writes the block durably; resolves with its file. */
  async write(block: WalBlock): Promise<string> {
    const file = join(this.dir, `${block.token}.block`);
    await writeDurably(file, `${JSON.stringify({ kind: block.kind, token: block.token, keys: block.keys, rows: block.rows })}\n${block.text}`);
    return file;
  }

  async remove(file: string): Promise<void> {
    await unlink(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  /** The blocks left by an earlier run (a file cut short by a crash was never inserted, and is dropped). */
  async left(): Promise<Array<{ file: string; block: WalBlock }>> {
    const out: Array<{ file: string; block: WalBlock }> = [];
    for (const name of (await readdir(this.dir)).sort()) {
      const file = join(this.dir, name);
      if (name.endsWith('.tmp')) {
        await this.remove(file);
        continue;
      }
      if (!name.endsWith('.block')) continue;
      const content = await readFile(file, 'utf8');
      const end = content.indexOf('\n');
      const header = JSON.parse(content.slice(0, end)) as Omit<WalBlock, 'text'>;
      out.push({ file, block: { ...header, text: content.slice(end + 1) } });
    }
    return out;
  }
}
