/**
 * A request the collector will not store any of: malformed, or with a record
 * whose defect makes it meaningless (no valid ids). Answered 400, with `message`
 * naming where in the payload the problem is.
 */
export class OtlpRequestError extends Error {
  override readonly name = 'OtlpRequestError';
}

/** `resourceSpans[0].scopeSpans[2].spans[5].traceId`, built only when something is wrong. */
export type PathFn = () => string;
