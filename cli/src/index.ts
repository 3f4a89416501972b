export { loadConfig, ConfigError, CONFIG_VARIABLES } from './config.js';
export type { Config } from './config.js';
export { serve } from './serve.js';
export type { Parts, Running } from './serve.js';
