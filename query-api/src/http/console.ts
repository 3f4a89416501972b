import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '@flowtrace/store';

/**
 * Path prefixes that belong to the HTTP API (and to the collector, should both
 * ever share a port): the console's fallback never answers under them, so an
 * unknown API path stays a JSON 404. The first segment of every documented
 * path is added to these (see serveConsole).
 */
const API_PREFIXES = ['projects', 'admin', 'v1', 'ingest', 'metrics', 'healthz', 'health', 'openapi.json', 'openapi', 'api'];

/** The console's hashed build output: the same name is always the same bytes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The console's build: console/dist beside query-api/ in the repository (this
 * file is query-api/src/http in the tests, query-api/dist/http at run time:
 * two levels below query-api/ either way), else the dist of an installed
 * @flowtrace/console package.
 */
export function defaultConsoleDir(): string {
  const inRepository = resolve(dirname(fileURLToPath(import.meta.url)), '../../../console/dist');
  if (existsSync(join(inRepository, 'index.html'))) return inRepository;
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@flowtrace/console/package.json')), 'dist');
  } catch {
    return inRepository;
  }
}

export interface ConsoleOptions {
  /** The built console; default: console/dist of this repository. `false`: serve no console. */
  dir?: string | false;
  log: Logger;
  /** Every documented API path ("/projects/{projectId}/…"), so the fallback never shadows one. */
  apiPaths: readonly string[];
}

/**
 * Serves the web console at `/`: its assets (hashed names cached for a year,
 * immutable; index.html revalidated every time) and, for any other GET that
 * is not an API path, index.html, so that a console address opened directly
 * renders its view. Registered after the API routes, before the 404 handler.
 */
export function serveConsole(app: Express, options: ConsoleOptions): void {
  const dir = options.dir === undefined ? defaultConsoleDir() : options.dir;
  const prefixes = new Set([...API_PREFIXES, ...options.apiPaths.map((path) => path.split('/')[1] ?? '').filter(Boolean)]);
  const isApiPath = (path: string) => prefixes.has(path.split('/')[1] ?? '');

  if (dir === false) return;
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    options.log.warn('the web console is not built, so / serves no console: run `npm run build` (or `npm run build -w @flowtrace/console`)', { missing: index });
    app.get('/', (_req: Request, res: Response) => {
      res.status(404).json({ error: { code: 'console_not_built', message: `the web console is not built (${index} is missing): run \`npm run build\` and restart` } });
    });
    return;
  }

  app.use('/assets', precompressed(join(dir, 'assets')));
  app.use(
    '/assets',
    express.static(join(dir, 'assets'), {
      index: false,
      fallthrough: true,
      immutable: true,
      maxAge: '365d',
      setHeaders: (res) => {
        res.setHeader('Cache-Control', IMMUTABLE);
        res.setHeader('X-Content-Type-Options', 'nosniff');
      },
    }),
  );
  // A missing asset is a 404, never the page (a script answered with HTML breaks silently).
  app.use('/assets', (req: Request, res: Response) => {
    res.status(404).json({ error: { code: 'not_found', message: `no console asset ${req.path}` } });
  });
  app.use(
    express.static(dir, {
      index: false,
      fallthrough: true,
      setHeaders: (res, path) => {
        if (path.endsWith('.html')) return pageHeaders(res);
        res.setHeader('Cache-Control', 'public, max-age=3600');
        res.setHeader('X-Content-Type-Options', 'nosniff');
      },
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path)) return next();
    pageHeaders(res);
    res.sendFile(index, { cacheControl: false }, (err) => {
      // A client gone mid-answer is no error of ours.
      if (err && !res.headersSent) next(err);
    });
  });
}

/** The types of the assets the build writes compressed beside themselves (console/vite.config.ts, precompress). */
const COMPRESSED_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * An asset the build compressed, sent as its .br (or .gz) when the client
 * accepts it: the same cache headers as the file itself, Vary: Accept-Encoding.
 * Anything else (no compressed file, a client that takes neither) falls through
 * to the file as it is.
 */
function precompressed(assets: string) {
  // The build's compressed copies, listed once: hashed assets never change under a name, and
  // a request never waits on a file-system call to learn whether its copy exists.
  const copies = new Set(existsSync(assets) ? readdirSync(assets, { recursive: true }).map((name) => `/${String(name).replaceAll('\\', '/')}`) : []);
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const type = COMPRESSED_TYPES[extname(req.path)];
    if (!type || req.path.includes('..')) return next();
    res.setHeader('Vary', 'Accept-Encoding');
    const path = join(assets, req.path);
    const encoding = acceptedEncodings(req.headers['accept-encoding']).find((e) => copies.has(`${req.path}.${e === 'br' ? 'br' : 'gz'}`));
    if (!encoding) return next();
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Encoding', encoding);
    res.setHeader('Cache-Control', IMMUTABLE);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(`${path}.${encoding === 'br' ? 'br' : 'gz'}`, { cacheControl: false, acceptRanges: false, dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) next(err);
    });
  };
}

/** br and gzip, those of them an Accept-Encoding header allows (q above 0), brotli first. */
function acceptedEncodings(header: string | string[] | undefined): Array<'br' | 'gzip'> {
  const accepted = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const allows = (name: string) => (accepted.get(name) ?? (accepted.get('*') ?? 0)) > 0;
  return (['br', 'gzip'] as const).filter(allows);
}

/** index.html: revalidated on every load; everything it loads comes from here (no CDN, no fonts, no other origin). */
function pageHeaders(res: ServerResponse): void {
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  // Inline styles only: Mantine sets CSS variables in style attributes and one style element.
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  );
}
