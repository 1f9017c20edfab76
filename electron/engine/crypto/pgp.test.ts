// Every kind of message GnuPG writes opens, every failure says what it is, and gpg reads what `seal` writes.
// Real gpg (Debian's 2.2) makes messages at test time; GnuPG 2.4 ones (OCB, v5 key) are committed fixtures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { GpgLab, type GpgKey } from '../../testkit/gpg';
import { CryptoError } from './errors';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { openSealed, readPublicKeys, readSecretKey, seal, sealStream, unlockKey, type OpenWith } from './pgp';
import { MAX_BUNDLE_BYTES } from './parse';
import * as openpgp from 'openpgp';
import type { PrivateKey } from 'openpgp';

const here = path.dirname(fileURLToPath(import.meta.url));
const fx = (f: string) => new Uint8Array(readFileSync(path.join(here, 'testdata/gnupg-2.4', f)));
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

let lab: GpgLab;
let me: GpgKey;
let other: GpgKey;
let stranger: GpgKey;
let myKey: PrivateKey;
const plain = `{"db":{"password":"pw-${randomBytes(6).toString('hex')}"}}\n`;

beforeAll(async () => {
  lab = GpgLab.create();
  me = await lab.genKey('Operator <op@example.test>', 'op-pass');
  other = await lab.genKey('Other <other@example.test>', 'other-pass');
  stranger = await lab.genKey('Stranger <stranger@example.test>', 'stranger-pass');
  myKey = await unlockKey(await readSecretKey(Buffer.from(me.secretArmored)), 'op-pass');
});
afterAll(() => lab?.close());

async function expectCryptoError(p: Promise<unknown>, kind: CryptoError['kind'], message?: RegExp): Promise<CryptoError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(CryptoError);
  expect((e as CryptoError).kind).toBe(kind);
  if (message) expect((e as CryptoError).message).toMatch(message);
  expect((e as CryptoError).message).not.toContain(plain.slice(20, 35));
  return e as CryptoError;
}

