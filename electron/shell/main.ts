// Electron main: one instance, one sandboxed window on app://, the engine in a utility process, one IPC channel,
// and casefile://open?… links (deepLinks.ts) opened in that window.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, clipboard, ipcMain, protocol, safeStorage, session, shell, utilityProcess, type UtilityProcess } from 'electron';
import { APP_SCHEME, APP_START_URL } from './channels';
import { ClipboardGuard } from './clipboardGuard';
import { DeepLinkRouter, linkFromArgv } from './deepLinks';
import { LINK_SCHEME } from '../../shared/viewLink';
import { EngineProxy, type FromHost } from './engineRelay';
import { answerHostRequest, isHostRequest, SAFE_STORAGE_ENV } from './hostServices';
import { makeTrustedSenderCheck, registerIpc } from './ipc';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './protocol';
import { safeStorageWrapper } from './safeStorageWrapper';
import { hardenSession, hardenWebContents } from './security';
import { createMainWindow } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD = path.join(here, '../preload/index.cjs');
const RENDERER_DIR = path.join(here, '../renderer');
const ENGINE_HOST = path.join(here, 'engine-host.js');
const MAX_ENGINE_RESTARTS = 3;

/** `--case <dir>` or `--case=<dir>` from the command line (npm start passes it through). */
export function caseArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--case') return argv[i + 1];
    if (a.startsWith('--case=')) return a.slice('--case='.length);
  }
  return undefined;
}

// Must happen before 'ready': gives app:// a real, secure origin.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();

const opener = (url: string) => shell.openExternal(url);
let win: BrowserWindow | null = null;
const engine = new EngineProxy();
const links = new DeepLinkRouter({
  // A link that arrives before 'ready' (macOS open-url at launch) waits for the engine to be started.
  knownCaseIds: async () => {
    await app.whenReady();
    return ((await engine.invoke('cases.list', {})) as { id: string }[]).map((c) => c.id);
  },
  window: () => (win && !win.isDestroyed() ? win.webContents : null),
  log: (m) => console.error(m),
});
const showWindow = () => {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
};

function startEngineHost(proxy: EngineProxy, restarts = 0): UtilityProcess {
  const resourcesDir = app.isPackaged ? process.resourcesPath : path.join(app.getAppPath(), 'resources');
  const caseDir = caseArg(process.argv);
  const child = utilityProcess.fork(ENGINE_HOST, [], {
    serviceName: 'Casefile engine',
    stdio: 'inherit',
    env: { ...process.env, CASEFILE_RESOURCES: resourcesDir, ...(caseDir ? { CASEFILE_CASE_DIR: path.resolve(caseDir) } : {}), ...(keyWrapper() ? { [SAFE_STORAGE_ENV]: '1' } : {}) },
  });
  proxy.attach((msg) => child.postMessage(msg));
  child.on('message', (msg: FromHost) => {
    if (isHostRequest(msg)) {
      void answerHostRequest(msg, { wrapper: keyWrapper(), clipboard: clipboardGuard() }).then((reply) => child.postMessage(reply));
      return;
    }
    if (msg?.t === 'fatal') console.error(`casefile: the engine failed to start: ${msg.message}`);
    proxy.handleMessage(msg);
  });
  child.on('exit', (code) => {
    proxy.detach(`The engine stopped (exit code ${code}).`);
    if (quitting) return;
    if (restarts < MAX_ENGINE_RESTARTS) startEngineHost(proxy, restarts + 1);
    else console.error('casefile: the engine keeps stopping; not restarting it again.');
  });
  engineChild = child;
  return child;
}
let engineChild: UtilityProcess | null = null;
/** safeStorage as the key wrapper, or null where it would not protect anything (no keychain, Linux basic_text). */
let wrapperChecked: { w: ReturnType<typeof safeStorageWrapper> } | null = null;
const keyWrapper = () => (wrapperChecked ??= { w: safeStorageWrapper(safeStorage) }).w;
let guard: ClipboardGuard | null = null;
const clipboardGuard = () => (guard ??= new ClipboardGuard(clipboard));
let quitting = false;
let engineStopping = false;
/** How long quitting waits for the engine's in-flight work before it stops it anyway. */
const ENGINE_SHUTDOWN_MS = 30_000;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Windows and Linux start a second process for a link (or a second launch): it quits and its argv comes here.
  app.on('second-instance', (_event, argv) => {
    showWindow();
    const link = linkFromArgv(argv);
    if (link) void links.open(link);
  });
  // macOS hands links to the running app (also at launch, possibly before 'ready').
  app.on('open-url', (event, url) => {
    event.preventDefault();
    showWindow();
    void links.open(url);
  });

  // Every WebContents (the window, and anything it might try to create) gets the same hooks.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, opener));

  app.on('window-all-closed', () => app.quit());
  // Quitting cancels the engine's running jobs (each cleans up, as casefile serve's Ctrl-C) and waits for it to close, up to a limit.
  app.on('before-quit', (event) => {
    quitting = true;
    void guard?.clearIfOurs(); // a copied secret does not outlive the app
    const child = engineChild;
    if (!child || engineStopping) return;
    event.preventDefault();
    engineStopping = true;
    const done = () => { engineChild = null; app.quit(); };
    child.once('exit', done);
    setTimeout(() => { child.kill(); }, ENGINE_SHUTDOWN_MS).unref();
    child.postMessage({ t: 'shutdown' });
  });

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession);
    // Only an installed app claims casefile:// links; a development run must not take them from it.
    if (app.isPackaged && !app.isDefaultProtocolClient(LINK_SCHEME)) app.setAsDefaultProtocolClient(LINK_SCHEME);
    protocol.handle(APP_SCHEME, createAppProtocolHandler(RENDERER_DIR));

    startEngineHost(engine);
    registerIpc(
      ipcMain,
      engine,
      makeTrustedSenderCheck(() => (win && !win.isDestroyed() ? win.webContents : null)),
      () => (win && !win.isDestroyed() ? [win.webContents] : []),
    );

    win = createMainWindow(BrowserWindow, { preloadPath: PRELOAD, url: APP_START_URL, devTools: !app.isPackaged });
    win.on('closed', () => { win = null; links.windowUnloaded(); });
    win.webContents.on('did-start-loading', () => links.windowUnloaded());
    // The page subscribes to app.openLink before it renders, so a link pushed once it has loaded is not lost.
    win.webContents.on('did-finish-load', () => links.windowLoaded());
    const launchLink = linkFromArgv(process.argv);
    if (launchLink) void links.open(launchLink);
  });
}
