// A search the operator replaces before it answers is stopped, not left running beside the next one: the page aborts
// its request, the browser closes it, `serve` aborts the call's signal and the engine's reads stop (util/cancel.ts).
// The first search is held inside the engine until its signal fires, so the race is not left to timing; everything
// around it (renderer, Chromium, HTTP bridge, engine) is the real one.
import type { Request } from '@playwright/test';
import { expect, test } from './fixtures';
import { eventsTotal, histogramTotal, openDemo } from './workbenchKit';
import { cancellable, withSignal } from '../electron/engine/util/cancel';

test.use({ openDefault: true });

test('a search replaced before it answers is aborted by the page and stopped in the engine', async ({ app, casefile, problems }) => {
  const { page } = app;
  const caseId = await openDemo(app, casefile);
  const engine = casefile.engine;
  const invoke = engine.invoke.bind(engine);
  const held = { asked: 0, stopped: 0, released: 0 };
  // The first word's page waits in the engine as a long scan would, until its caller is gone (or 30 s pass).
  // The door hands the caller's signal to invoke (Engine.invoke's `signal`): the held read runs under it, as the
  // engine's own reads do.
  engine.invoke = (async (name: string, input: { filter?: { text?: string } }, opts?: { signal?: AbortSignal }) => withSignal(opts?.signal, async () => {
    if (name === 'events.page' && input?.filter?.text === 'Traceback') {
      held.asked++;
      // As DuckDB's interrupt does, the stop makes the running statement fail.
      let stop = () => {};
      const statement = new Promise<void>((done, fail) => { stop = () => fail(new Error('interrupted')); setTimeout(done, 30_000); });
      await cancellable(() => { held.stopped++; stop(); }, () => statement);
      held.released++;
    }
    return invoke(name as never, input as never, opts);
  })) as typeof engine.invoke;
  const failed: string[] = [];
  const onFailed = (r: Request) => {
    if (r.url().endsWith('/api/events.page') && (r.postData() ?? '').includes('"text":"Traceback"')) failed.push(r.failure()?.errorText ?? '');
  };
  page.on('requestfailed', onFailed);
  try {
    await page.getByTestId('search-input').fill('Traceback');
    await page.getByTestId('search-input').press('Enter');
    await expect.poll(() => held.asked).toBe(1);
    await page.getByTestId('search-input').fill('INFO');
    await page.getByTestId('search-input').press('Enter');
    // The engine saw its caller leave: the held read was cancelled (it did not run out its 30 s), and the browser
    // reports the request as aborted by the page, not failed by the network or the server.
    await expect.poll(() => held.stopped).toBe(1);
    expect(held.released).toBe(0);
    await expect.poll(() => failed).toEqual(['net::ERR_ABORTED']);
    // The table shows the search that replaced it, with the engine's own total for that word.
    const info = await histogramTotal(casefile, caseId, 'INFO');
    expect(info).toBeGreaterThan(0);
    await expect(page.getByTestId('events-total')).not.toHaveText(/counting/);
    await expect.poll(() => eventsTotal(page)).toBe(info);
    expect(problems.errors).toEqual([]);
    await expect(page.getByRole('alert')).toHaveCount(0);
  } finally {
    page.off('requestfailed', onFailed);
    engine.invoke = invoke;
  }
});
