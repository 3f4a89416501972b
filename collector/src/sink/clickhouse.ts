import { TABLES, type Logger, type Store, type TableName } from '@flowtrace/store';
import type { CollectorMetrics } from '../metrics.js';
import { BlockWriter, QueueGauge, type BlockOptions } from './blocks.js';
import { INSERT_FORMAT, LOG_COLUMNS, SPAN_COLUMNS, encodeLogs, encodeSpans } from './encode.js';
import { TokenLedger, type LedgerOptions } from './ledger.js';
import { OverloadedError, type Batch, type Sink, type WriteResult } from './sink.js';
import { ClickHouseWorkatoQueries, type WorkatoQueries } from './workato.js';
import { Spool, SpoolFullError } from './spool.js';

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

/** One table's share of a batch, encoded. */
interface Part {
  kind: 's' | 'l';
  key: string;
  writer: BlockWriter;
  text: string;
  rows: number;
}

/** How long the drainer waits after a failed round before the next, doubling up to the maximum. */
const DRAIN_BACKOFF_MS = { first: 500, max: 30_000 };
/** What the drainer takes from the spool per round. */
const DRAIN_ROUND = { records: 2000, bytes: 64 << 20 };

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
  readonly #stopDrain = new AbortController();
  #draining: Promise<void> = Promise.resolve();

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
      if (spool.depthRecords > 0) options.log.info('draining the spool into ClickHouse', { batches: spool.depthRecords, bytes: spool.depthBytes });
      sink.#draining = sink.#drain(spool);
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
      this.#spoolGauges();
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

  /**
   * Stores spooled batches in order: a round reads up to DRAIN_ROUND, stores
   * every batch of it (group commit, as for live requests; a batch already
   * stored — read again after a crash — is recognised by its token), and only
   * then commits the round in the spool. A failed round is read again after a
   * backoff, so nothing is lost while the store is away.
   */
  async #drain(spool: Spool): Promise<void> {
    let backoff = 0;
    const signal = this.#stopDrain.signal;
    while (!signal.aborted) {
      try {
        await spool.waitForData(signal);
      } catch {
        return;
      }
      const records = await spool.read(DRAIN_ROUND);
      if (records.length === 0) continue;
      try {
        await Promise.all(records.flatMap((record) => this.#parts(record.payload).map((p) => this.ledger.once(p.key, () => p.writer.add(p.text, p.rows)))));
        await spool.commit(records[records.length - 1]!.seq);
        backoff = 0;
      } catch (err) {
        spool.rewind();
        backoff = Math.min(DRAIN_BACKOFF_MS.max, backoff === 0 ? DRAIN_BACKOFF_MS.first : backoff * 2);
        this.options.log.warn('could not store spooled batches; retrying', { error: (err as Error).message, retryInMs: backoff, spooledBatches: spool.depthRecords });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoff);
          signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
      this.#spoolGauges();
    }
  }

  #parts(payload: Buffer): Part[] {
    const end = payload.indexOf(10);
    const header = JSON.parse(payload.toString('utf8', 0, end)) as SpoolHeader;
    const parts: Part[] = [];
    let at = end + 1;
    for (const [kind, key, bytes, rows] of header.parts) {
      const writer = kind === 's' ? this.#spans : this.#logs;
      parts.push({ kind, key, writer, text: payload.toString('utf8', at, at + bytes), rows });
      at += bytes;
    }
    return parts;
  }

  #spoolGauges(): void {
    if (!this.#spool) return;
    this.options.metrics?.spoolBytes.set(this.#spool.depthBytes);
    this.options.metrics?.spoolRecords.set(this.#spool.depthRecords);
  }

  /** Stops taking writes and stores what is queued; a spool keeps what is not drained yet, for the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopDrain.abort();
    await this.#draining;
    await Promise.all([this.#spans.idle(), this.#logs.idle()]);
    await this.#spool?.close();
    await this.ledger.close();
  }
}

/** A spooled batch: a JSON header line, then each part's encoded rows. */
interface SpoolHeader {
  /** [table ('s' spans, 'l' logs), ledger key, UTF-8 bytes, rows] */
  parts: Array<['s' | 'l', string, number, number]>;
}

function spoolPayload(parts: Part[]): Buffer {
  const texts = parts.map((p) => Buffer.from(p.text, 'utf8'));
  const header: SpoolHeader = { parts: parts.map((p, i) => [p.kind, p.key, texts[i]!.length, p.rows]) };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), ...texts]);
}
