import type { CollectorMetrics } from '../metrics.js';

/** How requests are grouped into INSERT blocks (see README, "Write path"). */
export interface BlockOptions {
  /** A block is sent once it holds this many rows (a single larger request is sent whole). */
  maxRows: number;
  /** … or this many encoded bytes. */
  maxBytes: number;
  /**
   * Right after an INSERT, how long the next block may wait for the senders
   * that INSERT answered: they send their next batches within milliseconds,
   * and a block that waits for them is larger, so cheaper per row (and makes
   * fewer parts to merge). Only then: a request that finds the writer idle is
   * sent at once. 0: never wait.
   */
  lingerMs: number;
  /** INSERTs in flight at once per table; requests arriving meanwhile gather into the next block. */
  concurrency: number;
}

interface Entry {
  text: string;
  rows: number;
  key: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** What the sink's queues hold, across tables: the measure backpressure is applied to. */
export class QueueGauge {
  bytes = 0;
  rows = 0;

  constructor(private readonly metrics?: CollectorMetrics) {}

  add(bytes: number, rows: number): void {
    this.bytes += bytes;
    this.rows += rows;
    this.metrics?.queueBytes.set(this.bytes);
    this.metrics?.queueRows.set(this.rows);
  }
}

/**
 * Group commit for one table. Requests of every project are queued as
 * encoded text; an INSERT takes everything queued (up to maxRows/maxBytes) as
 * one block, and while it runs the next requests gather into the next one, so
 * the busier the collector, the larger its blocks. Each request's promise
 * settles with the block that carried it: resolved once the block is stored,
 * rejected with the block's error — a failed block fails exactly its own
 * requests. A request is never split across blocks.
 */
export class BlockWriter {
  readonly #pending: Entry[] = [];
  #pendingRows = 0;
  #pendingBytes = 0;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  /** When the last INSERT finished, and how many requests the next block waits for (those queued then, and those it answered). */
  #lastDoneAt = 0;
  #awaited = 0;
  readonly #idle: Array<() => void> = [];

  constructor(
    readonly table: string,
    private readonly insert: (block: { text: string; rows: number; keys: string[] }) => Promise<void>,
    private readonly options: BlockOptions,
    private readonly gauge: QueueGauge,
    private readonly metrics?: CollectorMetrics,
    /** A failure that is the data's own (ClickHouse refused a row): the block's requests are then tried one by one. */
    private readonly isDataError: (err: unknown) => boolean = () => false,
  ) {}

  /** Queues a request's encoded rows (`key`: the request's ledger key); settles when the block carrying them does. */
  add(text: string, rows: number, key: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ text, rows, key, resolve, reject });
      this.#pendingRows += rows;
      this.#pendingBytes += text.length;
      this.gauge.add(text.length, rows);
      this.#schedule();
    });
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.#pending.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#pending.length === 0 || this.#inFlight >= this.options.concurrency) return;
    const full = this.#pendingRows >= this.options.maxRows || this.#pendingBytes >= this.options.maxBytes;
    const sinceLast = Date.now() - this.#lastDoneAt;
    const gathering = this.#inFlight === 0 && this.#pending.length < this.#awaited && sinceLast < this.options.lingerMs;
    if (full || !gathering) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      void this.#flush();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#awaited = 0;
        this.#schedule();
      }, this.options.lingerMs - sinceLast);
    }
  }

  async #flush(): Promise<void> {
    const block: Entry[] = [];
    let rows = 0;
    let bytes = 0;
    while (this.#pending.length > 0) {
      const next = this.#pending[0]!;
      if (block.length > 0 && (rows + next.rows > this.options.maxRows || bytes + next.text.length > this.options.maxBytes)) break;
      block.push(this.#pending.shift()!);
      rows += next.rows;
      bytes += next.text.length;
    }
    this.#pendingRows -= rows;
    this.#pendingBytes -= bytes;
    this.#inFlight++;
    const started = performance.now();
    let outcome: 'ok' | 'error' = 'ok';
    try {
      await this.insert({ text: block.length === 1 ? block[0]!.text : block.map((e) => e.text).join(''), rows, keys: block.map((e) => e.key) });
      for (const entry of block) entry.resolve();
    } catch (err) {
      outcome = 'error';
      if (block.length > 1 && this.isDataError(err)) {
        // One request's rows were refused, and nothing of the block was
        // stored: each request on its own, so that only the culprit fails.
        for (const entry of block) {
          await this.insert({ text: entry.text, rows: entry.rows, keys: [entry.key] }).then(entry.resolve, entry.reject);
        }
      } else {
        for (const entry of block) entry.reject(err);
      }
    } finally {
      this.#inFlight--;
      this.#lastDoneAt = Date.now();
      this.#awaited = this.#inFlight === 0 ? this.#pending.length + block.length : 0;
      this.gauge.add(-bytes, -rows);
      this.metrics?.insertSeconds.observe({ table: this.table, outcome }, (performance.now() - started) / 1000);
      this.metrics?.blockRows.observe({ table: this.table }, rows);
      this.metrics?.blockRequests.observe({ table: this.table }, block.length);
      this.#schedule();
      if (this.#pending.length === 0 && this.#inFlight === 0) for (const wake of this.#idle.splice(0)) wake();
    }
  }
}
