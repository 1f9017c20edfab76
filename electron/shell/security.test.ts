import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  denyNavigation, denyPermissionCheck, denyPermissionRequest, denyWebview, denyWindowOpen, hardenSession,
  hardenWebContents, isAllowedExternalUrl, openExternalSafe,
} from './security';

function preventable() {
  return { prevented: false, preventDefault() { this.prevented = true; } };
}

function recordingOpener() {
  const opened: string[] = [];
  return { opened, opener: async (u: string) => { opened.push(u); } };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('external links', () => {
  it('allows only https URLs on the allow-list', () => {
    expect(isAllowedExternalUrl('https://github.com/org/casefile')).toBe(true);
    for (const bad of [
      'http://github.com/', 'https://github.com.evil.example/', 'https://evil.example/', 'file:///etc/passwd',
      'javascript:alert(1)', 'https://user:pw@github.com/', 'https://github.com:8443/', 'smb://github.com/x', 'not a url',
      'app://casefile/index.html',
    ]) expect(isAllowedExternalUrl(bad), bad).toBe(false);
  });

  it('openExternalSafe calls the opener only for allowed URLs', async () => {
    const { opened, opener } = recordingOpener();
    expect(await openExternalSafe('https://github.com/x', opener)).toBe(true);
    expect(await openExternalSafe('https://evil.example/x', opener)).toBe(false);
    expect(await openExternalSafe('https://only.example/a', opener, new Set(['only.example']))).toBe(true);
    expect(opened).toEqual(['https://github.com/x', 'https://only.example/a']);
  });
});

describe('navigation, windows, webviews', () => {
  it('prevents every navigation, sending allowed links to the OS browser', async () => {
    const { opened, opener } = recordingOpener();
    for (const url of ['https://evil.example/', 'app://casefile/other.html', 'file:///etc/passwd', 'https://github.com/a']) {
      const ev = preventable();
      denyNavigation(ev, url, opener);
      expect(ev.prevented, url).toBe(true);
    }
    await flush();
    expect(opened).toEqual(['https://github.com/a']);
  });

  it('denies every new window', async () => {
    const { opened, opener } = recordingOpener();
    expect(denyWindowOpen({ url: 'https://evil.example/' }, opener)).toEqual({ action: 'deny' });
    expect(denyWindowOpen({ url: 'https://github.com/x' }, opener)).toEqual({ action: 'deny' });
    expect(denyWindowOpen({ url: 'app://casefile/index.html' })).toEqual({ action: 'deny' });
    await flush();
    expect(opened).toEqual(['https://github.com/x']);
  });

  it('denies webviews and permissions', () => {
    const ev = preventable();
    denyWebview(ev);
    expect(ev.prevented).toBe(true);
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal', 'fullscreen']) {
      let granted: boolean | undefined;
      denyPermissionRequest({}, permission, (g) => { granted = g; });
      expect(granted, permission).toBe(false);
    }
    expect(denyPermissionCheck()).toBe(false);
  });

  it('hardenWebContents attaches every hook', async () => {
    const contents = new EventEmitter() as EventEmitter & { setWindowOpenHandler(h: (d: { url: string }) => unknown): void; openHandler?: (d: { url: string }) => unknown };
    contents.setWindowOpenHandler = (h) => { contents.openHandler = h; };
    const { opened, opener } = recordingOpener();
    hardenWebContents(contents as never, opener);

    const nav = preventable();
    contents.emit('will-navigate', nav, 'https://github.com/z');
    expect(nav.prevented).toBe(true);
    const frameNav = Object.assign(preventable(), { url: 'https://evil.example/' });
    contents.emit('will-frame-navigate', frameNav);
    expect(frameNav.prevented).toBe(true);
    const redirect = Object.assign(preventable(), { url: 'https://evil.example/' });
    contents.emit('will-redirect', redirect);
    expect(redirect.prevented).toBe(true);
    const webview = preventable();
    contents.emit('will-attach-webview', webview, {}, {});
    expect(webview.prevented).toBe(true);
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    await flush();
    expect(opened).toEqual(['https://github.com/z']);
  });

  it('hardenSession installs deny-all permission handlers and refuses downloads', () => {
    const session = new EventEmitter() as EventEmitter & Record<string, unknown>;
    const set: Record<string, (...a: unknown[]) => unknown> = {};
    for (const k of ['setPermissionRequestHandler', 'setPermissionCheckHandler', 'setDevicePermissionHandler']) {
      session[k] = (h: (...a: unknown[]) => unknown) => { set[k] = h; };
    }
    hardenSession(session as never);
    let granted: boolean | undefined;
    set.setPermissionRequestHandler!({}, 'media', (g: boolean) => { granted = g; });
    expect(granted).toBe(false);
    expect(set.setPermissionCheckHandler!({}, 'media', 'app://casefile', {})).toBe(false);
    expect(set.setDevicePermissionHandler!({ deviceType: 'usb' })).toBe(false);
    const dl = preventable();
    session.emit('will-download', dl, {}, {});
    expect(dl.prevented).toBe(true);
  });
});
