import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import the workspaces' sources, not their build output.
    alias: [
      { find: /^@flowtrace\/(store|collector|query-api|alerting|conventions|instrumentation)$/, replacement: `${root}$1/src/index.ts` },
      { find: /^@flowtrace\/conventions\/semconv$/, replacement: `${root}conventions/src/semconv.ts` },
      { find: /^@flowtrace\/instrumentation\/(semconv|register)$/, replacement: `${root}instrumentation/src/$1.ts` },
    ],
  },
  test: {
    include: ['*/test/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    // chDB binds one data directory per process: each test file gets a process of its own.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
