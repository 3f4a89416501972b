import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
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
 * Writes a .br and a .gz beside each script, style sheet and SVG of the build,
 * compressed once at the highest levels, so that the query API sends them
 * compressed (query-api/src/http/console.ts) without compressing per request.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'flowtrace-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir.startsWith('/') ? config.build.outDir : join(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(js|css|svg)$/.test(fileName)) continue;
        const path = join(outDir, fileName);
        const bytes = readFileSync(path);
        if (bytes.length < 1024) continue;
        writeFileSync(`${path}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
        writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

/**
 * src/mantine.css imports the styles of the Mantine components the console
 * uses, not all of them: this fails the build when a script uses a Mantine
 * class (m_xxxxxxxx) that no emitted style sheet defines, naming the file of
 * @mantine/core/styles to import, rather than let a component go unstyled.
 */
function mantineStylesComplete(): Plugin {
  return {
    name: 'flowtrace-mantine-styles-complete',
    apply: 'build',
    generateBundle(_options, bundle) {
      const classes = (text: string) => new Set(text.match(/\bm_[0-9a-f]{8}\b/g) ?? []);
      const chunks = Object.values(bundle);
      const used = classes(chunks.map((c) => (c.type === 'chunk' ? c.code : '')).join('\n'));
      const styled = classes(chunks.map((c) => (c.type === 'asset' && c.fileName.endsWith('.css') ? String(c.source) : '')).join('\n'));
      const stylesDir = join(dirname(createRequire(import.meta.url).resolve('@mantine/core/styles.css')), 'styles');
      const missing = new Set<string>();
      for (const file of readdirSync(stylesDir).filter((f) => f.endsWith('.css') && !f.endsWith('.layer.css'))) {
        const defined = classes(readFileSync(join(stylesDir, file), 'utf8'));
        if ([...defined].some((c) => used.has(c) && !styled.has(c))) missing.add(file);
      }
      if (missing.size) this.error(`the console uses Mantine components whose styles src/mantine.css does not import: add ${[...missing].map((f) => `@import '@mantine/core/styles/${f}';`).join(' ')}`);
    },
  };
}

export default defineConfig({
  plugins: [react(), mantineStylesComplete(), precompress()],
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
