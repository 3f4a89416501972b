/**
 * The command line as a new user meets it: every command and subcommand
 * answers --help with its usage, every option and its default; every option
 * is in the README; a mistyped option is named; and a client command pointed
 * at a Flowtrace that is not running says which URL it tried, why it failed,
 * and which variable sets it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/store.js';
import { FLOWTRACE_BIN, REPO_ROOT, startFlowtrace } from '../support/flowtrace.js';

const exec = promisify(execFile);
const README = readFileSync(`${REPO_ROOT}README.md`, 'utf8');

/** Runs the built command; its exit code and output, whatever the code. */
function flowtrace(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(process.execPath, [FLOWTRACE_BIN, ...args], { env: { ...process.env, ...env } }).then(
    (out) => ({ code: 0, ...out }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

/** The commands `flowtrace help` lists, as typed ("import workato"): the words before an argument or the description. */
async function listedCommands(): Promise<string[]> {
  const { stdout } = await flowtrace(['help']);
  const section = stdout.split('\nCommands:\n')[1]!.split('\n\n')[0]!;
  return section
    .split('\n')
    .filter((line) => /^ {2}\S/.test(line))
    .map((line) => line.trim().split(/\s{2,}/)[0]!.split(' ').filter((word) => !/^[<[]/.test(word)).join(' '));
}

/** `flowtrace <command> <flag>` of every listed command but help, run once, side by side. */
let helps: Promise<Array<{ command: string; flag: string; out: Awaited<ReturnType<typeof flowtrace>> }>> | undefined;
function helpOfEveryCommand() {
  helps ??= listedCommands().then((commands) =>
    Promise.all(
      commands
        .filter((c) => c !== 'help')
        .flatMap((command) => ['--help', '-h'].map(async (flag) => ({ command, flag, out: await flowtrace([...command.split(' '), flag]) }))),
    ),
  );
  return helps;
}

/** The long options of a usage's Options section. */
const optionsOf = (usage: string) => [...usage.split('\nOptions:\n')[1]!.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!);

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('--help', () => {
  it('every command listed by flowtrace help answers --help and -h with its usage, every option with its default', async () => {
    expect(await listedCommands()).toEqual(expect.arrayContaining(['start', 'collector', 'query-api', 'import workato', 'demo', 'help']));
    for (const { command, flag, out } of await helpOfEveryCommand()) {
      expect(out.code, `${command} ${flag}: ${out.stderr}`).toBe(0);
      expect(out.stdout, command).toMatch(new RegExp(`^Usage: flowtrace ${command}\\b`));
      const options = out.stdout.split('\nOptions:\n')[1]!.split('\n\n')[0]!.trimEnd().split('\n');
      for (const line of options) expect(line, `${command}: ${line}`).toMatch(/^ {2}(-\w, )?--[a-z-]+.*\(default: .+\)$/);
      expect(optionsOf(out.stdout)).toContain('--help');
    }
  });

  it('flowtrace import workato <dir> --help prints the usage, not a parser error', async () => {
    const out = await flowtrace(['import', 'workato', '/some/export', '--help']);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('Usage: flowtrace import workato <dir> [options]');
    expect(out.stdout).toMatch(/^ {2}--source NAME .*\(default: the directory's name\)$/m);
    expect(out.stdout).toMatch(/^ {2}--endpoint URL .*\(default: FLOWTRACE_ENDPOINT, else http:\/\/localhost:4318\)$/m);
    expect(out.stdout).toMatch(/^ {2}--key KEY .*\(default: FLOWTRACE_API_KEY; required\)$/m);
    // The same through help.
    expect((await flowtrace(['help', 'import', 'workato'])).stdout).toBe(out.stdout);
  });

  it('every option of every command is in the README', async () => {
    for (const { command, out } of await helpOfEveryCommand()) {
      for (const option of optionsOf(out.stdout)) expect(README.includes(`\`${option}`), `${command} ${option} is not in README.md`).toBe(true);
    }
  });
});

describe('a command line it cannot take', () => {
  it('names an unknown option and points to --help (exit 2), for every command', async () => {
    for (const command of ['import workato /some/export', 'demo', 'start', 'collector', 'query-api']) {
      const out = await flowtrace([...command.split(' '), '--sauce', 'x']);
      expect(out.code, command).toBe(2);
      const name = command.replace(' /some/export', '');
      expect(out.stderr, command).toMatch(new RegExp(`^flowtrace ${name}: unknown option --sauce \\(options: [^)]*--help\\); see flowtrace ${name} --help\\n$`));
    }
  });

  it('names an option missing its value, a missing directory, an unknown format', async () => {
    expect((await flowtrace(['import', 'workato', '/some/export', '--source'])).stderr).toContain('flowtrace import workato: option --source needs a value: --source NAME');
    expect((await flowtrace(['import', 'workato'])).stderr).toBe('flowtrace import workato: missing <dir>; see flowtrace import workato --help\n');
    const csv = await flowtrace(['import', 'csv', '/some/export']);
    expect(csv.code).toBe(2);
    expect(csv.stderr).toBe('flowtrace import: unknown format "csv" (formats: workato); see flowtrace import --help\n');
  });
});

describe('a Flowtrace that is not running', () => {
  it('import names the URL, the cause and the variable that sets it', async () => {
    const port = await closedPort();
    const tree = tempDir('flowtrace-usage-tree-');
    try {
      const out = await flowtrace(['import', 'workato', tree.path], { FLOWTRACE_ENDPOINT: `http://127.0.0.1:${port}`, FLOWTRACE_API_KEY: 'ftk_anything' });
      // An empty tree is refused before any request: no files is not a success either.
      expect(out.code).toBe(1);
      expect(out.stdout).toContain(`found no .json files under ${tree.path}`);
    } finally {
      tree.remove();
    }
    const withFiles = tempDir('flowtrace-usage-tree-');
    try {
      mkdirSync(`${withFiles.path}/1/jobs/9/20221020/j-1`, { recursive: true });
      writeFileSync(`${withFiles.path}/1/jobs/9/20221020/j-1/j-1.json`, '{"id":"j-1","recipe_id":9,"status":"succeeded","started_at":"2022-10-20T10:00:00Z"}');
      const out = await flowtrace(['import', 'workato', withFiles.path], { FLOWTRACE_ENDPOINT: `http://127.0.0.1:${port}`, FLOWTRACE_API_KEY: 'ftk_anything' });
      expect(out.code).toBe(1);
      expect(out.stderr).toContain(
        `flowtrace: cannot reach the collector at http://127.0.0.1:${port}/ingest/workato/import/check: connection refused: nothing listens there (ECONNREFUSED). ` +
          'Is Flowtrace running there (flowtrace start)? The URL is set by FLOWTRACE_ENDPOINT (or --endpoint; default http://localhost:4318).',
      );
      expect(out.stderr).not.toContain('fetch failed');
    } finally {
      withFiles.remove();
    }
  });

  it('demo checks both servers first, naming each URL and its variable', async () => {
    const port = await closedPort();
    const env = { FLOWTRACE_ADMIN_TOKEN: 'fta_0123456789abcdef0123', FLOWTRACE_API_URL: `http://127.0.0.1:${port}`, FLOWTRACE_ENDPOINT: `http://127.0.0.1:${port}` };
    const api = await flowtrace(['demo'], env);
    expect(api.code).toBe(1);
    expect(api.stderr).toContain(`flowtrace: cannot reach the query API at http://127.0.0.1:${port}/healthz: connection refused: nothing listens there (ECONNREFUSED).`);
    expect(api.stderr).toContain('The URL is set by FLOWTRACE_API_URL (or --api-url; default http://localhost:8080).');
    // The query API running, the collector's URL wrong.
    const data = tempDir('flowtrace-usage-data-');
    const running = await startFlowtrace(data.path);
    try {
      const collector = await flowtrace(['demo', '--api-url', running.apiUrl, '--admin-token', running.adminToken!], env);
      expect(collector.code).toBe(1);
      expect(collector.stderr).toContain(`flowtrace: cannot reach the collector at http://127.0.0.1:${port}/: connection refused: nothing listens there (ECONNREFUSED).`);
      expect(collector.stderr).toContain('FLOWTRACE_ENDPOINT (or --endpoint; default http://localhost:4318)');
    } finally {
      await running.stop();
      data.remove();
    }
  });
});
