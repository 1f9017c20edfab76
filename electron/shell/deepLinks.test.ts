import { describe, expect, it } from 'vitest';
import { events } from '../../shared/contract';
import { createBridge, type IpcRendererLike } from './bridge';
import { APP_START_URL, EVENT_CHANNEL } from './channels';
import { DeepLinkRouter, linkFromArgv, type LinkWindow } from './deepLinks';

const CASE = '3f9c1a2e-7b4d-4c1e-9a55-0b6d2e8f1c34';

function fakeWindow(url = APP_START_URL) {
  const sent: unknown[][] = [];
  const w: LinkWindow & { url: string; destroyed: boolean } = {
    url, destroyed: false,
    getURL() { return this.url; },
    isDestroyed() { return this.destroyed; },
    send(...args: unknown[]) { sent.push(args); },
  };
  return { w, sent };
}

function router(opts: { win?: LinkWindow | null; known?: string[] | Error } = {}) {
  const logs: string[] = [];
  const r = new DeepLinkRouter({
    knownCaseIds: async () => { if (opts.known instanceof Error) throw opts.known; return opts.known ?? [CASE]; },
    window: () => opts.win ?? null,
    log: (m) => logs.push(m),
  });
  return { r, logs };
}

describe('casefile:// links in the shell', () => {
  it('finds the link among argv only as a whole argument in our scheme', () => {
    expect(linkFromArgv(['/opt/Casefile/casefile', '--no-sandbox', `casefile://open?case=${CASE}`])).toBe(`casefile://open?case=${CASE}`);
    expect(linkFromArgv(['casefile', `CASEFILE://open?case=${CASE}`])).toBe(`CASEFILE://open?case=${CASE}`);
    expect(linkFromArgv(['casefile', '--case', '/tmp/x', `--url=casefile://open?case=${CASE}`, 'https://casefile://x'])).toBeUndefined();
    expect(linkFromArgv([])).toBeUndefined();
  });

  it('pushes a checked place to the loaded window, as the contract event the bridge lets through', async () => {
    const { w, sent } = fakeWindow();
    const { r } = router({ win: w });
    r.windowLoaded();
    const res = await r.open(`casefile://open?case=${CASE}&view=trace&trace=celery%3Aabc&event=12&token=leak&extra=1`);
    expect(res).toEqual({ ok: true, link: { caseId: CASE, view: 'trace', trace: 'celery:abc', event: 12 } });
    expect(sent).toEqual([[EVENT_CHANNEL, 'app.openLink', { caseId: CASE, view: 'trace', trace: 'celery:abc', event: 12 }]]);
    expect(JSON.stringify(sent)).not.toContain('leak');
    expect(events['app.openLink'].safeParse(sent[0]![2]).success).toBe(true);

    // The preload's bridge hands it to a page listener (and only that event name).
    let listener: ((e: unknown, ...a: unknown[]) => void) | null = null;
    const ipc: IpcRendererLike = { invoke: async () => null, on: (_c, l) => { listener = l; }, removeListener: () => undefined };
    const got: unknown[] = [];
    createBridge(ipc, () => '').on('app.openLink', (p) => got.push(p));
    listener!(null, ...sent[0]!.slice(1));
    expect(got).toEqual([{ caseId: CASE, view: 'trace', trace: 'celery:abc', event: 12 }]);
  });

  it('holds a link until the page has loaded (a launch link), then delivers it once', async () => {
    const { w, sent } = fakeWindow();
    const { r } = router({ win: w });
    await r.open(`casefile://open?case=${CASE}&event=3`);
    expect(sent).toEqual([]);
    r.windowLoaded();
    r.windowLoaded();
    expect(sent).toEqual([[EVENT_CHANNEL, 'app.openLink', { caseId: CASE, event: 3 }]]);
    // A reload: the next link waits for the page again.
    r.windowUnloaded();
    await r.open(`casefile://open?case=${CASE}&event=4`);
    expect(sent).toHaveLength(1);
    r.windowLoaded();
    expect(sent[1]![2]).toEqual({ caseId: CASE, event: 4 });
  });

  it('sends nothing to a page that is not ours, or to a closed window', async () => {
    const { w, sent } = fakeWindow('https://evil.example/');
    const { r } = router({ win: w });
    r.windowLoaded();
    await r.open(`casefile://open?case=${CASE}`);
    expect(sent).toEqual([]);
    w.destroyed = true; w.url = APP_START_URL;
    r.windowLoaded();
    expect(sent).toEqual([]);
  });

  it('refuses hostile links and unknown cases, saying why without echoing the link', async () => {
    const { w, sent } = fakeWindow();
    const { r, logs } = router({ win: w, known: [CASE] });
    r.windowLoaded();
    const hostile = [
      'https://evil.example/?case=x', `casefile://evil.example?case=${CASE}`, `casefile://open/../../etc/passwd?case=${CASE}`,
      `casefile://open?case=${encodeURIComponent('<script>alert(1)</script>')}`, `casefile://open?case=${'a'.repeat(20_000)}`,
      'casefile://open?case=not-a-known-case&event=1', 42,
    ];
    for (const raw of hostile) expect(await r.open(raw), String(raw).slice(0, 80)).toMatchObject({ ok: false });
    expect(sent).toEqual([]);
    expect(logs).toHaveLength(hostile.length);
    expect(logs.join('\n')).not.toMatch(/script|evil|passwd|not-a-known-case/);
    expect(logs.at(-2)).toMatch(/not in this installation/);
  });

  it('refuses a link when the case list cannot be read', async () => {
    const { w, sent } = fakeWindow();
    const { r } = router({ win: w, known: new Error('engine down') });
    r.windowLoaded();
    expect(await r.open(`casefile://open?case=${CASE}`)).toMatchObject({ ok: false, reason: /case list/ });
    expect(sent).toEqual([]);
  });
});
