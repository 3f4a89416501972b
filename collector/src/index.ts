export { createCollectorApp, openCollector, DEFAULT_BLOCKS, DEFAULT_MAX_QUEUE_BYTES, DEFAULT_DEDUP } from './http/app.js';
export type { CollectorOptions, Collector } from './http/app.js';
export { createOtlpIngest, requestToken } from './ingest/otlp.js';
export type { OtlpIngest, IngestOutcome, Signal } from './ingest/otlp.js';
export { ClickHouseSink } from './sink/clickhouse.js';
export type { ClickHouseSinkOptions } from './sink/clickhouse.js';
export type { BlockOptions } from './sink/blocks.js';
export type { LedgerOptions } from './sink/ledger.js';
export { OverloadedError } from './sink/sink.js';
export type { Batch, Sink, WriteResult } from './sink/sink.js';
export { CollectorMetrics } from './metrics.js';
export { Admission, MEMORY_PER_BODY_BYTE, UNKNOWN_LENGTH_ESTIMATE } from './ingest/admission.js';
export type { Reservation } from './ingest/admission.js';
export { encodeSpans, encodeLogs, SPAN_COLUMNS, LOG_COLUMNS, INSERT_FORMAT } from './sink/encode.js';
export { createGrpcReceiver } from './grpc/server.js';
export type { GrpcReceiver, GrpcReceiverOptions } from './grpc/server.js';
export { spansFromRequest } from './otlp/traces.js';
export { spansFromProtobuf, logsFromProtobuf } from './otlp/wire.js';
export { logsFromRequest } from './otlp/logs.js';
export { timeWindow } from './otlp/window.js';
export type { TimeWindow } from './otlp/window.js';
export { OtlpRequestError } from './otlp/errors.js';
export type { Encoding } from './otlp/values.js';
export {
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  ExportLogsServiceRequest,
  ExportLogsServiceResponse,
} from './otlp/proto.js';
export type { ImportResult } from './workato/imports.js';
export type { WorkatoIngestResult } from './http/workato.js';
