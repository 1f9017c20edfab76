// The one application window and the settings that make its renderer an untrusted, sandboxed web page.
import type { BrowserWindow, BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export function secureWebPreferences(preloadPath: string, opts: { devTools?: boolean } = {}): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    // A file dropped outside the drop zone must not navigate the window to file://.
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: opts.devTools ?? false,
  };
}

export function mainWindowOptions(preloadPath: string, opts: { devTools?: boolean } = {}): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Casefile',
    show: false,
    backgroundColor: '#111418',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath, opts),
  };
}

type WindowCtor = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

/** Creates the window (constructor passed in so this module never loads Electron itself) and loads the app URL. */
export function createMainWindow(Ctor: WindowCtor, opts: { preloadPath: string; url: string; devTools?: boolean }): BrowserWindow {
  const win = new Ctor(mainWindowOptions(opts.preloadPath, { devTools: opts.devTools ?? false }));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.url);
  return win;
}
