// `casefile exports` and `casefile reidentify` as an operator runs them: real CLI processes, a real case, a real
// key made by gpg; the passphrase from a file descriptor; a clear non-zero exit when a token is not found.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GpgLab } from '../../testkit/gpg';
import { removeDir, tempDir } from '../../testkit/tmp';
import { runCliChild } from '../../testkit/cliChild';

const root = tempDir('casefile-cli-exports-');
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
const caseDir = path.join(root, 'case');
const USER = 'ramanathan.k';
let lab: GpgLab;

const cli = (args: string[], fd3?: string) => runCliChild(args, env, fd3);

beforeAll(async () => {
  lab = GpgLab.create();
  const me = await lab.genKey('Operator <op@example.test>', 'op-pass');
  fs.writeFileSync(path.join(root, 'me.sec.asc'), me.secretArmored);
  const logs = path.join(root, 'bundle', 'enrich', 'logs', 'app');
  fs.mkdirSync(logs, { recursive: true });
  fs.writeFileSync(path.join(logs, 'app.json.log'), [
    { asctime: '2023-07-28 16:54:53,016', name: 'app', levelname: 'ERROR', message: 'login failed', user: USER, created: 1690543493.016 },
  ].map((o) => JSON.stringify(o)).join('\n') + '\n');
  for (const args of [['key', 'import', path.join(root, 'me.sec.asc')], ['import', path.join(root, 'bundle'), '--case', caseDir]]) {
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(0);
  }
}, 240_000);
afterAll(() => { lab?.close(); removeDir(root); });

it('lists the exports, then says who a token in pasted text is (asking the passphrase), and exits 2 on a token it cannot find', async () => {
  const x = await cli(['export', '--case', caseDir, '--format', 'jsonl', '--plaintext', '--json']);
  expect(x.code, x.stderr).toBe(0);
  const written = JSON.parse(x.stdout) as { exportId: string; dir: string };
  const token = /<user:[A-Z2-7]{10}>/.exec(fs.readFileSync(path.join(written.dir, 'events.jsonl'), 'utf8'))![0];

  const list = await cli(['exports', '--case', caseDir, '--json']);
  expect(list.code, list.stderr).toBe(0);
  expect(JSON.parse(list.stdout)).toMatchObject([{ exportId: written.exportId, state: 'complete', mapKept: true, mapPresent: true, recipient: null }]);
  const table = await cli(['exports', '--case', caseDir]);
  expect(table.stdout).toMatch(new RegExp(`${written.exportId}\\s+complete\\s+jsonl\\s+1\\s+\\d+\\s+PLAINTEXT\\s+kept`));

  const r = await cli(['reidentify', '--case', caseDir, '--passphrase-fd', '3', `${token} failed 300 times, who is that?`], 'op-pass\n');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`${token.replace(/[<>]/g, '.')}\\s+user\\s+${USER.replace('.', '\\.')}\\s+${written.exportId}`));

  const missing = await cli(['reidentify', '--case', caseDir, '--export', written.exportId, '--passphrase-fd', '3', token, '<user:ZZZZZZZZZZ>'], 'op-pass\n');
  expect(missing.code).toBe(2);
  expect(missing.stdout).toContain(USER);
  expect(missing.stderr).toContain(`casefile: not found in the map of export ${written.exportId}: <user:ZZZZZZZZZZ>`);

  const wrong = await cli(['reidentify', '--case', caseDir, '--passphrase-fd', '3', token], 'not-the-pass\n');
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/casefile: Wrong passphrase/);
  expect(wrong.stdout).not.toContain(USER);

  const tricks = await cli(['reidentify', '--case', caseDir, '--export', '../../etc', token]);
  expect(tricks.code).toBe(1);
  expect(tricks.stderr).toMatch(/exportId: not an export id/);
  expect((await cli(['reidentify', '--case', caseDir, 'no tokens at all'])).stderr).toContain('casefile: No pseudonym in the text');
}, 240_000);
