// Every contract call's handler, gathered from the feature folders. Typed complete: a call declared in the contract
// without a handler here is a compile error. A new area: its handlers file, and one line below.
import type { HandlerMap } from './api';
import { appHandlers } from './app/handlers';
import { auditHandlers } from './audit/handlers';
import { caseHandlers } from './case/handlers';
import { correlateHandlers } from './correlate/handlers';
import { cryptoHandlers } from './crypto/handlers';
import { importHandlers } from './ingest/handlers';
import { jobHandlers } from './jobs/handlers';
import { exportHandlers } from './export/handlers';
import { redactHandlers } from './redact/handlers';
import { queryHandlers } from './query/handlers';
import { pullHandlers } from './transport/handlers';

export const HANDLERS: HandlerMap = {
  ...appHandlers,
  ...auditHandlers,
  ...caseHandlers,
  ...correlateHandlers,
  ...cryptoHandlers,
  ...importHandlers,
  ...jobHandlers,
  ...exportHandlers,
  ...redactHandlers,
  ...queryHandlers,
  ...pullHandlers,
};
