import { StoreUnavailableError, TABLES, type Logger, type Store } from '@flowtrace/store';

export interface LedgerOptions {
  /** How long a stored request's token is remembered (exporters stop retrying long before). */
  windowMs: number;
  /** How often tokens stored by other collectors are read from the store. */
  refreshMs: number;
}

/**
 * Which requests are stored, by idempotency token: the exactly-once half of
 * the sink. A request whose token is here was stored before (a retry) and is
 * acknowledged without storing it again; one whose token is being stored
 * right now waits for that attempt and takes its outcome.
 *
 * Tokens live in memory and in flowtrace_ingest_tokens. This process writes
 * its tokens there after their rows are stored (one INSERT per round, not per
 * request), reads the last window's tokens at start (a restart still knows
 * what it stored), and reads what other collectors stored every refreshMs, so
 * a retry that reaches another collector is recognised as long as it comes
 * after that refresh — exporters retry after their timeout (seconds), not
 * within milliseconds. Nothing here is read on a request's path.
 */
export class TokenLedger {
  readonly #stored = new Map<string, number>();
  readonly #storing = new Map<string, Promise<boolean>>();
  /** Keys of blocks whose INSERT failed and is being replayed (see BlockWal). */
  readonly #pending = new Set<string>();
  #unsaved: Array<{ key: string; saved?: () => void }> = [];
  #saving: Promise<void> | undefined;
  #refreshed = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(
    private readonly store: Store,
    private readonly options: LedgerOptions,
    private readonly log: Logger,
  ) {}

  static async open(store: Store, options: LedgerOptions, log: Logger): Promise<TokenLedger> {
    const ledger = new TokenLedger(store, options, log);
    await ledger.#refresh(Date.now() - options.windowMs);
    ledger.#timer = setInterval(() => void ledger.#tick(), options.refreshMs);
    ledger.#timer.unref();
    return ledger;
  }

  /**
   * Stores `key`'s rows with `store` unless they are stored already or being
   * stored (then waits for that attempt, and stores them itself if it failed).
   * Resolves true when this call stored them, false for a duplicate.
   */
  async once(key: string, store: () => Promise<void>): Promise<boolean> {
    for (;;) {
      if (this.#stored.has(key)) return false;
      if (this.#pending.has(key)) throw new StoreUnavailableError('an earlier attempt at this request is still being stored; retry later');
      const other = this.#storing.get(key);
      if (!other) break;
      if (await other.catch(() => false)) return false;
    }
    const attempt = store().then(() => {
      if (!this.#stored.has(key)) void this.stored([key]);
      return true;
    });
    this.#storing.set(key, attempt);
    try {
      return await attempt;
    } finally {
      this.#storing.delete(key);
    }
  }

  has(key: string): boolean {
    return this.#stored.has(key);
  }

  /**
   * Records keys whose rows were stored (by `once`, a block's INSERT, or the
   * spool's drainer); resolves once they are written to the store (it may never
   * resolve if the store stays away: callers do not wait on it to answer).
   */
  stored(keys: readonly string[]): Promise<void> {
    const now = Date.now();
    for (const key of keys) {
      this.#pending.delete(key);
      // Re-inserted, so that the map stays in time order for pruning.
      this.#stored.delete(key);
      this.#stored.set(key, now);
    }
    const saved = new Promise<void>((resolve) => {
      keys.forEach((key, i) => this.#unsaved.push({ key, saved: i === keys.length - 1 ? resolve : undefined }));
      if (keys.length === 0) resolve();
    });
    this.#save();
    return saved;
  }

  /** Keys of a block whose INSERT failed and will be replayed: their retries are asked to wait. */
  pending(keys: readonly string[]): void {
    for (const key of keys) this.#pending.add(key);
  }

  /** Writes the tokens not yet written (one last try if the store is away); stops refreshing. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#saving;
    if (this.#unsaved.length > 0 && !(await this.#write())) {
      this.log.warn('stored request tokens not recorded at shutdown: a retry of those requests reaching another collector may be stored again', { tokens: this.#unsaved.length });
    }
  }

  #save(): void {
    if (this.#saving || this.#closed) return;
    this.#saving = (async () => {
      // One INSERT for whatever gathered while the previous one ran.
      while (this.#unsaved.length > 0 && !this.#closed) {
        if (!(await this.#write())) await new Promise((resolve) => setTimeout(resolve, 1000).unref());
      }
    })().finally(() => (this.#saving = undefined));
  }

  async #write(): Promise<boolean> {
    const tokens = this.#unsaved;
    this.#unsaved = [];
    try {
      await this.store.insertEncoded('collector.sink.tokens', TABLES.ingestTokens, ['Token'], 'JSONCompactEachRow', tokens.map((t) => `["${t.key}"]\n`).join(''));
      for (const t of tokens) t.saved?.();
      return true;
    } catch (err) {
      // The rows are stored; only another collector's (or a restart's)
      // knowledge of them is late. Kept for the next round.
      this.#unsaved.unshift(...tokens);
      this.log.warn('could not record stored request tokens; retrying', { error: (err as Error).message, tokens: tokens.length });
      return false;
    }
  }

  async #tick(): Promise<void> {
    const cutoff = Date.now() - this.options.windowMs;
    for (const [key, at] of this.#stored) {
      if (at >= cutoff) break;
      this.#stored.delete(key);
    }
    // Rows become visible in the order their INSERTs finish, not by StoredAt:
    // read back a margin before the newest token seen.
    await this.#refresh(Math.max(cutoff, this.#refreshed - 30_000)).catch((err: unknown) =>
      this.log.warn('could not read stored request tokens', { error: (err as Error).message }),
    );
  }

  async #refresh(sinceMs: number): Promise<void> {
    const rows = await this.store.select<{ Token: string; at: string }>(
      'collector.sink.tokens.refresh',
      `SELECT Token, toString(toUnixTimestamp64Milli(StoredAt)) AS at FROM ${TABLES.ingestTokens} WHERE StoredAt >= fromUnixTimestamp64Milli({since:Int64})`,
      { since: Math.floor(sinceMs) },
    );
    for (const row of rows) {
      const at = Number(row.at);
      if (at > this.#refreshed) this.#refreshed = at;
      if (!this.#stored.has(row.Token)) this.#stored.set(row.Token, Date.now());
    }
  }
}
