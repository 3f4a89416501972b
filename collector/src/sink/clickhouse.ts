import { TABLES, type Logger, type Store, type TableName } from '@flowtrace/store';
import type { CollectorMetrics } from '../metrics.js';
import { BlockWriter, QueueGauge, type BlockOptions } from './blocks.js';
import { INSERT_FORMAT, LOG_COLUMNS, SPAN_COLUMNS, encodeLogs, encodeSpans } from './encode.js';
import { TokenLedger, type LedgerOptions } from './ledger.js';
import { OverloadedError, type Batch, type Sink, type WriteResult } from './sink.js';
import { ClickHouseWorkatoQueries, type WorkatoQueries } from './workato.js';
import { Spool, SpoolFullError } from './spool.js';
import { SpoolDrainer, spoolPayload, type EncodedPart } from './drain.js';

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

  private constructor(
    private readonly options: ClickHouseSinkOptions,
    private readonly ledger: TokenLedger,
    spool: Spool | undefined,
  ) {
    this.#spool = spool;
    const { store, blocks, metrics } = options;
    this.workato = new ClickHouseWorkatoQueries(store);
    this.#gauge = new QueueGauge(metrics);
    const writer = (table: TableName, columns: readonly string[]) =>
      new BlockWriter(table, (text) => store.insertEncoded(`collector.sink.${table}`, table, columns, INSERT_FORMAT, text), blocks, this.#gauge, metrics);
    this.#spans = writer(TABLES.traces, SPAN_COLUMNS);
    this.#logs = writer(TABLES.logs, LOG_COLUMNS);
  }

  static async open(options: ClickHouseSinkOptions): Promise<ClickHouseSink> {
    const ledger = await TokenLedger.open(options.store, options.dedup, options.log);
    const spool = options.spool ? await Spool.open({ dir: options.spool.dir, maxBytes: options.spool.maxBytes }) : undefined;
    const sink = new ClickHouseSink(options, ledger, spool);
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
    const stored = await Promise.all(pending.map((p) => this.ledger.once(p.key, () => p.writer.add(p.text, p.rows))));
    return { duplicate: stored.every((s) => !s) };
  }

  /** Stops taking writes and stores what is queued; a spool keeps what is not drained yet, for the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#drainer?.stop();
    await Promise.all([this.#spans.idle(), this.#logs.idle()]);
    await this.#spool?.close();
    await this.ledger.close();
  }
}
