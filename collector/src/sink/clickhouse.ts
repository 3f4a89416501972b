import { randomUUID } from 'node:crypto';
import { TABLES, type Logger, type Store } from '@flowtrace/store';
import type { CollectorMetrics } from '../metrics.js';
import { BlockWriter, QueueGauge, type BlockOptions } from './blocks.js';
import { ENCODED_TABLES, INSERT_FORMAT, encodeLogs, encodeSpans } from './encode.js';
import { nextBackoff, pause } from './durable.js';
import { TokenLedger, type LedgerOptions } from './ledger.js';
import { OverloadedError, type Batch, type Sink, type WriteResult } from './sink.js';
import { ClickHouseWorkatoQueries, type WorkatoQueries } from './workato.js';
import { Spool, SpoolFullError } from './spool.js';
import { SpoolDrainer, isDataError, spoolPayload, type EncodedPart } from './drain.js';
import { BlockWal, type WalBlock } from './wal.js';
import { repairBlock } from './repair.js';

export interface ClickHouseSinkOptions {
  store: Store;
  log: Logger;
  metrics?: CollectorMetrics;
  blocks: BlockOptions;
  /** Encoded bytes the sink may hold for insertion; beyond, requests are refused (OverloadedError). */
  maxQueueBytes: number;
  dedup: LedgerOptions;
  /**
   * Accept batches into an fsynced on-disk spool and acknowledge them from
   * there; a drainer stores them into ClickHouse in order, across restarts.
   */
  spool?: { dir: string; maxBytes: number };
  /**
   * Where blocks are written down before their INSERT, so that one cut short
   * by a crash (or failing) is inserted again, with its token, until every
   * table has it once (BlockWal). Unset: no such repair.
   */
  walDir?: string;
}

/** One table's share of a batch, encoded, and the block writer it goes to. */
interface Part extends EncodedPart {
  writer: BlockWriter;
}

/** Seconds a refused sender is asked to wait: long enough for a few blocks to clear. */
const RETRY_AFTER_SECONDS = 1;

/**
 * The ClickHouse sink: each request's rows are encoded once, queued, and
 * inserted with other requests' in large blocks (group commit, see
 * BlockWriter); a request is answered once the blocks holding its rows are
 * stored. Retries are recognised by their token (TokenLedger) and stored once.
 */
export class ClickHouseSink implements Sink {
  readonly workato: WorkatoQueries;
  readonly #gauge: QueueGauge;
  readonly #spans: BlockWriter;
  readonly #logs: BlockWriter;
  #closed = false;
  readonly #spool: Spool | undefined;
  #drainer: SpoolDrainer | undefined;
  readonly #wal: BlockWal | undefined;
  /** Blocks whose INSERT failed, being inserted again in the background. */
  readonly #replays = new Set<Promise<void>>();
  readonly #stopReplays = new AbortController();

  private constructor(
    private readonly options: ClickHouseSinkOptions,
    private readonly ledger: TokenLedger,
    spool: Spool | undefined,
    wal: BlockWal | undefined,
  ) {
    this.#spool = spool;
    this.#wal = wal;
    const { store, blocks, metrics } = options;
    this.workato = new ClickHouseWorkatoQueries(store);
    this.#gauge = new QueueGauge(metrics);
    this.#spans = new BlockWriter(TABLES.traces, (block) => this.#insertBlock('s', block), blocks, this.#gauge, metrics, isDataError);
    this.#logs = new BlockWriter(TABLES.logs, (block) => this.#insertBlock('l', block), blocks, this.#gauge, metrics, isDataError);
  }

  static async open(options: ClickHouseSinkOptions): Promise<ClickHouseSink> {
    const ledger = await TokenLedger.open(options.store, options.dedup, options.log);
    const spool = options.spool ? await Spool.open({ dir: options.spool.dir, maxBytes: options.spool.maxBytes }) : undefined;
    const wal = options.walDir ? await BlockWal.open(options.walDir) : undefined;
    const sink = new ClickHouseSink(options, ledger, spool, wal);
    if (wal) {
      const left = await wal.left();
      if (left.length > 0) options.log.info('inserting again the blocks an earlier run had under way', { blocks: left.length });
      // Their requests were never answered; each block is repaired (repairBlock) before the
      // collector serves, then its requests are known as stored and their retries acknowledged.
      for (const { file, block } of left) {
        await repairBlock(options.store, block, options.log);
        await ledger.stored(block.keys);
        await wal.remove(file);
      }
    }
    if (spool) {
      sink.#drainer = await SpoolDrainer.start({ spool, dir: options.spool!.dir, store: options.store, ledger, log: options.log, metrics: options.metrics });
    }
    return sink;
  }

  /** Bytes queued for insertion, for metrics and backpressure. */
  get queuedBytes(): number {
    return this.#gauge.bytes;
  }

