/**
 * Pre-encoded OTLP requests that can be sent many times as different requests.
 *
 * The collector stores a request once per idempotency token (a hash of its
 * body): an identical body sent again is acknowledged as a retry and not
 * stored. A benchmark that re-sends a few encoded bodies must therefore make
 * every send unique, without re-encoding on the sender's path: it overwrites
 * the first four bytes of every trace id in the body with the send's number.
 */
export interface BodyTemplate {
  body: Buffer;
  /** Byte offsets of every trace id (16 raw bytes each) in `body`. */
  traceIdOffsets: number[];
}

/** Finds each of `traceIds` (hex) wherever it occurs in the encoded `body`. */
export function bodyTemplate(body: Uint8Array, traceIds: Iterable<string>): BodyTemplate {
  const copy = Buffer.from(body);
  const traceIdOffsets: number[] = [];
  for (const id of new Set(traceIds)) {
    const bytes = Buffer.from(id, 'hex');
    for (let at = copy.indexOf(bytes); at >= 0; at = copy.indexOf(bytes, at + 1)) traceIdOffsets.push(at);
  }
  if (traceIdOffsets.length === 0) throw new Error('no trace id found in the encoded body');
  return { body: copy, traceIdOffsets };
}

/** A copy of the template whose trace ids all start with `n` (u32, big-endian): send n's own traces. */
export function uniqueBody(template: BodyTemplate, n: number): Buffer {
  const body = Buffer.from(template.body);
  for (const at of template.traceIdOffsets) body.writeUInt32BE(n >>> 0, at);
  return body;
}
