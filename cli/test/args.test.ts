/**
 * Command lines: every command takes --help wherever it appears, and a line
 * it cannot take is refused naming the option or argument, pointing to --help.
 */
import { describe, expect, it } from 'vitest';
import { UsageError, commandUsage, parseCommand, type CommandSpec } from '../src/client/args.js';

const SPEC: CommandSpec = {
  name: 'import workato',
  args: ['<dir>'],
  about: 'Loads an export tree.',
  options: {
    source: { type: 'string', value: 'NAME', description: 'names the export', default: "the directory's name" },
    json: { type: 'boolean', description: 'JSON output', default: 'off' },
  },
};

const refusal = (args: string[]) => {
  try {
    parseCommand(SPEC, args);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(args)} was accepted`);
};

describe('parseCommand', () => {
  it('reads options and positionals', () => {
    expect(parseCommand(SPEC, ['tree', '--source', 'export-2022', '--json'])).toEqual({ help: false, values: { source: 'export-2022', json: true }, positionals: ['tree'] });
    expect(parseCommand(SPEC, ['--source=-odd', 'tree'])).toMatchObject({ values: { source: '-odd' }, positionals: ['tree'] });
  });

  it('answers --help and -h wherever they are, even beside a mistake', () => {
    expect(parseCommand(SPEC, ['tree', '--help'])).toEqual({ help: true });
    expect(parseCommand(SPEC, ['-h'])).toEqual({ help: true });
    expect(parseCommand(SPEC, ['tree', '--bogus', '--help'])).toEqual({ help: true });
  });

  it('names an unknown option, the options there are, and --help', () => {
    expect(refusal(['tree', '--sauce', 'x'])).toBe('flowtrace import workato: unknown option --sauce (options: --source, --json, --help); see flowtrace import workato --help');
    expect(refusal(['tree', '-x'])).toContain('unknown option -x');
  });

  it('names an option without its value, and one given a value it does not take', () => {
    expect(refusal(['tree', '--source'])).toBe(
      'flowtrace import workato: option --source needs a value: --source NAME (or --source=NAME for a value starting with -); see flowtrace import workato --help',
    );
    expect(refusal(['tree', '--source', '--json'])).toContain('option --source needs a value');
    expect(refusal(['tree', '--json=yes'])).toContain('option --json takes no value');
  });

  it('names a missing or an extra argument', () => {
    expect(refusal([])).toBe('flowtrace import workato: missing <dir>; see flowtrace import workato --help');
    expect(refusal(['tree', 'other'])).toBe('flowtrace import workato: unexpected argument "other"; see flowtrace import workato --help');
  });
});

describe('commandUsage', () => {
  it('lists every option with its value and default, and --help', () => {
    const usage = commandUsage(SPEC);
    expect(usage.split('\n')[0]).toBe('Usage: flowtrace import workato <dir> [options]');
    expect(usage).toMatch(/^ {2}--source NAME +names the export \(default: the directory's name\)$/m);
    expect(usage).toMatch(/^ {2}--json +JSON output \(default: off\)$/m);
    expect(usage).toMatch(/^ {2}-h, --help +print this help and exit \(default: off\)$/m);
  });
});
