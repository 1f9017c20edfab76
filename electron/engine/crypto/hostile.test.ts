// Hostile sealed files and hostile field paths through the contract, with real gpg: each is refused in words that
// name no value, nothing crashes, and no value of the file reaches an answer, an event, the audit trail or a file in
// the data home or the temp dir (parse.test.ts has the parser's own cases; contract.test.ts the ordinary calls).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_NAMES } from '../../../shared/contract';
import { Engine } from '../engine';
import { GpgLab, type GpgKey } from '../../testkit/gpg';
import { removeDir, tempDir } from '../../testkit/tmp';

const tok = (p: string) => `${p}-${randomBytes(9).toString('base64url')}`;
const passphrase = tok('pass');
const planted: string[] = [];
const plant = (p: string) => { const v = tok(p); planted.push(v); return v; };

let root: string;
let lab: GpgLab;
let me: GpgKey;
let engine: Engine;
const said: string[] = [];

beforeAll(async () => {
  root = tempDir('casefile-sealed-hostile-');
  process.env.CASEFILE_HOME = path.join(root, 'home');
  process.env.TMPDIR = path.join(root, 'tmp');
  mkdirSync(process.env.TMPDIR, { recursive: true });
  lab = GpgLab.create();
  me = await lab.genKey('Operator <op@example.test>', passphrase);
  engine = await Engine.create({ via: 'test' });
  for (const name of EVENT_NAMES) engine.on(name, (p) => said.push(JSON.stringify(p)));
  await engine.invoke('keys.import', { kind: 'secret', armored: me.secretArmored });
  await engine.invoke('keys.unlock', { ref: me.fingerprint, passphrase });
});
afterAll(async () => { await engine?.close(); lab?.close(); removeDir(root); });

async function call(name: string, input: unknown): Promise<{ ok: true; out: unknown } | { ok: false; message: string }> {
  try {
    const out = await engine.invoke(name, input);
    said.push(JSON.stringify(out));
    return { ok: true, out };
  } catch (e) {
    said.push(JSON.stringify(e) + (e as Error).message);
    return { ok: false, message: (e as Error).message };
  }
}

async function sealed(name: string, text: string): Promise<string> {
  const file = path.join(root, `${name}.gpg`);
  writeFileSync(file, await lab.encrypt(text, { to: [me.fingerprint] }));
  return file;
}

async function open(name: string, text: string): Promise<{ sessionId: string; fields: { path: unknown[] }[] }> {
  const r = await call('sealed.open', { source: { file: await sealed(name, text) } });
  if (!r.ok) throw new Error(r.message);
  return r.out as { sessionId: string; fields: { path: unknown[] }[] };
}

const refusal = async (name: string, text: string) => {
  const r = await call('sealed.open', { source: { file: await sealed(name, text) } });
  return r.ok ? `opened: ${JSON.stringify(r.out)}` : r.message;
};

const reveal = async (sessionId: string, p: unknown) => {
  const r = await call('sealed.reveal', { sessionId, path: p });
  return r.ok ? (r.out as { value: string }).value : `refused: ${r.message}`;
};

