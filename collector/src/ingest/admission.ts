/**
 * The memory requests in flight take, estimated from their size and kind
 * (MEMORY_PER_BODY_BYTE), across transports: a request counts from before
 * its body is read (OTLP/HTTP, Workato) or as soon as its message arrives
 * (OTLP/gRPC) until it is answered. Beyond the limit a request is refused,
 * and the sender asked to retry: with the sink's queue bounded by the same
 * number, the collector's memory stays bounded however many senders there
 * are. One request is always admitted, however large.
 */
/**
 * What a request costs in memory per byte of its (decompressed) body, measured
 * (README, "Write path"): an OTLP/JSON body of 16 MiB took ~300 MiB (the parsed
 * tree, the rows, their encoded text, and the engine's share of the INSERT);
 * protobuf carries the same spans in ~40% of the bytes; a Workato body, read
 * in chunks, ~8× plus a fixed share.
 */
export const MEMORY_PER_BODY_BYTE = { json: 20, protobuf: 36, workato: 8 } as const;

/** A request's share of the budget, until it is answered. */
export interface Reservation {
  /** Counts the share out (idempotent). */
  release(): void;
  /**
   * Changes the share to `bytes`, once the request's real size is known.
   * Growing beyond the limit fails (false) and leaves the share as it was,
   * unless the request is alone in flight: one request is always admitted.
   */
  resize(bytes: number): boolean;
}

export class Admission {
  #inFlight = 0;

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Counts `bytes` in; undefined when over the limit. */
  acquire(bytes: number): Reservation | undefined {
    if (this.#inFlight > 0 && this.#inFlight + bytes > this.limit) return undefined;
    this.#inFlight += bytes;
    let held = bytes;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#inFlight -= held;
      },
      resize: (next: number) => {
        if (released) return false;
        const others = this.#inFlight - held;
        if (next > held && others > 0 && others + next > this.limit) return false;
        this.#inFlight = others + next;
        held = next;
        return true;
      },
    };
  }
}

/**
 * What a body of unknown length (chunked: the Node OTLP exporters send no
 * Content-Length) counts until it has been read; an OTLP request of 512 spans
 * is 100–200 KiB. Once read, its share is set from its real size (`resize`).
 * Counted at the body limit instead, such requests were admitted one at a time.
 */
export const UNKNOWN_LENGTH_ESTIMATE = 256 * 1024;

/**
 * A body's size after decompression, as far as its headers tell before it is
 * read: its Content-Length; a compressed one, eight times that; either way at
 * most the body limit (the reader refuses more). A body of unknown length
 * counts UNKNOWN_LENGTH_ESTIMATE until it is read.
 */
export function estimatedBodyBytes(req: { headers: Record<string, string | string[] | undefined> }, maxBodyBytes: number): number {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (!Number.isFinite(declared)) return Math.min(maxBodyBytes, UNKNOWN_LENGTH_ESTIMATE);
  const encoding = String(req.headers['content-encoding'] ?? '').trim();
  const compressed = encoding !== '' && encoding !== 'identity';
  return Math.min(maxBodyBytes, compressed ? declared * 8 : declared);
}

export function overloadedMessage(budget: Admission): string {
  return `the collector holds requests of an estimated ${budget.inFlight} bytes in memory (limit FLOWTRACE_MAX_QUEUE_BYTES=${budget.limit}); retry later`;
}
