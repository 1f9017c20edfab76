// What a sealed file's signature means to the operator, in one sentence with what to do next: the app and the CLI
// say it the same way (the contract's status words — valid, invalid, unknown_key — are not for reading).
import type { z } from 'zod';
import type { Signature } from './contract/sealed';

export function signatureText(s: z.infer<typeof Signature>): string {
  const who = s.signerUserId ? `${s.signerUserId} (${s.signer})` : s.signer;
  switch (s.status) {
    case 'valid': return `Signed by ${who}: the signature is good.`;
    case 'invalid': return `The signature by ${who} does not verify: the file may have been changed after it was signed. Do not trust its contents; ask the sender for a new copy.`;
    case 'unknown_key': return `Signed by key ${s.signer}, which is not among your keys or client keys: the signature is not checked. Import the signer's public key as a client key to check it.`;
  }
}