it('a hostile field path is refused in plain words or names exactly one entry; prototype names are only names', async () => {
  const [a, b1, b2, proto1, proto2, uni1, uni2] = ['a', 'b1', 'b2', 'proto1', 'proto2', 'uni1', 'uni2'].map(plant);
  const o = await open('paths.json', JSON.stringify({ A: a }).slice(0, -1)
    + `, "B": "${b1}", "B": "${b2}", "__proto__": "${proto1}", "__proto__": "${proto2}", "пароль 🔑": "${uni1}", "пароль 🔑": "${uni2}", "a.b[0]": {"x": "y"}}`);
  const id = o.sessionId;
  expect(await reveal(id, [{ key: 'B', n: 2 }])).toBe(b2);
  expect(await reveal(id, [{ key: '__proto__', n: 1 }])).toBe(proto1);
  expect(await reveal(id, [{ key: 'пароль 🔑', n: 2 }])).toBe(uni2);
  expect(await reveal(id, ['a.b[0]', 'x'])).toBe('y'); // a name with . and [ is one segment, not a path
  const refusals: [unknown, string][] = [
    [['B'], 'B appears 2 times in this file: name one entry, B#1, B#2.'],
    [['__proto__'], '__proto__ appears 2 times in this file: name one entry, __proto__#1, __proto__#2.'],
    [[{ key: 'B', n: 3 }], 'No field B#3 in this file.'],
    [[{ key: 'B', n: 9_999_999 }], 'No field B#9999999 in this file.'],
    [['constructor'], 'No field constructor in this file.'],
    [['toString'], 'No field toString in this file.'],
    [['hasOwnProperty', 'x'], 'No field hasOwnProperty.x in this file.'],
    [['A', 'length'], 'No field A.length in this file.'],
    [['a', 'b[0]'], 'No field a["b[0]"] in this file.'],
    [['a.b[0]'], 'a.b[0] is a section, not a value: reveal one of its fields.'.replace('a.b[0]', '["a.b[0]"]')],
    [[{ key: 'B', n: 0 }], 'Invalid input to sealed.reveal: path.0.n: Too small: expected number to be >=1.'],
    [[{ key: 'B', n: -1 }], 'Invalid input to sealed.reveal: path.0.n: Too small: expected number to be >=1.'],
    [[{ key: 'B', n: 999_999_999_999 }], 'Invalid input to sealed.reveal: path.0.n: Too big: expected number to be <=9999999.'],
    [[{ key: 'B', n: 1.5 }], 'Invalid input to sealed.reveal: path.0: Invalid input.'],
    [[{ key: 'B', n: '1' }], 'Invalid input to sealed.reveal: path.0: Invalid input.'],
    [['B#1'], 'No field ["B#1"] in this file.'], // the text form is the CLI's to read; in a call it is one name
    [['x'.repeat(1001)], 'Invalid input to sealed.reveal: path.0: Too big: expected string to have <=1000 characters.'],
    [Array(65).fill('A'), 'Invalid input to sealed.reveal: path: Too big: expected array to have <=64 items.'],
    [[], 'Invalid input to sealed.reveal: path: Too small: expected array to have >=1 items.'],
    ['B', 'Invalid input to sealed.reveal: path: Invalid input: expected array, received string.'],
  ];
  for (const [p, words] of refusals) expect(await reveal(id, p), JSON.stringify(p).slice(0, 60)).toBe(`refused: ${words}`);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(await reveal('not-a-session', ['A'])).toBe('refused: That sealed file is no longer open (closed, or keys were locked): open it again.');
}, 120_000);

it('a key that stands for values (an alias, a map) or is too long for a field path is refused, in words that quote nothing', async () => {
  const pw = plant('pw');
  // `? *p` made the value of pw the name of another field, shown in the masked tree without a reveal.
  expect(await refusal('alias-key.yaml', `pw: &p ${pw}\n? *p\n: v\n`)).toBe('The decrypted content has a key that is not a plain name (line 2): an alias or a list or map used as a key. Write each key as plain text.');
  expect(await refusal('map-key.yaml', `a: 1\n? {password: ${plant('inkey')}}\n: v\n`)).toBe('The decrypted content has a key that is not a plain name (line 2): an alias or a list or map used as a key. Write each key as plain text.');
  // Was the output check's own words: 'fields.0.path.0: Too big: expected string to have <=1000 characters'.
  const tooLong = 'The decrypted content has a key of more than 1,000 characters: too long to be a field\'s name. Check that this is the file you meant.';
  expect(await refusal('long-key.json', JSON.stringify({ ['k'.repeat(1001)]: plant('long') }))).toBe(tooLong);
  expect(await refusal('long-key.env', `OK=1\n${'K'.repeat(1001)}=${plant('long')}\n`)).toBe(tooLong.replace(':', ' (line 2):'));
  expect(await refusal('long-key.yaml', `a:\n  "${'k'.repeat(1001)}": ${plant('long')}\n`)).toBe(tooLong.replace(':', ' (line 2):'));
  const fits = await open('fit-key.json', JSON.stringify({ ['k'.repeat(1000)]: plant('fits') }));
  expect(await reveal(fits.sessionId, fits.fields[0]!.path)).toBe(planted.at(-1));
  // Plain scalar keys (numbers, booleans, an empty key) are names as written.
  const scalars = await open('scalar-keys.yaml', '1: a\ntrue: b\n: c\n0x1F: d\n');
  expect(scalars.fields.map((f) => f.path)).toEqual([['1'], ['true'], [''], ['0x1F']]);
}, 120_000);

