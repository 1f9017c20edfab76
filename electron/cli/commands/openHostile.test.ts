// `casefile open --case` as an operator runs it (real CLI processes, real gpg) on hostile sealed files and hostile
// --reveal paths: each refused in words on stderr with a non-zero exit, the one asked-for value on stdout only, and
// afterwards no planted value in any output, the case folder (trail, database), the data home or the temp dir.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GpgLab, type GpgKey } from '../../testkit/gpg';
import { removeDir, tempDir } from '../../testkit/tmp';
import { runCliChild, type CliChildRun } from '../../testkit/cliChild';
import { readAudit } from '../../engine/audit/trail';
import { CaseHandle } from '../../engine/case/caseStore';

const tok = (p: string) => `${p}-${randomBytes(9).toString('hex')}`;
const passphrase = tok('pp');
const [first, second, aliased, other] = [tok('first'), tok('second'), tok('aliased'), tok('other')];

let root: string;
let caseDir: string;
let lab: GpgLab;
let me: GpgKey;
let env: NodeJS.ProcessEnv;
const runs: CliChildRun[] = [];

async function cli(...args: string[]): Promise<CliChildRun> {
  const r = await runCliChild(args, env, `${passphrase}\n`);
  runs.push(r);
  return r;
}

beforeAll(async () => {
  root = tempDir('casefile-cli-open-hostile-');
  caseDir = path.join(root, 'case');
  mkdirSync(path.join(root, 'tmp'));
  env = { ...process.env, CASEFILE_HOME: path.join(root, 'home'), TMPDIR: path.join(root, 'tmp') };
  await (await CaseHandle.create(caseDir, { name: 'sealed access' })).close();
  lab = GpgLab.create();
  me = await lab.genKey('Operator <op@example.test>', passphrase);
  writeFileSync(path.join(root, 'me.sec.asc'), me.secretArmored);
  expect((await runCliChild(['key', 'import', path.join(root, 'me.sec.asc')], env)).code).toBe(0);
  writeFileSync(path.join(root, 'dup.env.gpg'), await lab.encrypt(`K=${first}\nOTHER=${other}\nK=${second}\n`, { to: [me.fingerprint] }));
  writeFileSync(path.join(root, 'alias.yaml.gpg'), await lab.encrypt(`pw: &p ${aliased}\n? *p\n: v\n`, { to: [me.fingerprint] }));
}, 120_000);
afterAll(() => { lab?.close(); removeDir(root); });

it('refuses hostile reveal paths and a key that stands for a value in words, recording the case; one entry reveals', async () => {
  const dup = path.join(root, 'dup.env.gpg');
  const open = (...more: string[]) => cli('open', dup, '--case', caseDir, '--passphrase-fd', '3', ...more);
  const r = await open('--reveal', 'K#2');
  expect([r.code, r.stdout], r.stderr).toEqual([0, `${second}\n`]);
  const unreadable = 'Cannot read the field path';
  const refusals: [string, string][] = [
    ['K', 'K appears 2 times in this file: name one entry, K#1, K#2.'],
    ['K#0', unreadable], ['K#-1', unreadable], ['K#1#2', unreadable], ['K#99999999', unreadable], ['K#', unreadable],
    ['K#3', 'No field K#3 in this file.'],
    ['K#9999999', 'No field K#9999999 in this file.'],
    ['__proto__', 'No field __proto__ in this file.'],
    ['["__proto__"]#1', 'No field __proto__#1 in this file.'],
    ['constructor.prototype', 'No field constructor.prototype in this file.'],
    ['["K"]#1.x', 'No field K#1.x in this file.'],
    ['["ключ 🔑"]', 'No field ["ключ 🔑"] in this file.'],
  ];
  for (const [p, words] of refusals) {
    const x = await open('--reveal', p);
    expect([x.code, x.stdout], p).toEqual([1, '']);
    expect(x.stderr, p).toContain(words);
  }
  const long = await open('--reveal', `${'k'.repeat(2000)}`);
  expect([long.code, long.stdout]).toEqual([1, '']);
  expect(long.stderr).toMatch(/^casefile: .*1000 characters/m);
  const alias = await cli('open', path.join(root, 'alias.yaml.gpg'), '--case', caseDir, '--passphrase-fd', '3');
  expect([alias.code, alias.stdout]).toEqual([1, '']);
  expect(alias.stderr.trim()).toBe('casefile: The decrypted content has a key that is not a plain name (line 2): an alias or a list or map used as a key. Write each key as plain text.');
  // The case's trail has the one reveal, by its entry.
  const reveals = await readAudit(path.join(caseDir, 'audit.jsonl'), { action: 'sealed.reveal' });
  expect(reveals.filter((e) => e.result.status === 'ok').map((e) => e.params.field)).toEqual(['K#2']);
}, 300_000);

it('no planted value is in any output but its reveal, the case folder, the data home or the temp dir', () => {
  const outputs = runs.map((x) => x.stdout + x.stderr).join('\n');
  for (const v of [first, aliased, other, passphrase]) expect(outputs).not.toContain(v);
  expect(outputs.split(second).length).toBe(2); // the one reveal's stdout
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.isFile()) files.push(path.join(d, e.name));
    }
  };
  for (const d of [caseDir, env.CASEFILE_HOME!, env.TMPDIR!]) walk(d);
  expect(files.some((f) => f.endsWith('audit.jsonl'))).toBe(true);
  for (const f of files) {
    const bytes = readFileSync(f);
    for (const v of [first, second, aliased, other, passphrase]) expect(bytes.includes(Buffer.from(v)), `${v} in ${f}`).toBe(false);
  }
});