describe('GnuPG 2.2 messages (made now)', () => {
  const cases: [string, () => Promise<Buffer>, () => OpenWith][] = [
    ['public-key, binary', () => lab.encrypt(plain, { to: [me.fingerprint] }), () => ({ keys: [myKey] })],
    ['public-key, armored', () => lab.encrypt(plain, { to: [me.fingerprint], armor: true }), () => ({ keys: [myKey] })],
    ['password only', () => lab.encrypt(plain, { password: 'bundle-pw' }), () => ({ password: 'bundle-pw' })],
    ['password only, armored', () => lab.encrypt(plain, { password: 'bundle-pw', armor: true }), () => ({ password: 'bundle-pw' })],
    ['key and password, by key', () => lab.encrypt(plain, { to: [me.fingerprint], password: 'bundle-pw' }), () => ({ keys: [myKey] })],
    ['key and password, by password', () => lab.encrypt(plain, { to: [me.fingerprint], password: 'bundle-pw' }), () => ({ password: 'bundle-pw' })],
    ['to two recipients', () => lab.encrypt(plain, { to: [other.fingerprint, me.fingerprint] }), () => ({ keys: [myKey] })],
    ['compressed (zlib)', () => lab.encrypt(plain, { to: [me.fingerprint], extra: ['--compress-algo', 'zlib'] }), () => ({ keys: [myKey] })],
  ];
  for (const [name, make, how] of cases) {
    it(`opens ${name}`, async () => {
      const r = await openSealed(await make(), how());
      expect(text(r.data)).toBe(plain);
    });
  }

  it('opens with the session key gpg --show-session-key prints', async () => {
    const msg = await lab.encrypt(plain, { to: [me.fingerprint] });
    const sk = await lab.sessionKey(msg, 'op-pass');
    expect(sk).toMatch(/^\d+:[0-9A-F]+$/);
    expect(text((await openSealed(msg, { sessionKey: sk })).data)).toBe(plain);
  });

  it('verifies a signature: valid with the signer key, unknown without it, invalid when it does not match', async () => {
    const otherPub = await readPublicKeys(Buffer.from(other.publicArmored));
    const msg = await lab.encrypt(plain, { to: [me.fingerprint], signWith: other });
    const ok = await openSealed(msg, { keys: [myKey] }, otherPub);
    expect(ok.signatures).toEqual([{ signer: other.keyIds[0], signerUserId: other.uid, status: 'valid' }]);
    const unknown = await openSealed(msg, { keys: [myKey] }, []);
    expect(unknown.signatures).toEqual([{ signer: other.keyIds[0], signerUserId: null, status: 'unknown_key' }]);
    // A signature over other bytes than the ones delivered (signed, then the literal data swapped, then encrypted).
    const otherKey = await unlockKey(await readSecretKey(Buffer.from(other.secretArmored)), 'other-pass');
    const signed = await openpgp.sign({ message: await openpgp.createMessage({ binary: Buffer.from(plain) }), signingKeys: otherKey, format: 'object' });
    const literal = signed.packets.findPacket(openpgp.enums.packet.literalData) as openpgp.LiteralDataPacket;
    (literal as unknown as { setBytes(b: Uint8Array, f: openpgp.enums.literal): void }).setBytes(Buffer.from(plain.replace('password', 'passwOrd')), openpgp.enums.literal.binary);
    const forged = await openpgp.encrypt({ message: signed, encryptionKeys: await readPublicKeys(Buffer.from(me.publicArmored)), format: 'binary' });
    const bad = await openSealed(forged, { keys: [myKey] }, otherPub);
    expect(bad.signatures).toEqual([{ signer: other.keyIds[0], signerUserId: other.uid, status: 'invalid' }]);
  });

  it('reports wrong key passphrase', async () => {
    await expectCryptoError(unlockKey(await readSecretKey(Buffer.from(me.secretArmored)), 'nope'), 'wrong_passphrase', /Wrong passphrase/);
  });

  it('reports wrong password', async () => {
    await expectCryptoError(openSealed(await lab.encrypt(plain, { password: 'bundle-pw' }), { password: 'not-it' }), 'wrong_passphrase', /Wrong password/);
    await expectCryptoError(openSealed(await lab.encrypt(plain, { to: [other.fingerprint], password: 'bundle-pw' }), { password: 'not-it' }), 'wrong_passphrase');
  });

  it('reports wrong password when the wrong one yields a plausible session key (a file also sealed to a key)', async () => {
    const both = new Uint8Array(readFileSync(path.join(here, 'testdata/gnupg-2.2/both-plausible-wrong-password.json.gpg')));
    expect(text((await openSealed(both, { password: 'bundle-pw' })).data)).toBe(readFileSync(path.join(here, 'testdata/gnupg-2.2/bundle.json'), 'utf8'));
    await expectCryptoError(openSealed(both, { password: 'wrong-39' }), 'wrong_passphrase', /Wrong password/);
  });

  it('reports a file not encrypted to my keys, listing its recipients', async () => {
    const msg = await lab.encrypt(plain, { to: [other.fingerprint, stranger.fingerprint] });
    const e = await expectCryptoError(openSealed(msg, { keys: [myKey] }), 'not_for_my_keys', /not encrypted to any of your keys/);
    expect(e.recipients.sort()).toEqual([other.keyIds[1], stranger.keyIds[1]].sort());
    expect(e.message).toContain(other.keyIds[1]);
  });

  it('reports corrupt and truncated files', async () => {
    const msg = await lab.encrypt(plain.repeat(50), { to: [me.fingerprint] });
    await expectCryptoError(openSealed(msg.subarray(0, msg.length - 40), { keys: [myKey] }), 'corrupt');
    const flipped = Buffer.from(msg);
    flipped[flipped.length - 30]! ^= 0xff;
    await expectCryptoError(openSealed(flipped, { keys: [myKey] }), 'corrupt');
    await expectCryptoError(openSealed(Buffer.from('hello, not pgp'), { keys: [myKey] }), 'corrupt');
    await expectCryptoError(openSealed(Buffer.from('-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\n'), { keys: [myKey] }), 'corrupt');
  });

  it('reports an unsupported algorithm', async () => {
    for (const cipher of ['CAMELLIA256', 'IDEA']) {
      const byKey = await lab.encrypt(plain, { to: [me.fingerprint], extra: ['--cipher-algo', cipher] });
      await expectCryptoError(openSealed(byKey, { keys: [myKey] }), 'unsupported', /cannot decrypt/);
      const byPassword = await lab.encrypt(plain, { password: 'bundle-pw', extra: ['--cipher-algo', cipher] });
      await expectCryptoError(openSealed(byPassword, { password: 'bundle-pw' }), 'unsupported', new RegExp(`${cipher}.*cannot decrypt`, 'i'));
    }
  });


  it('stops inflating a small file past the bundle limit (a compression bomb), and still opens one just under it', async () => {
    // 32 MiB of one byte compresses to a few KiB (bzip2: a few hundred bytes); a 4 GiB one would take the engine down.
    const bomb = Buffer.alloc(8 * MAX_BUNDLE_BYTES, 0x61);
    for (const algo of ['zlib', 'zip', 'bzip2']) {
      const byKey = await lab.encrypt(bomb, { to: [me.fingerprint], extra: ['--compress-algo', algo] });
      expect(byKey.length).toBeLessThan(MAX_BUNDLE_BYTES / 64);
      await expectCryptoError(openSealed(byKey, { keys: [myKey] }), 'corrupt', /too large/);
      const byPassword = await lab.encrypt(bomb, { password: 'bundle-pw', extra: ['--compress-algo', algo] });
      await expectCryptoError(openSealed(byPassword, { password: 'bundle-pw' }), 'corrupt', /too large/);
    }
    const under = `${'k'.repeat(MAX_BUNDLE_BYTES - 1024)}\n`;
    const opened = await openSealed(await lab.encrypt(under, { to: [me.fingerprint], signWith: me, extra: ['--compress-algo', 'zlib'] }), { keys: [myKey] });
    expect(opened.data.byteLength).toBe(under.length);
  });
  it('writes what gpg reads: seal() to a GnuPG key, signed', async () => {
    const pub = await readPublicKeys(Buffer.from(me.publicArmored));
    const otherKey = await unlockKey(await readSecretKey(Buffer.from(other.secretArmored)), 'other-pass');
    const sealed = await seal(Buffer.from(plain), pub, otherKey);
    expect(sealed).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    expect((await lab.decrypt(Buffer.from(sealed), 'op-pass')).toString()).toBe(plain);
    const back = await openSealed(Buffer.from(sealed), { keys: [myKey] }, await readPublicKeys(Buffer.from(other.publicArmored)));
    expect(back.signatures[0]!.status).toBe('valid');
  });
});

