import { describe, expect, it } from 'vitest';
import { signatureText } from './signatureText';

describe('signatureText', () => {
  it('says each signature status in a sentence, with what to do next, never the status word', () => {
    expect(signatureText({ signer: 'FE8255E135638E28', signerUserId: 'Ops <ops@x>', status: 'valid' })).toBe('Signed by Ops <ops@x> (FE8255E135638E28): the signature is good.');
    expect(signatureText({ signer: 'FE8255E135638E28', signerUserId: null, status: 'invalid' })).toMatch(/^The signature by FE8255E135638E28 does not verify: .* Do not trust its contents; ask the sender for a new copy\.$/);
    const unknown = signatureText({ signer: 'FE8255E135638E28', signerUserId: null, status: 'unknown_key' });
    expect(unknown).toBe('Signed by key FE8255E135638E28, which is not among your keys or client keys: the signature is not checked. Import the signer\'s public key as a client key to check it.');
    expect(unknown).not.toContain('unknown_key');
  });
});
