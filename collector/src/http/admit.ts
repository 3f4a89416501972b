import type { NextFunction, Request, Response } from 'express';
import { estimatedBodyBytes, overloadedMessage, type Admission, type Reservation } from '../ingest/admission.js';

export interface Admit {
  /** Before the body is read: the request takes its estimated cost, or is refused. */
  before: (req: Request, res: Response, next: NextFunction) => void;
  /**
   * After a raw body is read: its share is set from its real (decompressed)
   * size; a request that outgrew its estimate beyond the budget is refused.
   */
  after: (req: Request, res: Response, next: NextFunction) => void;
}

/**
 * Admission around reading a body: a request takes its size times `perByte`
 * of the shared budget until it is answered, estimated from its headers
 * before the body is read (estimatedBodyBytes) and set from the body once it
 * is. Over the budget it is refused with Retry-After, in the endpoint's own
 * error format (`refuse`).
 */
export function admit(
  budget: Admission,
  maxBodyBytes: number,
  perByte: (req: Request, res: Response) => number,
  refuse: (res: Response, message: string) => void,
): Admit {
  const reservations = new WeakMap<Response, Reservation>();
  const refused = (res: Response) => {
    res.setHeader('Retry-After', '1');
    refuse(res, overloadedMessage(budget));
  };
  return {
    before: (req, res, next) => {
      const reservation = budget.acquire(estimatedBodyBytes(req, maxBodyBytes) * perByte(req, res));
      if (!reservation) return refused(res);
      reservations.set(res, reservation);
      res.once('finish', reservation.release);
      res.once('close', reservation.release);
      next();
    },
    after: (req, res, next) => {
      const reservation = reservations.get(res);
      // A raw body's size is known; a parsed one keeps its estimate.
      if (reservation && Buffer.isBuffer(req.body) && !reservation.resize(req.body.length * perByte(req, res))) return refused(res);
      next();
    },
  };
}