describe('sealStream', () => {
  it('writes what gpg reads, from a stream of many chunks', async () => {
    const pub = await readPublicKeys(Buffer.from(me.publicArmored));
    const chunk = Buffer.from('x'.repeat(1 << 16) + '\n');
    let sent = 0;
    const input = new ReadableStream<Uint8Array>({
      pull(c) { if (sent++ < 64) c.enqueue(chunk); else c.close(); },
    });
    let armored = '';
    for await (const part of Readable.fromWeb((await sealStream(input, pub)) as NodeWebStream<string>)) armored += String(part);
    expect(armored).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    const plainBack = await lab.decrypt(Buffer.from(armored), 'op-pass');
    expect(plainBack.length).toBe(64 * chunk.length);
    expect(plainBack.subarray(0, chunk.length).equals(chunk)).toBe(true);
  });
});

describe('GnuPG 2.4 messages (committed fixtures)', () => {
  let op24: PrivateKey;
  let opv5: PrivateKey;
  beforeAll(async () => {
    op24 = await unlockKey(await readSecretKey(fx('op24.sec.gpg')), 'op-pass-24');
    opv5 = await unlockKey(await readSecretKey(fx('opv5.sec.gpg')), 'v5-pass');
  });
  const want = (f: string) => readFileSync(path.join(here, 'testdata/gnupg-2.4', f), 'utf8');

  it('opens classic, OCB, armored OCB, v5-key, password OCB and both-ways OCB messages', async () => {
    expect(text((await openSealed(fx('openpgp-compliance.env.gpg'), { keys: [op24] })).data)).toBe(want('bundle.env'));
    expect(text((await openSealed(fx('ocb-pubkey.json.gpg'), { keys: [op24] })).data)).toBe(want('bundle.json'));
    expect(text((await openSealed(fx('ocb-pubkey.yaml.asc'), { keys: [op24] })).data)).toBe(want('bundle.yaml'));
    expect(text((await openSealed(fx('v5-pubkey.json.gpg'), { keys: [opv5] })).data)).toBe(want('bundle.json'));
    expect(text((await openSealed(fx('ocb-password.ini.gpg'), { password: 'bundle-pass' })).data)).toBe(want('bundle.ini'));
    expect(text((await openSealed(fx('ocb-both.json.gpg'), { keys: [op24] })).data)).toBe(want('bundle.json'));
    expect(text((await openSealed(fx('ocb-both.json.gpg'), { password: 'bundle-pass' })).data)).toBe(want('bundle.json'));
  });

  it('verifies an OCB signed-and-encrypted message', async () => {
    const r = await openSealed(fx('ocb-signed.json.gpg'), { keys: [op24] }, await readPublicKeys(fx('op24.pub.asc')));
    expect(r.signatures).toHaveLength(1);
    expect(r.signatures[0]).toMatchObject({ status: 'valid', signerUserId: 'Operator 24 <op24@example.test>' });
  });

  it('opens an OCB message with its session key (cipher.aead:hex)', async () => {
    const sk = want('ocb-pubkey.json.session-key').trim();
    expect(sk).toMatch(/^9\.2:/);
    expect(text((await openSealed(fx('ocb-pubkey.json.gpg'), { sessionKey: sk })).data)).toBe(want('bundle.json'));
    await expectCryptoError(openSealed(fx('ocb-pubkey.json.gpg'), { sessionKey: sk.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }), 'wrong_passphrase', /session key/);
  });

  it('reports wrong passphrase and wrong password on 2.4 material', async () => {
    await expectCryptoError(readSecretKey(fx('opv5.sec.gpg')).then((k) => unlockKey(k, 'nope')), 'wrong_passphrase');
    await expectCryptoError(openSealed(fx('ocb-password.ini.gpg'), { password: 'nope' }), 'wrong_passphrase');
  });

  it('reports a truncated OCB message as corrupt', async () => {
    const b = fx('ocb-pubkey.json.gpg');
    await expectCryptoError(openSealed(b.subarray(0, b.length - 10), { keys: [op24] }), 'corrupt');
  });

  it('seals to a GnuPG 2.4 key (that advertises OCB) without OCB, so GnuPG 2.2 reads it', async () => {
    const sealed = await seal(Buffer.from(plain), await readPublicKeys(fx('op24.pub.asc')));
    const gpg22 = GpgLab.create();
    try {
      await gpg22.run(['--passphrase', 'op-pass-24', '--import'], fx('op24.sec.gpg'));
      expect((await gpg22.decrypt(Buffer.from(sealed), 'op-pass-24')).toString()).toBe(plain);
    } finally {
      gpg22.close();
    }
  });
});
