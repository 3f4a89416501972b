/**
 * The bytes of requests in flight, across transports: a request counts from
 * before its body is read (OTLP/HTTP) or as soon as its message arrives
 * (OTLP/gRPC) until it is answered. Beyond the limit a request is refused,
 * and the sender asked to retry: with the sink's queue bounded by the same
 * number, the collector's memory stays bounded however many senders there
 * are. One request is always admitted, however large.
 */
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
