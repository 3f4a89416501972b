/**
 * `node --import @flowtrace/instrumentation/register app.js`: traces a Node
 * service with no code change. Hooks ESM imports (so `import express` is
 * instrumented as well as `require('express')`) and starts the SDK, which
 * exports what is queued on a normal exit. Anything that goes wrong here is
 * reported on stderr and the app starts untraced.
 */
import { register } from 'node:module';
import { start } from './start.js';

try {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
} catch (err) {
  process.stderr.write(`flowtrace: ESM auto-instrumentation unavailable (${(err as Error).message}); CommonJS modules are still instrumented\n`);
}
start();
