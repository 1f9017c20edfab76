// Bundle formats into one tree, and hostile content refused cleanly without quoting it.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CryptoError } from './errors';
import { MAX_DUPLICATE_KEYS } from '../../../shared/contract/sealed';
import { detectFormat, duplicateKeys, parseBundle, toValue } from './parse';
import { formatPath, maskedFields, parsePath, SealedSessions } from './sealedSession';

const fail = (f: () => unknown) => {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(CryptoError); return e as CryptoError; }
  throw new Error('did not fail');
};

describe('formats', () => {
  it('detects by inner extension, then by content', () => {
    expect(detectFormat('a.json.gpg', '')).toBe('json');
    expect(detectFormat('a.yml.asc', '')).toBe('yaml');
    expect(detectFormat('prod.env.gpg', '')).toBe('env');
    expect(detectFormat('.env', '')).toBe('env');
    expect(detectFormat('x.gpg', '{"a":1}')).toBe('json');
    expect(detectFormat('x.gpg', '[db]\nk=v')).toBe('ini');
    expect(detectFormat('x.gpg', 'A=1\nexport B=2')).toBe('env');
    expect(detectFormat('x.gpg', 'a:\n  b: 1')).toBe('yaml');
  });

  it('parses INI and .env with comments and quotes', () => {
    expect(toValue(parseBundle('top=1\n[s]\nk = "a b" \n; c\nq: \'x\'\n', 'ini'))).toEqual(Object.assign(Object.create(null), { top: '1', s: Object.assign(Object.create(null), { k: 'a b', q: 'x' }) }));
    const env = toValue(parseBundle('# c\nexport A="x#y"\nB=plain # note\nC=\n', 'env')) as Record<string, string>;
    expect({ ...env }).toEqual({ A: 'x#y', B: 'plain', C: '' });
  });

  it('reads an INI section met again as the same section', () => {
    const ini = parseBundle('[db]\nuser=u\n[api]\nk=1\n[db]\nhost=h\n', 'ini');
    expect(maskedFields(ini).map((f) => formatPath(f.path))).toEqual(['db', 'db.user', 'db.host', 'api', 'api.k']);
    expect(duplicateKeys(ini, 'ini')).toEqual({ duplicates: [], total: 0 });
  });
});

