import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotificationPayload } from '@flowtrace/alerting';

/** One POST the receiver got, and what it answered. */
export interface Received {
  idempotencyKey: string | undefined;
  body: NotificationPayload;
  status: number;
  at: number;
}

/**
 * A local webhook receiver: records every POST, answers with the status it is
 * told to (200 by default), and can be closed (connection refused) and opened
 * again on the same port.
 */
export interface Receiver {
  url: string;
  received: Received[];
  /** The bodies it answered 2xx, in order. */
  accepted(): NotificationPayload[];
  answer(status: number): void;
  close(): Promise<void>;
  reopen(): Promise<void>;
  /** Waits until `check` holds, polling; fails with `explain` after the deadline. */
  waitFor(check: (received: Received[]) => boolean, explain: string, timeoutMs?: number): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  let status = 200;
  const received: Received[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const key = req.headers['idempotency-key'];
      received.push({ idempotencyKey: Array.isArray(key) ? key[0] : key, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as NotificationPayload, status, at: Date.now() });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'unavailable');
    });
  };
  let server: Server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/flowtrace`,
    received,
    accepted: () => received.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.body),
    answer: (next) => {
      status = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    reopen: async () => {
      server = createServer(handler);
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    waitFor: async (check, explain, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!check(received)) {
        if (Date.now() > deadline) throw new Error(`${explain}; received: ${JSON.stringify(received.map((r) => ({ id: r.body.id, status: r.body.status, rule: r.body.rule.id, labels: r.body.labels, answered: r.status })))}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}

/** Polls `check` until it returns a value (not undefined); fails with `explain` after the deadline. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, explain: () => string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(explain());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
