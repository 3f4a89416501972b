/**
 * Grafana's SQL, expanded as Grafana and its ClickHouse plugin expand it, so
 * that the dashboards' and alert rules' queries run unchanged here: by the
 * alert evaluator of `flowtrace start`, and by the tests that run every panel.
 *
 * The order is Grafana's: `$__conditionalAll` (the plugin's frontend), then
 * template variables (Grafana), then the time macros (the plugin's backend,
 * pkg/macros/macros.go in grafana/clickhouse-datasource).
 */

/** A template variable's current value: one value, several, or Grafana's "All". */
export type VariableValue = string | readonly string[] | { all: true };

export interface MacroContext {
  from: Date;
  to: Date;
  /** The panel's interval, in seconds ($__interval_s, $__timeInterval); at least 1. */
  intervalSeconds: number;
  /** Template variables by name, without the `$`. */
  variables?: Readonly<Record<string, VariableValue>>;
}

export class MacroError extends Error {}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const dateTime = (d: Date) => `toDateTime(${seconds(d)})`;
const dateTime64 = (d: Date) => `fromUnixTimestamp64Milli(${d.getTime()})`;
const date = (d: Date) => `toDate('${d.toISOString().slice(0, 10)}')`;

type Macro = (args: string[], ctx: MacroContext) => string;

function arity(name: string, n: number, args: string[]): void {
  if (args.length !== n) throw new MacroError(`$__${name}: expected ${n} argument${n === 1 ? '' : 's'}, received ${args.length}`);
}

const MACROS: Record<string, Macro> = {
  fromTime: (_a, c) => dateTime(c.from),
  toTime: (_a, c) => dateTime(c.to),
  fromTime_ms: (_a, c) => dateTime64(c.from),
  toTime_ms: (_a, c) => dateTime64(c.to),
  timeFilter: (a, c) => (arity('timeFilter', 1, a), `${a[0]} >= ${dateTime(c.from)} AND ${a[0]} <= ${dateTime(c.to)}`),
  timeFilter_ms: (a, c) => (arity('timeFilter_ms', 1, a), `${a[0]} >= ${dateTime64(c.from)} AND ${a[0]} <= ${dateTime64(c.to)}`),
  dateFilter: (a, c) => (arity('dateFilter', 1, a), `${a[0]} >= ${date(c.from)} AND ${a[0]} <= ${date(c.to)}`),
  dateTimeFilter: (a, c) => (arity('dateTimeFilter', 2, a), `(${a[0]} >= ${date(c.from)} AND ${a[0]} <= ${date(c.to)}) AND (${a[1]} >= ${dateTime(c.from)} AND ${a[1]} <= ${dateTime(c.to)})`),
  timeInterval: (a, c) => (arity('timeInterval', 1, a), `toStartOfInterval(toDateTime(${a[0]}), INTERVAL ${Math.max(1, Math.floor(c.intervalSeconds))} second)`),
  timeInterval_ms: (a, c) => (arity('timeInterval_ms', 1, a), `toStartOfInterval(toDateTime64(${a[0]}, 3), INTERVAL ${Math.max(1, Math.floor(c.intervalSeconds * 1000))} millisecond)`),
  interval_s: (_a, c) => String(Math.max(1, Math.floor(c.intervalSeconds))),
};
MACROS.dt = MACROS.dateTimeFilter!;

/** The text of a call's parenthesised arguments starting at `open` (a `(`), split on top-level commas. */
function callArguments(sql: string, open: number): { args: string[]; end: number } {
  let depth = 0;
  let quote: string | undefined;
  let start = open + 1;
  const args: string[] = [];
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) {
      const last = sql.slice(start, i).trim();
      if (last !== '' || args.length > 0) args.push(last);
      return { args, end: i + 1 };
    } else if (ch === ',' && depth === 1) {
      args.push(sql.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new MacroError(`unclosed parenthesis after ${JSON.stringify(sql.slice(Math.max(0, open - 20), open))}`);
}

/** Replaces every `$__name(...)` or `$__name` the callback knows, innermost text untouched. */
function replaceCalls(sql: string, names: readonly string[], expand: (name: string, args: string[]) => string): string {
  const pattern = new RegExp(`\\$__(${[...names].sort((a, b) => b.length - a.length).join('|')})\\b`, 'g');
  let out = '';
  let last = 0;
  for (let match = pattern.exec(sql); match; match = pattern.exec(sql)) {
    const name = match[1]!;
    let end = match.index + match[0].length;
    let args: string[] = [];
    if (sql[end] === '(') ({ args, end } = callArguments(sql, end));
    out += sql.slice(last, match.index) + expand(name, args);
    last = end;
    pattern.lastIndex = end;
  }
  return out + sql.slice(last);
}

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function variableText(name: string, value: VariableValue, format: string | undefined): string {
  if (typeof value === 'object' && 'all' in value) {
    throw new MacroError(`$${name} is "All": use it inside $__conditionalAll(…, $${name})`);
  }
  const values = typeof value === 'string' ? [value] : [...value];
  switch (format) {
    case undefined:
    case 'raw':
      return values.join(',');
    case 'singlequote':
    case 'sqlstring':
      return values.map(quote).join(',');
    default:
      throw new MacroError(`\${${name}:${format}}: unknown format (raw, singlequote or sqlstring)`);
  }
}

/** Expands Grafana's SQL for one evaluation: conditionalAll, variables, then the plugin's macros. */
export function expandMacros(sql: string, ctx: MacroContext): string {
  const variables = ctx.variables ?? {};
  const variableName = (arg: string) => /^\$\{?(\w+)(?::\w+)?\}?$/.exec(arg.trim())?.[1];
  let out = replaceCalls(sql, ['conditionalAll'], (_name, args) => {
    if (args.length !== 2) throw new MacroError(`$__conditionalAll: expected 2 arguments, received ${args.length}`);
    const name = variableName(args[1]!);
    if (!name) throw new MacroError(`$__conditionalAll: the second argument must be a variable, got ${JSON.stringify(args[1])}`);
    const value = variables[name];
    if (value === undefined) throw new MacroError(`$__conditionalAll: variable $${name} has no value`);
    // The plugin drops the condition for "All" and for an empty value too (a blank
    // textbox, nothing selected): `value === '' || value === '$__all'` in CHDatasource.
    const empty = typeof value === 'string' ? value === '' : Array.isArray(value) && value.length === 0;
    return empty || (typeof value === 'object' && 'all' in value) ? '1=1' : args[0]!;
  });
  out = out.replace(/\$\{(\w+)(?::(\w+))?\}|\$(?!__)(\w+)/g, (whole, braced: string | undefined, format: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = variables[name];
    if (value === undefined) throw new MacroError(`variable $${name} has no value`);
    return variableText(name, value, format);
  });
  return replaceCalls(out, Object.keys(MACROS), (name, args) => MACROS[name]!(args, ctx));
}
