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

export class Admission {
  #inFlight = 0;

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Counts `bytes` in, and returns the function that counts them out (idempotent); undefined when over the limit. */
  acquire(bytes: number): (() => void) | undefined {
    if (this.#inFlight > 0 && this.#inFlight + bytes > this.limit) return undefined;
    this.#inFlight += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight -= bytes;
    };
  }
}

/**
 * A body's size after decompression, as far as its headers tell before it is
 * read: its Content-Length; a compressed one, eight times that; either way at
 * most the body limit (the reader refuses more), which is also what a body of
 * unknown length counts.
 */
export function estimatedBodyBytes(req: { headers: Record<string, string | string[] | undefined> }, maxBodyBytes: number): number {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (!Number.isFinite(declared)) return maxBodyBytes;
  const encoding = String(req.headers['content-encoding'] ?? '').trim();
  const compressed = encoding !== '' && encoding !== 'identity';
  return Math.min(maxBodyBytes, compressed ? declared * 8 : declared);
}

export function overloadedMessage(budget: Admission): string {
  return `the collector holds requests of an estimated ${budget.inFlight} bytes in memory (limit FLOWTRACE_MAX_QUEUE_BYTES=${budget.limit}); retry later`;
}
