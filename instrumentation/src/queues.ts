import {
  createNoopMeter,
  diag,
  type Attributes,
  type Counter,
  type Meter,
  type MeterProvider,
  type ObservableCallback,
  type ObservableResult,
  type ObservableUpDownCounter,
  type UpDownCounter,
} from '@opentelemetry/api';
import { getNumberFromEnv } from '@opentelemetry/core';

/**
 * The OpenTelemetry SDK's batch processors keep what is recorded in a bounded
 * queue (2,048 spans and 2,048 logs unless configured) and drop what does not
 * fit, reporting it only through their self-observability metrics. These are
 * the names of those metrics (OpenTelemetry semantic conventions, "OTel SDK
 * metrics", development status: copied here so that a move upstream cannot
 * break us) and of the attributes they carry.
 */
const METRICS = {
  spans: {
    processed: 'otel.sdk.processor.span.processed',
    capacity: 'otel.sdk.processor.span.queue.capacity',
    size: 'otel.sdk.processor.span.queue.size',
  },
  logs: {
    processed: 'otel.sdk.processor.log.processed',
    capacity: 'otel.sdk.processor.log.queue.capacity',
    size: 'otel.sdk.processor.log.queue.size',
  },
} as const;
const ATTR_COMPONENT_NAME = 'otel.component.name';
const ATTR_ERROR_TYPE = 'error.type';
/** The error.type of an item dropped because its processor's queue was full. */
const QUEUE_FULL = 'queue_full';

/** The SDK's defaults, and the standard variables that change them. */
const DEFAULT_QUEUE_SIZE = 2048;
const DEFAULT_BATCH_SIZE = 512;
export const QUEUE_SIZE_VARIABLE = { spans: 'OTEL_BSP_MAX_QUEUE_SIZE', logs: 'OTEL_BLRP_MAX_QUEUE_SIZE' } as const;
const BATCH_SIZE_VARIABLE = { spans: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', logs: 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE' } as const;
/** How long a wait for room goes without an export ending before it looks again. */
const PROGRESS_POLL_MS = 250;

export type Signal = keyof typeof METRICS;
const SIGNALS: readonly Signal[] = ['spans', 'logs'];

/** Spans and logs counted by signal. */
export interface Counts {
  spans: number;
  logs: number;
}

/** Spans and logs recorded but never exported. */
export interface Losses {
  /** Dropped because the export queue was full. */
  dropped: Counts;
  /** Handed to the exporter, which failed to send them (endpoint unreachable, key refused, …). */
  failed: Counts;
}

const zero = (): Counts => ({ spans: 0, logs: 0 });
const zeroLosses = (): Losses => ({ dropped: zero(), failed: zero() });

/**
 * Watches the export queues of the SDK's batch processors: pass it as their
 * `selfObsMeterProvider` (`start()` and the register hook do). It then knows
 * each queue's size and capacity — `Flowtrace.recordAll` waits for room with
 * them — and counts what is dropped or fails to export, and says so: a
 * warning with the counts (through `process.emitWarning` and `diag`) as soon
 * as anything is lost, and a total at shutdown.
 */
export class ExportQueues implements MeterProvider {
  readonly #noop = createNoopMeter();
  readonly #capacity: Record<Signal, Map<string, number>> = { spans: new Map(), logs: new Map() };
  readonly #size: Record<Signal, Set<ObservableCallback>> = { spans: new Set(), logs: new Set() };
  readonly #lost: Losses = zeroLosses();
  #unreported: Losses = zeroLosses();
  #failureTypes = new Set<string>();
  #reportScheduled = false;
  readonly #waiters: Record<Signal, Array<() => void>> = { spans: [], logs: [] };
  readonly #batchSize: Partial<Record<Signal, number>> = {};

