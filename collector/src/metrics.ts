import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How a request ended, as counted by flowtrace_collector_requests_total. */
export type RequestOutcome =
  | 'stored'
  | 'duplicate'
  | 'invalid'
  | 'unauthenticated'
  | 'too_large'
  | 'unsupported'
  | 'overloaded'
  | 'unavailable'
  | 'internal';

export type Transport = 'http' | 'grpc' | 'workato';

/**
 * The collector's own telemetry, served as Prometheus text on GET /metrics.
 * It is never exported into Flowtrace itself: a collector that traced its
 * own inserts would feed on them.
 */
export class CollectorMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'flowtrace_collector_requests_total',
    help: 'Export requests by signal, transport and outcome',
    labelNames: ['signal', 'transport', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly receivedBytes = new Counter({
    name: 'flowtrace_collector_received_bytes_total',
    help: 'Request bytes after decompression, by signal and transport',
    labelNames: ['signal', 'transport'] as const,
    registers: [this.registry],
  });
  readonly acceptedRecords = new Counter({
    name: 'flowtrace_collector_accepted_records_total',
    help: 'Spans and log records stored (retries acknowledged without storing are not counted)',
    labelNames: ['signal'] as const,
    registers: [this.registry],
  });
  readonly rejectedRecords = new Counter({
    name: 'flowtrace_collector_rejected_records_total',
    help: 'Spans and log records refused, by reason: outside_window (partial success), or the reason their whole request was refused',
    labelNames: ['signal', 'reason'] as const,
    registers: [this.registry],
  });
  readonly blockRows = new Histogram({
    name: 'flowtrace_sink_block_rows',
    help: 'Rows per INSERT block, by table',
    labelNames: ['table'] as const,
    buckets: [100, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000],
    registers: [this.registry],
  });
  readonly blockRequests = new Histogram({
    name: 'flowtrace_sink_block_requests',
    help: 'Requests whose rows one INSERT block carries, by table',
    labelNames: ['table'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly insertSeconds = new Histogram({
    name: 'flowtrace_sink_insert_seconds',
    help: 'Time an INSERT block took, by table and outcome (ok, error)',
    labelNames: ['table', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueBytes = new Gauge({
    name: 'flowtrace_sink_queue_bytes',
    help: 'Encoded bytes waiting for or in an INSERT (the backpressure limit is FLOWTRACE_MAX_QUEUE_BYTES)',
    registers: [this.registry],
  });
  readonly queueRows = new Gauge({
    name: 'flowtrace_sink_queue_rows',
    help: 'Rows waiting for or in an INSERT',
    registers: [this.registry],
  });
  readonly spoolBytes = new Gauge({
    name: 'flowtrace_spool_bytes',
    help: 'Bytes in the spool not yet stored in ClickHouse (0 without FLOWTRACE_SPOOL_DIR)',
    registers: [this.registry],
  });
  readonly spoolRecords = new Gauge({
    name: 'flowtrace_spool_records',
    help: 'Batches in the spool not yet stored in ClickHouse',
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'flowtrace_' });
  }
}