describe('repeated keys', () => {
  const meta = { name: 'x', sha256: 'x', recipients: [], signatures: [] };
  const open = (text: string, name: string) => new SealedSessions(() => ({ unlockSeconds: 60, idleSeconds: 60 })).add({ ...meta, name }, new TextEncoder().encode(text));
  const reveal = (sessions: SealedSessions, id: string, path: string) => sessions.reveal(id, parsePath(path)).value;

  it('lists every entry of a repeated key as its own field, in file order, each revealing its own value, with a value-free warning', () => {
    // The last value won in silence (JSON, .env, INI) or the file was refused (YAML): the operator never saw the other.
    const files: [string, string, string[], string][] = [
      ['creds.env', 'DB_USER=u\nDB_PASSWORD=first-pw\n# note\nAPI=k\nexport DB_PASSWORD=second-pw\n',
        ['DB_USER', 'DB_PASSWORD#1', 'API', 'DB_PASSWORD#2'], 'DB_PASSWORD appears 2 times (lines 2 and 5). Most loaders use the last one.'],
      ['creds.json', '{\n  "DB_USER": "u",\n  "DB_PASSWORD": "first-pw",\n  "API": "k",\n  "DB_PASSWORD": "second-pw"\n}\n',
        ['DB_USER', 'DB_PASSWORD#1', 'API', 'DB_PASSWORD#2'], 'DB_PASSWORD appears 2 times (lines 3 and 5). Most loaders use the last one.'],
      ['creds.yaml', 'DB_USER: u\nDB_PASSWORD: first-pw\nAPI: k\nDB_PASSWORD: second-pw\n',
        ['DB_USER', 'DB_PASSWORD#1', 'API', 'DB_PASSWORD#2'], 'DB_PASSWORD appears 2 times (lines 2 and 4). Loaders differ: most use the last one, some refuse the file.'],
      ['creds.ini', '[db]\npassword=first-pw\n[api]\nk=1\n[db]\npassword=second-pw\n',
        ['db', 'db.password#1', 'db.password#2', 'api', 'api.k'], 'db.password appears 2 times (lines 2 and 6). Loaders differ: most use the last one, some refuse the file.'],
    ];
    for (const [name, text, fields, message] of files) {
      const sessions = new SealedSessions(() => ({ unlockSeconds: 60, idleSeconds: 60 }));
      const o = sessions.add({ ...meta, name }, new TextEncoder().encode(text));
      expect(o.fields.map((f) => formatPath(f.path)), name).toEqual(fields);
      expect(o.duplicates.map((d) => d.message), name).toEqual([message]);
      expect(o.duplicateKeys).toBe(1);
      const key = fields.find((f) => f.endsWith('#1'))!.slice(0, -2);
      expect([reveal(sessions, o.sessionId, `${key}#1`), reveal(sessions, o.sessionId, `${key}#2`)], name).toEqual(['first-pw', 'second-pw']);
      expect(() => sessions.reveal(o.sessionId, parsePath(key)), name).toThrow(`${key} appears 2 times in this file: name one entry, ${key}#1, ${key}#2.`);
      expect(() => sessions.reveal(o.sessionId, parsePath(`${key}#3`)), name).toThrow(`No field ${key}#3 in this file.`);
      expect(JSON.stringify(o), name).not.toMatch(/first-pw|second-pw/);
    }
  });

  it('treats a repeated key inside a repeated key the same way, in JSON and YAML', () => {
    const json = open('{"db": {"password": "a1", "user": "u", "password": "a2"}, "hosts": [{"k": "h1", "k": "h2"}], "db": {"password": "b1"}}', 'c.json');
    const yaml = open('db:\n  password: a1\n  user: u\n  password: a2\nhosts:\n  - k: h1\n    k: h2\ndb:\n  password: b1\n', 'c.yaml');
    for (const o of [json, yaml]) {
      expect(o.fields.map((f) => formatPath(f.path))).toEqual(['db#1', 'db#1.password#1', 'db#1.user', 'db#1.password#2', 'hosts', 'hosts.0', 'hosts.0.k#1', 'hosts.0.k#2', 'db#2', 'db#2.password']);
      expect(o.duplicates.map((d) => [formatPath(d.path), d.count])).toEqual([['db', 2], ['db#1.password', 2], ['hosts.0.k', 2]]);
    }
    expect(yaml.duplicates.map((d) => d.lines)).toEqual([[1, 8], [2, 4], [6, 7]]);
    expect(json.duplicates.map((d) => d.lines)).toEqual([[1, 1], [1, 1], [1, 1]]);
  });

  it('keeps 10,000 entries of one key within the field cap, says how many in a short warning, and refuses past the cap with a sentence', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `A=v${i}`).join('\n');
    const sessions = new SealedSessions(() => ({ unlockSeconds: 60, idleSeconds: 60 }));
    const o = sessions.add({ ...meta, name: 'many.env' }, new TextEncoder().encode(lines));
    expect(o.fields).toHaveLength(10_000);
    expect(o.duplicates).toEqual([{ path: ['A'], count: 10_000, lines: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], message: 'A appears 10,000 times (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 9,990 more). Most loaders use the last one.' }]);
    expect([reveal(sessions, o.sessionId, 'A#1'), reveal(sessions, o.sessionId, 'A#10000')]).toEqual(['v0', 'v9999']);
    const json = `{${Array.from({ length: 10_000 }, (_, i) => `"A": ${i}`).join(',')}}`;
    expect(duplicateKeys(parseBundle(json, 'json'), 'json').duplicates[0]!.count).toBe(10_000);
    // Many keys each given twice: the first MAX_DUPLICATE_KEYS are listed, all are counted.
    const pairs = open(Array.from({ length: 5_000 }, (_, i) => `K${i}=a\nK${i}=b`).join('\n'), 'pairs.env');
    expect([pairs.duplicates.length, pairs.duplicateKeys, pairs.fields.length]).toEqual([MAX_DUPLICATE_KEYS, 5_000, 10_000]);
    for (const [text, fmt] of [['A=v\n'.repeat(30_000), 'env'], [`{${'"A": 1,'.repeat(30_000)}"A": 1}`, 'json'], ['A: 1\n'.repeat(30_000), 'yaml']] as const) {
      expect(fail(() => parseBundle(text, fmt)).message).toBe('The decrypted content has more than 20000 fields.');
    }
  });

  it('a file with no repeated key has no warning and the same paths as before', () => {
    const o = open('{"db": {"password": "p", "hosts": ["a", "b"]}, "a.b": 1}', 'c.json');
    expect(o.fields.map((f) => formatPath(f.path))).toEqual(['db', 'db.password', 'db.hosts', 'db.hosts.0', 'db.hosts.1', '["a.b"]']);
    expect(o.fields[0]!.path).toEqual(['db']);
    expect([o.duplicates, o.duplicateKeys]).toEqual([[], 0]);
  });
});

