import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreUnavailableError, type Logger, type Store } from '@flowtrace/store';
import type { CollectorMetrics } from '../metrics.js';
import { ENCODED_TABLES, INSERT_FORMAT } from './encode.js';
import { nextBackoff, pause, writeDurably } from './durable.js';
import type { TokenLedger } from './ledger.js';
import type { Spool, SpoolRecord } from './spool.js';

/** One table's rows of a batch, encoded: what the sink spools and stores. */
export interface EncodedPart {
  /** 's': spans (otel_traces), 'l': logs (otel_logs). */
  kind: 's' | 'l';
  /** The batch's token and the part's kind: the ledger's key. */
  key: string;
  text: string;
  rows: number;
}


/** A spooled batch: a JSON header line, then each part's encoded rows. */
interface SpoolHeader {
  /** [kind, ledger key, UTF-8 bytes, rows] */
  parts: Array<[EncodedPart['kind'], string, number, number]>;
}

export function spoolPayload(parts: readonly EncodedPart[]): Buffer {
  const texts = parts.map((p) => Buffer.from(p.text, 'utf8'));
  const header: SpoolHeader = { parts: parts.map((p, i) => [p.kind, p.key, texts[i]!.length, p.rows]) };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), ...texts]);
}

function spooledParts(payload: Buffer): EncodedPart[] {
  const end = payload.indexOf(10);
  const header = JSON.parse(payload.toString('utf8', 0, end)) as SpoolHeader;
  const parts: EncodedPart[] = [];
  let at = end + 1;
  for (const [kind, key, bytes, rows] of header.parts) {
    parts.push({ kind, key, text: payload.toString('utf8', at, at + bytes), rows });
    at += bytes;
  }
  return parts;
}

/**
 * A round of the drain, written down before its INSERTs run: the batches it
 * covers, the parts it leaves out (already stored, or refused by ClickHouse),
 * and the tables it stores batch by batch. Until the round is committed in the
 * spool, every attempt at it — after a failure or after a crash — makes the
 * same blocks with the same tokens, so ClickHouse stores each block once.
 */
interface RoundPlan {
  first: string;
  last: string;
  /** Parts left out, as "seq:kind". */
  skip: string[];
  oneByOne: Array<EncodedPart['kind']>;
}

/** What a round takes from the spool. */
const ROUND = { records: 500, bytes: 8 << 20 };
/** ClickHouse refusing the data itself (not a failure to reach it): trying again cannot help. */
const DATA_ERROR = /^(CANNOT_PARSE|CANNOT_READ|TYPE_MISMATCH|INCORRECT_DATA|CANNOT_CONVERT|VALUE_IS_OUT_OF_RANGE|TOO_LARGE_ARRAY_SIZE|SIZES_OF_ARRAYS_DONT_MATCH|INCORRECT_NUMBER_OF_COLUMNS|CANNOT_INSERT_NULL|ILLEGAL_COLUMN)/;

export function isDataError(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return false;
  const type = (err as { type?: unknown } | null)?.type;
  return typeof type === 'string' && DATA_ERROR.test(type);
}

/**
 * Stores spooled batches into ClickHouse, in order, exactly once. A round
 * reads up to ROUND batches, writes its plan, inserts one block per table with
 * a token naming the spool and the round (so a block stored just before a
 * crash is not stored again when the round is replayed after the restart),
 * tells the ledger, then commits the round in the spool. A round ClickHouse
 * refuses as data (a batch it cannot parse) is stored batch by batch, and a
 * batch refused on its own is set aside in `rejected/` under the spool
 * directory and logged, never dropped silently; any other failure (the store
 * away) is retried with backoff, so nothing is lost meanwhile.
 */
export class SpoolDrainer {
  readonly #stop = new AbortController();
  #done: Promise<void> = Promise.resolve();

  private constructor(
    private readonly spool: Spool,
    private readonly dir: string,
    private readonly id: string,
    private readonly store: Store,
    private readonly ledger: TokenLedger,
    private readonly log: Logger,
    private readonly metrics?: CollectorMetrics,
  ) {}

  static async start(options: { spool: Spool; dir: string; store: Store; ledger: TokenLedger; log: Logger; metrics?: CollectorMetrics }): Promise<SpoolDrainer> {
    const drainer = new SpoolDrainer(options.spool, options.dir, await spoolId(options.dir), options.store, options.ledger, options.log, options.metrics);
    drainer.gauges();
    if (options.spool.depthRecords > 0) options.log.info('draining the spool into ClickHouse', { batches: options.spool.depthRecords, bytes: options.spool.depthBytes });
    drainer.#done = drainer.#run(await readPlan(options.dir));
    return drainer;
  }

