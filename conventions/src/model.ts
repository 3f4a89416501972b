import type { Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { SeverityNumber } from '@opentelemetry/api-logs';

/** Milliseconds since the epoch (fractions keep micro- and nanoseconds), or a Date. */
export type Time = number | Date;

/**
 * One execution as OpenTelemetry data, before it is emitted: the same value is
 * sent through the OTel SDK by `Flowtrace` and turned into rows by the collector
 * (Workato streams), so both read the same. Spans are listed parents first and
 * refer to each other by `key`; span ids derive from the trace id and the key.
 */
export interface TraceSpec {
  /** 32 lowercase hex characters. */
  traceId: string;
  spans: SpanSpec[];
  logs: LogSpec[];
}

export interface SpanSpec {
  /** Unique within the trace; the span id is derived from it. */
  key: string;
  /** The parent's key; absent on the root. */
  parentKey?: string;
  name: string;
  kind: SpanKind;
  /** Epoch milliseconds. */
  startTime: number;
  /**
   * Epoch milliseconds. Absent on a fragment whose end is not known yet (an
   * event stream that reports a start and an end separately): readers merge
   * the fragments of one span id.
   */
  endTime?: number;
  attributes: Attributes;
  status?: { code: SpanStatusCode; message?: string };
  events?: Array<{ name: string; time: number; attributes?: Attributes }>;
  links?: Array<{ traceId: string; spanId: string; attributes?: Attributes }>;
}

export interface LogSpec {
  /** The span the log belongs to; absent for a log of the trace as a whole. */
  spanKey?: string;
  time: number;
  severityNumber: SeverityNumber;
  severityText: string;
  /** A stable name to filter by (the source's event name where it has one). */
  eventName: string;
  /** The message as users know it, word for word from the source product. */
  body: string;
  attributes: Attributes;
}

/** Options every mapper takes. */
export interface CaptureOptions {
  /**
   * Keep inputs, outputs, prompts, messages and payloads. Off by default: such
   * content may hold personal data. Credentials are redacted either way.
   */
  captureContent: boolean;
}

export const NO_CAPTURE: CaptureOptions = { captureContent: false };

export function toMillis(time: Time): number {
  return typeof time === 'number' ? time : time.getTime();
}

/**
 * Epoch milliseconds as [seconds, nanoseconds], rounded to the microsecond:
 * a float of epoch milliseconds holds microseconds exactly but not
 * nanoseconds. Both outputs (the SDK and OTLP/JSON) go through this, so a
 * time reads the same whichever way it was sent.
 */
export function toHrTime(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1000);
  let micros = Math.round((ms - seconds * 1000) * 1000);
  if (micros >= 1_000_000) micros = 999_999;
  return [seconds, micros * 1000];
}
