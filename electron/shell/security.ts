// Every web-content hardening hook as a plain function, attached by main.ts and tested without Electron:
// no navigation, no new windows, no webviews, no permissions; external links only through openExternalSafe.
import type { HandlerDetails, Session, WebContents, WindowOpenHandlerResponse } from 'electron';

/** Hosts the app may open in the system browser (https only, exact host match). */
export const EXTERNAL_HOSTS: ReadonlySet<string> = new Set(['github.com', 'www.duckdb.org', 'duckdb.org']);

export function isAllowedExternalUrl(raw: string, allow: ReadonlySet<string> = EXTERNAL_HOSTS): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.username === '' && url.password === '' && url.port === ''
    && allow.has(url.hostname.toLowerCase());
}

export type ExternalOpener = (url: string) => Promise<void>;

/** The one way out of the app: an allow-listed https URL handed to the OS browser. Returns whether it was opened. */
export async function openExternalSafe(url: string, opener: ExternalOpener, allow: ReadonlySet<string> = EXTERNAL_HOSTS): Promise<boolean> {
  if (!isAllowedExternalUrl(url, allow)) return false;
  await opener(new URL(url).toString());
  return true;
}

type Preventable = { preventDefault(): void };

/** will-navigate / will-redirect / will-frame-navigate: the page never leaves app://; allowed links go to the OS browser. */
export function denyNavigation(event: Preventable, url: string, opener?: ExternalOpener): void {
  event.preventDefault();
  if (opener) void openExternalSafe(url, opener).catch(() => undefined);
}

/** setWindowOpenHandler: no new Electron windows ever. */
export function denyWindowOpen(details: Pick<HandlerDetails, 'url'>, opener?: ExternalOpener): WindowOpenHandlerResponse {
  if (opener) void openExternalSafe(details.url, opener).catch(() => undefined);
  return { action: 'deny' };
}

/** will-attach-webview: webviewTag is off already; refuse anyway. */
export function denyWebview(event: Preventable): void {
  event.preventDefault();
}

/** setPermissionRequestHandler: camera, notifications, clipboard-read, … all refused. */
export function denyPermissionRequest(_wc: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

/** setPermissionCheckHandler / setDevicePermissionHandler. */
export function denyPermissionCheck(): boolean {
  return false;
}

type ContentsLike = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** Attaches the navigation, window and webview hooks to one WebContents (main.ts does this for every one created). */
export function hardenWebContents(contents: ContentsLike, opener?: ExternalOpener): void {
  contents.on('will-navigate', (event, url) => denyNavigation(event, url, opener));
  contents.on('will-frame-navigate', (event) => denyNavigation(event, event.url));
  contents.on('will-redirect', (event) => denyNavigation(event, event.url));
  contents.on('will-attach-webview', (event) => denyWebview(event));
  contents.setWindowOpenHandler((details) => denyWindowOpen(details, opener));
}

type SessionLike = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler' | 'on'>;

/** Session-wide: permissions refused, downloads refused (the app writes files only through the engine). */
export function hardenSession(session: SessionLike): void {
  session.setPermissionRequestHandler(denyPermissionRequest);
  session.setPermissionCheckHandler(denyPermissionCheck);
  session.setDevicePermissionHandler(denyPermissionCheck);
  session.on('will-download', (event) => event.preventDefault());
}
