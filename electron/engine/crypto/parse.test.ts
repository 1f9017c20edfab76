// Bundle formats into one tree, and hostile content refused cleanly without quoting it.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CryptoError } from './errors';
import { detectFormat, parseBundle, toValue } from './parse';
import { formatPath, maskedFields, parsePath } from './sealedSession';

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

  it('reads a repeated .env key, INI key or INI section as one field holding the last value (as a shell or dotenv does)', () => {
    // Two fields with one path: the masked view listed both, and reveal gave the first, stale value for either.
    const env = parseBundle('A=old\nB=b\nexport A=new\n', 'env');
    expect(maskedFields(env).map((f) => formatPath(f.path))).toEqual(['A', 'B']);
    expect({ ...(toValue(env) as object) }).toEqual({ A: 'new', B: 'b' });
    const ini = parseBundle('[db]\npassword=old\n[api]\nk=1\n[db]\npassword=new\nuser=u\n', 'ini');
    expect(maskedFields(ini).map((f) => formatPath(f.path))).toEqual(['db', 'db.password', 'db.user', 'api', 'api.k']);
    expect((toValue(ini) as Record<string, Record<string, string>>).db!.password).toBe('new');
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
    expect(maskedFields(json).map((f) => formatPath(f.path))).toEqual(['acct', 'ver', 'e', 'list', 'list.0', 'list.1']);
    expect(field(json, 'acct')).toEqual({ kind: 'number', value: '98765432109876543210' }); // a repeated key: the last, as JSON.parse
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

  it('reads a JSON key longer than YAML allows, and keeps key order and names as JSON.parse does', () => {
    const long = 'k'.repeat(2000);
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
  it('round-trip any segments', () => {
    fc.assert(fc.property(fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 5 }), (segs) => {
      expect(parsePath(formatPath(segs))).toEqual(segs);
    }));
    expect(formatPath(['db', 'password'])).toBe('db.password');
    expect(formatPath(['a.b', '0'])).toBe('["a.b"].0');
  });
});
