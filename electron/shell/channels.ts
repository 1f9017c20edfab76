// IPC channel names, shared by main and the sandboxed preload (so this file imports nothing).
export const INVOKE_CHANNEL = 'casefile:invoke';
export const EVENT_CHANNEL = 'casefile:event';

/** The renderer's origin: a privileged, standard, secure custom scheme serving out/renderer. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'casefile';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;
