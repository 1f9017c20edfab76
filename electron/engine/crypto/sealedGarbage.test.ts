// Armored garbage given as a sealed file: an OpenPGP armor around bytes that are no encrypted message. It read as
// "sealed with a password only: give its password" (it names no key), sending the operator to look for a password
// that does not exist; it is said as not an encrypted OpenPGP message. A real password-only file keeps its words.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpgLab, gpgAvailable } from '../../testkit/gpg';
import { openSealed } from './pgp';

const armor = (body: Buffer) => `-----BEGIN PGP MESSAGE-----\n\n${body.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PGP MESSAGE-----\n`;
let lab: GpgLab | undefined;
beforeAll(() => { if (gpgAvailable()) lab = GpgLab.create(); });
afterAll(() => lab?.close());

describe('armored garbage as a sealed file', () => {
  it('random bytes in an armor: refused, never as "password only"', async () => {
    for (let seed = 0; seed < 40; seed++) {
      const garbage = Buffer.from(armor(randomBytes(200 + seed * 7)));
      for (const how of [{}, { password: 'anything' }, { keys: [] }]) {
        const e = await openSealed(garbage, how).then(() => null, (err: unknown) => err as Error);
        expect(e, `seed ${seed}`).toBeInstanceOf(Error);
        expect(e!.message).not.toMatch(/password only/);
      }
    }
  });

  it('an encrypted-data packet with no key or password packet before it: said as no message that can be opened', async () => {
    // a new-format packet of tag 18 (SEIPD, version 1) around random bytes: what a cut-off head or a made-up file gives
    const body = Buffer.concat([Buffer.from([0xc0 | 18, 121, 1]), randomBytes(120)]);
    for (const how of [{}, { keys: [] }, { password: 'anything' }]) {
      await expect(openSealed(Buffer.from(armor(body)), how)).rejects.toThrow(
        'This is not an OpenPGP message that can be opened: it names no key and no password to open it with (damaged, or not a sealed file).');
    }
  });

  it.runIf(gpgAvailable())('a real password-only file still asks for its password', async () => {
    const sealed = await lab!.encrypt(Buffer.from('{"a":1}\n'), { password: 'bundle-pw', armor: true });
    await expect(openSealed(sealed, {})).rejects.toThrow('This file is sealed with a password only: give its password.');
  });
});
