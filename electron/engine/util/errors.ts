// The engine's error: a contract code and a sentence for the operator. Below every feature folder, so any layer
// can fail with a code without reaching up to the handler API.
import type { ErrorCode } from '../../../shared/contract/errors';

export class EngineError extends Error {
  /**
   * `question`: the call stopped to ask for something (a key's passphrase) and did nothing; its caller asks and calls
   * again, and that call is the outcome the trail records. Such a failure leaves no audit entry.
   */
  constructor(readonly code: ErrorCode, message: string, readonly opts: { question?: boolean } = {}) { super(message); }
}
