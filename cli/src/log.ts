import { pino, type DestinationStream, type Level } from 'pino';
import type { Logger } from '@flowtrace/store';

/**
 * Structured logs: one JSON object per line on stderr (pino), with `time`,
 * `level` and `msg`, and the entry's fields beside them, so a log shipper
 * reads them without parsing text. The collector's own telemetry is never
 * exported into Flowtrace itself.
 */
export function createLogger(level: Level = 'info', destination: DestinationStream = pino.destination({ fd: 2, sync: true })): Logger {
  const logger = pino(
    {
      level,
      base: { service: 'flowtrace', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return {
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}
