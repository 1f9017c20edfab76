// The engine's error: a contract code and a sentence for the operator. Below every feature folder, so any layer
// can fail with a code without reaching up to the handler API.
import type { ErrorCode } from '../../../shared/contract/errors';

export class EngineError extends Error {
  constructor(readonly code: ErrorCode, message: string) { super(message); }
}
