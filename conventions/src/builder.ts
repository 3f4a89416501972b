import { SpanKind, SpanStatusCode, type Attributes, type AttributeValue } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { LogSpec, SpanSpec, TraceSpec } from './model.js';
import { ATTR_FLOWTRACE_ERROR_CODE, ATTR_FLOWTRACE_ERROR_HTTP_STATUS, ATTR_FLOWTRACE_ERROR_MESSAGE } from './semconv.js';

export type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

const SEVERITY: Record<Level, SeverityNumber> = {
  DEBUG: SeverityNumber.DEBUG,
  INFO: SeverityNumber.INFO,
  WARN: SeverityNumber.WARN,
  ERROR: SeverityNumber.ERROR,
};

/** Attributes without undefined or null values (OTel drops them anyway, rows must not carry them). */
export function attrs(values: Record<string, AttributeValue | null | undefined>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null) out[key] = value;
  return out;
}

/**
 * Builds one TraceSpec. `identity` — the identifiers users filter by — goes on
 * the root span and on every log, so a log found by user or integration leads
 * to its execution, and an execution's logs can be filtered the same way.
 */
export class TraceBuilder {
  readonly #spans: SpanSpec[] = [];
  readonly #logs: LogSpec[] = [];

  constructor(
    readonly traceId: string,
    private readonly identity: Attributes,
  ) {}

  root(span: Omit<SpanSpec, 'key' | 'parentKey'>): string {
    this.#spans.unshift({ ...span, key: 'root', attributes: { ...this.identity, ...span.attributes } });
    return 'root';
  }

  span(span: SpanSpec): string {
    this.#spans.push(span);
    return span.key;
  }

  log(spanKey: string | undefined, time: number, level: Level, eventName: string, body: string, attributes: Attributes = {}): void {
    this.#logs.push({ spanKey, time, severityNumber: SEVERITY[level], severityText: level, eventName, body, attributes: { ...this.identity, ...attributes } });
  }

  build(): TraceSpec {
    return { traceId: this.traceId, spans: this.#spans, logs: this.#logs };
  }
}

export const OK = { code: SpanStatusCode.OK } as const;
export const error = (message: string | undefined) => ({ code: SpanStatusCode.ERROR, message });
export { SpanKind };

/** An error's message, code and HTTP status as attributes (none for no error). */
export function errorAttributes(e: { message?: string; code?: string; httpStatus?: number } | undefined): Attributes {
  return attrs({ [ATTR_FLOWTRACE_ERROR_MESSAGE]: e?.message, [ATTR_FLOWTRACE_ERROR_CODE]: e?.code, [ATTR_FLOWTRACE_ERROR_HTTP_STATUS]: e?.httpStatus });
}
