import { ROOT_CONTEXT, TraceFlags, diag, trace, type Attributes, type Context, type Link, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import { spanIdFor, toHrTime, type LogSpec, type TraceSpec } from '@flowtrace/conventions';

/**
 * Gives the next span the ids Flowtrace derived for it, and random ids
 * otherwise. Install it as the tracer provider's `idGenerator` (`start()` and
 * the register hook do) so that a trace recorded through the SDK has the same
 * ids as the same execution streamed in any other way.
 */
export class FlowtraceIdGenerator implements IdGenerator {
  readonly #random = new RandomIdGenerator();
  #traceId: string | undefined;
  #spanId: string | undefined;

  generateTraceId(): string {
    const id = this.#traceId;
    this.#traceId = undefined;
    return id ?? this.#random.generateTraceId();
  }

  generateSpanId(): string {
    const id = this.#spanId;
    this.#spanId = undefined;
    return id ?? this.#random.generateSpanId();
  }

  /** Runs `start` (which must start exactly one span, synchronously) with the given ids. */
  withIds<T>(traceId: string | undefined, spanId: string, start: () => T): T {
    this.#traceId = traceId;
    this.#spanId = spanId;
    try {
      return start();
    } finally {
      this.#traceId = undefined;
      this.#spanId = undefined;
    }
  }
}

/** The id generator `start()` installs; pass it to a tracer provider you build yourself. */
export const FLOWTRACE_ID_GENERATOR = new FlowtraceIdGenerator();

let warnedAboutIds = false;

/**
 * Sends a TraceSpec through OpenTelemetry: each span started and ended at its
 * recorded times under its parent, each log emitted in its span's context.
 */
export function emitTrace(spec: TraceSpec, tracer: Tracer, logger: Logger, ids: FlowtraceIdGenerator = FLOWTRACE_ID_GENERATOR): void {
  const started = new Map<string, Span>();
  const contextOf = (key: string | undefined): Context => {
    if (key === undefined) return ROOT_CONTEXT;
    const span = started.get(key);
    if (span) return trace.setSpan(ROOT_CONTEXT, span);
    // A parent this spec does not carry (a fragment of a run): join it by its derived id.
    return trace.setSpanContext(ROOT_CONTEXT, { traceId: spec.traceId, spanId: spanIdFor(spec.traceId, key), traceFlags: TraceFlags.SAMPLED, isRemote: true });
  };
  for (const s of spec.spans) {
    const parent = contextOf(s.parentKey ?? (s.key === 'root' ? undefined : 'root'));
    const span = startSpanWithIds(tracer, ids, spec.traceId, spanIdFor(spec.traceId, s.key), parent, s.name, {
      kind: s.kind,
      startTime: toHrTime(s.startTime),
      attributes: s.attributes,
      links: s.links?.map((link) => linkTo(link.traceId, link.spanId, link.attributes)),
    });
    for (const event of s.events ?? []) span.addEvent(event.name, event.attributes ?? {}, toHrTime(event.time));
    if (s.status) span.setStatus(s.status);
    span.end(toHrTime(s.endTime ?? s.startTime));
    started.set(s.key, span);
  }
  for (const log of spec.logs) emitLog(log, logger, contextOf(log.spanKey));
}

/**
 * Starts a span under `parent` (a new trace when `parent` holds no span) with
 * the ids Flowtrace derived for it: `traceId` for a root, `spanId` always.
 */
export function startSpanWithIds(tracer: Tracer, ids: FlowtraceIdGenerator, traceId: string, spanId: string, parent: Context, name: string, options: SpanOptions): Span {
  const isRoot = trace.getSpanContext(parent) === undefined;
  const span = ids.withIds(isRoot ? traceId : undefined, spanId, () => tracer.startSpan(name, options, parent));
  if (!warnedAboutIds && span.isRecording() && span.spanContext().traceId !== traceId) {
    warnedAboutIds = true;
    diag.warn('flowtrace: the tracer provider does not use FLOWTRACE_ID_GENERATOR; trace ids will not match execution ids');
  }
  return span;
}

/** A link to a span of another trace, known by its ids. */
export function linkTo(traceId: string, spanId: string, attributes?: Attributes): Link {
  return { context: { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true }, attributes };
}

export function emitLog(log: LogSpec, logger: Logger, context: Context = ROOT_CONTEXT): void {
  logger.emit({
    timestamp: toHrTime(log.time),
    severityNumber: log.severityNumber,
    severityText: log.severityText,
    eventName: log.eventName,
    body: log.body,
    attributes: log.attributes,
    context,
  });
}
