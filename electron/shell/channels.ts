// IPC channel names, shared by main and the sandboxed preload (so this file imports nothing).
export const INVOKE_CHANNEL = 'casefile:invoke';
export const EVENT_CHANNEL = 'casefile:event';
/** The renderer no longer wants the answer of the call it named when invoking (its own id for it). */
export const CANCEL_CHANNEL = 'casefile:cancel';
/** What such an id may look like (the renderer uses a UUID). */
const CALL_ID = /^[A-Za-z0-9-]{1,64}$/;
export const isCallId = (v: unknown): v is string => typeof v === 'string' && CALL_ID.test(v);

/** The renderer's origin: a privileged, standard, secure custom scheme serving out/renderer. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'casefile';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;
