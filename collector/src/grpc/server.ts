import { Server, ServerCredentials, status as Status, type Metadata, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { bearerToken, type Logger, type Projects } from '@flowtrace/store';
import type { CollectorMetrics, RequestOutcome } from '../metrics.js';
import { OverloadedError } from '../sink/sink.js';
import { MEMORY_PER_BODY_BYTE, overloadedMessage, type Admission } from '../ingest/admission.js';
import type { OtlpIngest, Signal } from '../ingest/otlp.js';
import { ExportLogsServiceResponse, ExportTraceServiceResponse } from '../otlp/proto.js';
import { errorStatus, failure } from './status.js';
import { refusedKeyMessage } from '../http/auth.js';

export interface GrpcReceiverOptions {
  /** Decodes, validates and stores one export request: the pipeline OTLP/HTTP uses too. */
  ingest: OtlpIngest;
  projects: Projects;
  log: Logger;
  /** Largest request message, in bytes, after decompression; larger: RESOURCE_EXHAUSTED. */
  maxMessageBytes: number;
  /** Counted in the collector's metrics (transport "grpc") when given. */
  metrics?: CollectorMetrics;
  /** The in-flight budget shared with OTLP/HTTP: a call over it gets UNAVAILABLE with RetryInfo. */
  admission?: Admission;
}

export interface GrpcReceiver {
  /** Starts serving; resolves with the bound port (port 0: any free port). */
  listen(host: string, port: number): Promise<number>;
  /**
   * Stops taking calls (a new call gets UNAVAILABLE), lets calls in flight
   * finish for up to `graceMs`, then cuts the connections that remain.
   */
  close(graceMs: number): Promise<void>;
}

/** One OTLP/gRPC export service: where it is served and how it answers. */
interface ExportService {
  signal: Signal;
  path: string;
  response: protobuf.Type;
  /** Field of the response's partial_success that counts rejected records. */
  rejectedField: 'rejectedSpans' | 'rejectedLogRecords';
}

const SERVICES: readonly ExportService[] = [
  {
    signal: 'traces',
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    response: ExportTraceServiceResponse,
    rejectedField: 'rejectedSpans',
  },
  {
    signal: 'logs',
    path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
    response: ExportLogsServiceResponse,
    rejectedField: 'rejectedLogRecords',
  },
];

/** A response: `{}` (partial_success unset, as the specification asks of a full success) or `{ partialSuccess }`. */
type ExportResponse = Record<string, unknown>;

/**
 * OTLP/gRPC receiver: TraceService/Export and LogsService/Export, following
 * the OTLP specification. The request message is handed over undecoded (gzip
 * already undone by grpc-js) to the same ingest as OTLP/HTTP, so both
 * transports store the same rows; a call succeeds only once they are stored.
 * The project is the key's (`authorization: Bearer <project key>` metadata),
 * never the payload's. The server is not instrumented: the collector never
 * exports its own telemetry into itself.
 */
export function createGrpcReceiver(options: GrpcReceiverOptions): GrpcReceiver {
  // gzip and deflate requests are inflated by grpc-js itself, up to the same limit.
  // Channelz stays on: with it off, grpc-js (1.14) does not track the
  // connections that forceShutdown() must cut.
  const server = new Server({ 'grpc.max_receive_message_length': options.maxMessageBytes });
  let closing = false;

  for (const service of SERVICES) {
    const definition: ServiceDefinition = {
      Export: {
        path: service.path,
        requestStream: false,
        responseStream: false,
        requestSerialize: (message: Buffer) => message,
        requestDeserialize: (bytes: Buffer) => bytes,
        responseSerialize: (message: ExportResponse) => Buffer.from(service.response.encode(service.response.fromObject(message)).finish()),
        responseDeserialize: (bytes: Buffer) => service.response.toObject(service.response.decode(bytes)),
      },
    };
    server.addService(definition, {
      Export: (call: ServerUnaryCall<Buffer, ExportResponse>, callback: sendUnaryData<ExportResponse>) => {
        if (closing) {
          callback(failure(Status.UNAVAILABLE, 'the collector is shutting down; retry later'));
          return;
        }
        void exportCall(options, service, call, callback);
      },
    });
  }

  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
        server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
      }),
    close: async (graceMs) => {
      closing = true;
      const drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'force'>((resolve) => {
        timer = setTimeout(() => resolve('force'), graceMs);
      });
      try {
        if ((await Promise.race([drained, graceOver])) === 'force') {
          options.log.warn('gRPC calls still in flight after the grace period; closing their connections', { graceMs });
          server.forceShutdown();
        }
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Answers one export call: the key's project, then the request stored (or why not). */
async function exportCall(
  options: GrpcReceiverOptions,
  service: ExportService,
  call: ServerUnaryCall<Buffer, ExportResponse>,
  callback: sendUnaryData<ExportResponse>,
): Promise<void> {
  const { metrics } = options;
  const count = (outcome: RequestOutcome) => metrics?.requests.inc({ signal: service.signal, transport: 'grpc', outcome });
  try {
    const key = bearerToken(metadataString(call.metadata, 'authorization'));
    const identity = key ? await options.projects.authenticate(key) : undefined;
    if (!identity) {
      count('unauthenticated');
      callback(failure(Status.UNAUTHENTICATED, key ? refusedKeyMessage(key) : 'missing API key: send metadata authorization: Bearer <project key>'));
      return;
    }
    metrics?.receivedBytes.inc({ signal: service.signal, transport: 'grpc' }, call.request.length);
    const reservation = options.admission ? options.admission.acquire(call.request.length * MEMORY_PER_BODY_BYTE.protobuf) : { release: () => {} };
    if (!reservation) {
      throw new OverloadedError(overloadedMessage(options.admission!), 1);
    }
    let outcome;
    try {
      outcome = await options.ingest(service.signal, identity.projectId, call.request, 'protobuf');
    } finally {
      reservation.release();
    }
    count(outcome.duplicate ? 'duplicate' : 'stored');
    metrics?.acceptedRecords.inc({ signal: service.signal }, outcome.stored);
    if (outcome.rejected > 0) metrics?.rejectedRecords.inc({ signal: service.signal, reason: 'outside_window' }, outcome.rejected);
    callback(null, outcome.rejected === 0 ? {} : { partialSuccess: { [service.rejectedField]: outcome.rejected, errorMessage: outcome.errorMessage } });
  } catch (err) {
    const { status, outcome } = errorStatus(err, options.log, service.path);
    count(outcome);
    callback(status);
  }
}

function metadataString(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}
