import type { NextFunction, Request, Response } from 'express';
import { GRPC_CODE, sendStatus } from './respond.js';

/** How long a refused sender is asked to wait: about what a restart takes. */
export const DRAINING_RETRY_AFTER_SECONDS = 5;

const MESSAGE = 'the collector is shutting down; retry later';

/**
 * The collector's HTTP side at shutdown. Once drain() is called, every new
 * request is refused at once: 503 with Retry-After and Connection: close, in
 * the error body its endpoint uses (google.rpc.Status for OTLP, `{ error }` for
 * Workato). Requests already past the gate finish and are answered normally.
 */
export class Draining {
  #draining = false;

  get draining(): boolean {
    return this.#draining;
  }

  drain(): void {
    this.#draining = true;
  }

  /** The app's first middleware. */
  gate() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (!this.#draining) {
        next();
        return;
      }
      res.setHeader('Connection', 'close');
      res.setHeader('Retry-After', String(DRAINING_RETRY_AFTER_SECONDS));
      // The body is read (and dropped) before answering: closing the connection
      // under a sender still writing it would show it a reset, not this answer.
      // An upload aborted meanwhile needs no answer.
      req.on('error', () => undefined);
      if (req.readableEnded) {
        refuse(req, res);
        return;
      }
      req.once('end', () => refuse(req, res));
      req.resume();
    };
  }
}

function refuse(req: Request, res: Response): void {
  if (res.headersSent) return;
  if (req.path.startsWith('/ingest/workato')) {
    res.status(503).json({ error: { code: 'unavailable', message: MESSAGE } });
    return;
  }
  // OTLP answers in the content type it was sent; anything else gets JSON.
  const protobuf = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-protobuf';
  sendStatus(res, 503, protobuf ? 'protobuf' : 'json', GRPC_CODE.unavailable, MESSAGE);
}
