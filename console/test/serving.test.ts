/**
 * How the query API serves the console (query-api/src/http/console.ts) when
 * there is no build, or none is wanted; the built console is served in
 * test/e2e/console.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminToken, Projects } from '@flowtrace/store';
import { createQueryApp } from '@flowtrace/query-api';
import { openTempStore, tempDir } from '../../test/support/store.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';

let opened: Awaited<ReturnType<typeof openTempStore>>;
let projects: Projects;
let adminToken: AdminToken;
const dirs: Array<{ remove: () => void }> = [];

beforeAll(async () => {
  opened = await openTempStore();
  projects = new Projects(opened.store, { keyCacheMs: 60_000 });
  adminToken = await AdminToken.load(opened.store, 'console-serving-admin-token-0000');
});

afterAll(async () => {
  await opened?.dispose();
  for (const dir of dirs) dir.remove();
});

async function serve(consoleDir: string | false) {
  const log = memoryLogger();
  const server = await listenApp(createQueryApp({ store: opened.store, projects, adminToken, log, consoleDir }));
  return { log, server };
}

describe('serving the console', () => {
  it('says at start, and at /, that the console is not built', async () => {
    const empty = tempDir('flowtrace-console-empty-');
    dirs.push(empty);
    const { log, server } = await serve(empty.path);
    try {
      expect(log.entries.filter((e) => e.level === 'warn').map((e) => e.message)).toContain(
        'the web console is not built, so / serves no console: run `npm run build` (or `npm run build -w @flowtrace/console`)',
      );
      const res = await fetch(`${server.url}/`);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('console_not_built');
      expect(body.error.message).toContain('npm run build');
      // The API is unaffected.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('serves a build: the page for console addresses, never for API paths or missing assets', async () => {
    const build = tempDir('flowtrace-console-build-');
    dirs.push(build);
    mkdirSync(`${build.path}/assets`);
    writeFileSync(`${build.path}/index.html`, '<!doctype html><script type="module" src="/assets/app-0a1b2c.js"></script>');
    writeFileSync(`${build.path}/assets/app-0a1b2c.js`, 'export {};');
    const { log, server } = await serve(build.path);
    try {
      expect(log.entries.filter((e) => e.message.includes('console'))).toEqual([]);
      for (const path of ['/', '/signin', '/p/0b6a4d3e-9a37-4c59-9d76-1f0e2f7a8b90/traces/abc?span=1']) {
        const res = await fetch(`${server.url}${path}`);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('cache-control'), path).toBe('no-cache');
        expect(await res.text(), path).toContain('/assets/app-0a1b2c.js');
      }
      const asset = await fetch(`${server.url}/assets/app-0a1b2c.js`);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await asset.text()).toBe('export {};');
      for (const path of ['/assets/app-ffffff.js', '/projects/0b6a4d3e-9a37-4c59-9d76-1f0e2f7a8b90/nothing', '/admin/nothing', '/openapi.json/x', '/v1/logs']) {
        const res = await fetch(`${server.url}${path}`);
        expect(res.status, path).toBe(404);
        expect(res.headers.get('content-type'), path).toMatch(/application\/json/);
        await res.arrayBuffer();
      }
      // Only GET and HEAD get the page.
      const post = await fetch(`${server.url}/p/x/overview`, { method: 'POST' });
      expect(post.status).toBe(404);
      await post.arrayBuffer();
      const head = await fetch(`${server.url}/p/x/overview`, { method: 'HEAD' });
      expect(head.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('sends the compressed copy the build wrote beside an asset, as the client accepts it', async () => {
    const build = tempDir('flowtrace-console-compressed-');
    dirs.push(build);
    mkdirSync(`${build.path}/assets`);
    writeFileSync(`${build.path}/index.html`, '<!doctype html><script type="module" src="/assets/app-0a1b2c.js"></script>');
    const script = `export const rows = ${JSON.stringify(Array.from({ length: 200 }, (_, i) => `row ${i}`))};`;
    writeFileSync(`${build.path}/assets/app-0a1b2c.js`, script);
    writeFileSync(`${build.path}/assets/app-0a1b2c.js.br`, brotliCompressSync(script));
    writeFileSync(`${build.path}/assets/app-0a1b2c.js.gz`, gzipSync(script));
    // A style sheet the build left uncompressed (too small): sent as it is.
    writeFileSync(`${build.path}/assets/app-0a1b2c.css`, 'body{margin:0}');
    const { server } = await serve(build.path);
    try {
      for (const [accept, encoding] of [
        ['gzip, deflate, br, zstd', 'br'],
        ['gzip', 'gzip'],
        ['br;q=0, gzip;q=0.5', 'gzip'],
        ['*', 'br'],
        ['identity', null],
        ['br;q=0, gzip;q=0', null],
      ] as const) {
        const res = await fetch(`${server.url}/assets/app-0a1b2c.js`, { headers: { 'accept-encoding': accept } });
        expect(res.status, accept).toBe(200);
        expect(res.headers.get('content-encoding'), accept).toBe(encoding);
        expect(res.headers.get('content-type'), accept).toMatch(/^text\/javascript/);
        expect(res.headers.get('vary'), accept).toMatch(/Accept-Encoding/i);
        expect(res.headers.get('cache-control'), accept).toBe('public, max-age=31536000, immutable');
        // fetch decodes what it was sent: the same script whichever way it came.
        expect(await res.text(), accept).toBe(script);
      }
      const css = await fetch(`${server.url}/assets/app-0a1b2c.css`, { headers: { 'accept-encoding': 'br, gzip' } });
      expect(css.headers.get('content-encoding')).toBeNull();
      expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await css.text()).toBe('body{margin:0}');
      const missing = await fetch(`${server.url}/assets/app-ffffff.js`, { headers: { 'accept-encoding': 'br' } });
      expect(missing.status).toBe(404);
      await missing.arrayBuffer();
    } finally {
      await server.close();
    }
  });

  it('serves no console when told not to', async () => {
    const { log, server } = await serve(false);
    try {
      expect(log.entries.filter((e) => e.message.includes('console'))).toEqual([]);
      const res = await fetch(`${server.url}/`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    } finally {
      await server.close();
    }
  });
});