  async write(batch: Batch): Promise<WriteResult> {
    if (this.#closed) throw new OverloadedError('the collector is shutting down; send to another instance or retry', RETRY_AFTER_SECONDS);
    const parts: Part[] = [];
    if (batch.spans.length > 0) parts.push({ kind: 's', key: `${batch.token}.s`, writer: this.#spans, text: encodeSpans(batch.spans), rows: batch.spans.length });
    if (batch.logs.length > 0) parts.push({ kind: 'l', key: `${batch.token}.l`, writer: this.#logs, text: encodeLogs(batch.logs), rows: batch.logs.length });
    if (parts.length === 0) return { duplicate: false };
    const pending = parts.filter((p) => !this.ledger.has(p.key));
    if (pending.length === 0) return { duplicate: true };
    if (this.#spool) {
      try {
        await this.#spool.append(spoolPayload(pending));
      } catch (err) {
        if (!(err instanceof SpoolFullError)) throw err;
        throw new OverloadedError(
          `the spool holds ${this.#spool.depthBytes} bytes not yet stored (limit FLOWTRACE_SPOOL_MAX_BYTES=${this.options.spool!.maxBytes}); retry later`,
          RETRY_AFTER_SECONDS * 5,
        );
      }
      this.#drainer?.gauges();
      return { duplicate: false };
    }
    return this.#store(pending);
  }

  async #store(pending: Part[]): Promise<WriteResult> {
    const bytes = pending.reduce((sum, p) => sum + p.text.length, 0);
    // An empty queue always takes a request, so one larger than the limit still goes through alone.
    if (this.#gauge.bytes > 0 && this.#gauge.bytes + bytes > this.options.maxQueueBytes) {
      throw new OverloadedError(
        `the collector has ${this.#gauge.bytes} bytes queued for storage (limit FLOWTRACE_MAX_QUEUE_BYTES=${this.options.maxQueueBytes}); retry later`,
        RETRY_AFTER_SECONDS,
      );
    }
    const stored = await Promise.all(pending.map((p) => this.ledger.once(p.key, () => p.writer.add(p.text, p.rows, p.key))));
    return { duplicate: stored.every((s) => !s) };
  }

  /**
   * One block's INSERT, with a token of its own: written down first (with a
   * WAL), so that a crash or a failure in the middle is repaired by inserting
   * it again with the same token. A block ClickHouse refuses as data stored
   * nothing and fails its requests; any other failure fails them too (they are
   * retried by their senders), and the block is inserted again in the
   * background until it is stored — meanwhile their retries are asked to wait,
   * and once it is stored they are acknowledged without storing them twice.
   */
  async #insertBlock(kind: 's' | 'l', block: { text: string; rows: number; keys: string[] }): Promise<void> {
    const walBlock: WalBlock = { kind, token: `blk:${randomUUID()}`, keys: block.keys, rows: block.rows, text: block.text };
    const file = this.#wal ? await this.#wal.write(walBlock) : undefined;
    try {
      await this.#insert(walBlock);
    } catch (err) {
      if (file) {
        if (isDataError(err)) await this.#wal!.remove(file);
        else {
          this.ledger.pending(block.keys);
          this.#replay(file, walBlock, err);
        }
      }
      throw err;
    }
    const recorded = this.ledger.stored(block.keys);
    if (file) void recorded.then(() => this.#wal!.remove(file));
  }

  #insert(block: WalBlock): Promise<void> {
    const { table, columns } = ENCODED_TABLES[block.kind];
    return this.options.store.insertEncoded(`collector.sink.${table}`, table, columns, INSERT_FORMAT, block.text, block.token);
  }

  /** Inserts a written-down block again, with its token, until it is stored (or refused as data). */
  #replay(file: string, block: WalBlock, cause?: unknown): void {
    const signal = this.#stopReplays.signal;
    const run = (async () => {
      let backoff = cause === undefined ? 0 : nextBackoff(0);
      while (!signal.aborted) {
        if (backoff > 0) {
          await pause(backoff, signal);
          if (signal.aborted) return;
        }
        try {
          await this.#insert(block);
          await this.ledger.stored(block.keys);
          await this.#wal!.remove(file);
          return;
        } catch (err) {
          if (isDataError(err)) {
            this.options.log.error('ClickHouse refused a block on its second attempt; dropped (its requests were answered with an error)', { file, rows: block.rows, error: (err as Error).message });
            await this.#wal!.remove(file);
            return;
          }
          backoff = nextBackoff(backoff);
          this.options.log.warn('could not insert a block again; retrying', { rows: block.rows, retryInMs: backoff, error: (err as Error).message });
        }
      }
    })();
    this.#replays.add(run);
    void run.finally(() => this.#replays.delete(run));
  }

  /** Stops taking writes and stores what is queued; a spool keeps what is not drained yet, for the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#drainer?.stop();
    await Promise.all([this.#spans.idle(), this.#logs.idle()]);
    // Blocks still failing stay written down, for the next start.
    this.#stopReplays.abort();
    await Promise.all([...this.#replays]);
    await this.#spool?.close();
    await this.ledger.close();
  }
}
