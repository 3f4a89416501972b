import { isIP } from 'node:net';
import type { Request } from 'express';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The origin of links in answers (`nextLink`). FLOWTRACE_PUBLIC_URL when set.
 * Otherwise the address the request arrived on — the API's own listening
 * address — and a Host header only when it names that address (or, on a
 * loopback listener, `localhost`/`127.0.0.1`/`[::1]` with its port): a forged
 * Host never puts another origin into a link.
 */
export function linkOrigin(req: Request, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const port = req.socket.localPort ?? 0;
  const address = unmapped(req.socket.localAddress ?? '127.0.0.1');
  const listening = hostPort(address, port);
  const trusted = new Set([listening]);
  if (isLoopback(address)) for (const name of LOOPBACK_NAMES) trusted.add(`${name}:${port}`);
  // A client leaves out the default port.
  if (port === 80) for (const name of [...trusted]) trusted.add(name.slice(0, name.lastIndexOf(':')));
  const host = req.headers.host?.toLowerCase();
  return `http://${host !== undefined && trusted.has(host) ? host : listening}`;
}

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) as `127.0.0.1`. */
const unmapped = (address: string) => (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address);

const hostPort = (address: string, port: number) => `${isIP(address) === 6 ? `[${address}]` : address}:${port}`;

const isLoopback = (address: string) => address === '::1' || address.startsWith('127.');
