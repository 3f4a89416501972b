import type { NextFunction, Request, Response } from 'express';
import { overloadedMessage, type Admission } from '../ingest/admission.js';

/**
 * Admission before a body is read: the request takes `cost(req, res)` bytes
 * of the shared budget until it is answered; over the budget it is refused
 * with Retry-After, in the endpoint's own error format (`refuse`).
 */
export function admit(budget: Admission, cost: (req: Request, res: Response) => number, refuse: (res: Response, message: string) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const release = budget.acquire(cost(req, res));
    if (!release) {
      res.setHeader('Retry-After', '1');
      refuse(res, overloadedMessage(budget));
      return;
    }
    res.once('finish', release);
    res.once('close', release);
    next();
  };
}
