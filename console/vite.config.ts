import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The console is built to console/dist and served by the query API at `/`
 * (query-api/src/http/console.ts). Everything it needs is in the bundle: no CDN,
 * no web fonts. `npm run dev -w @flowtrace/console` proxies the API to
 * FLOWTRACE_API_URL (default http://127.0.0.1:8080).
 */
const api = process.env.FLOWTRACE_API_URL ?? 'http://127.0.0.1:8080';
const apiPrefixes = ['/projects', '/admin', '/openapi.json', '/healthz'];

/**
 * The Overview (the page after sign-in) draws its charts with recharts, a chunk
 * of its own: preloading it from index.html fetches and compiles it beside the
 * main bundle instead of after it.
 */
function preloadCharts(): Plugin {
  return {
    name: 'flowtrace-preload-charts',
    apply: 'build',
    transformIndexHtml(_html, ctx) {
      const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.name === 'charts');
      return chunk ? [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${chunk.fileName}` }, injectTo: 'head' }] : [];
    },
  };
}

export default defineConfig({
  plugins: [react(), preloadCharts()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: Object.fromEntries(apiPrefixes.map((prefix) => [prefix, { target: api, changeOrigin: false }])),
  },
});