describe('values as written', () => {
  it('keeps a number\'s text as the file writes it: a PIN 007, a 20-digit account, 1.10 (a reveal of 7 or 12345678901234567000 is wrong)', () => {
    const field = (n: ReturnType<typeof parseBundle>, key: string) => (n.kind === 'object' ? n.entries.find(([k]) => k === key)?.[1] : undefined);
    const yaml = parseBundle('pin: 007\nacct: 12345678901234567890\nver: 1.10\nhex: 0x1F\nexp: 1e3\nneg: -0\ninf: -.inf\nq: "007"\nok: true\nnone: ~\n', 'yaml');
    expect(['pin', 'acct', 'ver', 'hex', 'exp', 'neg', 'inf', 'q', 'ok', 'none'].map((k) => field(yaml, k))).toEqual([
      { kind: 'number', value: '007' }, { kind: 'number', value: '12345678901234567890' }, { kind: 'number', value: '1.10' },
      { kind: 'number', value: '0x1F' }, { kind: 'number', value: '1e3' }, { kind: 'number', value: '-0' }, { kind: 'number', value: '-.inf' },
      { kind: 'string', value: '007' }, { kind: 'boolean', value: 'true' }, { kind: 'null', value: '' },
    ]);
    const json = parseBundle('{"acct": 12345678901234567890, "ver": 1.10, "e": 1E3, "list": [0.30000000000000004, 1.0], "acct": 98765432109876543210}', 'json');
    expect(maskedFields(json).map((f) => formatPath(f.path))).toEqual(['acct#1', 'ver', 'e', 'list', 'list.0', 'list.1', 'acct#2']);
    expect(json.kind === 'object' && json.entries.filter(([k]) => k === 'acct').map(([, v]) => v)).toEqual([{ kind: 'number', value: '12345678901234567890' }, { kind: 'number', value: '98765432109876543210' }]);
    expect([field(json, 'ver'), field(json, 'e')]).toEqual([{ kind: 'number', value: '1.10' }, { kind: 'number', value: '1E3' }]);
    expect(field(json, 'list')).toEqual({ kind: 'array', items: [{ kind: 'number', value: '0.30000000000000004' }, { kind: 'number', value: '1.0' }] });
    // Profiles read numbers as numbers still.
    expect({ ...(toValue(yaml) as object) }).toMatchObject({ pin: 7, ver: 1.1, hex: 31, exp: 1000, inf: -Infinity, q: '007', ok: true, none: null });
  });

  it('shows a YAML !!binary or !!timestamp value as the file writes it, not as bytes or a reformatted date', () => {
    // A base64 key under !!binary was listed as one field per byte (0, 1, 2, …) and revealed as numbers; a date came
    // back as 2001-12-14T00:00:00.000Z.
    const n = parseBundle('key: !!binary aGVsbG8=\ncert: !!binary |\n  aGVs\n  bG8=\nday: !!timestamp 2001-12-14\nat: 2001-12-14 21:59:43.10 -5\n', 'yaml');
    expect(maskedFields(n).map((f) => formatPath(f.path))).toEqual(['key', 'cert', 'day', 'at']);
    const field = (key: string) => (n.kind === 'object' ? n.entries.find(([k]) => k === key)?.[1] : undefined);
    expect(field('key')).toEqual({ kind: 'string', value: 'aGVsbG8=' });
    expect(field('cert')).toEqual({ kind: 'string', value: 'aGVs\nbG8=\n' });
    expect(field('day')).toEqual({ kind: 'string', value: '2001-12-14' });
    expect(field('at')).toEqual({ kind: 'string', value: '2001-12-14 21:59:43.10 -5' });
  });

  it('reads a key as long as a field path takes, and keeps key order and names as JSON.parse does', () => {
    const long = 'k'.repeat(1000);
    const n = parseBundle(JSON.stringify({ [long]: 5, b: { c: [1, 'x'] } }), 'json');
    expect(maskedFields(n).map((f) => f.path.join('.'))).toEqual([long, 'b', 'b.c', 'b.c.0', 'b.c.1']);
  });
});

