export { createQueryApp } from './app.js';
export type { QueryApiOptions } from './app.js';
export type { Timeline, TimelineSpan, TimelineLog } from './converters/trace.js';