  getMeter(): Meter {
    const noop = this.#noop;
    return {
      createGauge: (name, options) => noop.createGauge(name, options),
      createHistogram: (name, options) => noop.createHistogram(name, options),
      createObservableGauge: (name, options) => noop.createObservableGauge(name, options),
      createObservableCounter: (name, options) => noop.createObservableCounter(name, options),
      addBatchObservableCallback: (callback, observables) => noop.addBatchObservableCallback(callback, observables),
      removeBatchObservableCallback: (callback, observables) => noop.removeBatchObservableCallback(callback, observables),
      createCounter: <A extends Attributes>(name: string, options?: object) => {
        const signal = signalOf(name, 'processed');
        if (!signal) return noop.createCounter<A>(name, options);
        return { add: (value: number, attributes?: A) => this.#processed(signal, value, attributes) } satisfies Counter<A>;
      },
      createUpDownCounter: <A extends Attributes>(name: string, options?: object) => {
        const signal = signalOf(name, 'capacity');
        if (!signal) return noop.createUpDownCounter<A>(name, options);
        return {
          add: (value: number, attributes?: A) => {
            const component = String(attributes?.[ATTR_COMPONENT_NAME] ?? '');
            this.#capacity[signal].set(component, (this.#capacity[signal].get(component) ?? 0) + value);
          },
        } satisfies UpDownCounter<A>;
      },
      createObservableUpDownCounter: <A extends Attributes>(name: string, options?: object) => {
        const signal = signalOf(name, 'size');
        if (!signal) return noop.createObservableUpDownCounter<A>(name, options);
        const callbacks = this.#size[signal];
        return {
          addCallback: (callback: ObservableCallback<A>) => void callbacks.add(callback as ObservableCallback),
          removeCallback: (callback: ObservableCallback<A>) => void callbacks.delete(callback as ObservableCallback),
        } satisfies ObservableUpDownCounter<A>;
      },
    };
  }

  /**
   * The most the processors of `signal` send in one export, when it is not
   * what the standard variable or the SDK's default (512) says: `start()`
   * sets it.
   */
  setExportBatchSize(signal: Signal, size: number): void {
    this.#batchSize[signal] = size;
  }

  /** Whether the processors of `signal` report to this monitor. */
  watches(signal: Signal): boolean {
    return this.#size[signal].size > 0;
  }

  /** Items queued and the queue's capacity, for each watched processor of `signal`. */
  queues(signal: Signal): Array<{ size: number; capacity: number }> {
    const out: Array<{ size: number; capacity: number }> = [];
    for (const callback of this.#size[signal]) {
      const result: ObservableResult = {
        observe: (value, attributes) => {
          const component = String(attributes?.[ATTR_COMPONENT_NAME] ?? '');
          out.push({ size: value, capacity: this.#capacity[signal].get(component) ?? defaultCapacity(signal) });
        },
      };
      try {
        void callback(result);
      } catch (err) {
        diag.debug('flowtrace: a queue size callback failed', err);
      }
    }
    return out;
  }

  /** Items waiting in the queues of `signal` (0 when none is watched). */
  queued(signal: Signal): number {
    return this.queues(signal).reduce((n, q) => n + q.size, 0);
  }

  /**
   * Whether `need` more items of each signal can be queued without making a
   * queue hold a full batch, which its processor would start sending on its
   * own, in parallel with the other signal's exports and with the rest of a
   * flush (and a collector that admits one large request at a time answers
   * the others "retry later", which costs the exporter a back-off of a second
   * or more). For a signal whose processors are not watched, `sinceFlush`
   * (what was recorded since the queues were last flushed) stands for the
   * queue.
   */
  hasRoom(need: Counts, sinceFlush: Counts): boolean {
    return SIGNALS.every((signal) => {
      if (need[signal] === 0) return true;
      if (!this.watches(signal)) return sinceFlush[signal] + need[signal] < this.#exportBatchSize(signal, defaultCapacity(signal));
      return this.queues(signal).every((q) => q.size + need[signal] < this.#exportBatchSize(signal, q.capacity));
    });
  }

  /**
   * Sends what is queued, one signal after the other: while a processor is
   * sending full batches on its own this waits for them, then `flush[signal]`
   * sends the rest (less than a batch: one request).
   */
  async drain(flush: Record<Signal, () => Promise<void>>): Promise<void> {
    // Logs first: their processor sends on its own a second after a log is
    // queued (spans: five), so it would send them in the middle of a longer
    // span export.
    for (const signal of ['logs', 'spans'] as const) {
      while (this.queues(signal).some((q) => q.size >= this.#exportBatchSize(signal, q.capacity))) await this.#progress(signal);
      await flush[signal]();
    }
  }

  /** Everything lost since this process started. */
  lost(): Losses {
    return { dropped: { ...this.#lost.dropped }, failed: { ...this.#lost.failed } };
  }

  /** Writes the warning for losses not yet reported, now. */
  reportNow(): void {
    this.#reportScheduled = false;
    const losses = this.#unreported;
    this.#unreported = zeroLosses();
    const message = lossMessage(losses, this.#capacities(), [...this.#failureTypes]);
    this.#failureTypes = new Set();
    if (message) warn(message);
  }

  /** The total lost since start, if anything was: for shutdown. */
  finalReport(): string | undefined {
    const total = this.#lost;
    const dropped = total.dropped.spans + total.dropped.logs;
    const failed = total.failed.spans + total.failed.logs;
    if (dropped + failed === 0) return undefined;
    const parts = [];
    if (dropped > 0) parts.push(`${counts(total.dropped)} dropped with the export queue full`);
    if (failed > 0) parts.push(`${counts(total.failed)} failed to export`);
    return `flowtrace: in all, ${parts.join(' and ')} since start; none of them reached Flowtrace`;
  }

  /** Resolves when the next export of `signal` finishes, or after a while (an export's end is the only event there is to wait for). */
  #progress(signal: Signal): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, PROGRESS_POLL_MS);
      const waiters = this.#waiters[signal];
      function done() {
        clearTimeout(timer);
        const at = waiters.indexOf(done);
        if (at >= 0) waiters.splice(at, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  #processed(signal: Signal, value: number, attributes: Attributes | undefined): void {
    for (const waiter of this.#waiters[signal].splice(0)) waiter();
    const errorType = attributes?.[ATTR_ERROR_TYPE];
    if (errorType === undefined) return;
    const bucket = errorType === QUEUE_FULL ? 'dropped' : 'failed';
    if (bucket === 'failed') this.#failureTypes.add(String(errorType));
    this.#lost[bucket][signal] += value;
    this.#unreported[bucket][signal] += value;
    if (!this.#reportScheduled) {
      this.#reportScheduled = true;
      // One warning for a burst: a loop that overflows the queue drops item
      // after item synchronously; the count is complete once it yields.
      setImmediate(() => this.reportNow());
    }
  }

  /** The most a processor of `signal` sends in one export, never more than its queue. */
  #exportBatchSize(signal: Signal, capacity: number): number {
    return Math.min(capacity, this.#batchSize[signal] ?? positiveFromEnv(BATCH_SIZE_VARIABLE[signal]) ?? DEFAULT_BATCH_SIZE);
  }

  #capacities(): Counts {
    const capacity = (signal: Signal) => this.queues(signal)[0]?.capacity ?? [...this.#capacity[signal].values()].at(-1) ?? defaultCapacity(signal);
    return { spans: capacity('spans'), logs: capacity('logs') };
  }
}

/** The monitor `start()` wires into its processors; pass it as `selfObsMeterProvider` to processors of your own. */
export const FLOWTRACE_EXPORT_QUEUES = new ExportQueues();

function signalOf(name: string, metric: keyof (typeof METRICS)['spans']): Signal | undefined {
  return SIGNALS.find((signal) => METRICS[signal][metric] === name);
}

function defaultCapacity(signal: Signal): number {
  return positiveFromEnv(QUEUE_SIZE_VARIABLE[signal]) ?? DEFAULT_QUEUE_SIZE;
}

function positiveFromEnv(name: string): number | undefined {
  const value = getNumberFromEnv(name);
  return value !== undefined && value > 0 ? value : undefined;
}

function counts(c: Counts): string {
  const parts = SIGNALS.filter((signal) => c[signal] > 0).map((signal) => `${c[signal]} ${signal}`);
  return parts.join(' and ');
}

/** What a warning says about `losses`, or undefined when nothing was lost. */
export function lossMessage(losses: Losses, capacity: Counts, failureTypes: string[]): string | undefined {
  const lines: string[] = [];
  const dropped = SIGNALS.filter((signal) => losses.dropped[signal] > 0);
  if (dropped.length > 0) {
    const queues = dropped.map((signal) => `${signal}: ${capacity[signal]}, ${QUEUE_SIZE_VARIABLE[signal]}`).join('; ');
    lines.push(
      `flowtrace: dropped ${counts(losses.dropped)}: the export queue was full (${queues}). ` +
        'To record in bulk without loss, use `await flowtrace.recordAll(items, record)` (or `recordWorkflowExecutions`), ' +
        'or `await flowtrace.flush()` between batches; or raise the queue size.',
    );
  }
  if (losses.failed.spans + losses.failed.logs > 0) {
    lines.push(
      `flowtrace: ${counts(losses.failed)} could not be exported (${failureTypes.join(', ')}) and are lost: ` +
        'check that OTEL_EXPORTER_OTLP_ENDPOINT reaches Flowtrace and that the API key is valid.',
    );
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

function warn(message: string): void {
  diag.warn(message);
  process.emitWarning(message, { type: 'FlowtraceWarning', code: 'FLOWTRACE_TELEMETRY_LOST' });
}
