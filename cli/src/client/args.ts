import { parseArgs } from 'node:util';

/** One option of a command, as its usage shows it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder: URL, N, NAME. */
  value?: string;
  description: string;
  /** The default, in words ("FLOWTRACE_ENDPOINT, else http://localhost:4318"). */
  default: string;
}

/** A command or subcommand: what `flowtrace <name> --help` prints, and what it accepts. */
export interface CommandSpec {
  /** As typed after `flowtrace`: "import workato". */
  name: string;
  /** Its positional arguments, in order, as the usage names them: ["<dir>"]. */
  args?: string[];
  /** What the command does, a paragraph. */
  about: string;
  options: Record<string, OptionSpec>;
  /** Text after the options: the environment the command reads, exit codes. */
  more?: string;
}

/** A command line the command cannot take: exit code 2, with the usage pointer. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type Values = Record<string, string | boolean | undefined>;

/** Every command takes -h / --help. */
const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'print this help and exit', default: 'off' };

/**
 * Reads a command line against its spec: `{ help: true }` whenever -h or
 * --help is among the options (whatever else is there), else the values and
 * positionals. An unknown option, a missing or unexpected value, or an extra
 * argument is a UsageError naming it and pointing to --help.
 */
export function parseCommand(spec: CommandSpec, args: string[]): { help: true } | { help: false; values: Values; positionals: string[] } {
  const options = { ...spec.options, help: HELP };
  const { values, positionals, tokens } = parseArgs({
    args,
    options: Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const optionTokens = tokens.filter((t) => t.kind === 'option');
  if (optionTokens.some((t) => t.name === 'help')) return { help: true };
  const refuse = (problem: string) => new UsageError(`flowtrace ${spec.name}: ${problem}; see flowtrace ${spec.name} --help`);
  for (const token of optionTokens) {
    const option = (options as Record<string, OptionSpec>)[token.name];
    if (!option) throw refuse(`unknown option ${token.rawName} (options: ${optionList(options)})`);
    if (option.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
      throw refuse(`option ${token.rawName} needs a value: ${token.rawName} ${option.value ?? 'VALUE'} (or ${token.rawName}=${option.value ?? 'VALUE'} for a value starting with -)`);
    }
    if (option.type === 'boolean' && token.value !== undefined) throw refuse(`option ${token.rawName} takes no value`);
  }
  const expected = spec.args ?? [];
  if (positionals.length > expected.length) throw refuse(`unexpected argument ${JSON.stringify(positionals[expected.length])}`);
  if (positionals.length < expected.length) throw refuse(`missing ${expected.slice(positionals.length).join(' ')}`);
  return { help: false, values: values as Values, positionals };
}

/** `flowtrace <name> --help`: the synopsis, what it does, every option with its default. */
export function commandUsage(spec: CommandSpec): string {
  const options = { ...spec.options, help: HELP };
  const lines = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`;
    return `  ${flag.padEnd(24)}${o.description} (default: ${o.default})`;
  });
  return [
    `Usage: flowtrace ${spec.name}${(spec.args ?? []).map((a) => ` ${a}`).join('')} [options]`,
    '',
    spec.about,
    '',
    'Options:',
    ...lines,
    ...(spec.more ? ['', spec.more] : []),
  ].join('\n');
}

function optionList(options: Record<string, OptionSpec>): string {
  return Object.keys(options)
    .map((name) => `--${name}`)
    .join(', ');
}
