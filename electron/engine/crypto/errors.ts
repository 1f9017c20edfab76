// What can go wrong with a sealed file or a key, as a kind the doors can act on (exit codes, contract codes) and a
// sentence for the operator. Messages never carry a passphrase, a session key or any decrypted value.
export type CryptoErrorKind =
  | 'wrong_passphrase'
  | 'not_for_my_keys'
  | 'corrupt'
  | 'unsupported'
  | 'locked'
  | 'no_key'
  | 'bad_key'
  | 'no_field'
  | 'no_session'
  | 'unavailable';

export class CryptoError extends Error {
  constructor(readonly kind: CryptoErrorKind, message: string, readonly recipients: string[] = []) {
    super(message);
    this.name = 'CryptoError';
  }
}

/** OpenPGP.js reports unknown algorithms and packet versions in prose; these shapes mean "we cannot read this kind". */
export function isUnsupportedMessage(msg: string): boolean {
  return /unsupported|unknown (?:symmetric|cipher|hash|compression|public key|aead)|not supported|version \d+ .*not|unknown.*algorithm/i.test(msg);
}
