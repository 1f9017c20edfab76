import { describe, expect, it } from 'vitest';
import { createMainWindow, mainWindowOptions, secureWebPreferences } from './window';

describe('window options', () => {
  it('sandboxes and isolates the renderer', () => {
    const p = secureWebPreferences('/app/out/preload/index.cjs');
    expect(p).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      navigateOnDragDrop: false,
      experimentalFeatures: false,
      devTools: false,
    });
    expect(p.allowRunningInsecureContent).not.toBe(true);
    expect(p).not.toHaveProperty('enableBlinkFeatures');
    expect(p).not.toHaveProperty('additionalArguments');
  });

  it('puts the secure preferences on the window and loads only the given URL', () => {
    const created: Array<{ options: unknown; loaded: string[]; shown: boolean }> = [];
    class FakeWindow {
      loaded: string[] = [];
      handlers = new Map<string, () => void>();
      constructor(readonly options: unknown) { created.push(this as unknown as { options: unknown; loaded: string[]; shown: boolean }); }
      once(ev: string, fn: () => void) { this.handlers.set(ev, fn); return this; }
      show() { (this as unknown as { shown: boolean }).shown = true; }
      loadURL(url: string) { this.loaded.push(url); return Promise.resolve(); }
    }
    const win = createMainWindow(FakeWindow as never, { preloadPath: '/p.cjs', url: 'app://casefile/index.html' }) as unknown as FakeWindow;
    expect(created).toHaveLength(1);
    expect(win.options).toEqual(mainWindowOptions('/p.cjs'));
    expect((win.options as { show: boolean }).show).toBe(false);
    expect(win.loaded).toEqual(['app://casefile/index.html']);
    win.handlers.get('ready-to-show')!();
    expect((win as unknown as { shown: boolean }).shown).toBe(true);
  });
});
