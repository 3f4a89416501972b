/**
 * The instrumentation scope of every span and log Flowtrace produces itself:
 * those the SDK records in an app, and the executions the collector maps from
 * Workato streams. One scope for both, so a reader cannot tell them apart by it.
 */
export const INSTRUMENTATION_NAME = '@flowtrace/instrumentation';
/** Kept equal to the version of the @flowtrace/instrumentation package (a test compares them). */
export const INSTRUMENTATION_VERSION = '0.1.0';