  /** Stops after the round under way; what is left stays in the spool for the next start. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#done;
  }

  gauges(): void {
    this.metrics?.spoolBytes.set(this.spool.depthBytes);
    this.metrics?.spoolRecords.set(this.spool.depthRecords);
  }

  async #run(replay: RoundPlan | undefined): Promise<void> {
    const signal = this.#stop.signal;
    let backoff = 0;
    let plan = replay;
    while (!signal.aborted) {
      try {
        await this.spool.waitForData(signal);
      } catch {
        return;
      }
      const records = plan
        ? await this.spool.read({ records: Number(BigInt(plan.last) - BigInt(plan.first)) + 1, bytes: Number.MAX_SAFE_INTEGER })
        : await this.spool.read(ROUND);
      if (records.length === 0) continue;
      if (plan && (records[0]!.seq.toString() !== plan.first || records[records.length - 1]!.seq.toString() !== plan.last)) {
        // The plan's round was committed before the crash: it is done.
        this.spool.rewind();
        plan = undefined;
        continue;
      }
      const batches = records.map((record) => ({ record, parts: spooledParts(record.payload) }));
      plan ??= {
        first: records[0]!.seq.toString(),
        last: records[records.length - 1]!.seq.toString(),
        skip: this.#alreadyStored(batches),
        oneByOne: [],
      };
      try {
        await writePlan(this.dir, plan);
        await this.#storeRound(plan, batches);
        await this.spool.commit(BigInt(plan.last));
        plan = undefined;
        backoff = 0;
      } catch (err) {
        this.spool.rewind();
        backoff = nextBackoff(backoff);
        this.log.warn('could not store spooled batches; retrying', { error: (err as Error).message, retryInMs: backoff, spooledBatches: this.spool.depthRecords });
        await pause(backoff, signal);
      }
      this.gauges();
    }
  }

  /** Parts stored before (their token is known), and second copies within the round (a retry spooled before the first was drained). */
  #alreadyStored(batches: Array<{ record: SpoolRecord; parts: EncodedPart[] }>): string[] {
    const seen = new Set<string>();
    const skip: string[] = [];
    for (const { record, parts } of batches) {
      for (const part of parts) {
        if (this.ledger.has(part.key) || seen.has(part.key)) skip.push(partId(record, part));
        seen.add(part.key);
      }
    }
    return skip;
  }

  async #storeRound(plan: RoundPlan, batches: Array<{ record: SpoolRecord; parts: EncodedPart[] }>): Promise<void> {
    const skip = new Set(plan.skip);
    for (const kind of ['s', 'l'] as const) {
      const parts = batches.flatMap((b) => b.parts.filter((p) => p.kind === kind && !skip.has(partId(b.record, p))));
      if (parts.length === 0) continue;
      if (!plan.oneByOne.includes(kind)) {
        try {
          await this.#insert(kind, parts.map((p) => p.text).join(''), `${this.id}:${plan.first}-${plan.last}:${kind}`, parts.reduce((n, p) => n + p.rows, 0));
          continue;
        } catch (err) {
          if (!isDataError(err)) throw err;
          // Some batch in the block is refused: store them one by one from now on, this round and its replays.
          plan.oneByOne.push(kind);
          await writePlan(this.dir, plan);
        }
      }
      for (const { record, parts: own } of batches) {
        for (const part of own) {
          if (part.kind !== kind || skip.has(partId(record, part))) continue;
          try {
            await this.#insert(kind, part.text, `${this.id}:${record.seq}:${kind}`, part.rows);
          } catch (err) {
            if (!isDataError(err)) throw err;
            await this.#setAside(record, part, err);
            plan.skip.push(partId(record, part));
            skip.add(partId(record, part));
            await writePlan(this.dir, plan);
          }
        }
      }
    }
    this.ledger.stored(batches.flatMap((b) => b.parts.filter((p) => !skip.has(partId(b.record, p))).map((p) => p.key)));
  }

  async #insert(kind: EncodedPart['kind'], text: string, token: string, rows: number): Promise<void> {
    const { table, columns } = ENCODED_TABLES[kind];
    const started = performance.now();
    let outcome: 'ok' | 'error' = 'error';
    try {
      await this.store.insertEncoded(`collector.spool.${table}`, table, columns, INSERT_FORMAT, text, token);
      outcome = 'ok';
    } finally {
      this.metrics?.insertSeconds.observe({ table, outcome }, (performance.now() - started) / 1000);
      if (outcome === 'ok') this.metrics?.blockRows.observe({ table }, rows);
    }
  }

  async #setAside(record: SpoolRecord, part: EncodedPart, err: unknown): Promise<void> {
    const dir = join(this.dir, 'rejected');
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${record.seq}-${part.kind}.jsonl`);
    await writeFile(file, part.text);
    this.metrics?.rejectedRecords.inc({ signal: part.kind === 's' ? 'traces' : 'logs', reason: 'refused_by_store' }, part.rows);
    this.log.error('ClickHouse refused a spooled batch; set aside, not stored', { file, rows: part.rows, error: (err as Error).message });
  }
}

/** A part's place in the spool: its batch's seq and its table. */
function partId(record: SpoolRecord, part: EncodedPart): string {
  return `${record.seq}:${part.kind}`;
}

/** A spool's own id, so that two collectors' spools never give the same token to different blocks. */
async function spoolId(dir: string): Promise<string> {
  const file = join(dir, 'drain-id');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const id = randomUUID();
    await writeDurably(file, id);
    return id;
  }
}

async function readPlan(dir: string): Promise<RoundPlan | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'drain-round.json'), 'utf8')) as RoundPlan;
  } catch {
    return undefined;
  }
}

function writePlan(dir: string, plan: RoundPlan): Promise<void> {
  return writeDurably(join(dir, 'drain-round.json'), JSON.stringify(plan));
}
