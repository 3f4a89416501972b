export { expandMacros, MacroError } from './macros.js';
export type { MacroContext, VariableValue } from './macros.js';
