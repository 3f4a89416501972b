// `@flowtrace/instrumentation/semconv`: the attribute names and values an app's
// spans and logs carry. They live in @flowtrace/conventions (shared with the
// collector and query API); this subpath re-exports all of them unchanged, so a
// name added there is never missing here.
export * from '@flowtrace/conventions/semconv';
