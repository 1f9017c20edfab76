// The CLI as a script uses it: the real `casefile` process, its exit codes (0, 1 for every error, 2 when `trace` finds
// nothing), JSON alone on stdout, one `casefile: …` sentence on stderr, and no case left behind by a refused command.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, writeAt } from '../testkit/tmp';
import { CLI_BIN, cliRunner } from '../testkit/cliChild';

const root = tempDir('casefile-cli-scripting-');
afterAll(() => removeDir(root));
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
const cli = cliRunner(env);
const caseDir = path.join(root, 'case');
const log = writeAt(root, 'logs/app.log', '2023-07-06 03:30:00 INFO hello\n2023-07-06 03:30:01 ERROR boom\n');
const aFile = writeAt(root, 'notes.txt', 'not a case\n');
const aFolder = path.join(root, 'folder');

beforeAll(() => {
  mkdirSync(aFolder, { recursive: true });
  const r = cli('import', log, '--case', caseDir);
  expect(r.status, r.stderr).toBe(0);
});

/** One clear sentence on stderr, nothing on stdout, exit 1. */
function refused(r: ReturnType<typeof cli>, message: RegExp): void {
  expect(r.stderr, r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/^casefile: /);
  expect(r.stdout).toBe('');
  expect(r.status).toBe(1);
}