describe('hostile content', () => {
  it('keeps __proto__ and constructor as plain names', () => {
    const n = parseBundle('{"__proto__": {"polluted": "yes"}, "constructor": "c"}', 'json');
    expect(maskedFields(n).map((f) => f.path.join('.'))).toEqual(['__proto__', '__proto__.polluted', 'constructor']);
    const v = toValue(n) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(null);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(maskedFields(parseBundle('[__proto__]\npolluted=1\n', 'ini'))).toHaveLength(2);
  });

  it('refuses a YAML alias bomb, deep nesting and too many fields', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
    const t0 = Date.now();
    expect(fail(() => parseBundle(bomb, 'yaml')).kind).toBe('corrupt');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(fail(() => parseBundle('['.repeat(100) + ']'.repeat(100), 'json')).message).toMatch(/deeper/);
    expect(fail(() => parseBundle(JSON.stringify(Array.from({ length: 30_000 }, (_, i) => i)), 'json')).message).toMatch(/more than/);
    expect(fail(() => parseBundle('x'.repeat(5 << 20), 'env')).message).toBe('The decrypted file is over 4 MiB: too large to be a credential bundle or profile (small text files). Check that this is the file you meant.');
  });

  it('never quotes the content in a parse error', () => {
    const secret = 'S3cr3t-value-xyz';
    for (const [text, fmt] of [[`{"password": ${secret}}`, 'json'], [`password: "${secret}\n  - : [`, 'yaml'], [`[s]\n${secret}\n`, 'ini'], [`${secret} oops\n`, 'env']] as const) {
      expect(fail(() => parseBundle(text, fmt)).message).not.toContain(secret);
    }
  });
});

describe('field paths', () => {
  it('round-trip any segments, a repeated key\'s entry number too', () => {
    const segment = fc.oneof(fc.string({ minLength: 1 }), fc.record({ key: fc.string({ minLength: 1 }), n: fc.integer({ min: 1, max: 9_999_999 }) }));
    fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segs) => {
      expect(parsePath(formatPath(segs))).toEqual(segs);
    }));
    expect(formatPath(['db', 'password'])).toBe('db.password');
    expect(formatPath(['a.b', '0'])).toBe('["a.b"].0');
    expect(formatPath([{ key: 'db', n: 2 }, { key: 'a#1', n: 1 }, 'x'])).toBe('db#2["a#1"]#1.x');
    expect(parsePath('["a#1"]')).toEqual(['a#1']);
    for (const bad of ['a#0', 'a#01', 'a#', 'a#2#3', 'a#12345678']) expect(() => parsePath(bad), bad).toThrow(/#2 for the second entry of a repeated key/);
  });
});