it('bombs: 100,000 entries of one key, aliases in key and value, deep nesting, a huge value, are refused with bounded work', async () => {
  const v = plant('dup');
  const fieldCap = 'The decrypted content has more than 20000 fields.';
  expect(await refusal('many.env', Array.from({ length: 100_000 }, (_, i) => `K=${v}${i}`).join('\n'))).toBe(fieldCap);
  expect(await refusal('many.json', `{${Array.from({ length: 100_000 }, (_, i) => `"K": "${v}${i}"`).join(',')}}`)).toBe(fieldCap);
  const laughs = (tail: string) => ['a: &a [x,x,x,x,x,x,x,x,x]', ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(',')}]`), tail].join('\n');
  expect(await refusal('laughs-value.yaml', laughs(`pw: ${v}`))).toBe(fieldCap);
  expect(await refusal('laughs-key.yaml', laughs('? *j\n: v'))).toBe(fieldCap); // the values are walked first
  expect(await refusal('laughs-key-only.yaml', 'a: &a [x,x]\n? *a\n: v\n')).toMatch(/^The decrypted content has a key that is not a plain name \(line 2\)/);
  expect(await refusal('deep.json', `${'['.repeat(100_000)}"${v}"${']'.repeat(100_000)}`)).toBe('The decrypted content nests deeper than 32 levels.');
  expect(await refusal('deep-flow.yaml', `a: ${'['.repeat(100_000)}${v}${']'.repeat(100_000)}`)).toMatch(/^The decrypted content (is not valid YAML|nests deeper than 32 levels)\.$/);
  expect(await refusal('deep-block.yaml', `${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} ${v}\n`)).toBe('The decrypted content nests deeper than 32 levels.');
  expect(await refusal('huge.env', `A=${v}${'x'.repeat(5 << 20)}\n`)).toBe('The decrypted file is over 4 MiB: too large to be a credential bundle or profile (small text files). Check that this is the file you meant.');
  // 19,999 entries of one key open; the bare name is refused naming three of them, the last reveals by its number.
  const wide = await open('wide.env', Array.from({ length: 19_999 }, (_, i) => `K=${v}-${i}`).join('\n'));
  expect(wide.fields).toHaveLength(19_999);
  expect(await reveal(wide.sessionId, ['K'])).toBe('refused: K appears 19999 times in this file: name one entry, K#1, K#2, K#3, ….');
  expect(await reveal(wide.sessionId, [{ key: 'K', n: 19_999 }])).toBe(`${v}-19998`);
}, 300_000);

it('no planted value is in any answer but its reveal, any event, the trail or any file in the data home or temp dir', async () => {
  const revealedOnce = new Set([...said.filter((s) => !s.startsWith('{"path"')).flatMap((s) => planted.filter((p) => s.includes(p)))]);
  expect([...revealedOnce]).toEqual([]);
  await engine.close();
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.isFile()) files.push(path.join(d, e.name)); // not the gpg agent's sockets
    }
  };
  walk(process.env.CASEFILE_HOME!);
  walk(process.env.TMPDIR!);
  expect(files.some((f) => f.endsWith('app-audit.jsonl'))).toBe(true);
  for (const f of files) {
    const bytes = readFileSync(f);
    for (const p of planted) expect(bytes.includes(Buffer.from(p)), `${p} in ${f}`).toBe(false);
  }
}, 60_000);