describe('casefile exit codes and errors', () => {
  it('a bad option value is exit 1 with its sentence, as every other error', () => {
    refused(cli('serve', '--port', 'abc', '--no-open'), /--port must be 0\.\.65535, got abc/);
    refused(cli('audit', 'show', '--case', caseDir, '--limit', 'x'), /--limit must be an integer from 1 to 100000, got x/);
    refused(cli('chains', '--case', caseDir, '--limit', 'x'), /--limit must be an integer from 1 to 5000, got x/);
    for (const bad of ['-1', '1.5', '100000001', 'ten', '1e3']) refused(cli('chains', '--case', caseDir, '--offset', bad), new RegExp(`--offset must be an integer from 0 to 100000000, got ${bad.replace('.', '\\.')}`));
    refused(cli('query', '--case', caseDir, '--sql', 'SELECT 1', '--limit', '0'), /--limit must be an integer from 1 to 100000, got 0/);
  });

  it('an unknown flag, a flag without its value, a missing required flag or a stray argument is one casefile: sentence and a hint, not the whole usage', () => {
    const cases: [string[], RegExp][] = [
      [['query', '--case', caseDir, '--sql', 'SELECT 1', '--bogus'], /^casefile: unknown option '--bogus'\n/],
      [['chains', '--case', caseDir, '--limt', '5'], /^casefile: unknown option '--limt'\n\(Did you mean --limit\?\)/],
      [['chains', '--case', caseDir, '--limit'], /^casefile: option '--limit <n>' argument missing\n/],
      [['trace', 'x'], /^casefile: required option '--case <dir>' not specified\n/],
      [['query', '--case', caseDir, '--sql', 'SELECT 1', 'extra'], /^casefile: too many arguments for 'query'\. Expected 0 arguments but got 1\.\n/],
      [['audit', 'nosuch'], /^casefile: unknown command 'nosuch'\n/],
      [['key', 'list', '--bogus'], /^casefile: unknown option '--bogus'\n/],
      // --reveal prints the bare value (for a pipe): with --json a script would take it for JSON
      [['open', aFile, '--reveal', 'db.password', '--json'], /^casefile: option '--json' cannot be used with option '--reveal <path>'\n/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      refused(r, message);
      expect(r.stderr, args.join(' ')).toMatch(/\(add --help for the usage\)\n$/);
      expect(r.stderr, args.join(' ')).not.toMatch(/Usage:|^error:/m);
    }
  });

  it('the --help of each command that can exit with a code other than 0 and 1 names that code and when', () => {
    const named: [string[], RegExp[]][] = [
      [['trace'], [/exit 2 when nothing names it/]],
      [['export'], [/exit 2 when the selection holds no events/, /6 when the fail-closed check refuses the output/]],
      [['reidentify'], [/exit 2 when a token is in no map/]],
      [['verify'], [/exit 1 on failure, 5 when/]],
    ];
    for (const [cmd, codes] of named) {
      const help = cli(...cmd, '--help');
      expect(help.status).toBe(0);
      for (const c of codes) expect(help.stdout.replace(/\s+/g, ' '), cmd.join(' ')).toMatch(c);
    }
  });

  it('audit show --since that is not a date says so about itself, not with the whole program help', () => {
    const r = cli('audit', 'show', '--case', caseDir, '--since', 'notadate');
    refused(r, /--since is not a date: notadate/);
    expect(r.stderr).not.toMatch(/Usage: casefile \[options\] \[command\]/);
  });

  it('--json and --csv together are refused, not one silently dropped', () => {
    const r = cli('query', '--case', caseDir, '--sql', 'SELECT 1', '--json', '--csv');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--csv.*cannot be used with.*--json|--json.*cannot be used with.*--csv/);
  });

  it('--csv writes a cell a spreadsheet would run as a formula with a leading \'; --csv-exact writes it as stored', () => {
    // what an operator redirects into a .csv and opens in Excel: the cell from a log line must not run
    const sql = "SELECT '=HYPERLINK(\"http://x.example\")' AS a, '@SUM(A1)' AS b, '-x' AS c, -5 AS n, 'plain' AS d";
    const safe = cli('query', '--case', caseDir, '--sql', sql, '--csv');
    expect(safe.status, safe.stderr).toBe(0);
    expect(safe.stdout).toBe(`a,b,c,n,d\n"'=HYPERLINK(""http://x.example"")",'@SUM(A1),'-x,-5,plain\n`);
    const exact = cli('query', '--case', caseDir, '--sql', sql, '--csv-exact');
    expect(exact.status, exact.stderr).toBe(0);
    expect(exact.stdout).toBe('a,b,c,n,d\n"=HYPERLINK(""http://x.example"")",@SUM(A1),-x,-5,plain\n');
    expect(cli('query', '--case', caseDir, '--sql', sql, '--csv-exact', '--json').status).toBe(1);
  });

  it('trace of an id nothing names exits 2 with --json too, the JSON still alone on stdout', () => {
    const text = cli('trace', 'no-such-id', '--case', caseDir);
    expect(text.status).toBe(2);
    expect(text.stderr).toMatch(/nothing in this case names "no-such-id"/);
    const json = cli('trace', 'no-such-id', '--case', caseDir, '--json');
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ chain: null, events: [] });
    expect(json.stderr).toMatch(/nothing in this case names "no-such-id"/);
  });

  it('text-index says what the other case commands say about a missing case and a file given as --case', () => {
    refused(cli('text-index', '--case', path.join(root, 'nowhere')), /No case at .*nowhere\. Create one with: casefile import <bundle> --case /);
    refused(cli('text-index', '--case', aFile), /notes\.txt is a file, not a case folder/);
    refused(cli('stats', '--case', aFile), /notes\.txt is a file, not a case folder: give --case the case's folder\./);
  });

  it('an import refused for its --tz or --date, or a pull for its profile, leaves no new case behind', () => {
    const tz = path.join(root, 'tz-case');
    refused(cli('import', log, '--case', tz, '--tz', 'Mars/Base'), /Unknown timezone "Mars\/Base"/);
    expect(existsSync(tz)).toBe(false);
    const date = path.join(root, 'date-case');
    refused(cli('import', log, '--case', date, '--date', '2026-13-45'), /--date expects a date as YYYY-MM-DD, got "2026-13-45"/);
    expect(existsSync(date)).toBe(false);
    const pulled = path.join(root, 'pull-case');
    refused(cli('pull', '--case', pulled, '--profile', 'nope'), /No profile named "nope"/);
    expect(existsSync(pulled)).toBe(false);
  });

  it('a missing input file or a folder in its place is named in a sentence, not an errno', () => {
    const rules = writeAt(root, 'rules.json', '{}');
    const missing = path.join(root, 'missing.txt');
    refused(cli('redact-test', '--rules', rules, missing), /Cannot read .*missing\.txt: no such file\./);
    refused(cli('redact-test', '--rules', rules, aFolder), /folder is a folder, not a file\./);
    refused(cli('redact-test', '--rules', missing, log), /Cannot read .*missing\.txt: no such file\./);
    refused(cli('key', 'import', missing), /Cannot read .*missing\.txt: no such file\./);
    refused(cli('key', 'import', aFolder), /folder is a folder, not a file\./);
    refused(cli('profile', 'add', '--file', missing), /Cannot read .*missing\.txt: no such file\./);
    refused(cli('profile', 'add', '--file', aFile), /notes\.txt is not JSON: /);
    for (const r of [cli('redact-test', '--rules', rules, missing), cli('key', 'import', aFolder)]) expect(r.stderr).not.toMatch(/ENOENT|EISDIR/);
  });
});

describe('casefile in a pipe that closes early', () => {
  // `| head -1` closes the pipe after the first line: the command stops quietly, with no EPIPE stack trace on the
  // terminal, and its exit code is the command's own so far (0), not node's crash code.
  const piped = (...args: string[]) => spawnSync('bash', ['-c', `"$0" "$1" "\${@:2}" | head -1; exit "\${PIPESTATUS[0]}"`, process.execPath, CLI_BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });

  it('query as a table, --json and --csv prints its first line and stops without a stack trace', () => {
    for (const args of [
      ['query', '--case', caseDir, '--sql', 'SELECT range AS n FROM range(200000)'],
      ['query', '--case', caseDir, '--sql', 'SELECT range AS n FROM range(200000)', '--json'],
      ['query', '--case', caseDir, '--sql', 'SELECT range AS n FROM range(200000)', '--csv'],
    ]) {
      const r = piped(...args);
      expect(r.stderr, args.join(' ')).not.toMatch(/EPIPE|node:events|at .*\(/);
      expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    }
  });
});
