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

/** The contract error code each kind crosses the contract with (the sentence says which kind it was). */
const CODE_OF: Record<CryptoErrorKind, 'forbidden' | 'invalid_input' | 'not_found'> = {
  wrong_passphrase: 'forbidden', not_for_my_keys: 'forbidden', locked: 'forbidden', unavailable: 'forbidden',
  corrupt: 'invalid_input', unsupported: 'invalid_input', bad_key: 'invalid_input',
  no_key: 'not_found', no_field: 'not_found', no_session: 'not_found',
};

export class CryptoError extends Error {
  constructor(readonly kind: CryptoErrorKind, message: string, readonly recipients: string[] = []) {
    super(message);
    this.name = 'CryptoError';
  }

  get code(): string { return CODE_OF[this.kind]; }
}

/** OpenPGP.js reports unknown algorithms and packet versions in prose; these shapes mean "we cannot read this kind". */
export function isUnsupportedMessage(msg: string): boolean {
  return /unsupported|unknown (?:symmetric|cipher|hash|compression|public key|aead)|not supported|version \d+ .*not|unknown.*algorithm/i.test(msg);
}
