import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** Shipped beside src/ and dist/, two levels up from this file in both. */
const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => PROTO_DIR + target.replace(/^.*\//, '');
  return root.loadSync('collector.proto');
}

const root = loadRoot();
const type = (name: string): protobuf.Type => root.lookupType(`opentelemetry.proto.collector.v1.${name}`);

export const ExportTraceServiceRequest = type('ExportTraceServiceRequest');
export const ExportTraceServiceResponse = type('ExportTraceServiceResponse');
export const ExportLogsServiceRequest = type('ExportLogsServiceRequest');
export const ExportLogsServiceResponse = type('ExportLogsServiceResponse');
export const RpcStatus = type('Status');
