// Evidence text is the customer's: a log line, a file name, a key's user id or a sealed file's field name can hold
// terminal controls (ESC sequences that retitle, clear or recolour the terminal, BEL, backspace, CR) and bidirectional
// overrides or zero-width characters that make a name read as another. Printed for a person (tables, plain lines, CSV
// at a terminal) they are shown as escapes; printed for a script (--json, CSV into a pipe) they stay exact.
import { spawnSync } from 'node:child_process';
import { chmodSync, appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpgLab, type GpgKey } from '../testkit/gpg';
import { removeDir, tempDir, writeAt } from '../testkit/tmp';
import { CLI_BIN, cliRunner, runCliChild } from '../testkit/cliChild';

const root = tempDir('casefile-cli-terminal-');
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
const caseDir = path.join(root, 'case');
const cli = cliRunner(env);
/** The command at a terminal (a real pty through `script`): what the operator's screen receives. */
const atTerminal = (...args: string[]) => spawnSync('script', ['-qec', [process.execPath, CLI_BIN, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], { env, encoding: 'utf8', timeout: 120_000 });

const ESC = '\u001b';
const TITLE = `${ESC}]0;PWNED\u0007`;
const CLEAR = `${ESC}[2J${ESC}[H`;
const RLO = '\u202e';
const ZWSP = '\u200b';
const lines = [
  `2023-07-06 03:30:00 INFO hello ${TITLE} title`,
  `2023-07-06 03:30:01 ERROR boom ${CLEAR} cleared ${ESC}[31mred`,
  `2023-07-06 03:30:02 WARN back\b\b\b\bspaced \r overwritten ${RLO}gol.exe ${ZWSP}zw`,
  `2023-07-06 03:30:03 INFO bell \u0007\u0007 done \u009b2J c1`,
];
const evilName = `evil${ESC}[31m${RLO}gol.log`;
/** Anything a terminal acts on or a reader is fooled by, except the line ends a pty makes of '\n'. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
function shownSafely(s: string, what: string): void {
  expect(s.replace(/\r\n/g, '\n'), what).not.toMatch(RAW);
  expect(s.replace(/\r\n/g, '\n'), what).not.toMatch(/\r/);
}

let lab: GpgLab;
let me: GpgKey;
const passphrase = 'pp-terminal';
const evilUid = `Evil${TITLE} ${RLO}gol <evil@example.test>`;
const evilField = `pass${CLEAR}word${RLO}`;

beforeAll(async () => {
  const logs = path.join(root, `logs${ESC}[1m`);
  writeAt(logs, 'app.log', lines.join('\n') + '\n');
  writeAt(logs, evilName, '2023-07-06 03:30:00 INFO x\n');
  const r = cli('import', logs, '--case', caseDir);
  expect(r.status, r.stderr).toBe(0);
  lab = GpgLab.create();
  me = await lab.genKey(evilUid, passphrase);
  writeFileSync(path.join(root, 'me.sec.asc'), me.secretArmored);
  writeFileSync(path.join(root, 'creds.json.gpg'), await lab.encrypt(JSON.stringify({ db: { [evilField]: 's3cret' } }), { to: [me.fingerprint] }));
}, 120_000);
afterAll(() => { lab?.close(); removeDir(root); });

describe('evidence text printed for a person is shown as escapes', () => {
  it('query and stats tables, in a pipe and at a terminal', () => {
    const sql = 'SELECT file, message FROM events ORDER BY id';
    for (const r of [cli('query', '--case', caseDir, '--sql', sql), atTerminal('query', '--case', caseDir, '--sql', sql), cli('stats', '--case', caseDir)]) {
      expect(r.status, r.stderr).toBe(0);
      shownSafely(r.stdout, r.stdout);
    }
    const table = cli('query', '--case', caseDir, '--sql', sql).stdout;
    expect(table).toContain('hello \\x1b]0;PWNED\\x07 title');
    expect(table).toContain('\\u202egol.exe \\u200bzw');
    expect(table).toContain('evil\\x1b[31m\\u202egol.log');
  });

  it('CSV is not escaped into a pipe (data for a script) and escaped at a terminal', () => {
    const sql = 'SELECT message FROM events ORDER BY id';
    const piped = cli('query', '--case', caseDir, '--sql', sql, '--csv');
    expect(piped.stdout).toContain(`hello ${TITLE} title`);
    const tty = atTerminal('query', '--case', caseDir, '--sql', sql, '--csv');
    expect(tty.status, tty.stderr).toBe(0);
    shownSafely(tty.stdout, tty.stdout);
  });

  it('--json stays exact: the same strings after JSON.parse, with the bidi and C1 characters written as \\u escapes', () => {
    const r = cli('query', '--case', caseDir, '--sql', 'SELECT message FROM events WHERE file = \'app.log\' ORDER BY id', '--json');
    expect(r.status, r.stderr).toBe(0);
    shownSafely(r.stdout, r.stdout);
    expect((JSON.parse(r.stdout) as { message: string }[]).map((x) => x.message)).toEqual(lines.map((l) => l.replace(/^\S+ \S+ \S+ /, '')));
  });

  it('trace lines and its table, audit show, and verify of a bundle file changed on disk', () => {
    const id = (JSON.parse(cli('query', '--case', caseDir, '--sql', 'SELECT min(id) AS id FROM events', '--json').stdout) as { id: number }[])[0]!.id;
    const trace = cli('trace', String(id), '--case', caseDir);
    shownSafely(trace.stdout + trace.stderr, trace.stdout + trace.stderr);
    const audit = cli('audit', 'show', '--case', caseDir);
    expect(audit.status, audit.stderr).toBe(0);
    expect(audit.stdout).toContain('logs\\x1b[1m');
    expect(audit.stdout).toContain('evil\\x1b[31m\\u202egol.log');
    shownSafely(audit.stdout, audit.stdout);
    const bundles = path.join(caseDir, 'bundles');
    const bundle = readdirSync(bundles, { withFileTypes: true }).find((d) => d.isDirectory())!.name;
    const evil = path.join(bundles, bundle, evilName);
    chmodSync(evil, 0o600);
    appendFileSync(evil, 'tampered\n');
    const verify = cli('verify', '--case', caseDir);
    expect(verify.status).toBe(1);
    expect(verify.stdout).toContain('evil\\x1b[31m\\u202egol.log');
    shownSafely(verify.stdout + verify.stderr, verify.stdout);
  });

  it('key import and key list show a hostile user id escaped; --json keeps it exact', () => {
    const imp = cli('key', 'import', path.join(root, 'me.sec.asc'));
    expect(imp.status, imp.stderr).toBe(0);
    shownSafely(imp.stdout, imp.stdout);
    for (const r of [cli('key', 'list'), atTerminal('key', 'list')]) shownSafely(r.stdout, r.stdout);
    const json = cli('key', 'list', '--json');
    expect((JSON.parse(json.stdout) as { secret: { userIds: string[] }[] }).secret[0]!.userIds).toEqual([evilUid]);
    shownSafely(json.stdout, json.stdout);
  });

  it('open shows a sealed file\'s hostile field names escaped; --json keeps them exact', async () => {
    const opened = await withFd3(['open', path.join(root, 'creds.json.gpg'), '--passphrase-fd', '3'], passphrase + '\n');
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout).toContain('["pass\\u001b[2J\\u001b[Hword\\u202e"]');
    // as shown, the path --reveal takes
    const revealed = await withFd3(['open', path.join(root, 'creds.json.gpg'), '--passphrase-fd', '3', '--reveal', 'db["pass\\u001b[2J\\u001b[Hword\\u202e"]'], passphrase + '\n');
    expect(revealed.stdout, revealed.stderr).toBe('s3cret\n');
    shownSafely(opened.stdout, opened.stdout);
    const json = await withFd3(['open', path.join(root, 'creds.json.gpg'), '--passphrase-fd', '3', '--json'], passphrase + '\n');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain(JSON.stringify(evilField).slice(1, -1));
  });

  it('redact-test shows the sample\'s lines escaped', () => {
    const rules = writeAt(root, 'rules.json', '{}');
    const sample = writeAt(root, 'sample.txt', `mail bob@example.com ${CLEAR} ${RLO}gol\n`);
    const r = cli('redact-test', '--rules', rules, sample);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('mail <email:');
    shownSafely(r.stdout, r.stdout);
  });
});

const withFd3 = (args: string[], fd3: string) => runCliChild(args, env, fd3);
