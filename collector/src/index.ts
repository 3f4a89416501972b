export { createCollectorApp } from './http/app.js';
export type { CollectorOptions } from './http/app.js';
export { spansFromRequest } from './otlp/traces.js';
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
